"""The world the demo sample describes: Anhui's counties, entities, bureaus and their
officers, the catalog, and the inspections and penalties that tie them together.

Built once, in a fixed order, from one ``random.Random``: the same seed gives the same world.
``hub.demo.sample`` turns it into the files each outside system exports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hub.demo.vocabulary import (
    BUILDINGS,
    CASE_OPENED_RESULT,
    CATALOG,
    CITY_DOCUMENT_ABBREVIATIONS,
    DEPARTMENTS,
    GIVEN_NAME_CHARACTERS,
    INDUSTRIES,
    INSPECTION_RESULTS,
    LAWS,
    ROADS,
    SURNAMES,
    TRADE_NAME_CHARACTERS,
    CatalogEntry,
    Department,
    Industry,
    Topic,
)
from standards.codes import (
    USCC_CHARSET,
    citizen_id_check_character,
    load_regions,
    orgcode_check_character,
    uscc_check_character,
)

REFERENCE_DATE = date(2026, 6, 30)
"""The sample's "today": every date is at or before it."""

ALLOW_LISTED_USCC = "91350203M0001QAY9B"
"""An issued code whose check character is wrong, on the shipped allow-list."""

_DIGITS = "0123456789"
_MOBILE_PREFIXES = [
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]


@dataclass(frozen=True)
class County:
    """A county-level division of Anhui (current GB/T 2260 code) and its city."""

    code: str
    name: str
    city_code: str
    city_name: str

    @property
    def full_name(self) -> str:
        """How addresses and bureau names spell it: 合肥市瑶海区, but 肥西县."""
        return self.city_name + self.name if self.name.endswith("区") else self.name

    @property
    def short_name(self) -> str:
        return self.name[:-1] if len(self.name) > 2 else self.name


@dataclass
class Entity:
    """A market entity (市场主体) as the register knows it."""

    internal_id: str
    uscc: str
    name: str
    kind: str  # 企业, 个体工商户, 农民专业合作社
    county: County
    industry: Industry
    legal_representative: str
    address: str
    business_address: str
    status: str
    established: date
    capital: str

    @property
    def active(self) -> bool:
        return self.status in ("存续", "在业")

    @property
    def counterpart_nature(self) -> str:
        return "个体工商户" if self.kind == "个体工商户" else "法人及非法人组织"


@dataclass
class Officer:
    """An enforcement officer (执法人员) of one bureau."""

    certificate: str
    name: str
    office: Office
    citizen_id: str
    male: bool
    status: str
    licence_status: str
    issued: date
    specialities: tuple[str, ...]
    qualifications: tuple[str, ...]

    @property
    def may_act(self) -> bool:
        return self.status == "在岗" and self.licence_status == "有效"


@dataclass
class Office:
    """A bureau of one department in one city or county, with its roster."""

    department: Department
    region_code: str  # 340100 for a city bureau, 340102 for a county bureau
    name: str
    uscc: str
    city_code: str
    officers: list[Officer] = field(default_factory=list)
    document_counters: dict[str, int] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The hub's department code, e.g. SCJG-3401 or SCJG-340102."""
        suffix = self.region_code[:4] if self.region_code.endswith("00") else self.region_code
        return f"{self.department.abbreviation}-{suffix}"

    @property
    def level_digit(self) -> str:
        return "2" if self.region_code.endswith("00") else "3"

    @property
    def acting_officers(self) -> list[Officer]:
        return [officer for officer in self.officers if officer.may_act]

    def next_document_number(self, year: int) -> int:
        key = str(year)
        self.document_counters[key] = self.document_counters.get(key, 0) + 1
        return self.document_counters[key]


@dataclass(frozen=True)
class CatalogItem:
    """A supervision item (监管事项): a main item, or a sub-item with ``parent_code``."""

    code: str
    parent_code: str | None
    name: str
    entry: CatalogEntry
    department: Department
    status: str
    version: int


@dataclass
class Inspection:
    """An inspection of one entity under one catalog item by two or three officers."""

    number: str
    entity: Entity
    office: Office
    item: CatalogItem
    at: datetime
    officers: list[Officer]
    category: str
    result: str
    result_text: str
    problem: str


@dataclass
class Penalty:
    """A penalty case, found by an inspection or from another source; amounts in 元."""

    number: str
    decision_number: str
    entity: Entity
    office: Office
    item: CatalogItem
    inspection: Inspection | None
    problem: str
    simple: bool
    kinds: tuple[str, ...]
    fine: int  # 元
    confiscated: int  # 元
    filed_on: date
    decided_on: date
    published_on: date | None
    facts: str


