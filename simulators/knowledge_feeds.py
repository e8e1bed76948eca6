"""Knowledge and third-party feeds over REST: laws with their articles, key enterprises, and an
e-commerce platform's merchant list.

The regulation database (法律法规数据库) publishes laws, administrative regulations,
departmental rules, local regulations and local government rules (法律、行政法规、部门规章、
地方性法规、地方政府规章) and their articles; departments publish their key-enterprise lists
(重点企业); an e-commerce platform reports the merchants on it (平台内经营者). The hub pulls
each as a paged, incremental feed, so one simulator serves them all::

    simulator = KnowledgeFeedsSimulator(SimulatorOptions(faults={"malformed_rate": 0.2}))
    requests.get(f"{simulator.url}/api/laws", headers={"X-API-Key": DEMO_KEY})

Routes (paged by ``page``/``page_size`` or ``offset``/``limit``, filtered by
``updated_since``, in (更新时间, id) order, ``Link: rel="next"``): ``GET /api/laws``,
``GET /api/articles``, ``GET /api/key-enterprises``, ``GET /api/platform-merchants``. Faults:
those of ``simulators.json_service``. The API key is ``HUB_KNOWLEDGE_FEEDS_KEY`` when set
(the channels ``knowledge_feed`` and ``third_party_platforms`` refer to the same variable),
the demo key otherwise. Everything is deterministic from the seed; law codes follow the demo
knowledge base's (FL0001 ...), so both channels name a law alike. Message profiles:
``standards/schemas/sources/knowledge_feed_*.json`` and ``third_party_platforms_*.json``.
"""

from __future__ import annotations

import os
import random
from datetime import date, datetime, time
from typing import Any

from hub.demo.vocabulary import (
    ARTICLE_TEMPLATES,
    FINAL_ARTICLE_TEMPLATE,
    LAWS,
    LawEntry,
)
from hub.demo.world import Entity, World, chinese_number
from simulators.json_service import STAMP, UPDATED, Feed, JsonService
from simulators.registry import SimulatorOptions, register_simulator

DEMO_KEY = "knowledge-feeds-demo-key"
ENV_PREFIX = "HUB_KNOWLEDGE_FEEDS"

_NPCSC = "全国人民代表大会常务委员会"
_SAMR = "国家市场监督管理总局"
FEED_LAWS = (
    *LAWS,
    LawEntry("中华人民共和国电子商务法", "法律", _NPCSC, "2018-08-31", "2019-01-01", "现行有效", None, 89, "电子商务", "市场监督管理"),
    LawEntry("中华人民共和国食品卫生法", "法律", _NPCSC, "1995-10-30", "1995-10-30", "已废止", None, 57, "食品卫生", "卫生行政"),
    LawEntry("网络交易监督管理办法", "部门规章", _SAMR, "2021-03-15", "2021-05-01", "现行有效", None, 56, "网络交易", "市场监督管理"),
    LawEntry("食品生产许可管理办法", "部门规章", _SAMR, "2020-01-02", "2020-03-01", "现行有效", None, 61, "食品生产许可", "市场监督管理"),
    LawEntry("安徽省行政执法人员管理办法", "地方政府规章", "安徽省人民政府", "2019-11-20", "2020-01-01", "现行有效", "340000", 32, "行政执法人员管理", "司法行政"),
    LawEntry("合肥市餐厨废弃物管理办法", "地方政府规章", "合肥市人民政府", "2016-11-15", "2017-01-01", "现行有效", "340100", 35, "餐厨废弃物管理", "城市管理"),
)  # fmt: skip
"""The demo knowledge base's laws first (same order, same codes), then the feed's own."""

