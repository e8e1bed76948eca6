"""Ingest throughput: our pipeline against raw COPY and dlt, on one generated entity CSV.

    python benchmarks/ingest.py [--rows 1000000] [--keep] [--only pipeline-pg,copy,...]

One run generates a CSV of ``--rows`` 市场主体登记信息 records in the format of
``mappings/market_registry`` (seeded, streamed to disk, exactly 1 % invalid), then loads it
with each contender, each in a child process of its own on a fresh store:

- ``pipeline-pg``: ``hub.exchange.pipeline.ingest`` (the code path of ``hub ingest``: envelope,
  parse, validate, map, code checks, upsert, provenance, quarantine) into a new PostgreSQL
  schema made with ``create_all``;
- ``pipeline-sqlite``: the same into a new SQLite file;
- ``copy``: the raw baseline, psycopg ``COPY ... FROM STDIN (FORMAT csv)`` of the same rows
  into a table of 14 text columns, converting and checking nothing;
- ``dlt``: dlt loading the same file into PostgreSQL with ``write_disposition="merge"`` on
  统一社会信用代码, from a generator resource yielding ``csv.DictReader`` dicts.

It checks stored + quarantined = rows (and quarantined = the invalid rows generated) for the
pipeline, prints each contender's rows/s and peak memory, then one ``ratio:`` line per
comparison and the peak-memory line. Targets (issue): pipeline-pg at least 3× dlt merge, at
least 35 % of raw COPY, peak memory under 300 MB whatever the file size.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import (
    REPO_ROOT,
    BenchmarkFailure,
    Result,
    Timer,
    chosen_contenders,
    create_hub_store,
    fail,
    fresh_schema,
    human_bytes,
    libpq_url,
    machine_summary,
    postgres_url,
    postgres_version,
    ratio_line,
    run_child,
    sqlalchemy_url,
    write_child_result,
)

from hub.demo.sample import MARKET_REGISTRY_COLUMNS

CONTENDERS = ("pipeline-pg", "pipeline-sqlite", "copy", "copy-entities", "dlt")
LABELS = {"dlt": "dlt-merge"}  # how the ratio lines name a baseline
CHANNEL_FILE = REPO_ROOT / "mappings" / "market_registry" / "channel.yaml"
COLUMNS = MARKET_REGISTRY_COLUMNS
TARGET_VS_DLT = 3.0
TARGET_VS_COPY = 0.35
TARGET_PEAK_MB = 300.0
SEED = 20240501


# --- the CSV ---------------------------------------------------------------------------------

INVALID_KINDS = ("bad_check_character", "bad_region_code", "missing_name", "wrong_column_count")

_TRADE_CHARS = (
    "恒瑞华泰丰源鑫盛隆兴达宏昌永安康和信德福金顺利佳美新天中远博创锦程汇通嘉诚正大明辉祥凯越"
    "卓世纪晨星光宇航海峰云腾飞龙凤鹏万家乐益民生润泽皖徽江淮黄山九华"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程汪"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志文斌浩宇子涵欣怡俊辉晓东"
_ROADS = (
    "长江西路",
    "长江中路",
    "黄山路",
    "望江西路",
    "金寨路",
    "人民路",
    "解放路",
    "淮河路",
    "建设路",
    "文化路",
    "胜利路",
    "和平路",
    "中山路",
    "银屏路",
    "九华山路",
    "徽州大道",
    "繁华大道",
    "翡翠路",
)
# GB/T 4754-2017 divisions common in a county register, with a word for the company name.
_INDUSTRIES = (
    ("01", "农业科技"),
    ("03", "养殖"),
    ("13", "食品"),
    ("14", "食品科技"),
    ("15", "酒业"),
    ("18", "服饰"),
    ("20", "木业"),
    ("26", "化工"),
    ("30", "建材"),
    ("33", "金属制品"),
    ("34", "机械设备"),
    ("38", "电气"),
    ("39", "电子科技"),
    ("47", "建筑工程"),
    ("48", "市政工程"),
    ("50", "装饰工程"),
    ("51", "商贸"),
    ("52", "商行"),
    ("54", "物流"),
    ("59", "仓储"),
    ("61", "酒店管理"),
    ("62", "餐饮管理"),
    ("64", "网络科技"),
    ("65", "信息技术"),
    ("70", "房地产开发"),
    ("72", "企业管理咨询"),
    ("75", "科技"),
    ("80", "家政服务"),
    ("83", "教育咨询"),
    ("87", "文化传媒"),
)
_INDIVIDUAL_INDUSTRIES = (
    ("62", "小吃"),
    ("62", "餐饮"),
    ("52", "便利"),
    ("52", "五金"),
    ("52", "服装"),
    ("52", "水果"),
    ("52", "副食"),
    ("80", "理发"),
    ("81", "家电维修"),
)
_COOPERATIVE_INDUSTRIES = (("01", "种植"), ("01", "果蔬种植"), ("03", "养殖"), ("05", "农机"))
# 主体类型 as the register writes it, the USCC's second character, and its weight.
_ENTITY_TYPES = (
    ("企业", "1", 78),
    ("个体工商户", "2", 16),
    ("农民专业合作社", "3", 4),
    ("外商投资企业", "1", 2),
)
_STATUSES = (("存续", 70), ("在业", 12), ("注销", 9), ("吊销", 5), ("停业", 2), ("迁出", 2))
_CAPITALS = ("10", "30", "50", "100", "200", "300", "500", "1000", "2000", "3000", "5000")
_ORG_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "有限公司", "有限公司")


@dataclass
class GeneratedFile:
    path: Path
    rows: int
    invalid: int
    invalid_by_kind: Counter[str] = field(default_factory=Counter)
    wrong_width: int = 0
    size: int = 0


@dataclass(frozen=True)
class _County:
    code: str
    name: str
    prefecture: str  # e.g. 合肥市


def _anhui_counties() -> list[_County]:
    from standards.codes.regions import load_regions

    table = load_regions()
    counties = []
    for region in table:
        if region.code.startswith("34") and region.level == "county":
            prefecture = table.name(region.parent) if region.parent else "安徽省"
            counties.append(_County(region.code, region.name, prefecture))
    if not counties:
        raise BenchmarkFailure("the GB/T 2260 table holds no Anhui (34) county codes")
    return counties


def _industry_sections() -> dict[str, str]:
    from standards.codes.industries import load_industries

    table = load_industries()
    pairs = (*_INDUSTRIES, *_INDIVIDUAL_INDUSTRIES, *_COOPERATIVE_INDUSTRIES)
    return {division: table.section_of(division) for division, _word in pairs}


class EntityRows:
    """Deterministic rows of the register export; ``row(i)`` is a list of 14+ field strings."""

    def __init__(self, seed: int) -> None:
        from standards.codes.orgcode import orgcode_check_character
        from standards.codes.regions import load_regions
        from standards.codes.uscc import USCC_CHARSET, default_allow_list, uscc_check_character

        self.random = random.Random(seed)
        self.counties = _anhui_counties()
        self.sections = _industry_sections()
        self.regions = load_regions()
        self.orgcode_check = orgcode_check_character
        self.uscc_check = uscc_check_character
        self.charset = USCC_CHARSET
        self.allow_list = default_allow_list()
        self.entity_types = [(name, code) for name, code, _w in _ENTITY_TYPES]
        self.entity_weights = [weight for _n, _c, weight in _ENTITY_TYPES]
        self.statuses = [name for name, _w in _STATUSES]
        self.status_weights = [weight for _n, weight in _STATUSES]
        self.first_day = date(1992, 1, 1).toordinal()
        self.last_day = date(2024, 12, 31).toordinal()
        self.update_base = datetime(2024, 1, 1)

    # Invalid rows: exactly one per block of 100 rows, at a position that moves from block to
    # block; the kind cycles through INVALID_KINDS. A last partial block may hold one or none.
    @staticmethod
    def invalid_kind(index: int) -> str | None:
        block, offset = divmod(index, 100)
        if offset != (block * 37 + 11) % 100:
            return None
        return INVALID_KINDS[block % len(INVALID_KINDS)]

    def _uscc(self, index: int, type_code: str, county: str) -> str:
        # A bijection of 0..10^8-1 (odd multiplier, not a multiple of 5), so codes never repeat.
        body = f"{(index * 48271 + 12345) % 100_000_000:08d}"
        first17 = f"9{type_code}{county}{body}{self.orgcode_check(body)}"
        return first17 + self.uscc_check(first17)

    def _person(self) -> str:
        rnd = self.random
        given = rnd.choice(_GIVEN) + (rnd.choice(_GIVEN) if rnd.random() < 0.7 else "")
        return rnd.choice(_SURNAMES) + given

    def _address(self, county: _County) -> str:
        rnd = self.random
        address = (
            f"安徽省{county.prefecture}{county.name}{rnd.choice(_ROADS)}{rnd.randint(1, 999)}号"
        )
        if rnd.random() < 0.3:
            address += f"{rnd.randint(1, 30)}栋{rnd.randint(1, 28)}{rnd.randint(1, 20):02d}室"
        return address

    def _date(self) -> str:
        rnd = self.random
        day = date.fromordinal(rnd.randint(self.first_day, self.last_day))
        spelling = rnd.randrange(5)
        if spelling == 0:
            return day.isoformat()
        if spelling == 1:
            return day.strftime("%Y%m%d")
        if spelling == 2:
            return f"{day.year}年{day.month}月{day.day}日"
        if spelling == 3:
            return f"{day.year}/{day.month}/{day.day}"
        return day.strftime("%Y.%m.%d")

    def _updated(self) -> str:
        rnd = self.random
        moment = self.update_base + timedelta(seconds=rnd.randrange(366 * 86400))
        spelling = rnd.randrange(4)
        if spelling == 0:
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        if spelling == 1:
            return moment.strftime("%Y%m%d%H%M%S")
        if spelling == 2:
            return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}"
        return moment.strftime("%Y-%m-%dT%H:%M:%S+08:00")

    def _industry(self, choices: tuple[tuple[str, str], ...]) -> tuple[str, str]:
        rnd = self.random
        division, word = rnd.choice(choices)
        section = self.sections[division]
        spelling = rnd.randrange(10)
        if spelling < 6:
            code = section + division  # C13
        elif spelling < 8:
            code = division  # 13
        elif spelling < 9:
            code = (section + division).lower()  # c13
        else:
            code = f"{section}{division}{rnd.randint(1, 9)}{rnd.randint(0, 9)}"  # C1391
        return code, word

    def _capital(self, entity_type: str) -> str:
        rnd = self.random
        if entity_type == "个体工商户":
            return "" if rnd.random() < 0.5 else str(rnd.choice((1, 2, 3, 5, 10)))
        amount = rnd.choice(_CAPITALS) if rnd.random() < 0.8 else f"{rnd.uniform(1, 9999):.2f}"
        spelling = rnd.randrange(4)
        if spelling == 0:
            return amount + "万元"
        if spelling == 1 and "." not in amount:
            return amount + ".000000"
        return amount

    def row(self, index: int) -> tuple[list[str], str | None]:
        rnd = self.random
        kind = self.invalid_kind(index)
        county = rnd.choice(self.counties)
        entity_type, type_code = rnd.choices(self.entity_types, self.entity_weights)[0]
        trade = rnd.choice(_TRADE_CHARS) + rnd.choice(_TRADE_CHARS)
        if entity_type == "个体工商户":
            industry, word = self._industry(_INDIVIDUAL_INDUSTRIES)
            name = f"{county.name}{rnd.choice(_SURNAMES)}记{word}店"
        elif entity_type == "农民专业合作社":
            industry, word = self._industry(_COOPERATIVE_INDUSTRIES)
            name = f"{county.name}{trade}{word}专业合作社"
        else:
            industry, word = self._industry(_INDUSTRIES)
            city = county.prefecture.removesuffix("市")
            name = f"{city}{trade}{word}{rnd.choice(_ORG_FORMS)}"
        uscc = self._uscc(index, type_code, county.code)
        region = county.code if rnd.random() < 0.9 else f"{county.code}{rnd.randint(1, 399):03d}000"
        address = self._address(county)
        spot = rnd.random()
        if spot < 0.6:
            business = address
        elif spot < 0.85:
            business = self._address(county)
        else:
            business = ""
        if rnd.random() < 0.01:  # an address with a comma, quoted as CSV quotes it
            business = f'"{self._address(county)},{rnd.randint(1, 9)}号楼"'
        fields = [
            f"SCJG{index + 1:012d}",
            uscc,
            name,
            entity_type,
            region,
            industry,
            self._person(),
            address,
            business,
            rnd.choices(self.statuses, self.status_weights)[0],
            self._date(),
            self._capital(entity_type),
            f"{county.prefecture}{county.name}市场监督管理局",
            self._updated(),
        ]
        if kind == "bad_check_character":
            right = self.charset.index(uscc[17])
            wrong = uscc[:17] + self.charset[(right + rnd.randint(1, 30)) % 31]
            if wrong in self.allow_list:  # pragma: no cover - would be an astonishing clash
                wrong = uscc[:17] + self.charset[(right + 1) % 31]
            fields[1] = wrong
        elif kind == "bad_region_code":
            fields[4] = f"34{rnd.randint(90, 99)}{rnd.randint(0, 99):02d}"  # no such county
            if self.regions.is_valid(fields[4]):  # pragma: no cover
                raise BenchmarkFailure(f"{fields[4]} unexpectedly is a GB/T 2260 code")
        elif kind == "missing_name":
            fields[2] = ""
        elif kind == "wrong_column_count":
            if index % 2:  # an exporter forgot to quote an address holding a comma: 15 fields
                fields[7] = f"{fields[7]},{rnd.randint(1, 9)}号楼"
            else:  # the last column was lost: 13 fields
                fields.pop()
        elif rnd.random() < 0.002:  # typed on a full-width keyboard; the pipeline normalises it
            fields[1] = "".join(chr(ord(char) + 0xFEE0) for char in uscc)
        return fields, kind


def generate_csv(path: Path, rows: int, seed: int = SEED) -> GeneratedFile:
    """Write ``rows`` records (plus the header) to ``path``, streaming in batches."""
    source = EntityRows(seed)
    result = GeneratedFile(path=path, rows=rows, invalid=0)
    batch: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\r\n")
        for index in range(rows):
            fields, kind = source.row(index)
            if kind is not None:
                result.invalid += 1
                result.invalid_by_kind[kind] += 1
                if kind == "wrong_column_count":
                    result.wrong_width += 1
            batch.append(",".join(fields) + "\r\n")
            if len(batch) >= 10_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    result.size = path.stat().st_size
    return result


# --- the contenders (each runs in a child process) -------------------------------------------


def _pipeline(
    engine: Any, csv_path: Path, chunk_size: int | None, profile: Path | None
) -> dict[str, Any]:
    """Run ``ingest`` over the file, time it, and read the counts back from the store."""
    from sqlalchemy import func, select

    from hub.exchange.channels import load_channel
    from hub.exchange.envelopes import Arrival
    from hub.exchange.pipeline import ingest
    from hub.settings import get_settings
    from hub.store.models.entities import RegulatedEntity
    from hub.store.models.exchange import Provenance, QuarantineEntry

    channel = load_channel(CHANNEL_FILE)
    message = channel.message_for_file(csv_path.name)
    arrival = Arrival(
        channel=channel.name,
        message_type=message.name,
        payload=csv_path,
        file_name=csv_path.name,
        content_type="text/csv",
    )
    size = chunk_size or get_settings().chunk_size
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    with Timer() as timer:
        if profiler is not None:
            profiler.enable()
        report = ingest(engine, channel, [arrival], chunk_size=size)
        if profiler is not None:
            profiler.disable()
    if profiler is not None and profile is not None:
        _print_profile(profiler, profile)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(RegulatedEntity))
        quarantined = connection.scalar(select(func.count()).select_from(QuarantineEntry))
        provenance = connection.scalar(select(func.count()).select_from(Provenance))
    return {
        "seconds": timer.seconds,
        "received": report.received,
        "stored": stored,
        "quarantined": quarantined,
        "provenance": provenance,
        "report_stored": report.stored,
        "report_quarantined": report.quarantined,
        "duplicates": report.duplicates,
        "balanced": report.balanced,
        "reasons": dict(report.reasons.most_common(8)),
        "quarantine_steps": dict(_by_step(report.reasons)),
        "chunk_size": size,
        # A large file's records are processed in a worker process (hub.exchange.workers);
        # its peak is added to this process's, since both are alive at once.
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _by_step(reasons: Counter[str]) -> Counter[str]:
    steps: Counter[str] = Counter()
    for reason, count in reasons.items():
        steps[reason.split(":", 1)[0]] += count
    return steps


def _print_profile(profiler: Any, path: Path) -> None:
    import io
    import pstats

    profiler.dump_stats(str(path))
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats(order).print_stats(25)
        print(f"\n===== profile, top 25 by {order} (stats in {path}) =====")
        print(stream.getvalue())


def child_pipeline_pg(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    url = postgres_url()
    with fresh_schema(url, "pipeline") as schema:
        engine = create_hub_store(sqlalchemy_url(url, schema=schema))
        try:
            details = _pipeline(engine, args.csv, args.chunk_size, args.profile)
        finally:
            engine.dispose()
    details["store"] = f"PostgreSQL schema {schema} (dropped)"
    return details["received"], details.pop("seconds"), details


def child_pipeline_sqlite(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="hub-bench-sqlite-", dir=args.csv.parent))
    try:
        engine = create_hub_store(f"sqlite:///{folder / 'store.db'}")
        try:
            details = _pipeline(engine, args.csv, args.chunk_size, args.profile)
        finally:
            engine.dispose()
        details["store_bytes"] = sum(p.stat().st_size for p in folder.iterdir())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    details["store"] = "SQLite file (WAL, synchronous=NORMAL; deleted)"
    return details["received"], details.pop("seconds"), details


def _good_width_lines(stream: Any, width: int, dropped: Counter[str]) -> Iterator[bytes]:
    """Blocks (about 1 MiB) of the file's lines that have ``width`` fields; over- or
    under-wide ones are dropped and counted (COPY would abort the whole load on the first of
    them). A comma count decides, and csv decides for the few lines with quotes."""
    commas = width - 1
    kept: list[bytes] = []
    size = 0
    for line in stream:
        if line.count(b",") == commas if b'"' not in line else _csv_width(line) == width:
            kept.append(line)
            size += len(line)
            if size >= 1 << 20:
                yield b"".join(kept)
                kept.clear()
                size = 0
        elif line.strip():
            dropped["wrong_width"] += 1
    if kept:
        yield b"".join(kept)


def _csv_width(line: bytes) -> int:
    return len(next(csv.reader([line.decode("utf-8")])))


def child_copy(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    import psycopg

    url = postgres_url()
    columns = ", ".join(f'"{name}"' for name in COLUMNS)
    with fresh_schema(url, "copy") as schema, psycopg.connect(libpq_url(url)) as connection:
        table = f'"{schema}"."entities_raw"'
        definition = ", ".join(f'"{name}" text' for name in COLUMNS)
        connection.execute(f"CREATE TABLE {table} ({definition})")
        connection.commit()
        dropped: Counter[str] = Counter()
        with Timer() as timer:
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy,
                args.csv.open("rb") as stream,
            ):
                stream.readline()  # the header
                for block in _good_width_lines(stream, len(COLUMNS), dropped):
                    copy.write(block)
            connection.commit()
        loaded = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    rows = args.rows
    details = {
        "loaded": loaded[0] if loaded else 0,
        "dropped_wrong_width": dropped["wrong_width"],
        "table": "entities_raw: 14 text columns, no constraints, no indexes",
    }
    return rows, timer.seconds, details


def _canonical_csv(source: Path, target: Path) -> tuple[list[str], int]:
    """Write the rows the pipeline would store, already in canonical form, as COPY CSV.

    Uses the channel's own parser and compiled mapping (no validation, no code-check
    verdicts beyond what the mapping raises); rows that fail to parse or map are left out, as
    they would be quarantined. Runs before the clock starts.
    """
    import hub.store.models  # noqa: F401
    from hub.errors import DataError
    from hub.exchange.channels import load_channel
    from hub.exchange.parsers import parse_records
    from hub.exchange.processing import content_hash
    from hub.store.base import utcnow

    channel = load_channel(CHANNEL_FILE)
    mapping = channel.mappings[channel.message_for_file(source.name).name]
    columns = [*mapping.fields, "code_check_failed", "content_hash", "created_at", "updated_at"]
    now = utcnow().isoformat()
    written = 0
    with source.open("rb") as stream, target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for record in parse_records(stream, mapping.source):
            if record.error is not None:
                continue
            try:
                row = mapping.map(record.data)
            except DataError:
                continue
            row.setdefault("code_check_failed", False)
            row["content_hash"] = content_hash(row)
            row["created_at"] = row["updated_at"] = now
            writer.writerow(row.get(name) for name in columns)
            written += 1
    return columns, written


def child_copy_entities(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    import psycopg

    url = postgres_url()
    converted = args.csv.parent / f"canonical-{os.getpid()}.csv"
    try:
        with Timer() as prepare:
            columns, written = _canonical_csv(args.csv, converted)
        with fresh_schema(url, "copy_entities") as schema:
            create_hub_store(sqlalchemy_url(url, schema=schema)).dispose()
            with psycopg.connect(libpq_url(url)) as connection:
                table = f'"{schema}"."entities"'
                column_list = ", ".join(f'"{name}"' for name in columns)
                with Timer() as timer:
                    with (
                        connection.cursor() as cursor,
                        cursor.copy(
                            f"COPY {table} ({column_list}) FROM STDIN (FORMAT csv)"
                        ) as copy,
                        converted.open("rb") as stream,
                    ):
                        while block := stream.read(1 << 20):
                            copy.write(block)
                    connection.commit()
                loaded = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    finally:
        converted.unlink(missing_ok=True)
    details = {
        "loaded": loaded[0] if loaded else 0,
        "prepared_rows": written,
        "prepare_seconds": prepare.seconds,
        "table": "the hub's entities table (unique uscc, 3 indexes), canonical values",
    }
    return args.rows, timer.seconds, details


def child_dlt(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix="hub-bench-dlt-", dir=args.csv.parent))
    os.environ["DLT_DATA_DIR"] = str(work / "data")
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    # dlt's default snake_case naming turns every Chinese column name into "x"; duck_case
    # keeps them as they are (PostgreSQL identifiers are case-sensitive when quoted).
    os.environ["SCHEMA__NAMING"] = "duck_case"
    import dlt
    import psycopg

    url = postgres_url()
    csv_path: Path = args.csv

    @dlt.resource(name="entities", write_disposition="merge", primary_key="统一社会信用代码")
    def entities() -> Any:
        with csv_path.open(encoding="utf-8", newline="") as stream:
            for record in csv.DictReader(stream):
                # An over-wide row's extra fields land under the key None, which no naming
                # convention accepts; they are left out (0.125 % of rows).
                record.pop(None, None)
                yield record

    try:
        with fresh_schema(url, "dlt") as schema:
            pipeline = dlt.pipeline(
                pipeline_name=f"bench_{schema}",
                destination=dlt.destinations.postgres(credentials=_dlt_credentials(url)),
                dataset_name=schema,
                pipelines_dir=str(work / "pipelines"),
            )
            with Timer() as timer:
                info = pipeline.run(entities())
            with psycopg.connect(libpq_url(url)) as connection:
                loaded = connection.execute(
                    f'SELECT count(*) FROM "{schema}"."entities"'
                ).fetchone()
            details = {
                "loaded": loaded[0] if loaded else 0,
                "dlt": dlt.__version__,
                "loads": len(info.loads_ids),
                "naming": "duck_case",
                "loader_file_format": "default (insert_values)",
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return args.rows, timer.seconds, details


def _dlt_credentials(url: str) -> str:
    """dlt insists on a password; a server that trusts local connections (as the test server
    does) never asks for one, so a placeholder stands in when the URL has none."""
    from sqlalchemy.engine import make_url

    parsed = make_url(libpq_url(url))
    if not parsed.password:
        parsed = parsed.set(password="unused-trust-auth")
    return parsed.render_as_string(hide_password=False)


CHILDREN = {
    "pipeline-pg": child_pipeline_pg,
    "pipeline-sqlite": child_pipeline_sqlite,
    "copy": child_copy,
    "copy-entities": child_copy_entities,
    "dlt": child_dlt,
}


# --- the parent ------------------------------------------------------------------------------


def _describe(result: Result) -> str:
    d = result.details
    line = (
        f"{result.name:16} {result.rows:>10,} rows in {result.seconds:8.1f} s = "
        f"{result.rate:>9,.0f} rows/s, peak {result.peak_mb:6.0f} MB"
    )
    if "stored" in d:
        line += (
            f"; stored {d['stored']:,} + quarantined {d['quarantined']:,} = "
            f"{d['stored'] + d['quarantined']:,} (provenance {d['provenance']:,}; quarantined "
            + ", ".join(f"{step} {n:,}" for step, n in sorted(d["quarantine_steps"].items()))
            + ")"
        )
    elif result.name == "copy":
        line += (
            f"; {d['loaded']:,} rows COPYed, {d['dropped_wrong_width']:,} wrong-width rows skipped"
        )
    elif result.name == "copy-entities":
        line += (
            f"; {d['loaded']:,} canonical rows COPYed into entities "
            f"(converted beforehand in {d['prepare_seconds']:.0f} s, not timed)"
        )
    elif result.name == "dlt":
        line += f"; {d['loaded']:,} rows in the merged table (dlt {d['dlt']})"
    return line


def _check_pipeline(result: Result, generated: GeneratedFile) -> None:
    d = result.details
    rows = generated.rows
    problems = []
    if d["received"] != rows:
        problems.append(f"received {d['received']:,}, the file has {rows:,} rows")
    if d["stored"] + d["quarantined"] != rows:
        problems.append(
            f"stored {d['stored']:,} + quarantined {d['quarantined']:,} != rows {rows:,}"
        )
    if d["quarantined"] != generated.invalid:
        problems.append(
            f"quarantined {d['quarantined']:,}, generated {generated.invalid:,} invalid rows"
        )
    if d["report_stored"] != d["stored"] or d["report_quarantined"] != d["quarantined"]:
        problems.append(
            f"the run report says stored {d['report_stored']:,} / quarantined "
            f"{d['report_quarantined']:,}, the store holds {d['stored']:,} / {d['quarantined']:,}"
        )
    if d["provenance"] != d["stored"]:
        problems.append(f"provenance rows {d['provenance']:,} != stored {d['stored']:,}")
    if not d["balanced"]:
        problems.append("the run report does not balance")
    if problems:
        reasons = "\n  ".join(f"{count:>8,}  {reason}" for reason, count in d["reasons"].items())
        fail(f"{result.name}: " + "; ".join(problems) + f"\n  quarantine reasons:\n  {reasons}")


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="records to generate")
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV file")
    parser.add_argument(
        "--only",
        default=",".join(CONTENDERS),
        help=f"comma-separated contenders to run (default: all of {','.join(CONTENDERS)})",
    )
    parser.add_argument("--workdir", type=Path, help="folder for the CSV (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--chunk-size", type=int, default=None, help="pipeline chunk size (default: settings, 5000)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the pipeline contenders under cProfile and print the top 25 functions",
    )
    # Internal: one contender in a child process.
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = chosen_contenders(parser, args.only, CONTENDERS)
    if args.rows < 1:
        parser.error("--rows must be positive")
    return args


def isolate_hub_settings(folder: Path) -> None:
    """Point the hub's settings at a scratch folder, so that nothing a contender does (the
    run's audit entry anchors its head to ``var/audit-anchor.json``, for one) touches the
    repository's ``var/`` or a developer's store."""
    var = folder / "var"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["HUB_ENV"] = "development"
    os.environ["HUB_VAR_DIR"] = str(var)
    os.environ["HUB_AUDIT_ANCHOR_PATH"] = str(var / "audit-anchor.json")
    os.environ["HUB_DATABASE_URL"] = f"sqlite:///{var / 'unused.db'}"


def run_as_child(args: argparse.Namespace) -> None:
    scratch = Path(tempfile.mkdtemp(prefix=f"hub-bench-{args.child}-", dir=args.csv.parent))
    isolate_hub_settings(scratch)
    if args.profile is True:
        args.profile = args.csv.parent / f"{args.child}.prof"
    else:
        args.profile = None
    try:
        rows, seconds, details = CHILDREN[args.child](args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_child_result(args.result, rows, seconds, details)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        run_as_child(args)
        return
    url = postgres_url()
    needs_postgres = any(name != "pipeline-sqlite" for name in args.only)
    print(machine_summary())
    if needs_postgres:
        print(f"PostgreSQL {postgres_version(url)} at {libpq_url(url).split('@')[-1]}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hub-bench-ingest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"market_registry_entities_{args.rows}.csv"
    try:
        with Timer() as timer:
            generated = generate_csv(csv_path, args.rows, args.seed)
        kinds = ", ".join(
            f"{kind} {count:,}" for kind, count in sorted(generated.invalid_by_kind.items())
        )
        print(
            f"generated {csv_path} in {timer.seconds:.1f} s: {generated.rows:,} rows, "
            f"{human_bytes(generated.size)}, {generated.invalid:,} invalid ({kinds})"
        )
        print(
            "copy baseline: psycopg COPY ... FROM STDIN (FORMAT csv) of the file's rows into a "
            "staging table of 14 text columns (entities_raw, no constraints), converting and "
            f"checking nothing; the {generated.wrong_width:,} wrong-width rows are skipped "
            "client-side (COPY aborts on them). copy-entities: COPY of the rows the pipeline "
            "stores, converted to canonical values before the clock starts, into the hub's "
            "entities table (unique uscc, its indexes), no checks. rows/s for every contender "
            "counts all file rows."
        )
        child_args = ["--csv", str(csv_path), "--rows", str(args.rows), "--seed", str(args.seed)]
        if args.chunk_size:
            child_args += ["--chunk-size", str(args.chunk_size)]
        results: dict[str, Result] = {}
        for name in CONTENDERS:
            if name not in args.only:
                continue
            extra = ["--profile"] if args.profile and name.startswith("pipeline") else []
            print(f"running {name} (load average {os.getloadavg()[0]:.2f}) ...", flush=True)
            try:
                result = run_child(Path(__file__).resolve(), name, child_args + extra)
            except BenchmarkFailure as error:
                fail(str(error))
                return
            results[name] = result
            print(_describe(result), flush=True)
            if name.startswith("pipeline"):
                _check_pipeline(result, generated)
    finally:
        if args.keep:
            print(f"kept {csv_path}")
        elif args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            csv_path.unlink(missing_ok=True)
    _print_summary(results)


def _print_summary(results: dict[str, Result]) -> None:
    pg, sqlite = results.get("pipeline-pg"), results.get("pipeline-sqlite")
    copy, typed, dlt = results.get("copy"), results.get("copy-entities"), results.get("dlt")
    print()
    if pg and dlt:
        ok = pg.rate >= TARGET_VS_DLT * dlt.rate
        print(f"target: pipeline-pg >= {TARGET_VS_DLT:.0f}x dlt merge: {_verdict(ok)}")
    for ours in (pg, sqlite):
        for baseline in (copy, typed):
            if ours and baseline:
                ok = ours.rate >= TARGET_VS_COPY * baseline.rate
                print(
                    f"target: {ours.name} >= {TARGET_VS_COPY:.0%} of {baseline.name}: {_verdict(ok)}"
                )
    for ours in (pg, sqlite):
        if ours:
            ok = ours.peak_mb < TARGET_PEAK_MB
            print(f"target: {ours.name} peak memory < {TARGET_PEAK_MB:.0f} MB: {_verdict(ok)}")
    others = [f"{LABELS.get(r.name, r.name)} {r.peak_mb:.0f} MB" for r in (copy, typed, dlt) if r]
    if others:
        print(f"baselines' peak memory (client process only): {', '.join(others)}")
    if pg and dlt:
        print(ratio_line(pg, dlt, LABELS["dlt"]))
    for baseline in (copy, typed):
        for ours in (pg, sqlite):
            if ours and baseline:
                print(ratio_line(ours, baseline))
    peaks = [f"{r.name} {r.peak_mb:.0f} MB" for r in (pg, sqlite) if r]
    if peaks:
        print(f"peak memory: {', '.join(peaks)} (target < {TARGET_PEAK_MB:.0f} MB)")


if __name__ == "__main__":
    main()
