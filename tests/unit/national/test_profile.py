"""The sending side's reading of the national profile agrees with the national side's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.national.profile import DATA_TYPES, checksum, content_hash, problems, record_key
from simulators.national import formats

keys = st.lists(st.text(min_size=1, max_size=20), max_size=30)


@given(keys, st.randoms())
def test_both_sides_compute_the_same_checksum_whatever_the_order(
    listed: list[str], shuffler: object
) -> None:
    shuffled = list(listed)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    assert checksum(listed) == checksum(shuffled) == formats.checksum(listed)


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=8))
def test_content_hash_ignores_field_order(data: dict[str, int]) -> None:
    assert content_hash(data) == content_hash(dict(reversed(list(data.items()))))


def test_both_sides_know_the_same_data_types_and_keys() -> None:
    assert DATA_TYPES == formats.DATA_TYPES
    record = {
        "record_kind": "abnormal_list",
        "entity_uscc": "91340100MA2N000000",
        "document_number": "皖市监异字〔2026〕1号",
    }
    assert record_key("credit_record", record) == formats.record_key("credit_record", record)


def test_problems_name_the_field_and_the_rule() -> None:
    found = problems("credit_record", {"record_kind": "other"})
    assert "data: 'entity_uscc' is a required property" in found
    assert any(problem.startswith("data/record_kind: 'other' is not one of") for problem in found)
