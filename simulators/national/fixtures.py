"""What the national system serves a province, generated from the seed: the same seed gives
the same catalog and the same complaints.

The national catalog (a few hundred items) is issued by eight ministries: per supervised
object one main 行政检查 item with two to five sub-items, and for some objects a 行政强制 item,
each with its legal basis, manner, measures and implementing levels, in the profile of
``standards/national/catalog_item.json``. A main item and its sub-items are updated together,
so many rows share an ``updated_at`` and only the code orders them.

Complaints and reports assigned to the province (国家平台转办) carry the complainant's name
and phone: personal data, as the province receives it.

The 14-digit catalog code's inner layout is not published; ours is ``catalog_code``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from hub.demo.world import chinese_number
from standards.codes import load_regions, orgcode_check_character, uscc_check_character

BEIJING = timezone(timedelta(hours=8))
CATALOG_START = datetime(2026, 1, 5, 9, 0, tzinfo=BEIJING)
COMPLAINTS_START = datetime(2026, 4, 1, 8, 0, tzinfo=BEIJING)
NATIONAL_ISSUER = "00"
INSPECTION, COERCION = "01", "03"


def catalog_code(issuer: str, department: str, category: str, main: int, sub: int = 0) -> str:
    """Our layout of the 14 digits: issuer (00 national, else the province's two digits),
    department line (2), supervision category (2: 01 行政检查, 02 行政处罚, 03 行政强制,
    04 其他), main item (4) and sub-item (4, 0000 for the main item itself)."""
    return f"{issuer}{department}{category}{main:04d}{sub:04d}"


@dataclass(frozen=True)
class Ministry:
    """A national department: its line code and number, and what it supervises under which law."""

    code: str
    number: str
    name: str
    province_suffix: str  # the province-level department: 安徽省 + 市场监督管理局
    objects: tuple[tuple[str, str], ...]  # (监管对象, 设定依据 law)


MINISTRIES = (
    Ministry(
        "SCJG",
        "01",
        "国家市场监督管理总局",
        "市场监督管理局",
        (
            ("食品生产经营者", "《中华人民共和国食品安全法》"),
            ("特种设备生产、使用单位", "《中华人民共和国特种设备安全法》"),
            ("产品生产者、销售者", "《中华人民共和国产品质量法》"),
            ("广告主、广告经营者、广告发布者", "《中华人民共和国广告法》"),
            ("药品经营企业", "《中华人民共和国药品管理法》"),
            ("医疗器械经营企业", "《医疗器械监督管理条例》"),
            ("化妆品生产经营者", "《化妆品监督管理条例》"),
            ("计量器具使用单位", "《中华人民共和国计量法》"),
            ("电子商务经营者", "《中华人民共和国电子商务法》"),
            ("检验检测机构", "《检验检测机构监督管理办法》"),
            ("认证机构", "《中华人民共和国认证认可条例》"),
            ("企业公示信息", "《企业信息公示暂行条例》"),
        ),
    ),
    Ministry(
        "SThJ",
        "02",
        "生态环境部",
        "生态环境厅",
        (
            ("排污单位", "《中华人民共和国环境保护法》"),
            ("危险废物经营单位", "《中华人民共和国固体废物污染环境防治法》"),
            ("核技术利用单位", "《中华人民共和国放射性污染防治法》"),
            ("机动车排放检验机构", "《中华人民共和国大气污染防治法》"),
            ("建设项目建设单位", "《中华人民共和国环境影响评价法》"),
        ),
    ),
    Ministry(
        "YJGL",
        "03",
        "应急管理部",
        "应急管理厅",
        (
            ("危险化学品生产经营单位", "《危险化学品安全管理条例》"),
            ("非煤矿山企业", "《中华人民共和国安全生产法》"),
            ("烟花爆竹经营单位", "《烟花爆竹安全管理条例》"),
            ("工贸企业", "《中华人民共和国安全生产法》"),
            ("安全评价检测检验机构", "《安全评价检测检验机构管理办法》"),
        ),
    ),
    Ministry(
        "WSJK",
        "04",
        "国家卫生健康委员会",
        "卫生健康委员会",
        (
            ("医疗机构", "《医疗机构管理条例》"),
            ("公共场所经营者", "《公共场所卫生管理条例》"),
            ("集中式供水单位", "《中华人民共和国传染病防治法》"),
            ("存在职业病危害的用人单位", "《中华人民共和国职业病防治法》"),
            ("消毒产品生产企业", "《消毒管理办法》"),
        ),
    ),
    Ministry(
        "JTYS",
        "05",
        "交通运输部",
        "交通运输厅",
        (
            ("道路运输经营者", "《中华人民共和国道路运输条例》"),
            ("机动车维修经营者", "《中华人民共和国道路运输条例》"),
            ("机动车驾驶员培训机构", "《中华人民共和国道路运输条例》"),
            ("港口经营人", "《中华人民共和国港口法》"),
            ("网络预约出租汽车经营者", "《网络预约出租汽车经营服务管理暂行办法》"),
        ),
    ),
    Ministry(
        "ZFJS",
        "06",
        "住房和城乡建设部",
        "住房和城乡建设厅",
        (
            ("建筑施工企业", "《中华人民共和国建筑法》"),
            ("房地产开发企业", "《城市房地产开发经营管理条例》"),
            ("物业服务企业", "《物业管理条例》"),
            ("工程监理单位", "《建设工程质量管理条例》"),
            ("燃气经营者", "《城镇燃气管理条例》"),
        ),
    ),
    Ministry(
        "NYNC",
        "07",
        "农业农村部",
        "农业农村厅",
        (
            ("农药经营者", "《农药管理条例》"),
            ("兽药经营企业", "《兽药管理条例》"),
            ("种子生产经营者", "《中华人民共和国种子法》"),
            ("饲料和饲料添加剂生产企业", "《饲料和饲料添加剂管理条例》"),
        ),
    ),
    Ministry(
        "WHLY",
        "08",
        "文化和旅游部",
        "文化和旅游厅",
        (
            ("旅行社", "《旅行社条例》"),
            ("娱乐场所", "《娱乐场所管理条例》"),
            ("营业性演出经营主体", "《营业性演出管理条例》"),
        ),
    ),
)
ASPECTS = (
    "许可条件保持情况",
    "日常经营活动",
    "从业人员资质",
    "安全管理制度落实情况",
    "信息公示情况",
    "台账记录",
    "投诉举报线索",
)
MANNERS = ("双随机抽查", "重点检查", "日常检查", "信用监管", "专项检查")
LEVELS = ("province", "city", "county")
MEASURES = "现场检查；查阅、复制有关资料；抽样检验；责令改正"
PROCESS = "制定检查计划→随机抽取检查对象和执法检查人员→实施检查→录入检查结果→结果公示"
RESULT = "检查结果通过国家企业信用信息公示系统向社会公示"


def national_catalog(seed: int) -> list[dict[str, Any]]:
    """The national catalog, main items each followed by their sub-items."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    stamp = CATALOG_START
    for ministry in MINISTRIES:
        for number, (objects, law) in enumerate(ministry.objects, start=1):
            families = [
                (INSPECTION, f"对{objects}的监督检查", rng.sample(ASPECTS, rng.randint(2, 5)))
            ]
            if rng.random() < 0.35:
                families.append(
                    (
                        COERCION,
                        f"对{objects}违法行为的行政强制",
                        ["查封场所、设施或者财物", "扣押财物"],
                    )
                )
            for category, name, subs in families:
                stamp += timedelta(minutes=rng.randint(5, 600))
                main = catalog_code(NATIONAL_ISSUER, ministry.number, category, number)
                common = {
                    "department_code": ministry.code,
                    "department_name": ministry.name,
                    "supervision_type": "行政检查" if category == INSPECTION else "行政强制",
                    "supervision_manner": rng.choice(MANNERS)
                    if category == INSPECTION
                    else "查封、扣押",
                    "measures": MEASURES,
                    "objects": objects,
                    "legal_basis": f"{law}第{chinese_number(rng.randint(10, 120))}条",
                    "process": PROCESS,
                    "result": RESULT,
                    "implementing_levels": sorted(
                        rng.sample(LEVELS, rng.randint(1, 3)), key=LEVELS.index
                    ),
                    "origin": "national",
                    "region_code": None,
                    "status": "withdrawn" if rng.random() < 0.05 else "published",
                    "version": rng.choice((1, 1, 2, 3)),
                    "updated_at": stamp.isoformat(),
                }
                rows.append(
                    {"code": main, "name": name, "item_type": "main", "parent_code": None, **common}
                )
                for index, aspect in enumerate(subs, start=1):
                    sub_name = aspect if category == COERCION else f"对{objects}{aspect}的检查"
                    code = catalog_code(NATIONAL_ISSUER, ministry.number, category, number, index)
                    rows.append(
                        {
                            "code": code,
                            "name": sub_name,
                            "item_type": "sub",
                            "parent_code": main,
                            **common,
                        }
                    )
    return rows


CHANNELS = ("国务院客户端", "中国政府网", "国家政务服务平台", "国家“互联网+监管”系统")
CATEGORIES = ("食品安全", "产品质量", "安全生产", "环境污染", "道路运输", "房屋建筑", "医疗卫生")
STATUSES = ("dispatched", "handling", "answered", "supervised", "closed")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "军", "杰", "婷", "强")
BUSINESS_WORDS = ("鸿运", "华联", "永盛", "金桥", "安达", "新城", "惠民", "瑞丰")
BUSINESS_KINDS = ("商贸有限公司", "食品有限公司", "建设工程有限公司", "物业服务有限公司", "大药房")


