"""A deterministic, realistic sample of what the data center's outside systems export.

``generate_sample(out_dir)`` writes one file per inbound message of every channel under
``mappings/``, in the format that system really sends (registry CSV, personnel JSON,
catalog JSON, inspection XML, penalty JSON Lines, 12345 work orders JSON, the credit
platform's GBK CSV, the knowledge base's JSON and JSON Lines)::

    >>> files = generate_sample(Path("var/demo"), entities=300)      # doctest: +SKIP
    >>> [(f.channel, f.message, f.records, f.planted_bad) for f in files][:1]
    [('market_registry', 'entities', 307, 5)]

The same seed gives byte-identical files: one ``random.Random(seed)`` drives everything, in a
fixed order, and every date is counted back from ``REFERENCE_DATE`` rather than today.

Everything refers to everything else as it would in a real province: entities carry valid
统一社会信用代码 issued in real Anhui counties (GB/T 2260), inspections and penalties name
existing entities, officers' certificate numbers and catalog codes, penalties link to the
inspection that found them, credit records publish those penalties.

Each file also carries a few bad records (about 1-2 %, at least one of every kind that file
can have): a wrong check character, an abolished region code, a missing required field, an
over-long name, an impossible date, a broken line, and identical duplicate rows. The entity
register also holds the allow-listed code ``91350203M0001QAY9B`` (DOMAIN.md), which must be
stored and flagged. ``SampleFile`` records what was planted where, so a test can check that
the pipeline quarantines exactly those records.

Catalog codes here follow a layout of the sample's own, since the official one is not
published (DOMAIN.md): ``34`` (province) + department (2) + category (2, ``01`` 行政检查)
+ main item (4) + sub-item (4, ``0000`` for a main item).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from hub.demo.vocabulary import (
    ABNORMAL_LIST_REASONS,
    ABOLISHED_REGION_CODES,
    ARTICLE_TEMPLATES,
    BUSINESS_SCOPE,
    CITY_DOCUMENT_ABBREVIATIONS,
    COMPLAINT_TOPICS,
    CONSULTATION_TOPICS,
    FINAL_ARTICLE_TEMPLATE,
    LAWS,
    PRAISE_TOPICS,
    SERIOUS_VIOLATION_REASONS,
    SUGGESTION_TOPICS,
)
from hub.demo.world import (
    ALLOW_LISTED_USCC,
    REFERENCE_DATE,
    CatalogItem,
    Entity,
    Inspection,
    Office,
    Officer,
    Penalty,
    World,
    add_working_days,
    chinese_number,
)
from standards.codes import USCC_CHARSET

__all__ = ["ALLOW_LISTED_USCC", "REFERENCE_DATE", "SampleFile", "generate_sample"]

BAD_SHARE = 0.015
DUPLICATE_SHARE = 0.003
_EXPORTED_AT = "2026-06-30 02:00:00"
_FILE_DATE = REFERENCE_DATE.strftime("%Y%m%d")


@dataclass(frozen=True)
class SampleFile:
    """One generated file and what was planted in it.

    ``records`` is what the pipeline will receive; ``planted_bad`` records must be
    quarantined (at ``bad_positions``, 1-based as the pipeline counts), ``planted_duplicates``
    are identical copies of earlier rows, ``planted_flagged`` are stored with
    ``code_check_failed``. ``planted`` counts each kind planted (``duplicate`` included),
    e.g. ``(("bad_date", 9), ("duplicate", 9), ...)``.
    """

    channel: str
    message: str
    path: Path
    records: int = 0
    planted_bad: int = 0
    planted_duplicates: int = 0
    planted_flagged: int = 0
    bad_positions: tuple[int, ...] = ()
    planted: tuple[tuple[str, int], ...] = ()

    @property
    def expected_stored(self) -> int:
        """Records a first ingest into an empty store must store."""
        return self.records - self.planted_bad - self.planted_duplicates


def generate_sample(out_dir: Path, *, seed: int = 2019, entities: int = 3000) -> list[SampleFile]:
    """Write the sample under ``out_dir/<channel>/`` and describe every file written.

    ``entities`` is the number of good market entities; the other libraries scale with it
    (about one officer per ten entities, but at least two per city department, one inspection
    per two entities, one penalty per ten, ...). The catalog (60 items) and the knowledge base
    (20 laws, 200 articles) have fixed sizes.
    """
    if entities < 20:
        raise ValueError("the sample needs at least 20 entities")
    world = World(random.Random(seed), entities)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _entities_file(world, out_dir),
        _officers_file(world, out_dir),
        _catalog_file(world, out_dir),
        _inspections_file(world, out_dir),
        _penalties_file(world, out_dir),
        _work_orders_file(world, out_dir),
        _credit_file(world, out_dir),
        _laws_file(world, out_dir),
        _articles_file(world, out_dir),
    ]


# ---------------------------------------------------------------------------------------
# Planting bad records


@dataclass
class _Planted:
    rows: list[Any]
    bad_positions: list[int]
    kinds: dict[str, int]
    duplicates: int
    flagged: int


class _Raw(str):
    """A row written verbatim (a broken line), not serialised."""


def _plant(
    world: World,
    good: list[Any],
    make_bad: Callable[[str], Any],
    kinds: Sequence[str],
    flagged: Sequence[Any] = (),
) -> _Planted:
    """Mix bad rows (at least one of each kind) and identical duplicates into ``good``."""
    rng = world.rng
    count = max(len(kinds), round(len(good) * BAD_SHARE))
    order = list(kinds)
    rng.shuffle(order)
    slots: list[tuple[str | None, Any]] = [(None, row) for row in good]
    for row in flagged:
        slots.insert(rng.randrange(len(slots) + 1), ("flagged", row))
    counts: dict[str, int] = {}
    for index in range(count):
        kind = order[index % len(order)]
        counts[kind] = counts.get(kind, 0) + 1
        slots.insert(rng.randrange(len(slots) + 1), (kind, make_bad(kind)))
    duplicates = max(1, round(len(good) * DUPLICATE_SHARE))
    for _ in range(duplicates):
        original = rng.randrange(len(slots))
        while slots[original][0] is not None:
            original = rng.randrange(len(slots))
        slots.insert(rng.randint(original + 1, len(slots)), ("duplicate", slots[original][1]))
    counts["duplicate"] = duplicates
    special = ("duplicate", "flagged", None)
    return _Planted(
        rows=[row for _, row in slots],
        bad_positions=[
            position for position, (kind, _) in enumerate(slots, start=1) if kind not in special
        ],
        kinds=counts,
        duplicates=duplicates,
        flagged=len(flagged),
    )


def _describe(channel: str, message: str, path: Path, planted: _Planted) -> SampleFile:
    return SampleFile(
        channel=channel,
        message=message,
        path=path,
        records=len(planted.rows),
        planted_bad=len(planted.bad_positions),
        planted_duplicates=planted.duplicates,
        planted_flagged=planted.flagged,
        bad_positions=tuple(planted.bad_positions),
        planted=tuple(sorted(planted.kinds.items())),
    )


def _wrong_check(code: str) -> str:
    """The same code with another check character (never the right one)."""
    right = USCC_CHARSET.index(code[-1]) if code[-1] in USCC_CHARSET else 0
    return code[:-1] + USCC_CHARSET[(right + 7) % len(USCC_CHARSET)]


def _wrong_citizen_check(code: str) -> str:
    characters = "0123456789X"
    return code[:-1] + characters[(characters.index(code[-1]) + 3) % len(characters)]


def _overlong(name: str) -> str:
    """A name with the business scope pasted into it: longer than any name field allows."""
    return f"{name}（经营范围：{BUSINESS_SCOPE}）"


def _path(out_dir: Path, channel: str, name: str) -> Path:
    folder = out_dir / channel
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


# ---------------------------------------------------------------------------------------
# Serialisers


def _write_csv(
    path: Path, header: list[str], rows: list[Any], *, encoding: str, newline: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        if isinstance(row, _Raw):
            buffer.write(str(row) + newline)
        else:
            writer.writerow([row.get(column, "") for column in header])
    path.write_bytes(buffer.getvalue().encode(encoding))


def _write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_jsonl(path: Path, rows: list[Any]) -> None:
    lines = [
        str(row) if isinstance(row, _Raw) else json.dumps(row, ensure_ascii=False) for row in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _xml_lines(tag: str, value: Any, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if isinstance(value, dict):
        attributes = "".join(
            f" {key[1:]}={quoteattr(str(v))}" for key, v in value.items() if key.startswith("@")
        )
        out.append(f"{pad}<{tag}{attributes}>")
        for key, child in value.items():
            if not key.startswith("@"):
                _xml_lines(key, child, depth + 1, out)
        out.append(f"{pad}</{tag}>")
    elif value is None or value == "":
        out.append(f"{pad}<{tag}/>")
    else:
        out.append(f"{pad}<{tag}>{escape(str(value))}</{tag}>")


# ---------------------------------------------------------------------------------------
# Formats of dates as the systems write them


def _registry_date(world: World, day: date) -> str:
    style = world.rng.choices((0, 1, 2, 3), weights=(70, 10, 10, 10))[0]
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 3:
        return f"{day:%Y%m%d}"
    return day.isoformat()


def _chinese_moment(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _moment(moment: datetime | None) -> str | None:
    return None if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


# ---------------------------------------------------------------------------------------
# market_registry / entities: CSV, UTF-8


MARKET_REGISTRY_COLUMNS = (
    "内部序号",
    "统一社会信用代码",
    "企业名称",
    "主体类型",
    "住所所在行政区划",
    "行业代码",
    "法定代表人",
    "住所",
    "经营场所",
    "登记状态",
    "成立日期",
    "注册资本",
    "登记机关",
    "更新时间",
)
"""Columns of the market register's CSV export, in order (mappings/market_registry)."""


