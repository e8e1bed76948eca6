"""The demo's power lists (权力清单): local items of Hefei (CSV) and of its 蜀山区 (Excel).

They add local items of six departments to the catalog, as drafts for review, through the
``power_lists`` channel, and plant what that channel must refuse: a row reusing the name of
a main item of the province's catalog under another code, a row giving a code of the CSV
another name (both quarantined at step ``conflict``), an abolished region code and a row
without a name. ``SampleFile`` records where, as ``hub.demo.sample`` does for its files.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hub.catalog.dictionaries import department
from hub.demo.sample import SampleFile

CHANNEL = "power_lists"
HEADER = [
    "事项编码",
    "主项编码",
    "事项名称",
    "事项类型",
    "实施部门编码",
    "实施部门名称",
    "监管类别",
    "监管方式",
    "监管措施",
    "监管对象",
    "设定依据",
    "许可事项",
    "层级",
    "行政区划代码",
    "来源",
    "更新时间",
]
MEASURES = "现场检查；查阅、复制有关资料；责令改正"
UPDATED = "2026-06-20 10:00:00"
# (code, main code, name, department, manner, objects, basis, licence, source)
HEFEI = (
    (
        "34010105010000",
        "",
        "对校外培训机构收费行为的监督检查",
        "SCJG-3401",
        "双随机抽查",
        "校外培训机构",
        "《安徽省价格条例》第二十四条",
        "",
        "地方性法规",
    ),
    (
        "34010105010001",
        "34010105010000",
        "对校外培训机构预收费资金的监督检查",
        "SCJG-3401",
        "专项检查",
        "校外培训机构",
        "《安徽省价格条例》第二十四条",
        "",
        "地方性法规",
    ),
    (
        "34020105010000",
        "",
        "对餐饮服务单位油烟排放的监督检查",
        "SThJ-3401",
        "日常检查",
        "餐饮服务单位",
        "《安徽省大气污染防治条例》第五十九条",
        "",
        "地方性法规",
    ),
    (
        "34030105010000",
        "",
        "对有限空间作业安全的监督检查",
        "YJGL-3401",
        "重点检查",
        "工贸企业",
        "《工贸企业有限空间作业安全规定》第二十条",
        "",
        "权力清单",
    ),
    (
        "34040105010000",
        "",
        "对医疗美容机构执业活动的监督检查",
        "WSJK-3401",
        "双随机抽查",
        "医疗美容机构",
        "《医疗机构管理条例》第四十条",
        "医疗机构执业许可",
        "权力清单",
    ),
    (
        "34050105010000",
        "",
        "对网络预约出租汽车经营服务的监督检查",
        "JTYS-3401",
        "日常检查",
        "网络预约出租汽车经营者",
        "《合肥市网络预约出租汽车经营服务管理实施细则》第三十条",
        "",
        "地方政府规章",
    ),
    (
        "34060105010000",
        "",
        "对住宅小区物业服务的监督检查",
        "ZFJS-3401",
        "信用监管",
        "物业服务企业",
        "《安徽省物业管理条例》第八十一条",
        "",
        "地方性法规",
    ),
)
SHUSHAN = (
    (
        "34010105030000",
        "",
        "对农贸市场食品安全的监督检查",
        "SCJG-340104",
        "日常检查",
        "农贸市场开办者、入场销售者",
        "《中华人民共和国食品安全法》第六十一条",
        "",
        "权力清单",
    ),
    (
        "34010105030001",
        "34010105030000",
        "对农贸市场计量器具的监督检查",
        "SCJG-340104",
        "专项检查",
        "农贸市场入场销售者",
        "《中华人民共和国计量法》第九条",
        "",
        "权力清单",
    ),
    (
        "34020105020000",
        "",
        "对建筑工地扬尘污染防治的监督检查",
        "SThJ-340104",
        "非现场监管",
        "建设单位、施工单位",
        "《安徽省大气污染防治条例》第四十一条",
        "",
        "地方性法规",
    ),
)


def _row(entry: tuple[str, ...], region: str, level: str) -> dict[str, str]:
    code, main, name, department_code, manner, objects, basis, licence, source = entry
    return {
        "事项编码": code,
        "主项编码": main,
        "事项名称": name,
        "事项类型": "子项" if main else "主项",
        "实施部门编码": department_code,
        "实施部门名称": department(department_code).default_name(),
        "监管类别": "行政检查",
        "监管方式": manner,
        "监管措施": MEASURES,
        "监管对象": objects,
        "设定依据": basis,
        "许可事项": licence,
        "层级": level,
        "行政区划代码": region,
        "来源": source,
        "更新时间": UPDATED,
    }


def _catalog_main_item(files: list[SampleFile]) -> dict[str, Any]:
    """A good market-regulation main item of the province's catalog sample, whose name the
    Hefei list reuses under a code of its own."""
    catalog = next(f for f in files if f.channel == "supervision_catalog")
    rows = json.loads(catalog.path.read_text("utf-8"))["result"]["records"]
    return next(
        row
        for position, row in enumerate(rows, start=1)
        if position not in catalog.bad_positions
        and row["事项类型"] == "主项"
        and row["监管部门编码"].startswith("SCJG-")
    )


def _describe(
    message: str, path: Path, rows: list[dict[str, str]], bad: dict[int, str]
) -> SampleFile:
    kinds: dict[str, int] = {}
    for kind in bad.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    return SampleFile(
        channel=CHANNEL,
        message=message,
        path=path,
        records=len(rows),
        planted_bad=len(bad),
        bad_positions=tuple(sorted(bad)),
        planted=tuple(sorted(kinds.items())),
    )


def _hefei_csv(out_dir: Path, taken: dict[str, Any]) -> SampleFile:
    rows = [_row(entry, "340100", "市级") for entry in HEFEI]
    same_name = _row(HEFEI[0], "340100", "市级")
    same_name.update(事项编码="34010105020000", 事项名称=taken["监管事项名称"])
    abolished = _row(HEFEI[2], "341400", "市级")  # 巢湖地区, abolished in 2011
    abolished.update(事项编码="34020105030000", 事项名称="对畜禽养殖污染防治的监督检查")
    rows[3:3] = [same_name]
    rows.append(abolished)
    path = out_dir / CHANNEL / "合肥市权力清单_20260620.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return _describe(
        "power_items_csv", path, rows, {4: "conflict_same_name", len(rows): "unknown_region"}
    )


def _shushan_xlsx(out_dir: Path) -> SampleFile:
    from openpyxl import Workbook

    rows = [_row(entry, "340104", "县级") for entry in SHUSHAN]
    same_code = _row(SHUSHAN[0], "340104", "县级")
    same_code.update(事项编码=HEFEI[0][0], 事项名称="对培训机构收费的检查")
    nameless = _row(SHUSHAN[2], "340104", "县级")
    nameless.update(事项编码="34020105040000", 事项名称="")
    rows[1:1] = [same_code]
    rows.append(nameless)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("权力清单")
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[column] for column in HEADER])
    path = out_dir / CHANNEL / "蜀山区权力清单_20260620.xlsx"
    workbook.save(path)
    return _describe(
        "power_items_xlsx", path, rows, {2: "conflict_same_code", len(rows): "missing_required"}
    )


def power_list_sample(out_dir: Path, files: list[SampleFile]) -> list[SampleFile]:
    """Write the two power lists beside the sample in ``files`` and describe them."""
    return [_hefei_csv(out_dir, _catalog_main_item(files)), _shushan_xlsx(out_dir)]