LAW_CODE_PREFIXES = {
    "法律": "FL",
    "行政法规": "XZFG",
    "部门规章": "BMGZ",
    "地方性法规": "DFFG",
    "地方政府规章": "DFGZ",
}
_WORK_SAFETY = ("安全生产重点企业", "YJGL", "涉及危险作业，列入安全生产重点监管")
_FOOD_SAFETY = ("食品安全重点企业", "SCJG", "规模以上食品生产经营企业，列入食品安全重点监管")
_SPECIAL_EQUIPMENT = ("特种设备重点使用单位", "SCJG", "在用特种设备数量较多，列入特种设备重点监管")
_POLLUTER = ("重点排污单位", "SThJ", "主要污染物排放量较大，列入重点排污单位名录")
KEY_CATEGORIES = {
    "13": _FOOD_SAFETY,
    "14": _FOOD_SAFETY,
    "15": _FOOD_SAFETY,
    "62": _FOOD_SAFETY,
    "26": _WORK_SAFETY,
    "47": _WORK_SAFETY,
    "50": _WORK_SAFETY,
    "30": _SPECIAL_EQUIPMENT,
    "34": _SPECIAL_EQUIPMENT,
    "36": _SPECIAL_EQUIPMENT,
    "38": _SPECIAL_EQUIPMENT,
    "17": _POLLUTER,
    "44": _POLLUTER,
    "46": _POLLUTER,
}
"""Which list (category, department, reason) an enterprise of a GB/T 4754 division is on."""
PLATFORM_NAME = "皖美优选电子商务平台"
SHOP_CATEGORIES = (
    "食品饮料",
    "服饰鞋包",
    "家用电器",
    "美妆个护",
    "母婴用品",
    "数码产品",
    "茶叶特产",
)
SHOP_STATES = ("营业中",) * 8 + ("暂停营业", "已关店")


def _moment(world: World, first: date, last: date) -> str:
    """A 更新时间 between two days, to the second."""
    rng = world.rng
    day = world.day_between(first, last)
    return f"{datetime.combine(day, time(rng.randint(8, 22), rng.randint(0, 59), rng.randint(0, 59))):{STAMP}}"


def law_codes() -> list[str]:
    return [
        f"{LAW_CODE_PREFIXES[law.kind]}{index:04d}" for index, law in enumerate(FEED_LAWS, start=1)
    ]


def law_rows(world: World) -> list[dict[str, Any]]:
    return [
        {
            "法规编号": code,
            "法规名称": law.title,
            "效力级别": law.kind,
            "制定机关": law.issuer,
            "公布日期": law.promulgated,
            "施行日期": law.effective,
            "时效性": law.status,
            "适用区划": law.region,
            UPDATED: _moment(world, date(2026, 5, 1), date(2026, 6, 28)),
        }
        for code, law in zip(law_codes(), FEED_LAWS, strict=True)
    ]