def _entity_row(world: World, entity: Entity) -> dict[str, str]:
    industry = entity.industry
    code = (
        f"{industry.section}{industry.division}" if world.rng.random() < 0.5 else industry.division
    )
    return {
        "内部序号": entity.internal_id,
        "统一社会信用代码": entity.uscc,
        "企业名称": entity.name,
        "主体类型": entity.kind,
        "住所所在行政区划": entity.county.code,
        "行业代码": code,
        "法定代表人": entity.legal_representative,
        "住所": entity.address,
        "经营场所": "" if entity.business_address == entity.address else entity.business_address,
        "登记状态": entity.status,
        "成立日期": _registry_date(world, entity.established),
        "注册资本": entity.capital,
        "登记机关": f"{entity.county.full_name}市场监督管理局",
        "更新时间": world.update_time(),
    }


def _entities_file(world: World, out_dir: Path) -> SampleFile:
    good = [_entity_row(world, entity) for entity in world.entities]

    def bad(kind: str) -> dict[str, str]:
        county = world.rng.choice(world.counties)
        row = _entity_row(world, world.new_entity(county))
        if kind == "wrong_uscc_check":
            row["统一社会信用代码"] = _wrong_check(row["统一社会信用代码"])
        elif kind == "unknown_region":
            old = world.rng.choice(ABOLISHED_REGION_CODES)
            row["住所所在行政区划"] = old
            row["统一社会信用代码"] = world.uscc("9", "1", old, modern=False)
        elif kind == "missing_required":
            row["企业名称"] = ""
        elif kind == "overlong_name":
            row["企业名称"] = _overlong(row["企业名称"])
        elif kind == "bad_date":
            row["成立日期"] = world.rng.choice(("2019-02-30", "2018年13月5日", "2021/04/31"))
        return row

    flagged = _entity_row(world, world.new_entity(world.counties[0]))
    flagged.update(
        {
            "统一社会信用代码": ALLOW_LISTED_USCC,
            "企业名称": "厦门鹭岛商贸有限公司",
            "主体类型": "企业",
            "住所所在行政区划": "350203",
            "住所": "福建省厦门市思明区湖滨南路88号",
            "经营场所": "",
            "登记机关": "厦门市思明区市场监督管理局",
        }
    )
    kinds = ("wrong_uscc_check", "unknown_region", "missing_required", "overlong_name", "bad_date")
    planted = _plant(world, good, bad, kinds, flagged=[flagged])
    path = _path(out_dir, "market_registry", f"market_entities_{_FILE_DATE}.csv")
    _write_csv(path, list(MARKET_REGISTRY_COLUMNS), planted.rows, encoding="utf-8", newline="\n")
    return _describe("market_registry", "entities", path, planted)


