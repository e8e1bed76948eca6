"""The national push over SOAP (``transport: soap``): a real zeep client on the WSDL under
standards/ against the national simulator over a socket, requiring signatures. The batches,
keys and signatures are the REST push's; the answers settle the records as REST receipts do,
through errors, late answers and repeated results; a wrong key fails the run and leaves the
batch pending, as over REST; reconciliation agrees afterwards."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli.main import app
from hub.errors import AuthenticationFailed, ConfigurationError
from hub.national.config import NationalConfig, Transport, load_config
from hub.national.push import PushReport, push
from hub.national.reconcile import days_with_data, reconcile
from hub.national.rejections import rejections
from hub.national.signing import generate_key_pair
from hub.settings import get_settings
from hub.store.base import Base
from hub.store.models.national import NationalBatch, NationalSentRecord
from tests.integration.national.support import national, seed

SIGNATURE_REFUSED = "signature does not verify with the registered public key"
runner = CliRunner()
NOWHERE = "http://127.0.0.1:9"  # the REST adapter's address in these tests: nothing listens


def _over_soap(config: NationalConfig, **soap: object) -> NationalConfig:
    """``config`` pushing over SOAP, small batches, its REST side pointed where nothing
    answers: a batch sent over REST would fail the test."""
    assert config.soap is not None
    return dataclasses.replace(
        config,
        transport=Transport.SOAP,
        batch_size=4,
        adapter={**config.adapter, "url": NOWHERE, "retry": {"attempts": 1}},
        soap={**config.soap, **soap},
    )


def _journal(path: Path) -> dict[str, dict[str, object]]:
    """What the simulator applied, by idempotency key: the receipt REST would answer."""
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    assert len({entry["key"] for entry in entries}) == len(entries)  # each batch applied once
    return {entry["key"]: entry["receipt"] for entry in entries}


def test_every_record_goes_over_soap_signed_settles_as_over_rest_and_reconciles(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine, inspections=7, credit_records=3)
    journal = tmp_path / "national.jsonl"
    with national(journal=str(journal)) as simulator:
        config = _over_soap(load_config())
        report = push(engine, config)
        assert (report.accepted, report.rejected, report.batches_sent) == (10, 0, 3)
        assert report.stopped is None
        applied = {(entry.data_type, entry.key): entry.receipt_id for entry in simulator.store.log}
        assert len(applied) == len(simulator.store.log) == 10
        assert push(engine, config).planned == {}  # receipts settled: nothing left to send
        comparisons = reconcile(engine, load_config(), days=days_with_data(engine))
        assert comparisons and all(c.agrees and not c.resent for c in comparisons)
    receipts = _journal(journal)
    with Session(engine) as session:
        batches = session.scalars(select(NationalBatch)).all()
        entries = session.scalars(select(NationalSentRecord)).all()
    assert {batch.state for batch in batches} == {"accepted"}
    for batch in batches:
        # The SOAP answer, read into the REST receipt: what REST answers for the same key.
        assert batch.receipt == receipts[batch.idempotency_key]
        assert batch.receipt_id == receipts[batch.idempotency_key]["receipt_id"]
        assert (batch.accepted_count, batch.payload) == (batch.record_count, None)
    assert {(e.data_type, e.record_key): e.receipt_id for e in entries} == applied
    assert {entry.status for entry in entries} == {"accepted"}


def test_reconciliation_over_soap_asks_query_accepted_and_resends_what_was_lost(
    engine: Engine,
) -> None:
    seed(engine, inspections=6, credit_records=2)
    with national() as simulator:
        config = _over_soap(load_config())  # REST points nowhere: a REST call would fail
        push(engine, config)
        days = days_with_data(engine)
        assert all(c.agrees and not c.resent for c in reconcile(engine, config, days=days))
        (day,) = days
        simulator.store._by_day[("inspection", day)].discard("JC-000002")  # lost there
        comparisons = {c.data_type: c for c in reconcile(engine, config, days=days)}
        assert comparisons["inspection"].agrees and comparisons["inspection"].resent == 1
        assert comparisons["credit_record"].agrees and not comparisons["credit_record"].resent
        assert "JC-000002" in simulator.store._by_day[("inspection", day)]


def test_with_retries_configured_a_dropped_connection_is_tried_again_within_the_run(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine, inspections=3)
    journal = tmp_path / "national.jsonl"
    with national(down_for_requests=2, journal=str(journal)) as simulator:
        once = _over_soap(load_config(), retry={"attempts": 1})
        stopped = push(engine, once)  # no retry: the first dropped connection ends the run
        assert stopped.stopped is not None and stopped.pending_batches == 1
        patient = _over_soap(load_config(), retry={"attempts": 3, "backoff_seconds": 0.01})
        report = push(engine, patient)  # the second is dropped too, the third answered
        assert report.stopped is None and report.accepted == 3
        assert simulator.plan.served["down_for_requests"] == 2
    assert len(_journal(journal)) == 1  # applied once


def test_through_errors_late_answers_and_repeated_results_every_key_is_accepted_once(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine, inspections=10, credit_records=6)
    journal = tmp_path / "national.jsonl"
    faults = {
        "error_rate": 0.3,  # 503
        "timeout_rate": 0.2,  # applied, answered after 2 × 0.4 s: the client gave up at 0.4 s
        "timeout_seconds": 0.4,
        "duplicate_receipts": True,  # every receipt repeats its first result
        "down_for_requests": 2,  # connections closed without an answer
        "journal": str(journal),
    }
    with national(**faults) as simulator:
        config = dataclasses.replace(
            _over_soap(load_config(), timeout_seconds=0.4, retry={"attempts": 1}), batch_size=2
        )  # each failure ends the run: recovery across runs is what is tested
        reports: list[PushReport] = []
        for _ in range(40):
            reports.append(push(engine, config))
            if reports[-1].stopped is None and reports[-1].pending_batches == 0:
                break
        met = simulator.plan.served
        assert min(met["error_rate"], met["timeout_rate"], met["down_for_requests"]) > 0, met
        applied = Counter((entry.data_type, entry.key) for entry in simulator.store.log)
        simulator.set_faults({})  # reconciliation asks over REST: not what is tested here
        comparisons = reconcile(engine, load_config(), days=days_with_data(engine))
        assert all(c.agrees for c in comparisons)
    assert reports[-1].stopped is None and sum(r.accepted for r in reports) == 16
    assert sum(r.repeated_results for r in reports) == sum(r.batches_sent for r in reports)
    assert len(applied) == 16 and set(applied.values()) == {1}
    with Session(engine) as session:
        batches = session.scalars(select(NationalBatch)).all()
        statuses = Counter(
            (entry.record_key, entry.status)
            for entry in session.scalars(select(NationalSentRecord))
        )
    assert len(_journal(journal)) == len(batches) == 8  # every batch applied once
    assert {batch.state for batch in batches} == {"accepted"}
    assert any(batch.attempts > 1 for batch in batches)  # re-sent under its key, not re-applied
    assert len(statuses) == 16 and {status for _, status in statuses} == {"accepted"}
    assert set(statuses.values()) == {1}


def test_a_wrong_key_fails_the_run_and_leaves_the_batch_pending_as_over_rest(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine, inspections=2)
    with national() as simulator:
        config = _over_soap(load_config())
        monkeypatch.setenv("HUB_NATIONAL_SIGNING_KEY", generate_key_pair("sm2_sm3")[0])
        with pytest.raises(AuthenticationFailed, match=SIGNATURE_REFUSED):
            push(engine, config)
        assert simulator.store.log == []
        assert rejections(engine) == []  # the key is ours to fix, not the records'
        with Session(engine) as session:
            (batch,) = session.scalars(select(NationalBatch)).all()
        assert batch.state == "pending" and batch.payload is not None

        assert simulator.signing_key is not None
        monkeypatch.setenv("HUB_NATIONAL_SIGNING_KEY", simulator.signing_key)
        assert push(engine, config).accepted == 2
        assert sorted(entry.key for entry in simulator.store.log) == ["JC-000000", "JC-000001"]
    with Session(engine) as session:
        assert session.scalars(select(NationalBatch.state)).all() == ["accepted"]


def test_the_cli_pushes_over_soap_when_asked(sqlite_engine: Engine) -> None:
    Base.metadata.drop_all(sqlite_engine)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    seed(sqlite_engine, inspections=3)
    with national() as simulator:
        pushed = runner.invoke(app, ["national", "push", "--transport", "soap"])
        assert pushed.exit_code == 0, pushed.output
        assert "over soap" in pushed.output and "records accepted 3" in pushed.output
        assert len(simulator.store.log) == 3
        unknown = runner.invoke(app, ["national", "push", "--transport", "ftp"])
        assert unknown.exit_code == 2


def _written(tmp_path: Path, **changes: object) -> Path:
    """push.yaml with ``changes`` (None removes a section), written under ``tmp_path``."""
    source = get_settings().mappings_dir / "national_push" / "push.yaml"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    for name, value in changes.items():
        if value is None:
            document.pop(name)
        else:
            document[name] = value
    path = tmp_path / "push.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_the_transport_is_checked_with_the_configuration(tmp_path: Path) -> None:
    assert load_config().transport is Transport.REST
    assert load_config(_written(tmp_path, transport="soap")).transport is Transport.SOAP
    with pytest.raises(ConfigurationError, match="'soap' is a required property"):
        load_config(_written(tmp_path, transport="soap", soap=None))
    with pytest.raises(ConfigurationError, match="'ftp' is not one of"):
        load_config(_written(tmp_path, transport="ftp"))
