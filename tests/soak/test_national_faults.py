"""The national push under faults, against the simulator out of process.

``hub simulators serve national`` runs with a fixed fault seed: 30 % of requests answered
503, some answered only after the client gave up (timeouts: the work is done, the receipt
comes too late), every receipt repeating a result, and the process stopped mid-push and
started again a while later (its journal keeps what it accepted). All nine data types of
the national profile, 10,000 records each (``NATIONAL_FAULT_RECORDS`` sets fewer for a quick
local run), are pushed until nothing is pending; then, for every data type, the keys the
national side accepted are exactly the keys the hub sent, none missing and none applied
twice, and reconciliation agrees on every day.

Batches are of 1000 records (the profile's largest): the faults cost wall time per request
(a Retry-After second, a read timeout), not per record.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.national.config import NationalConfig, load_config
from hub.national.profile import DATA_TYPES
from hub.national.push import PushReport, push
from hub.national.reconcile import days_with_data, reconcile
from hub.national.signing import Algorithm, generate_key_pair
from hub.store.models.national import NationalBatch, NationalSentRecord
from simulators.national.auth import DEMO_KEY
from tests.soak.rows import seed_every_type

pytestmark = pytest.mark.slow

RECORDS_PER_TYPE = int(os.environ.get("NATIONAL_FAULT_RECORDS", "10000"))
BATCH_SIZE = 1000
READ_TIMEOUT_SECONDS = 6
FAULTS = {
    "error_rate": 0.3,
    "retry_after": 1,
    "timeout_rate": 0.03,
    "timeout_seconds": 4.0,  # a late answer comes after 8 s, the hub gives up after 6 s
    "duplicate_receipts": True,
    "require_signature": True,
}
SEED = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OutOfProcessNational:
    """``hub simulators serve national`` as a child process that can be stopped and started."""

    def __init__(self, journal: Path, public_key: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = {
            **os.environ,
            "HUB_NATIONAL_SIMULATOR_SETTINGS": json.dumps({**FAULTS, "journal": str(journal)}),
            "HUB_NATIONAL_SIGNING_PUBLIC_KEY": public_key,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        hub = Path(sys.executable).parent / "hub"
        self.process = subprocess.Popen(
            [
                str(hub),
                "simulators",
                "serve",
                "national",
                "--port",
                str(self.port),
                "--seed",
                str(SEED),
            ],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120  # a restart replays its journal first
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/ws/national?wsdl", timeout=1)  # never meets faults
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError("the national simulator did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def national_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OutOfProcessNational]:
    private_key, public_key = generate_key_pair(Algorithm.SM2_SM3)
    server = OutOfProcessNational(tmp_path / "national.jsonl", public_key)
    monkeypatch.setenv("HUB_NATIONAL_URL", server.url)
    monkeypatch.setenv("HUB_NATIONAL_KEY", DEMO_KEY)
    monkeypatch.setenv("HUB_NATIONAL_SIGNING_KEY", private_key)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _impatient(config: NationalConfig) -> NationalConfig:
    """The push configuration with a read timeout shorter than the simulator's late answers
    (yet long enough for a busy test machine to judge a batch of 1000 records)."""
    adapter = {
        **config.adapter,
        "timeout": {"connect": 2, "read": READ_TIMEOUT_SECONDS},
        "retry": {"attempts": 6, "backoff_seconds": 0.2, "max_wait_seconds": 5},
    }
    return dataclasses.replace(config, adapter=adapter, batch_size=BATCH_SIZE)


class JournalLines:
    """Counts the simulator journal's lines as it grows, reading each byte once."""

    def __init__(self, journal: Path) -> None:
        self.journal, self.offset, self.count = journal, 0, 0

    def __call__(self) -> int:
        if self.journal.exists():
            with self.journal.open("rb") as lines:
                lines.seek(self.offset)
                grown = lines.read()
            self.offset += len(grown)
            self.count += grown.count(b"\n")
        return self.count