# ---------------------------------------------------------------------------------------
# enforcement_personnel / officers: JSON {"data": {"items": [...]}}


def _officer_row(world: World, officer: Officer) -> dict[str, Any]:
    office = officer.office
    return {
        "执法证号": officer.certificate,
        "姓名": officer.name,
        "性别": "男" if officer.male else "女",
        "身份证号": officer.citizen_id,
        "所属部门编码": office.code,
        "所属部门名称": office.name,
        "所属区划代码": office.region_code,
        "执法类别": list(officer.qualifications),
        "专业领域": "、".join(officer.specialities),
        "持证状态": officer.licence_status,
        "人员状态": officer.status,
        "发证日期": officer.issued.isoformat(),
        "证件有效期至": date(officer.issued.year + 5, officer.issued.month, 1).isoformat(),
        "更新时间": world.update_time(),
    }


def _officers_file(world: World, out_dir: Path) -> SampleFile:
    officers = [officer for office in world.offices.values() for officer in office.officers]
    good = [_officer_row(world, officer) for officer in officers]
    spare = 90000

    def bad(kind: str) -> dict[str, Any]:
        nonlocal spare
        office = world.rng.choice(list(world.offices.values()))
        spare += 1
        row = _officer_row(world, officer_like(office, spare))
        if kind == "missing_required":
            del row["姓名"]
        elif kind == "unknown_region":
            row["所属区划代码"] = world.rng.choice(ABOLISHED_REGION_CODES)
        elif kind == "overlong_name":
            row["姓名"] = _overlong(row["姓名"])
        elif kind == "bad_date":
            row["证件有效期至"] = "长期有效"
        return row

    def officer_like(office: Office, sequence: int) -> Officer:
        born = world.day_between(date(1970, 1, 1), date(1995, 12, 31))
        return Officer(
            certificate=f"{office.region_code}{office.department.number}{sequence:05d}",
            name=world.person_name(),
            office=office,
            citizen_id=world.citizen_id(office.region_code, born, True),
            male=True,
            status="在岗",
            licence_status="有效",
            issued=date(2024, 3, 1),
            specialities=office.department.specialities[:1],
            qualifications=("行政检查",),
        )

    planted = _plant(
        world, good, bad, ("missing_required", "unknown_region", "overlong_name", "bad_date")
    )
    path = _path(out_dir, "enforcement_personnel", f"enforcement_officers_{_FILE_DATE}.json")
    document = {
        "code": "200",
        "message": "查询成功",
        "data": {
            "total": len(planted.rows),
            "pageNo": 1,
            "pageSize": len(planted.rows),
            "items": planted.rows,
        },
    }
    _write_json(path, document)
    return _describe("enforcement_personnel", "officers", path, planted)


# ---------------------------------------------------------------------------------------
# supervision_catalog / catalog_items: JSON {"result": {"records": [...]}}


def _catalog_row(world: World, item: CatalogItem) -> dict[str, Any]:
    entry = item.entry
    department = item.department
    return {
        "监管事项目录编码": item.code,
        "监管事项名称": item.name,
        "事项类型": "主项" if item.parent_code is None else "子项",
        "主项编码": item.parent_code,
        "监管部门编码": f"{department.abbreviation}-34",
        "监管部门名称": department.province_name,
        "监管类别": "行政检查",
        "监管方式": entry.manner,
        "监管措施": "现场检查；查阅、复制有关资料；抽样检验；责令改正",
        "监管对象": entry.objects,
        "设定依据": entry.basis,
        "监管流程": "制定检查计划→随机抽取检查对象和执法检查人员→实施检查→录入检查结果→结果公示",
        "监管结果": "检查结果通过国家企业信用信息公示系统（安徽）向社会公示",
        "事项层级": "市级" if department.abbreviation == "SThJ" else "县级",
        "行政区划代码": "340000",
        "事项状态": item.status,
        "版本号": item.version,
        "事项来源": "地方"
        if entry.name in ("对价格行为的监督检查", "对计量器具使用的监督检查")
        else "国家",
        "更新时间": world.update_time(),
    }


