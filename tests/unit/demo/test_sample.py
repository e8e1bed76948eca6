"""The demo sample: deterministic, loadable by every channel, and bad exactly where planted.

The generator keeps its own bookkeeping (``SampleFile.bad_positions``, ``planted_duplicates``,
``planted_flagged``); the pipeline must agree with it record for record.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from adapters.registry import known_adapters
from hub.demo.sample import ALLOW_LISTED_USCC, SampleFile, generate_sample
from hub.exchange.channels import ChannelRegistry
from hub.exchange.envelopes import Arrival
from hub.exchange.parsers import detect_encoding
from hub.exchange.pipeline import ingest
from hub.exchange.report import RunReport
from hub.store.models.actions import Inspection, Penalty
from hub.store.models.catalog import CatalogItem
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.entities import RegulatedEntity
from hub.store.models.exchange import QuarantineEntry
from hub.store.models.personnel import EnforcementOfficer
from standards.codes import load_regions, validate_uscc

SMALL = 400
CHANNELS = {
    "market_registry": {"entities": "entity"},
    "enforcement_personnel": {"officers": "officer"},
    "supervision_catalog": {"catalog_items": "catalog_item"},
    "inspection_records": {"inspections": "inspection"},
    "penalty_records": {"penalties": "penalty"},
    "hotline_12345": {"work_orders": "complaint"},
    "credit_platform": {"credit_records": "credit_record"},
    "knowledge_base": {"laws": "law", "law_articles": "law_article"},
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[SampleFile]:
    return generate_sample(tmp_path_factory.mktemp("sample"), entities=SMALL)


@pytest.fixture
def registry(repo_root: Path) -> ChannelRegistry:
    return ChannelRegistry(repo_root / "mappings")


def ingest_file(engine: Engine, registry: ChannelRegistry, file: SampleFile) -> RunReport:
    arrival = Arrival(file.channel, file.message, file.path, file_name=file.path.name)
    return ingest(engine, registry.get(file.channel), [arrival])


def test_the_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", seed=7, entities=SMALL)
    second = generate_sample(tmp_path / "b", seed=7, entities=SMALL)
    other = generate_sample(tmp_path / "c", seed=8, entities=SMALL)
    assert [f.path.relative_to(tmp_path / "a") for f in first] == [
        f.path.relative_to(tmp_path / "b") for f in second
    ]
    for a, b, c in zip(first, second, other, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
        assert (a.planted, a.bad_positions) == (b.planted, b.bad_positions)
        assert a.path.read_bytes() != c.path.read_bytes(), a.path.name


def test_the_default_sample_has_the_promised_sizes_and_is_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    files = generate_sample(tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"generate_sample took {elapsed:.1f} s"
    stored = {f.message: f.expected_stored for f in files}
    assert stored["entities"] == 3001  # 3000 good entities and the allow-listed one
    assert stored["catalog_items"] == 60
    assert stored["laws"] == 20
    assert stored["law_articles"] == 200
    for message, expected in (
        ("officers", 300),
        ("inspections", 1500),
        ("penalties", 300),
        ("work_orders", 800),
        ("credit_records", 600),
    ):
        assert expected * 0.9 <= stored[message] <= expected * 1.1, message
    for file in files:
        assert 0.01 <= file.planted_bad / file.records <= 0.2, file.message


def test_every_channel_under_mappings_loads_with_its_messages(registry: ChannelRegistry) -> None:
    found = {
        channel.name: {name: mapping.target for name, mapping in channel.mappings.items()}
        for channel in registry.all()
    }
    assert {name: found[name] for name in CHANNELS} == CHANNELS  # the sample's channels
    for name in CHANNELS:
        assert registry.get(name).adapter["type"] in known_adapters(), name
    assert registry.get("hotline_12345").personal_data is True


def test_every_file_is_routed_to_its_message_by_name(
    sample: list[SampleFile], registry: ChannelRegistry
) -> None:
    assert {(f.channel, f.message) for f in sample} == {
        (channel, message) for channel, messages in CHANNELS.items() for message in messages
    }
    for file in sample:
        assert registry.get(file.channel).message_for_file(file.path.name).name == file.message


def test_every_file_carries_bad_records_and_duplicates(sample: list[SampleFile]) -> None:
    for file in sample:
        kinds = dict(file.planted)
        assert kinds.pop("duplicate") == file.planted_duplicates >= 1, file.message
        assert sum(kinds.values()) == file.planted_bad == len(file.bad_positions), file.message
        assert len(kinds) >= 2, file.message
    all_kinds = {kind for file in sample for kind, _ in file.planted}
    assert {
        "wrong_uscc_check",
        "unknown_region",
        "missing_required",
        "overlong_name",
        "bad_date",
        "duplicate",
    } <= all_kinds


def test_the_credit_export_is_gbk_and_detected_as_such(sample: list[SampleFile]) -> None:
    credit = next(f for f in sample if f.channel == "credit_platform")
    data = credit.path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert detect_encoding(data[:65536], "auto") == ("gb18030", 0)
    assert "统一社会信用代码" in data.decode("gbk").splitlines()[0]


def test_entities_carry_valid_codes_of_real_anhui_counties(sample: list[SampleFile]) -> None:
    registry_file = next(f for f in sample if f.message == "entities")
    with registry_file.path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    bad = set(registry_file.bad_positions)
    regions = load_regions()
    good = [row for position, row in enumerate(rows, start=1) if position not in bad]
    for row in good:
        code = row["统一社会信用代码"]
        if code == ALLOW_LISTED_USCC:
            continue
        check = validate_uscc(code)
        assert check.check_passed and check.orgcode_check_passed, code
        assert code[0] == "9" and code[1] in "123", code
        assert code[2:8] == row["住所所在行政区划"], code
        region = regions.get(code[2:8])
        assert region is not None and region.level == "county" and code.startswith("34", 2), code


def test_the_pipeline_quarantines_exactly_the_planted_records(
    sqlite_engine: Engine, sample: list[SampleFile], registry: ChannelRegistry
) -> None:
    steps: Counter[str] = Counter()
    for file in sample:
        report = ingest_file(sqlite_engine, registry, file)
        assert report.balanced, report.summary()
        assert report.received == file.records, file.message
        assert report.quarantined == file.planted_bad, (file.message, dict(report.reasons))
        assert report.duplicates == file.planted_duplicates, file.message
        assert report.stored == file.expected_stored, file.message
        with Session(sqlite_engine) as session:
            entries = session.execute(
                select(QuarantineEntry.position, QuarantineEntry.step).where(
                    QuarantineEntry.channel == file.channel,
                    QuarantineEntry.message_type == file.message,
                )
            ).all()
        assert sorted(position for position, _ in entries) == sorted(file.bad_positions), (
            file.message
        )
        steps.update(step for _, step in entries)
    # The planted faults reach every step of the pipeline that can refuse a record.
    assert set(steps) == {"parse", "validate_source", "map", "check_codes", "validate_canonical"}

    with Session(sqlite_engine) as session:
        flagged = session.scalars(
            select(RegulatedEntity).where(RegulatedEntity.code_check_failed.is_(True))
        ).all()
    assert [entity.uscc for entity in flagged] == [ALLOW_LISTED_USCC]

    for file in sample:
        again = ingest_file(sqlite_engine, registry, file)
        assert again.stored == 0, file.message
        assert again.duplicates == file.records - file.planted_bad, file.message
        assert again.quarantined == file.planted_bad, file.message


def test_actions_complaints_and_credit_refer_to_what_exists(
    sqlite_engine: Engine, sample: list[SampleFile], registry: ChannelRegistry
) -> None:
    for file in sample:
        ingest_file(sqlite_engine, registry, file)
    with Session(sqlite_engine) as session:
        usccs = set(session.scalars(select(RegulatedEntity.uscc)))
        certificates = set(session.scalars(select(EnforcementOfficer.certificate_number)))
        catalog = set(session.scalars(select(CatalogItem.code)))
        inspections = session.scalars(select(Inspection)).all()
        penalties = session.scalars(select(Penalty)).all()
        complaints = session.scalars(select(Complaint)).all()
        credit = session.scalars(select(CreditRecord)).all()
        inspection_numbers = {inspection.action_number for inspection in inspections}
        for action in [*inspections, *penalties]:
            assert action.entity_uscc in usccs, action.action_number
            assert action.catalog_code in catalog, action.action_number
            assert len(action.officers) >= 2 and set(action.officers) <= certificates
            assert action.implementation_code is not None and action.agency_uscc is not None
            assert action.implementation_code.startswith(action.agency_uscc)
        for inspection in inspections:
            assert inspection.reported_at is not None and inspection.acted_at is not None
            assert inspection.reported_at > inspection.acted_at, inspection.action_number
        for penalty in penalties:
            assert (
                penalty.inspection_number is None or penalty.inspection_number in inspection_numbers
            )
            assert penalty.filed_on is not None and penalty.decided_on is not None
            assert penalty.closed_on is None or penalty.closed_on > penalty.filed_on
        # Amounts sent in 万元 and in 元 both arrive in 元: whole yuan, never below 200.
        fines = [p.fine_amount for p in penalties if p.fine_amount is not None]
        assert fines and all(fine >= 200 and fine == int(fine) for fine in fines)
        assert all(c.target_uscc is None or c.target_uscc in usccs for c in complaints)
        assert any(c.complainant_id_number for c in complaints)
        assert all(record.entity_uscc in usccs for record in credit)
        assert {record.record_kind for record in credit} == {
            "abnormal_list",
            "serious_violation",
            "penalty_publicity",
            "credit_class",
        }