def _accepted_keys(url: str, data_type: str, day: str) -> list[str]:
    """Every key the national side reports accepted, through its query, patiently (faults)."""
    keys: list[str] = []
    page = 1
    while True:
        for _ in range(50):
            answer = requests.get(
                f"{url}/api/v1/accepted",
                params={
                    "data_type": data_type,
                    "date": day,
                    "page": str(page),
                    "page_size": "10000",
                },
                headers={"X-API-Key": DEMO_KEY},
                timeout=5,
            )
            if answer.status_code == 200:
                break
            time.sleep(0.2)
        data = answer.json()["data"]
        keys += data["keys"]
        if data["next"] is None:
            return keys
        page += 1


# The engine is not what is under test here (test_push.py runs on both): PostgreSQL only,
# the store a province runs, keeps the suite's time in bounds.
@pytest.mark.skipif(not os.environ.get("HUB_TEST_POSTGRES_URL"), reason="needs PostgreSQL")
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_every_record_arrives_once_through_errors_timeouts_repeats_and_an_outage(
    engine: Engine, national_process: OutOfProcessNational, tmp_path: Path
) -> None:
    seed_every_type(engine, RECORDS_PER_TYPE)
    config = _impatient(load_config())
    reports: list[PushReport] = []
    pushing = threading.Thread(
        target=lambda: reports.append(push(engine, config, data_types=DATA_TYPES))
    )
    pushing.start()
    journal = tmp_path / "national.jsonl"
    journalled = JournalLines(journal)
    batches = len(DATA_TYPES) * -(-RECORDS_PER_TYPE // config.batch_size)
    while pushing.is_alive() and journalled() < batches // 3:
        time.sleep(0.2)
    national_process.stop()  # the national system goes down mid-push
    pushing.join(timeout=300)
    assert reports and reports[0].stopped is not None, "the outage should stop the run"
    time.sleep(2)
    national_process.start()
    for _ in range(30):
        reports.append(push(engine, config, data_types=DATA_TYPES))
        if reports[-1].stopped is None and reports[-1].pending_batches == 0:
            break
    # Every receipt repeated a result; each repeat was counted and ignored.
    assert sum(r.repeated_results for r in reports) == sum(r.batches_sent for r in reports)
    with Session(engine) as session:
        assert (
            session.scalar(select(NationalBatch.id).where(NationalBatch.state == "pending")) is None
        )
        sent = Counter(
            (entry.data_type, entry.record_key)
            for entry in session.scalars(select(NationalSentRecord))
        )
        statuses = Counter(entry.status for entry in session.scalars(select(NationalSentRecord)))
    assert statuses == {"accepted": RECORDS_PER_TYPE * len(DATA_TYPES)}
    assert set(sent.values()) == {1}

    days = days_with_data(engine)
    for data_type in DATA_TYPES:
        theirs = [
            key
            for day in days
            for key in _accepted_keys(national_process.url, data_type, day.isoformat())
        ]
        ours = {key for kind, key in sent if kind == data_type}
        assert len(theirs) == len(set(theirs)) == RECORDS_PER_TYPE  # none twice
        assert set(theirs) == ours  # none missing, none extra
    # No key was applied twice: every journalled receipt accepts a key once.
    applied: Counter[tuple[str, str]] = Counter()
    for line in journal.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        seen_in_receipt = set()
        for result in entry["receipt"]["results"]:
            if result["accepted"] and result["index"] not in seen_in_receipt:
                seen_in_receipt.add(result["index"])
                applied[(entry["batch"]["data_type"], result["key"])] += 1
    assert len(applied) == RECORDS_PER_TYPE * len(DATA_TYPES) and set(applied.values()) == {1}

    comparisons = reconcile(engine, config, days=days, data_types=DATA_TYPES)
    assert comparisons and all(c.agrees and not c.missing and not c.unexpected for c in comparisons)