def _catalog_file(world: World, out_dir: Path) -> SampleFile:
    good = [_catalog_row(world, item) for item in world.catalog]
    spare = 9000

    def bad(kind: str) -> dict[str, Any]:
        nonlocal spare
        spare += 1
        template = world.rng.choice(world.catalog)
        row = _catalog_row(world, template)
        row["监管事项目录编码"] = template.code[:10] + f"{spare:04d}"
        if kind == "missing_required":
            row["监管事项名称"] = ""
        elif kind == "unknown_region":
            row["行政区划代码"] = world.rng.choice(ABOLISHED_REGION_CODES)
        elif kind == "overlong_name":
            row["监管事项名称"] = _overlong(row["监管事项名称"])
        elif kind == "malformed_code":
            row["监管事项目录编码"] = row["监管事项目录编码"][:5] + row["监管事项目录编码"][6:]
        elif kind == "bad_date":
            row["更新时间"] = "2026-06-31 10:00:00"
        return row

    kinds = ("missing_required", "unknown_region", "overlong_name", "malformed_code", "bad_date")
    planted = _plant(world, good, bad, kinds)
    path = _path(out_dir, "supervision_catalog", f"supervision_catalog_{_FILE_DATE}.json")
    document = {
        "resultCode": "0",
        "resultMsg": "成功",
        "result": {
            "catalogVersion": "2026-06",
            "total": len(planted.rows),
            "records": planted.rows,
        },
    }
    _write_json(path, document)
    return _describe("supervision_catalog", "catalog_items", path, planted)


# ---------------------------------------------------------------------------------------
# inspection_records / inspections: XML, one <Record> per inspection


def _inspection_record(world: World, inspection: Inspection) -> dict[str, Any]:
    rng = world.rng
    entity = inspection.entity
    office = inspection.office
    if rng.random() < 0.5:
        reported = inspection.at + timedelta(hours=rng.randint(1, 3), minutes=rng.randint(0, 59))
    else:
        reported = world.office_hours(add_working_days(inspection.at.date(), rng.randint(1, 2)))
    published: datetime | None = None
    if inspection.category == "双随机抽查":
        published = datetime.combine(
            add_working_days(inspection.at.date(), rng.randint(3, 18)), time(9, rng.randint(0, 59))
        )
        if published.date() >= REFERENCE_DATE:
            published = None
    plan = ""
    if inspection.category == "双随机抽查":
        plan = f"SSJ-{office.code}-{inspection.at.year}-{(inspection.at.month - 1) // 3 + 1:02d}"
    return {
        "@操作类型": "I",
        "@更新时间": _moment(reported + timedelta(minutes=rng.randint(1, 30))),
        "检查行为编号": inspection.number,
        "检查行为名称": f"{inspection.item.name}（{entity.name}）",
        "双随机计划编号": plan,
        "监管事项目录编码": inspection.item.code,
        "检查实施清单编码": f"{office.uscc}{office.level_digit}{inspection.item.code}01",
        "实施机构": {
            "机构名称": office.name,
            "统一社会信用代码": office.uscc,
            "部门代码": office.code,
        },
        "委托部门": "",
        "检查对象": {
            "对象类型": "市场主体",
            "对象名称": entity.name,
            "相对人性质": entity.counterpart_nature,
            "证件类型": "统一社会信用代码",
            "证件号码": entity.uscc,
            "注册地址": entity.address,
            "经营地址": entity.business_address,
            "行政区划代码": entity.county.code,
        },
        "检查形式": rng.choices(
            ("现场检查", "书面检查", "网络检查", "非现场检查"), weights=(80, 10, 5, 5)
        )[0],
        "检查类别": inspection.category,
        "检查方式": rng.choices(("单独检查", "联合检查"), weights=(75, 25))[0],
        "检查时间": _chinese_moment(inspection.at),
        "检查结果": inspection.result,
        "检查结果描述": inspection.result_text.format(problem=inspection.problem),
        "检查人员": {
            "姓名": ",".join(officer.name for officer in inspection.officers),
            "执法证号": ",".join(officer.certificate for officer in inspection.officers),
        },
        "数据来源": rng.choices(
            ("移动执法终端", "现场检查录入", "执法记录仪"), weights=(50, 40, 10)
        )[0],
        "上报时间": _chinese_moment(reported),
        "上报人": inspection.officers[0].name,
        "公示时间": _chinese_moment(published) if published else "",
    }


def _inspections_file(world: World, out_dir: Path) -> SampleFile:
    good = [_inspection_record(world, inspection) for inspection in world.inspections]
    spare = 0

    def bad(kind: str) -> dict[str, Any]:
        nonlocal spare
        spare += 1
        template = world.rng.choice(world.inspections)
        record = _inspection_record(world, template)
        record["检查行为编号"] = f"{template.office.code}-JC-{template.at.year}-9{spare:05d}"
        target = record["检查对象"]
        if kind == "wrong_uscc_check":
            target["证件号码"] = _wrong_check(target["证件号码"])
        elif kind == "unknown_region":
            target["行政区划代码"] = world.rng.choice(ABOLISHED_REGION_CODES)
        elif kind == "missing_required":
            del record["检查时间"]
        elif kind == "overlong_name":
            target["对象名称"] = _overlong(target["对象名称"])
        elif kind == "bad_date":
            record["检查时间"] = world.rng.choice(("2025年2月30日 10:00", "2025年13月2日 09:30"))
        return record

    kinds = ("wrong_uscc_check", "unknown_region", "missing_required", "overlong_name", "bad_date")
    planted = _plant(world, good, bad, kinds)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<Package>",
        "  <Header>",
        "    <数据来源>340000</数据来源>",
        f"    <批次号>{_FILE_DATE}00001</批次号>",
        f"    <记录数>{len(planted.rows)}</记录数>",
        f"    <导出时间>{_EXPORTED_AT}</导出时间>",
        "  </Header>",
        "  <Records>",
    ]
    for record in planted.rows:
        _xml_lines("Record", record, 2, lines)
    lines += ["  </Records>", "</Package>", ""]
    path = _path(out_dir, "inspection_records", f"inspections_{_FILE_DATE}.xml")
    path.write_text("\n".join(lines), encoding="utf-8")
    return _describe("inspection_records", "inspections", path, planted)