def article_rows(world: World, laws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Some articles of each law (the first, a few in between, the last), published with it."""
    rng = world.rng
    rows: list[dict[str, Any]] = []
    for row, law in zip(laws, FEED_LAWS, strict=True):
        kind = next((word for word in ("办法", "规定", "法") if law.title.endswith(word)), "条例")
        effective = "公布之日"
        if law.effective:
            day = date.fromisoformat(law.effective)
            effective = f"{day.year}年{day.month}月{day.day}日"
        middle = sorted(rng.sample(range(2, law.articles), 6))
        for number in (1, *middle, law.articles):
            template = (
                ARTICLE_TEMPLATES[0]
                if number == 1
                else FINAL_ARTICLE_TEMPLATE
                if number == law.articles
                else rng.choice(ARTICLE_TEMPLATES[1:])
            )
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
                    "条文编号": f"{row['法规编号']}-{number:04d}",
                    "法规编号": row["法规编号"],
                    "条号": f"第{chinese_number(number)}条",
                    "条款序号": str(number),
                    "条文内容": text,
                    UPDATED: row[UPDATED],
                }
            )
    return rows


def key_enterprise_rows(world: World, enterprises: list[Entity]) -> list[dict[str, Any]]:
    rows = []
    for index, entity in enumerate(enterprises, start=1):
        category, department, reason = KEY_CATEGORIES[entity.industry.division]
        since = world.day_between(date(2022, 1, 1), date(2026, 5, 31))
        removed = world.rng.random() < 0.15
        rows.append(
            {
                "名单编号": f"ZDQY{index:06d}",
                "统一社会信用代码": entity.uscc,
                "企业名称": entity.name,
                "重点类别": category,
                "主管部门代码": f"{department}-{entity.county.city_code[:4]}",
                "列入原因": reason,
                "列入日期": since.isoformat(),
                "移出日期": world.day_between(since, date(2026, 6, 20)).isoformat()
                if removed
                else None,
                "行政区划": entity.county.code,
                UPDATED: _moment(world, date(2026, 6, 1), date(2026, 6, 28)),
            }
        )
    return rows


def merchant_rows(world: World, sellers: list[Entity]) -> list[dict[str, Any]]:
    platform_uscc = world.uscc("9", "1", "340100", modern=True)
    rows = []
    for index, entity in enumerate(sellers, start=1):
        opened = world.day_between(max(entity.established, date(2018, 1, 1)), date(2026, 6, 1))
        rows.append(
            {
                "平台名称": PLATFORM_NAME,
                "平台统一社会信用代码": platform_uscc,
                "店铺编号": f"WMYX{index:08d}",
                "店铺名称": f"{entity.name}官方店",
                "经营者名称": entity.name,
                "统一社会信用代码": entity.uscc,
                "主营类目": world.rng.choice(SHOP_CATEGORIES),
                "店铺状态": world.rng.choice(SHOP_STATES),
                "入驻日期": opened.isoformat(),
                "所在地区": entity.county.code,
                UPDATED: _moment(world, date(2026, 6, 1), date(2026, 6, 28)),
            }
        )
    return rows


class KnowledgeFeedsSimulator(JsonService):
    """The running feeds: ``url``, the ``laws``, ``articles``, ``key_enterprises`` and
    ``merchants`` feeds (their ``records`` are what is served), and the fault ``plan``."""

    def __init__(
        self,
        options: SimulatorOptions,
        *,
        api_key: str = DEMO_KEY,
        enterprises: int = 40,
        merchants: int = 60,
    ) -> None:
        super().__init__(options, api_key=api_key, env_prefix=ENV_PREFIX)
        world = World(random.Random(options.seed), 4 * (enterprises + merchants))
        active = world.active_entities
        laws = law_rows(world)
        self.laws = Feed(laws, id_field="法规编号", required_field="法规名称", plan=self.plan)
        self.articles = Feed(
            article_rows(world, laws),
            id_field="条文编号",
            required_field="条文内容",
            plan=self.plan,
        )
        companies = [
            entity
            for entity in active
            if entity.kind == "企业" and entity.industry.division in KEY_CATEGORIES
        ][:enterprises]
        self.key_enterprises = Feed(
            key_enterprise_rows(world, companies),
            id_field="名单编号",
            required_field="重点类别",
            plan=self.plan,
        )
        sellers = [entity for entity in active if entity.kind != "农民专业合作社"][-merchants:]
        self.merchants = Feed(
            merchant_rows(world, sellers),
            id_field="店铺编号",
            required_field="经营者名称",
            plan=self.plan,
        )
        self.serve(
            options,
            "knowledge_feeds",
            {
                ("GET", "/api/laws"): self.laws.page,
                ("GET", "/api/articles"): self.articles.page,
                ("GET", "/api/key-enterprises"): self.key_enterprises.page,
                ("GET", "/api/platform-merchants"): self.merchants.page,
            },
        )


@register_simulator("knowledge_feeds")
def start_knowledge_feeds(options: SimulatorOptions) -> KnowledgeFeedsSimulator:
    """The feeds with the API key from ``HUB_KNOWLEDGE_FEEDS_KEY``, or the demo key."""
    return KnowledgeFeedsSimulator(options, api_key=os.environ.get(f"{ENV_PREFIX}_KEY") or DEMO_KEY)