class World:
    """Every entity, office, officer and catalog item, built once in a fixed order."""

    def __init__(self, rng: random.Random, entity_count: int) -> None:
        self.rng = rng
        self.entity_count = entity_count
        self.used_usccs: set[str] = {ALLOW_LISTED_USCC}
        self.used_names: set[str] = set()
        self.serial = 0
        self.counties, self.cities = anhui_regions()
        self.departments = {department.abbreviation: department for department in DEPARTMENTS}
        self.entities = [self.new_entity() for _ in range(entity_count)]
        self.active_entities = [entity for entity in self.entities if entity.active]
        self._targets: dict[tuple[str, ...], list[Entity]] = {}
        self.offices = self._offices()
        self.catalog = self._catalog()
        self.laws = self._law_codes()
        self.inspections = inspections_of(self)
        self.penalties = penalties_of(self)

    # -- small draws -------------------------------------------------------------------

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def person_name(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_NAME_CHARACTERS)
        if rng.random() < 0.65:
            given += rng.choice(GIVEN_NAME_CHARACTERS)
        return rng.choice(SURNAMES) + given

    def citizen_id(self, region_code: str, born: date, male: bool) -> str:
        sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
        first17 = f"{region_code}{born:%Y%m%d}{sequence:03d}"
        return first17 + citizen_id_check_character(first17)

    def uscc(self, authority: str, entity_type: str, region_code: str, *, modern: bool) -> str:
        """A fresh, valid 统一社会信用代码 whose positions 9-17 are a valid 组织机构代码."""
        rng = self.rng
        while True:
            if modern:
                body = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
            else:
                body = "".join(rng.choice(_DIGITS) for _ in range(8))
            first17 = f"{authority}{entity_type}{region_code}{body}{orgcode_check_character(body)}"
            code = first17 + uscc_check_character(first17)
            if code not in self.used_usccs:
                self.used_usccs.add(code)
                return code

    def address(self, county: County) -> str:
        rng = self.rng
        text = f"安徽省{county.city_name}{county.name}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
        building = rng.choice(BUILDINGS)
        if building:
            text += (
                f"{building}{rng.randint(1, 12)}栋{rng.randint(1, 28)}{rng.randint(1, 20):02d}室"
            )
        return text

    def phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return f"0551-6{rng.randint(0, 9999999):07d}"
        prefix = rng.choice(_MOBILE_PREFIXES)
        return f"{prefix}{rng.randint(0, 99999999):08d}"

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def working_day_between(self, first: date, last: date) -> date:
        day = self.day_between(first, last)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return max(day, first)

    def office_hours(self, day: date) -> datetime:
        rng = self.rng
        hour = rng.choice((8, 9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 17))
        return datetime.combine(day, time(hour, rng.choice((0, 10, 20, 30, 40, 50))))

    def update_time(self) -> str:
        """When the exporting system last touched a row: some time in June 2026."""
        rng = self.rng
        day = self.day_between(date(2026, 6, 1), REFERENCE_DATE - timedelta(days=1))
        moment = datetime.combine(
            day, time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        )
        return f"{moment:%Y-%m-%d %H:%M:%S}"

    # -- entities ------------------------------------------------------------------------

    def new_entity(self, county: County | None = None) -> Entity:
        rng = self.rng
        county = county or rng.choice(self.counties)
        kind = rng.choices(("企业", "个体工商户", "农民专业合作社"), weights=(64, 31, 5))[0]
        if kind == "农民专业合作社":
            industry = rng.choice([i for i in INDUSTRIES if i.section == "A"])
        elif kind == "个体工商户":
            shops = _SHOP_INDUSTRIES
            industry = rng.choices(shops, weights=[i.weight for i in shops])[0]
        else:
            industry = rng.choices(INDUSTRIES, weights=[i.weight for i in INDUSTRIES])[0]
        established = self.day_between(date(1998, 1, 1), date(2026, 6, 15))
        name = self._entity_name(kind, county, industry)
        type_digit = {"企业": "1", "个体工商户": "2", "农民专业合作社": "3"}[kind]
        uscc = self.uscc("9", type_digit, county.code, modern=established >= date(2015, 10, 1))
        address = self.address(county)
        status = rng.choices(
            ("存续", "在业", "注销", "吊销", "迁出", "停业"), weights=(82, 6, 5, 3, 2, 2)
        )[0]
        if kind == "企业":
            amount = rng.choice((10, 30, 50, 100, 100, 200, 300, 500, 500, 1000, 2000, 5000))
            capital = rng.choice((f"{amount}", f"{amount}", f"{amount}.000000", f"{amount}万元"))
        elif kind == "农民专业合作社":
            capital = str(rng.choice((20, 50, 100, 200)))
        else:
            capital = "" if rng.random() < 0.7 else str(rng.choice((1, 3, 5, 10)))
        return Entity(
            internal_id=f"AH{self.next_serial():09d}",
            uscc=uscc,
            name=name,
            kind=kind,
            county=county,
            industry=industry,
            legal_representative=self.person_name(),
            address=address,
            business_address=address if rng.random() < 0.75 else self.address(county),
            status=status,
            established=established,
            capital=capital,
        )

    def _entity_name(self, kind: str, county: County, industry: Industry) -> str:
        rng = self.rng
        while True:
            trade = "".join(rng.sample(TRADE_NAME_CHARACTERS, 2))
            if kind == "个体工商户":
                owner = rng.choice(SURNAMES) + "记" if rng.random() < 0.3 else trade
                name = f"{county.full_name}{owner}{rng.choice(industry.shop_words)}"
            elif kind == "农民专业合作社":
                product = rng.choice(industry.shop_words)
                work = "种植" if industry.division == "01" else "养殖"
                name = f"{county.full_name}{trade}{product}{work}专业合作社"
            else:
                place = rng.choices(
                    (county.city_name[:-1], county.short_name, "安徽"), weights=(70, 20, 10)
                )[0]
                if county.name.endswith("区") and place == county.short_name:
                    place = county.city_name[:-1]
                suffix = rng.choices(
                    ("有限公司", "有限责任公司", "股份有限公司"), weights=(80, 17, 3)
                )[0]
                name = f"{place}{trade}{rng.choice(industry.company_words)}{suffix}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    # -- offices and officers ------------------------------------------------------------

    def _offices(self) -> dict[str, Office]:
        """City bureaus of every department, and county market supervision bureaus.

        Every city bureau gets two officers who may act; the rest of the roster goes to
        county bureaus two at a time, then one more each round-robin.
        """
        rng = self.rng
        offices: dict[str, Office] = {}
        city_offices: list[Office] = []
        for city_code, city_name in self.cities:
            for department in DEPARTMENTS:
                office = Office(
                    department=department,
                    region_code=city_code,
                    name=f"{city_name}{department.name}",
                    uscc=self.uscc("1", "1", city_code, modern=False),
                    city_code=city_code,
                )
                offices[office.code] = office
                city_offices.append(office)
        county_offices: list[Office] = []
        market = self.departments["SCJG"]
        for county in self.counties:
            office = Office(
                department=market,
                region_code=county.code,
                name=f"{county.full_name}{market.county_name}",
                uscc=self.uscc("1", "1", county.code, modern=False),
                city_code=county.city_code,
            )
            offices[office.code] = office
            county_offices.append(office)
        total = max(self.entity_count // 10, 2 * len(city_offices))
        order = [office for office in city_offices for _ in range(2)]
        shuffled = list(county_offices)
        rng.shuffle(shuffled)
        order += [office for office in shuffled for _ in range(2)]
        everyone = city_offices + county_offices
        while len(order) < total:
            order += everyone
        for office in order[:total]:
            self._add_officer(office, must_act=len(office.officers) < 2)
        return offices

    def _add_officer(self, office: Office, *, must_act: bool) -> None:
        rng = self.rng
        male = rng.random() < 0.7
        born = self.day_between(date(1966, 1, 1), date(1999, 12, 31))
        home = rng.choice([c for c in self.counties if c.city_code == office.city_code])
        if must_act:
            status, licence = "在岗", "有效"
        else:
            status = rng.choices(("在岗", "暂停执法", "离岗", "退休"), weights=(88, 5, 2, 5))[0]
            licence = {"在岗": "有效", "暂停执法": "暂扣", "离岗": "注销", "退休": "注销"}[status]
        specialities = tuple(rng.sample(office.department.specialities, rng.randint(1, 2)))
        qualifications = (
            ("行政检查", "行政处罚", "行政强制") if rng.random() < 0.3 else ("行政检查", "行政处罚")
        )
        sequence = len(office.officers) + 1
        officer = Officer(
            certificate=f"{office.region_code}{office.department.number}{sequence:05d}",
            name=self.person_name(),
            office=office,
            citizen_id=self.citizen_id(home.code, born, male),
            male=male,
            status=status,
            licence_status=licence,
            issued=self.day_between(date(2021, 7, 1), date(2026, 3, 31)),
            specialities=specialities,
            qualifications=qualifications,
        )
        office.officers.append(officer)

    def acting_office(self, department: Department, entity: Entity) -> Office:
        """The county bureau when it has two officers who may act, else the city bureau."""
        county_office = self.offices.get(f"{department.abbreviation}-{entity.county.code}")
        if (
            county_office is not None
            and len(county_office.acting_officers) >= 2
            and self.rng.random() < 0.75
        ):
            return county_office
        return self.offices[f"{department.abbreviation}-{entity.county.city_code[:4]}"]

    def complaint_targets(self, topic: Topic) -> list[Entity]:
        """Active entities a work order on ``topic`` may be about (all when none fits)."""
        if topic.divisions is None:
            return self.active_entities
        key = topic.divisions
        if key not in self._targets:
            self._targets[key] = [
                entity for entity in self.active_entities if entity.industry.division in key
            ] or self.active_entities
        return self._targets[key]

    # -- catalog and knowledge base ------------------------------------------------------

    def _catalog(self) -> list[CatalogItem]:
        items: list[CatalogItem] = []
        sequence: dict[str, int] = {}
        for entry in CATALOG:
            department = self.departments[entry.department]
            sequence[department.number] = sequence.get(department.number, 0) + 1
            main_code = f"34{department.number}01{sequence[department.number]:04d}0000"
            version = self.rng.choice((1, 1, 2))
            items.append(
                CatalogItem(main_code, None, entry.name, entry, department, "已发布", version)
            )
            for index, name in enumerate(entry.sub_items, start=1):
                code = main_code[:10] + f"{index:04d}"
                items.append(
                    CatalogItem(code, main_code, name, entry, department, "已发布", version)
                )
        return items

    def _law_codes(self) -> list[str]:
        prefixes = {"法律": "FL", "行政法规": "XZFG", "部门规章": "BMGZ", "地方性法规": "DFFG"}
        return [f"{prefixes[law.kind]}{index:04d}" for index, law in enumerate(LAWS, start=1)]


_SHOP_INDUSTRIES = tuple(
    industry for industry in INDUSTRIES if industry.shop_words and industry.section != "A"
)


def anhui_regions() -> tuple[list[County], list[tuple[str, str]]]:
    """Anhui's counties (without statistical development zones, 71-79) and cities."""
    table = load_regions()
    cities = [
        (r.code, r.name) for r in table if r.code.startswith("34") and r.level == "prefecture"
    ]
    city_names = dict(cities)
    counties = [
        County(r.code, r.name, r.parent or "", city_names[r.parent or ""])
        for r in table
        if r.code.startswith("34") and r.level == "county" and not 71 <= int(r.code[4:]) <= 79
    ]
    return counties, cities


def add_working_days(day: date, days: int) -> date:
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def chinese_number(number: int) -> str:
    """第一百二十四条 style numerals, up to 999."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    if number < 100:
        return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")
    rest = number % 100
    text = digits[number // 100] + "百"
    if rest == 0:
        return text
    if rest < 10:
        return text + "零" + digits[rest]
    return text + digits[rest // 10] + "十" + (digits[rest % 10] if rest % 10 else "")


def inspections_of(world: World) -> list[Inspection]:
    rng = world.rng
    entries_by_department: dict[str, list[CatalogEntry]] = {}
    for entry in CATALOG:
        entries_by_department.setdefault(entry.department, []).append(entry)
    items_by_entry = {
        entry.name: [
            item for item in world.catalog if item.entry is entry and item.parent_code is not None
        ]
        for entry in CATALOG
    }
    candidates = {
        entry.name: [
            entity
            for entity in world.active_entities
            if entry.divisions is None or entity.industry.division in entry.divisions
        ]
        or world.active_entities
        for entry in CATALOG
    }
    departments = list(DEPARTMENTS)
    weights = [department.weight for department in departments]
    inspections: list[Inspection] = []
    for index in range(1, world.entity_count // 2 + 1):
        department = rng.choices(departments, weights=weights)[0]
        entry = rng.choice(entries_by_department[department.abbreviation])
        item = rng.choice(items_by_entry[entry.name])
        entity = rng.choice(candidates[entry.name])
        office = world.acting_office(department, entity)
        day = world.working_day_between(
            max(date(2024, 7, 1), entity.established), date(2026, 6, 26)
        )
        moment = world.office_hours(day)
        acting = office.acting_officers
        team = rng.sample(acting, 3 if len(acting) > 2 and rng.random() < 0.15 else 2)
        if entry.manner == "双随机抽查":
            category = "双随机抽查"
        else:
            category = rng.choices(("日常检查", "专项检查", "投诉举报核查"), weights=(60, 25, 15))[
                0
            ]
        result, _weight, text = rng.choices(
            INSPECTION_RESULTS, weights=[r[1] for r in INSPECTION_RESULTS]
        )[0]
        inspections.append(
            Inspection(
                number=f"{office.code}-JC-{moment.year}-{index:06d}",
                entity=entity,
                office=office,
                item=item,
                at=moment,
                officers=team,
                category=category,
                result=result,
                result_text=text,
                problem=rng.choice(entry.problems),
            )
        )
    return inspections


_PENALTY_KINDS = {
    "SCJG": (("02",), ("02", "03"), ("01", "02"), ("02", "09"), ("02", "03", "09")),
    "SThJ": (("02",), ("02", "12")),
    "YJGL": (("02",), ("02", "04")),
    "WSJK": (("01", "02"), ("02",)),
    "JTYS": (("02",), ("02", "11")),
    "ZFJS": (("02",), ("01", "02")),
}


def penalties_of(world: World) -> list[Penalty]:
    """Penalties: about 60 % found by an inspection (whose result becomes 已立案)."""
    rng = world.rng
    inspections = world.inspections
    count = world.entity_count // 10
    eligible = [i for i in inspections if i.at.date() <= date(2026, 4, 30)]
    found = rng.sample(eligible, min(len(eligible), count * 6 // 10))
    penalties: list[Penalty] = []
    for index in range(count):
        inspection: Inspection | None = None
        if index < len(found):
            inspection = found[index]
            inspection.result, inspection.result_text = CASE_OPENED_RESULT
            entity, office, item = inspection.entity, inspection.office, inspection.item
            problem = inspection.problem
            filed = inspection.at.date() + timedelta(days=rng.randint(1, 7))
        else:
            entity = rng.choice(world.active_entities)
            department = rng.choices(DEPARTMENTS, weights=[d.weight for d in DEPARTMENTS])[0]
            office = world.acting_office(department, entity)
            item = rng.choice(
                [i for i in world.catalog if i.department is department and i.parent_code]
            )
            problem = rng.choice(item.entry.problems)
            filed = world.working_day_between(date(2024, 8, 1), date(2026, 4, 30))
        simple = rng.random() < 0.2
        if simple:
            kinds: tuple[str, ...] = rng.choice((("01",), ("02",)))
            fine = rng.choice((200, 500, 1000, 2000, 3000)) if kinds == ("02",) else 0
            decided = filed
        else:
            kinds = rng.choice(_PENALTY_KINDS[office.department.abbreviation])
            amounts = (5000, 10000, 20000, 30000, 50000, 80000, 100000, 200000, 500000)
            fine = rng.choice(amounts) if "02" in kinds else 0
            decided = add_working_days(filed, rng.randint(5, 40))
        confiscated = rng.choice((800, 2500, 6000, 12000)) if "03" in kinds else 0
        year = decided.year
        city = CITY_DOCUMENT_ABBREVIATIONS[office.city_code[:4]]
        issuer = city if office.level_digit == "2" else entity.county.short_name
        sequence = office.next_document_number(year)
        published = add_working_days(decided, rng.randint(1, 7))
        basis = item.entry.basis.split("》")[0] + "》"
        penalties.append(
            Penalty(
                number=f"{office.code}-CF-{year}-{index + 1:05d}",
                decision_number=f"{issuer}{office.department.document_word}罚〔{year}〕{sequence}号",
                entity=entity,
                office=office,
                item=item,
                inspection=inspection,
                problem=problem,
                simple=simple,
                kinds=kinds,
                fine=fine,
                confiscated=confiscated,
                filed_on=filed,
                decided_on=decided,
                published_on=published if published < REFERENCE_DATE else None,
                facts=f"经查，当事人{entity.name}{problem}，违反了{basis}的有关规定。",
            )
        )
    return penalties