# ---------------------------------------------------------------------------------------
# penalty_records / penalties: JSON Lines


# Departmental systems that report amounts in 万元 (the national push format); others in 元.
_TEN_THOUSAND_YUAN = ("SCJG", "SThJ")


def _penalty_row(world: World, penalty: Penalty) -> dict[str, Any]:
    rng = world.rng
    entity = penalty.entity
    office = penalty.office
    department = office.department.abbreviation
    inspection = penalty.inspection
    decided = penalty.decided_on
    fine, confiscated, kinds, simple = (
        penalty.fine,
        penalty.confiscated,
        penalty.kinds,
        penalty.simple,
    )
    closed = add_working_days(decided, rng.randint(5, 40))
    is_closed = closed < REFERENCE_DATE
    unit = "万元" if department in _TEN_THOUSAND_YUAN else "元"

    def amount(yuan: int) -> float | int | None:
        if not yuan:
            return None
        return round(yuan / 10000, 4) if unit == "万元" else yuan

    major = fine >= 200000
    basis = penalty.item.entry.basis.split("》")[0] + "》"
    row: dict[str, Any] = {
        "案件编号": penalty.number,
        "处罚决定书文号": penalty.decision_number,
        "案件名称": f"{entity.name}{penalty.problem}案",
        "监管事项目录编码": penalty.item.code,
        "检查实施清单编码": f"{office.uscc}{office.level_digit}{penalty.item.code}01",
        "处罚机关": {"名称": office.name, "统一社会信用代码": office.uscc, "部门代码": office.code},
        "当事人": {
            "名称": entity.name,
            "类型": entity.counterpart_nature,
            "证件类型": "统一社会信用代码",
            "证件号码": entity.uscc,
            "法定代表人": entity.legal_representative,
            "行政区划代码": entity.county.code,
            "住所": entity.address,
        },
        "案件来源": "监督检查"
        if inspection
        else rng.choice(("投诉举报", "上级交办", "其他部门移送", "监督抽检")),
        "关联检查编号": inspection.number if inspection else None,
        "违法事实": penalty.facts,
        "处罚依据": f"依据{basis}第{chinese_number(_penalty_article(rng, basis))}条的规定",
        "程序类型": "简易程序" if simple else "普通程序",
        "是否听证": "是" if fine >= 100000 and rng.random() < 0.4 else "否",
        "立案日期": penalty.filed_on.isoformat(),
        "处罚决定日期": decided.isoformat(),
        "结案日期": closed.isoformat() if is_closed else None,
        "是否移送司法机关": "否",
        "是否重大案件": "是" if major else "否",
        "是否法制审核": "否" if simple else "是",
        "是否集体讨论": "是" if major else "否",
        "处罚种类": list(kinds),
        "金额单位": unit,
        "罚款金额": amount(fine),
        "没收违法所得金额": amount(confiscated),
        "实缴金额": amount(fine + confiscated) if is_closed else None,
        "复议诉讼情况": "申请行政复议，复议机关维持原处罚决定" if rng.random() < 0.02 else "",
        "处罚内容": "、".join(f"罚款{fine}元" if k == "02" else _PENALTY_NAMES[k] for k in kinds),
        "执法人员证号": [officer.certificate for officer in rng.sample(office.acting_officers, 2)],
        "公示日期": penalty.published_on.isoformat() if penalty.published_on else None,
        "上报时间": _moment(
            datetime.combine(
                decided + timedelta(days=1), time(rng.randint(8, 17), rng.randint(0, 59))
            )
        ),
        "更新时间": world.update_time(),
    }
    # The case's first officer reports it, as for inspections (after the random draws above,
    # so that the rest of the sample stays the same for a seed).
    first = row["执法人员证号"][0]
    row["上报人"] = next(o.name for o in office.acting_officers if o.certificate == first)
    return row


_ARTICLE_COUNTS = {f"《{law.title}》": law.articles for law in LAWS}


