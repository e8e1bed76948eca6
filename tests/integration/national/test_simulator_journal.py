"""The national simulator's journal: what it accepted survives a restart, and a re-sent key
gets the receipt it got before."""

from __future__ import annotations

import json
from pathlib import Path

from simulators.national.store import AcceptedStore

DATA = {
    "record_kind": "abnormal_list",
    "entity_uscc": "91340100MA2N000000",
    "entity_name": "合肥示例食品有限公司",
    "document_number": "皖市监异字〔2026〕1号",
    "decided_by": "安徽省市场监督管理局",
    "listed_on": "2026-04-30",
}
KEY = "abnormal_list|91340100MA2N000000|皖市监异字〔2026〕1号"


def _batch(number: str, records: list[dict[str, object]]) -> bytes:
    return json.dumps(
        {
            "batch_number": number,
            "data_type": "credit_record",
            "region_code": "340000",
            "sent_at": "2026-05-01T18:00:00+08:00",
            "records": records,
        },
        ensure_ascii=False,
    ).encode()


def test_a_restarted_store_holds_what_was_accepted_and_replays_its_receipts(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "national.jsonl"
    before = AcceptedStore("340000", journal=journal)
    first = before.submit(
        "k1", _batch("2026050100001", [{"op": "i", "key": KEY, "data": DATA}]), repeat_result=True
    )
    deleted = before.submit("k2", _batch("2026050200001", [{"op": "d", "key": KEY}]))
    refused = before.submit("k3", _batch("2026050200002", [{"op": "u", "key": KEY, "data": DATA}]))
    assert refused.document["status"] == "rejected"

    after = AcceptedStore("340000", journal=journal)
    assert after.current == before.current == {("credit_record", KEY): None}
    assert [(r.op, r.key) for r in after.log] == [("i", KEY), ("d", KEY)]
    for day in ("2026-05-01", "2026-05-02"):
        assert after.reconcile("credit_record", day, page=1, page_size=10) == before.reconcile(
            "credit_record", day, page=1, page_size=10
        )
    again = after.submit("k1", _batch("2026050100001", [{"op": "i", "key": KEY, "data": DATA}]))
    assert again.replayed and again.document == first.document
    assert after.submit("k2", _batch("2026050200001", [{"op": "d", "key": KEY}])).document == (
        deleted.document
    )


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    journal = tmp_path / "national.jsonl"
    AcceptedStore("340000", journal=journal).submit(
        "k1", _batch("2026050100001", [{"op": "i", "key": KEY, "data": DATA}])
    )
    with journal.open("a", encoding="utf-8") as torn:
        torn.write('{"key": "k2", "dig')
    assert len(AcceptedStore("340000", journal=journal).log) == 1