def assigned_complaints(seed: int, province: str, count: int) -> list[dict[str, Any]]:
    """``count`` complaints and reports assigned to ``province`` (e.g. ``340000``)."""
    rng = random.Random(seed + 1)
    table = load_regions()
    counties = [
        region.code
        for region in table
        if region.level == "county" and region.code[:2] == province[:2]
    ]
    province_name = table.name(province[:2] + "0000")
    rows = []
    for index in range(1, count + 1):
        received = COMPLAINTS_START + timedelta(hours=index * 3, minutes=rng.randrange(60))
        ministry = rng.choice(MINISTRIES)
        county = rng.choice(counties)
        business = rng.choice(BUSINESS_WORDS) + rng.choice(BUSINESS_KINDS)
        status, category = rng.choice(STATUSES), rng.choice(CATEGORIES)
        answered = status in ("answered", "closed")
        time_limit = 15
        updated = received + timedelta(days=rng.randint(1, 12), minutes=rng.randrange(600))
        rows.append(
            {
                "complaint_number": f"GJ{received:%Y%m%d}{index:06d}",
                "kind": rng.choice(("complaint", "complaint", "report")),
                "channel": rng.choice(CHANNELS),
                "title": f"反映{business}问题",
                "content": f"群众反映{business}存在{category}方面问题，请依法核查处理。",
                "category": category,
                "received_at": received.isoformat(),
                "complainant": {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)),
                    "phone": "1" + rng.choice("3589") + "".join(rng.choices("0123456789", k=9)),
                },
                "region_code": county,
                "address": f"{table.name(county)}{rng.randint(1, 300)}号",
                "target": {"name": business, "uscc": _uscc(rng, county)},
                "assigned_department_code": f"{ministry.code}-{province[:2]}",
                "assigned_department_name": province_name + ministry.province_suffix,
                "time_limit_days": time_limit,
                "due_at": (received + timedelta(days=time_limit)).isoformat(),
                "status": status,
                "answer": "经核查，已责令被反映单位整改，并将处理结果告知诉求人。"
                if answered
                else None,
                "closed_at": updated.isoformat() if status == "closed" else None,
                "updated_at": updated.isoformat(),
            }
        )
    return rows


def _uscc(rng: random.Random, county: str) -> str:
    """A valid 统一社会信用代码 of an enterprise registered in ``county``."""
    body = "".join(rng.choices("0123456789", k=8))
    first17 = "91" + county + body + orgcode_check_character(body)
    return first17 + uscc_check_character(first17)