def _penalty_article(rng: random.Random, basis: str) -> int:
    """An article in the law's "legal liability" chapter, near its end."""
    last = _ARTICLE_COUNTS.get(basis, 60)
    return rng.randint(max(2, last * 6 // 10), max(2, last - 2))


_PENALTY_NAMES = {
    "01": "警告",
    "02": "罚款",
    "03": "没收违法所得",
    "04": "责令停产停业",
    "09": "没收非法财物",
    "11": "暂扣许可证",
    "12": "限制开展生产经营活动",
}


def _penalties_file(world: World, out_dir: Path) -> SampleFile:
    penalties = world.penalties
    good = [_penalty_row(world, penalty) for penalty in penalties]
    spare = 0

    def bad(kind: str) -> Any:
        nonlocal spare
        spare += 1
        template = world.rng.choice(penalties)
        row = _penalty_row(world, template)
        row["案件编号"] = f"{template.office.code}-CF-{template.decided_on.year}-9{spare:04d}"
        party = row["当事人"]
        if kind == "wrong_uscc_check":
            party["证件号码"] = _wrong_check(party["证件号码"])
        elif kind == "unknown_region":
            party["行政区划代码"] = world.rng.choice(ABOLISHED_REGION_CODES)
        elif kind == "missing_required":
            del row["案件编号"]
        elif kind == "overlong_name":
            party["名称"] = _overlong(party["名称"])
        elif kind == "bad_date":
            row["立案日期"] = "2025-02-29"
        elif kind == "malformed_line":
            text = json.dumps(row, ensure_ascii=False)
            return _Raw(text[: len(text) // 2])
        return row

    kinds = (
        "wrong_uscc_check",
        "unknown_region",
        "missing_required",
        "overlong_name",
        "bad_date",
        "malformed_line",
    )
    planted = _plant(world, good, bad, kinds)
    path = _path(out_dir, "penalty_records", f"penalties_{_FILE_DATE}.jsonl")
    _write_jsonl(path, planted.rows)
    return _describe("penalty_records", "penalties", path, planted)


# ---------------------------------------------------------------------------------------
# hotline_12345 / work_orders: JSON {"data": {"rows": [...]}}, personal data


_CITY_CENTRES = {
    "3401": (31.82, 117.23),
    "3402": (31.35, 118.43),
    "3403": (32.92, 117.39),
    "3404": (32.63, 117.00),
    "3405": (31.67, 118.51),
    "3406": (33.96, 116.80),
    "3407": (30.94, 117.81),
    "3408": (30.54, 117.06),
    "3410": (29.71, 118.34),
    "3411": (32.30, 118.32),
    "3412": (32.89, 115.81),
    "3413": (33.65, 116.96),
    "3415": (31.73, 116.52),
    "3416": (33.84, 115.78),
    "3417": (30.66, 117.49),
    "3418": (30.94, 118.76),
}
_TIME_LIMITS = {"投诉": 13, "举报": 15, "咨询": 3, "建议": 10, "表扬": 5}


def _work_order(world: World, index: int) -> dict[str, Any]:
    rng = world.rng
    kind = rng.choices(tuple(_TIME_LIMITS), weights=(55, 15, 20, 6, 4))[0]
    topics = {
        "投诉": COMPLAINT_TOPICS,
        "举报": COMPLAINT_TOPICS,
        "咨询": CONSULTATION_TOPICS,
        "建议": SUGGESTION_TOPICS,
        "表扬": PRAISE_TOPICS,
    }[kind]
    topic = rng.choice(topics)
    category, department_code, title, content = (
        topic.category,
        topic.department,
        topic.title,
        topic.content,
    )
    target = None
    if kind in ("投诉", "举报") and rng.random() < 0.9:
        target = rng.choice(world.complaint_targets(topic))
    county = target.county if target else rng.choice(world.counties)
    received_day = world.day_between(date(2025, 7, 1), REFERENCE_DATE - timedelta(days=1))
    hour = rng.choices(
        range(24),
        weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 6, 7, 9, 9, 8, 7, 5, 4, 3, 2, 2, 1],
    )[0]
    received = datetime.combine(received_day, time(hour, rng.randint(0, 59), rng.randint(0, 59)))
    limit = _TIME_LIMITS[kind]
    due = datetime.combine(add_working_days(received_day, limit), time(17, 30))
    age = (REFERENCE_DATE - received_day).days
    department = world.departments[department_code]
    office = (
        world.acting_office(department, target)
        if target
        else world.offices[f"{department_code}-{county.city_code[:4]}"]
    )
    closed: datetime | None = None
    if age > limit * 2:
        status = rng.choices(("已办结", "不予受理", "督办中"), weights=(90, 3, 7))[0]
    else:
        status = rng.choice(("已受理", "已派单", "办理中", "已回复"))
    if status in ("已办结", "不予受理"):
        closed = received + timedelta(days=rng.randint(1, limit + 4), hours=rng.randint(1, 8))
    target_name = target.name if target else ""
    answer = ""
    if status in ("已回复", "已办结"):
        answer = f"经{office.name}核查，来电反映情况{rng.choice(('属实，已责令整改', '部分属实，已督促改正', '不属实', '已调解处理'))}，并已向来电人反馈。"
    elif status == "不予受理":
        answer = "经核实，该诉求已通过司法途径处理，依据有关规定不予受理，已告知来电人。"
    centre = _CITY_CENTRES[county.city_code[:4]]
    located = rng.random() < 0.7
    male = rng.random() < 0.55
    caller_home = rng.choice(world.counties)
    born = world.day_between(date(1950, 1, 1), date(2004, 12, 31))
    return {
        "工单编号": f"AH{received:%y%m%d}{index:06d}",
        "来电时间": _moment(received),
        "诉求渠道": rng.choices(("电话", "网站", "微信", "app"), weights=(70, 10, 15, 5))[0],
        "诉求类型": kind,
        "诉求标题": title.format(target=target_name or "某商户"),
        "诉求内容": content.format(target=target_name or "某商户"),
        "诉求分类": category,
        "诉求人": {
            "姓名": world.person_name(),
            "联系电话": world.phone(),
            "身份证号码": world.citizen_id(caller_home.code, born, male)
            if rng.random() < 0.4
            else "",
            "联系地址": world.address(caller_home),
        },
        "事发地": {
            "行政区划代码": county.code,
            "详细地址": target.business_address if target else world.address(county),
            "经度": round(centre[1] + rng.uniform(-0.15, 0.15), 6) if located else None,
            "纬度": round(centre[0] + rng.uniform(-0.15, 0.15), 6) if located else None,
        },
        "被反映对象": {"名称": target_name, "统一社会信用代码": target.uscc if target else ""},
        "承办单位": {"名称": office.name, "部门代码": office.code},
        "办理时限": limit,
        "办理期限": _moment(due),
        "工单状态": status,
        "答复内容": answer,
        "办结时间": _moment(closed),
        "回访评价": rng.choices(("满意", "基本满意", "不满意"), weights=(70, 20, 10))[0]
        if status == "已办结"
        else "",
        "更新时间": _moment(
            max(closed or received, received) + timedelta(minutes=rng.randint(5, 600))
        ),
    }


def _work_orders_file(world: World, out_dir: Path) -> SampleFile:
    count = world.entity_count * 8 // 30
    good = [_work_order(world, index) for index in range(1, count + 1)]
    spare = 900000

    def bad(kind: str) -> dict[str, Any]:
        nonlocal spare
        spare += 1
        row = _work_order(world, spare)
        while not row["被反映对象"]["统一社会信用代码"] or not row["诉求人"]["身份证号码"]:
            row = _work_order(world, spare)
        if kind == "wrong_uscc_check":
            row["被反映对象"]["统一社会信用代码"] = _wrong_check(
                row["被反映对象"]["统一社会信用代码"]
            )
        elif kind == "wrong_citizen_id_check":
            row["诉求人"]["身份证号码"] = _wrong_citizen_check(row["诉求人"]["身份证号码"])
        elif kind == "unknown_region":
            row["事发地"]["行政区划代码"] = world.rng.choice(ABOLISHED_REGION_CODES)
        elif kind == "missing_required":
            del row["来电时间"]
        elif kind == "overlong_name":
            row["被反映对象"]["名称"] = _overlong(row["被反映对象"]["名称"])
        elif kind == "bad_date":
            row["来电时间"] = "2026-04-31 09:15:00"
        return row

    kinds = (
        "wrong_uscc_check",
        "wrong_citizen_id_check",
        "unknown_region",
        "missing_required",
        "overlong_name",
        "bad_date",
    )
    planted = _plant(world, good, bad, kinds)
    path = _path(out_dir, "hotline_12345", f"hotline_12345_work_orders_{_FILE_DATE}.json")
    document = {
        "code": 200,
        "msg": "操作成功",
        "data": {
            "total": len(planted.rows),
            "pageNum": 1,
            "pageSize": len(planted.rows),
            "rows": planted.rows,
        },
    }
    _write_json(path, document)
    return _describe("hotline_12345", "work_orders", path, planted)


# ---------------------------------------------------------------------------------------
# credit_platform / credit_records: CSV in GBK, CRLF (a Windows export)


_CREDIT_HEADER = [
    "信息类别",
    "统一社会信用代码",
    "主体名称",
    "决定文书号",
    "列入事由",
    "作出决定机关",
    "部门代码",
    "列入日期",
    "移出日期",
    "移出事由",
    "信用风险分类",
    "行政区划代码",
    "数据更新时间",
]


def _credit_rows(world: World) -> list[dict[str, str]]:
    rng = world.rng
    count = world.entity_count // 5
    published = [p for p in world.penalties if p.published_on is not None]
    publicity = rng.sample(published, min(len(published), count // 4))
    serious = max(1, count // 20)
    abnormal = count * 2 // 5
    classes = count - len(publicity) - serious - abnormal
    rows: list[dict[str, str]] = []

    def row(
        kind: str,
        entity: Entity,
        document: str,
        reason: str,
        office: Office | None,
        listed: date,
        removed: date | None = None,
        removal: str = "",
        credit_class: str = "",
    ) -> None:
        rows.append(
            {
                "信息类别": kind,
                "统一社会信用代码": entity.uscc,
                "主体名称": entity.name,
                "决定文书号": document,
                "列入事由": reason,
                "作出决定机关": office.name if office else "安徽省市场监督管理局",
                "部门代码": office.code if office else "SCJG-34",
                "列入日期": listed.isoformat(),
                "移出日期": removed.isoformat() if removed else "",
                "移出事由": removal,
                "信用风险分类": credit_class,
                "行政区划代码": entity.county.code,
                "数据更新时间": world.update_time(),
            }
        )

    for penalty in publicity:
        assert penalty.published_on is not None
        row(
            "行政处罚信息",
            penalty.entity,
            penalty.decision_number,
            penalty.facts,
            penalty.office,
            penalty.published_on,
        )
    market = world.departments["SCJG"]
    for entity in rng.sample(world.entities, min(len(world.entities), serious + abnormal)):
        office = world.acting_office(market, entity)
        city = CITY_DOCUMENT_ABBREVIATIONS[entity.county.city_code[:4]]
        if serious > 0:
            serious -= 1
            listed = world.working_day_between(date(2022, 1, 1), date(2026, 6, 20))
            number = office.next_document_number(listed.year)
            row(
                "严重违法失信名单",
                entity,
                f"{city}市监严违〔{listed.year}〕{number}号",
                rng.choice(SERIOUS_VIOLATION_REASONS),
                world.offices[f"SCJG-{entity.county.city_code[:4]}"],
                listed,
            )
            continue
        year = rng.randint(2019, 2025)
        listed = (
            date(year, 7, 1)
            if rng.random() < 0.7
            else world.working_day_between(date(year, 1, 1), date(year, 12, 31))
        )
        reason = rng.choices(
            [r for r, _ in ABNORMAL_LIST_REASONS], weights=[w for _, w in ABNORMAL_LIST_REASONS]
        )[0]
        removed = None
        removal = ""
        if rng.random() < 0.4:
            removed = listed + timedelta(days=rng.randint(20, 500))
            if removed >= REFERENCE_DATE:
                removed = None
            else:
                removal = "已补报年度报告并公示，申请移出经营异常名录"
        number = office.next_document_number(listed.year)
        row(
            "经营异常名录",
            entity,
            f"{city}市监经异〔{listed.year}〕{number}号",
            reason,
            office,
            listed,
            removed,
            removal,
        )
    for entity in rng.sample(world.active_entities, min(len(world.active_entities), classes)):
        grade = rng.choices("ABCD", weights=(40, 45, 12, 3))[0]
        row(
            "信用风险分类",
            entity,
            "皖市监信用分类〔2026〕6月批次",
            "企业信用风险分类管理月度结果",
            None,
            date(2026, 6, 5),
            credit_class=f"{grade}类",
        )
    rng.shuffle(rows)
    return rows


def _credit_file(world: World, out_dir: Path) -> SampleFile:
    good = _credit_rows(world)
    spare = 0

    def bad(kind: str) -> Any:
        nonlocal spare
        spare += 1
        row = dict(world.rng.choice(good))
        row["决定文书号"] = f"{row['决定文书号']}-补{spare}"
        if kind == "wrong_uscc_check":
            row["统一社会信用代码"] = _wrong_check(row["统一社会信用代码"])
        elif kind == "unknown_region":
            row["行政区划代码"] = world.rng.choice(ABOLISHED_REGION_CODES)
        elif kind == "missing_required":
            row["列入日期"] = ""
        elif kind == "overlong_name":
            row["主体名称"] = _overlong(row["主体名称"])
        elif kind == "bad_date":
            row["列入日期"] = "2025/02/30"
        elif kind == "column_count":
            row["列入事由"] = row["列入事由"] + ",经核查属实"
            return _Raw(",".join(row[column] for column in _CREDIT_HEADER))
        return row

    kinds = (
        "wrong_uscc_check",
        "unknown_region",
        "missing_required",
        "overlong_name",
        "bad_date",
        "column_count",
    )
    planted = _plant(world, good, bad, kinds)
    path = _path(out_dir, "credit_platform", f"credit_records_{_FILE_DATE}.csv")
    _write_csv(path, _CREDIT_HEADER, planted.rows, encoding="gbk", newline="\r\n")
    return _describe("credit_platform", "credit_records", path, planted)


# ---------------------------------------------------------------------------------------
# knowledge_base / laws (JSON) and law_articles (JSON Lines)


def _law_row(code: str, index: int) -> dict[str, Any]:
    law = LAWS[index]
    return {
        "法规编号": code,
        "法规名称": law.title,
        "效力级别": law.kind,
        "制定机关": law.issuer,
        "公布日期": law.promulgated,
        "施行日期": law.effective,
        "时效性": law.status,
        "适用区划": law.region,
    }


def _laws_file(world: World, out_dir: Path) -> SampleFile:
    good = [_law_row(code, index) for index, code in enumerate(world.laws)]
    spare = 0

    def bad(kind: str) -> dict[str, Any]:
        nonlocal spare
        spare += 1
        row = _law_row(f"FL9{spare:03d}", world.rng.randrange(len(LAWS)))
        if kind == "missing_required":
            row["法规名称"] = ""
        elif kind == "bad_date":
            row["施行日期"] = "二〇二一年九月一日"
        elif kind == "overlong_name":
            row["法规名称"] = "关于" + "、".join(f"《{law.title}》" for law in LAWS) + "的汇编"
        return row

    planted = _plant(world, good, bad, ("missing_required", "bad_date", "overlong_name"))
    path = _path(out_dir, "knowledge_base", f"laws_{_FILE_DATE}.json")
    _write_json(path, {"status": "ok", "total": len(planted.rows), "list": planted.rows})
    return _describe("knowledge_base", "laws", path, planted)


def _article_rows(world: World) -> list[dict[str, Any]]:
    rng = world.rng
    rows: list[dict[str, Any]] = []
    for code, law in zip(world.laws, LAWS, strict=True):
        kind = (
            "法" if law.title.endswith("法") else ("办法" if law.title.endswith("办法") else "条例")
        )
        middle = rng.sample(range(2, law.articles), min(8, law.articles - 2))
        for number in [1, *sorted(middle), law.articles]:
            if number == 1:
                template = ARTICLE_TEMPLATES[0]
            elif number == law.articles:
                template = FINAL_ARTICLE_TEMPLATE
            else:
                template = rng.choice(ARTICLE_TEMPLATES[1:])
            effective = law.effective or "公布之日"
            if law.effective:
                year, month, day = (int(part) for part in law.effective.split("-"))
                effective = f"{year}年{month}月{day}日"
            low = rng.randint(1, 5)
            text = template.format(
                kind=kind,
                domain=law.domain,
                department=law.department,
                effective=effective,
                low=low,
                high=low * 10,
                top=low * 50,
            )
            rows.append(
                {
                    "法规编号": code,
                    "法规名称": law.title,
                    "条号": f"第{chinese_number(number)}条",
                    "条款序号": str(number),
                    "条文内容": text,
                }
            )
    return rows


def _articles_file(world: World, out_dir: Path) -> SampleFile:
    good = _article_rows(world)

    def bad(kind: str) -> Any:
        row = dict(world.rng.choice(good))
        row["条款序号"] = f"{row['条款序号']}.9"
        if kind == "missing_required":
            row["条文内容"] = ""
            return row
        text = json.dumps(row, ensure_ascii=False)
        return _Raw(text[: len(text) * 2 // 3])

    planted = _plant(world, good, bad, ("missing_required", "malformed_line"))
    path = _path(out_dir, "knowledge_base", f"law_articles_{_FILE_DATE}.jsonl")
    _write_jsonl(path, planted.rows)
    return _describe("knowledge_base", "law_articles", path, planted)
