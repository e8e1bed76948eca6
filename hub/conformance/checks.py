"""The standard checks of ``hub conformance``, run in order against one target.

    connect       the remote answers at the transport level
    authenticate  it accepts our credentials and proves its own identity (host key, signature)
    fetch         a whole fetch completes and brings records
    schema        every record is valid against the channel's source schema
    mapping       every record maps to a valid canonical record, and the stored record is
                  what mapping its raw bytes again gives (round trip through the store)
    order         pages of an incremental feed come in (updated, id) order, or the cursor
                  would skip records
    redelivery    fetching everything again from the start stores nothing new
    faults        under injected transient faults (the simulator's 503s, 429s, SOAP server
                  faults) the run retries and ends with the same records; throttling
                  answers carry Retry-After
    resume        a connection cut mid-transfer (a proxy drops it) loses nothing: the
                  retried runs end with the same records, none twice
    push          a sample message gets an accepted receipt with an id; the same key again
                  gets the same receipt; a different message gets a different one

A check the target cannot take (no fault control over a real system, no push sample, a
remote that consumes its deliveries) is skipped with its reason; skips do not fail a run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from adapters.base import Adapter, OutboundMessage, Receipt
from adapters.registry import adapter_class
from adapters.secrets import environment_overlay, resolve
from hub.conformance.proxy import DroppingProxy
from hub.conformance.target import Target
from hub.errors import AuthenticationFailed, ConfigurationError, HubError, RetryLater
from hub.exchange.channels import ChannelConfig
from hub.exchange.envelopes import open_payload
from hub.exchange.parsers import parse_records
from hub.exchange.processing import RecordProcessor
from hub.exchange.report import RunReport
from hub.exchange.runner import build_adapter, channel_fetches, run_channel
from hub.store.models.exchange import ChannelCursor, Envelope, Provenance, QuarantineEntry

CHECKS = (
    "connect",
    "authenticate",
    "fetch",
    "schema",
    "mapping",
    "order",
    "redelivery",
    "faults",
    "resume",
    "push",
)
# The checks that show an adapter delivers each capability it declares (behaviour tests run
# them over every adapter declaring it). ``dead_letter`` has no check against a remote: the
# AMQP adapter's own tests poison a message and find it dead-lettered with its reason.
CAPABILITY_CHECKS: dict[str, tuple[str, ...]] = {
    "fetch": ("connect", "authenticate", "fetch", "schema", "mapping"),
    "paginate": ("fetch", "resume"),
    "incremental": ("order", "redelivery"),
    "push": ("push",),
    "idempotent_push": ("push",),
    "acknowledge": ("resume",),
    "reconnect": ("resume",),
    "dead_letter": (),
}
SOURCE_STEPS = ("parse", "validate_source")
# Transient faults each kind of simulator injects for the ``faults`` check.
TRANSIENT_FAULTS: dict[str, dict[str, Any]] = {
    "rest": {"error_rate": 0.5, "rate_limit": 0.2, "retry_after": 0},
    "soap": {"server_faults": 2},
}
RETRY_RUNS = 6

Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: Status
    detail: str


def passed(check: str, detail: str) -> CheckResult:
    return CheckResult(check, "pass", detail)


def failed(check: str, detail: str) -> CheckResult:
    return CheckResult(check, "fail", detail)


def skipped(check: str, detail: str) -> CheckResult:
    return CheckResult(check, "skip", detail)


class Suite:
    """The checks of one target, each on a scratch SQLite store of its own."""

    def __init__(self, target: Target, scratch: Path) -> None:
        self.target = target
        self.channel = target.channel
        self.scratch = scratch
        self.adapter_type: type[Adapter] = adapter_class(str(self.channel.adapter["type"]))
        self.clean: RunReport | None = None
        self.clean_observations: Counter[str] = Counter()
        self.reruns = 0  # runs that ended in RetryLater and were run again
        self.clean_store: Engine | None = None
        self._stores = 0

    # -- plumbing ---------------------------------------------------------------------------

    def fresh_store(self) -> Engine:
        import hub.store.models  # noqa: F401  (registers every table)
        from hub.settings import get_settings
        from hub.store.base import Base
        from hub.store.engine import make_engine

        self._stores += 1
        # Each scratch store has its own audit chain, so its own anchor; its runs follow.
        os.environ["HUB_AUDIT_ANCHOR_PATH"] = str(self.scratch / f"anchor{self._stores}.json")
        get_settings.cache_clear()
        engine = make_engine(f"sqlite:///{self.scratch / f'store{self._stores}.db'}")
        Base.metadata.create_all(engine)
        return engine

    @property
    def fetches(self) -> bool:
        return channel_fetches(self.channel)

    @property
    def consumes(self) -> bool:
        """Deliveries leave the remote once taken (AMQP acks, SFTP moves to done/)."""
        return "acknowledge" in self.adapter_type.capabilities or self.adapter_type.name == "sftp"

    def run_until_done(self, store: Engine, adapter_for: Callable[[], Adapter]) -> RunReport:
        """Runs of the channel until one ends without ``RetryLater`` (a scheduler's retries),
        the reports added up."""
        total = RunReport(channel=self.channel.name)
        for attempt in range(1, RETRY_RUNS + 1):
            try:
                report = run_channel(store, self.channel, adapter=adapter_for())
            except RetryLater:
                self.reruns += 1
                if attempt == RETRY_RUNS:
                    raise
                continue
            for name in ("received", "stored", "duplicates", "quarantined", "envelopes"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            return total
        raise AssertionError("unreachable")

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> list[CheckResult]:
        results = self.fetch_checks() if self.fetches else self.not_fetching()
        results.append(self.faults())
        # Before resume: on a consumed transport (a queue) the sample pushed is then taken
        # by resume's runs into a scratch store, not left for the hub's own next run.
        push = self.push()
        results.append(self.resume())
        results.append(push)
        return results

    def not_fetching(self) -> list[CheckResult]:
        reason = "the channel only sends"
        return [skipped(name, reason) for name in CHECKS[:7]]

    def fetch_checks(self) -> list[CheckResult]:
        store = self.fresh_store()
        try:
            build_adapter(self.channel).close()
        except ConfigurationError as exc:
            return [
                failed("connect", f"the channel's settings are refused: {exc}"),
                *self._not_reached(CHECKS[1:7], "connect"),
            ]
        adapter = build_adapter(self.channel)
        try:
            report = run_channel(store, self.channel, adapter=adapter)
        except AuthenticationFailed as exc:
            return [
                passed("connect", "the remote answered"),
                failed("authenticate", str(exc)),
                *self._not_reached(CHECKS[2:7], "authenticate"),
            ]
        except RetryLater as exc:
            return [failed("connect", str(exc)), *self._not_reached(CHECKS[1:7], "connect")]
        except HubError as exc:
            return [
                passed("connect", "the remote answered"),
                passed("authenticate", "credentials accepted"),
                failed("fetch", f"{type(exc).__name__}: {exc}"),
                *self._not_reached(CHECKS[3:7], "fetch"),
            ]
        self.clean, self.clean_store = report, store
        self.clean_observations = adapter.observations
        results = [
            passed("connect", "the remote answered"),
            passed("authenticate", "credentials accepted"),
        ]
        if report.received == 0:
            results.append(failed("fetch", "the remote served no records to check"))
            return [*results, *self._not_reached(CHECKS[3:7], "fetch")]
        results.append(
            passed("fetch", f"{report.received} records in {report.envelopes} envelopes")
        )
        results.append(self.schema(store))
        results.append(self.mapping(store))
        results.append(self.order(store))
        results.append(self.redelivery(store))
        return results

    @staticmethod
    def _not_reached(names: tuple[str, ...], blocker: str) -> list[CheckResult]:
        return [skipped(name, f"not reached: {blocker} failed") for name in names]

    # -- checks over the first run's store --------------------------------------------------

    def schema(self, store: Engine) -> CheckResult:
        reasons = _quarantine_reasons(store, lambda step: step in SOURCE_STEPS)
        if reasons:
            return failed("schema", _summary(reasons))
        schemas = sorted({m.source.schema or "(none)" for m in self.channel.mappings.values()})
        return passed("schema", f"every record valid against {', '.join(schemas)}")

    def mapping(self, store: Engine) -> CheckResult:
        reasons = _quarantine_reasons(store, lambda step: step not in SOURCE_STEPS)
        if reasons:
            return failed("mapping", _summary(reasons))
        checked, mismatched = round_trip(store, self.channel)
        if mismatched:
            return failed(
                "mapping",
                f"{len(mismatched)} of {checked} stored records differ from their raw bytes "
                f"mapped again, e.g. {mismatched[0]}",
            )
        return passed("mapping", f"{checked} records mapped, stored and re-derived identically")

    def order(self, store: Engine) -> CheckResult:
        late = self.clean_observations["records_out_of_order"]
        if late:
            return failed(
                "order",
                f"{late} records came after newer ones (a page served late): a run resumed "
                "from the cursor would skip them",
            )
        fields = _incremental_fields(self.channel)
        if not fields:
            return skipped("order", "the channel declares no incremental (updated, id) order")
        previous: dict[str, tuple[str, str]] = {}
        counts: Counter[str] = Counter()
        for message, data in _stored_source_records(store, self.channel):
            if message not in fields:
                continue
            updated, identifier = fields[message]
            current = (str(data.get(updated, "")), str(data.get(identifier, "")))
            counts[message] += 1
            before = previous.get(message)
            if before is not None and current < before:
                return failed(
                    "order",
                    f"{message} record {counts[message]} ({updated} {current[0]}, {identifier} "
                    f"{current[1]}) came after ({before[0]}, {before[1]}): a cursor after the "
                    "earlier page would skip it",
                )
            previous[message] = current
        orders = ", ".join(
            f"{m} by ({u}, {i})" if i else f"{m} by {u}" for m, (u, i) in fields.items()
        )
        return passed("order", f"{sum(counts.values())} records in order: {orders}")

    def redelivery(self, store: Engine) -> CheckResult:
        if self.consumes:
            return skipped("redelivery", "the remote consumes deliveries; see resume")
        with Session(store) as session, session.begin():
            session.execute(delete(ChannelCursor).where(ChannelCursor.channel == self.channel.name))
        try:
            again = run_channel(store, self.channel)
        except HubError as exc:
            return failed("redelivery", f"the second fetch failed: {exc}")
        if again.stored:
            return failed(
                "redelivery",
                f"fetching again from the start stored {again.stored} records anew "
                "(unstable ids or versions)",
            )
        return passed("redelivery", f"{again.received} records again, nothing stored twice")

    # -- checks with faults -----------------------------------------------------------------

    def faults(self) -> CheckResult:
        faults = TRANSIENT_FAULTS.get(self.adapter_type.name)
        if not self.fetches or faults is None:
            return skipped("faults", f"no transient faults to inject over {self.adapter_type.name}")
        if not self.target.faults_settable:
            return skipped("faults", "a real remote: faults cannot be injected into it")
        if self.clean is None:
            return skipped("faults", "not reached: the clean fetch failed")
        adapters: list[Adapter] = []

        def adapter() -> Adapter:
            adapters.append(build_adapter(self.channel))
            return adapters[-1]

        modes = dict(self.target.modes)
        self.target.set_faults({**modes, **faults})
        try:
            for _ in range(RETRY_RUNS):  # until the seeded faults hit at least one request
                self.reruns = 0
                report = self.run_until_done(self.fresh_store(), adapter)
                if self.reruns or any(a.observations["retried"] for a in adapters):
                    break
            else:
                return skipped("faults", f"no injected fault was met in {RETRY_RUNS} runs")
        except HubError as exc:
            return failed("faults", f"a transient fault surfaced as {type(exc).__name__}: {exc}")
        finally:
            self.target.set_faults(modes)
        seen: Counter[str] = sum((a.observations for a in adapters), Counter())
        if seen["retry_after_missing"]:
            return failed(
                "faults",
                f"{seen['retry_after_missing']} answers 429/503 came without Retry-After",
            )
        if report.stored != self.clean.stored:
            return failed(
                "faults",
                f"{report.stored} records stored under faults, {self.clean.stored} without",
            )
        return passed("faults", f"transient faults retried; {report.stored} records, as without")

    def resume(self) -> CheckResult:
        settings = resolve(self.channel.adapter, where=f"{self.channel.path}: adapter")
        endpoint = self.adapter_type.endpoint(settings)
        if endpoint is None:
            return skipped("resume", f"adapter {self.adapter_type.name!r} has no address to cut")
        if str(settings.get(self.adapter_type.url_setting or "", "")).startswith("https"):
            return skipped("resume", "TLS endpoint: a cutting proxy would break verification")
        if not self.fetches:
            return self._resume_push(settings, endpoint)
        if self.clean is None:
            return skipped("resume", "not reached: the clean fetch failed")
        if self.consumes and not hasattr(self.target.simulator, "refill"):
            return skipped("resume", "the remote consumes deliveries and cannot be refilled")
        if self.consumes:
            self.target.simulator.refill()  # type: ignore[union-attr]
        with DroppingProxy(endpoint, drop_after_bytes=self._cut_point()) as proxy:
            proxied = self._through(proxy, settings)
            store = self.fresh_store()
            try:
                report = Suite(Target(proxied), self.scratch).run_until_done(
                    store, lambda: build_adapter(proxied)
                )
            except HubError as exc:
                return failed("resume", f"after a dropped connection: {type(exc).__name__}: {exc}")
            cut = proxy.dropped
        if not cut:
            return skipped("resume", "the transfer was too short to cut")
        balanced = report.received == report.stored + report.duplicates + report.quarantined
        expected = self.clean.stored if self.clean is not None and not self.consumes else None
        if not balanced or (expected is not None and report.stored != expected):
            return failed(
                "resume",
                f"after a cut: received {report.received}, stored {report.stored}, duplicates "
                f"{report.duplicates}, quarantined {report.quarantined}"
                + (f"; a clean run stores {expected}" if expected is not None else ""),
            )
        return passed(
            "resume",
            f"connection cut {cut}x mid-transfer; {report.stored} records, none lost or doubled",
        )

    def _through(self, proxy: DroppingProxy, settings: dict[str, Any]) -> ChannelConfig:
        """The channel connecting through ``proxy``; only the address settings change, the
        ``${ENV}`` references of the rest stay as written."""
        redirected = self.adapter_type.with_endpoint(settings, proxy.host, proxy.port)
        changed = {k: v for k, v in redirected.items() if settings.get(k) != v}
        return dataclasses.replace(self.channel, adapter={**self.channel.adapter, **changed})

    def _resume_push(self, settings: dict[str, Any], endpoint: tuple[str, int]) -> CheckResult:
        """A push whose answer is cut off: the adapter sends it again with the same key, and
        the remote, which did receive it the first time, answers with the same receipt."""
        sample = self._push_sample()
        if sample is None:
            return skipped("resume", "no conformance.push_sample in the channel file")
        message = _message(
            sample["message_type"], dict(sample["payload"]), dict(sample.get("headers", {}))
        )
        with DroppingProxy(endpoint, drop_after_bytes=32) as proxy:
            try:
                with build_adapter(self._through(proxy, settings)) as adapter:
                    receipt = adapter.push(message)
                with build_adapter(self.channel) as adapter:
                    again = adapter.push(message)
            except HubError as exc:
                return failed("resume", f"a push cut off mid-answer: {type(exc).__name__}: {exc}")
            cut = proxy.dropped
        if not cut:
            return skipped("resume", "the answer was too short to cut")
        if not receipt.accepted or again.remote_id != receipt.remote_id:
            return failed(
                "resume",
                f"a push re-sent after its answer was cut got {receipt.remote_id!r} "
                f"(accepted: {receipt.accepted}); asked again, the remote says {again.remote_id!r}",
            )
        return passed(
            "resume", f"answer cut {cut}x; the re-sent push kept receipt {receipt.remote_id}"
        )

    def _push_sample(self) -> dict[str, Any] | None:
        sample = (self.channel.raw.get("conformance") or {}).get("push_sample")
        return dict(sample) if sample else None

    def _cut_point(self) -> int:
        """Bytes after which the proxy cuts: half the clean run's smallest envelope (so the
        cut falls inside a transfer), within 1-64 KiB; 2 KiB when there was no clean run."""
        if self.clean_store is None:
            return 2048
        with Session(self.clean_store) as session:
            smallest = session.scalar(
                select(func.min(Envelope.size)).where(Envelope.channel == self.channel.name)
            )
        return min(max(int(smallest or 0) // 2, 1024), 65536)

    # -- pushing ----------------------------------------------------------------------------

    def push(self) -> CheckResult:
        sample = self._push_sample()
        if "push" not in self.adapter_type.capabilities:
            return skipped("push", f"adapter {self.adapter_type.name!r} cannot send")
        if not sample:
            return skipped("push", "the channel sends nothing (no conformance.push_sample)")
        payload = dict(sample["payload"])
        headers = dict(sample.get("headers", {}))
        first = _message(sample["message_type"], payload, headers)
        vary = sample.get("vary")
        other_payload = {**payload, vary: f"{payload.get(vary, '')} (2)"} if vary else payload
        second = _message(sample["message_type"], other_payload, headers)
        try:
            with build_adapter(self.channel) as adapter:
                receipt = adapter.push(first)
                again = adapter.push(first)
                different = adapter.push(second)
        except HubError as exc:
            return failed("push", f"{type(exc).__name__}: {exc}")
        problem = _receipt_problem(receipt, again, different)
        if problem:
            return failed("push", problem)
        return passed(
            "push",
            f"receipt {receipt.remote_id}; same key, same receipt; another message, {different.remote_id}",
        )


def _message(
    message_type: str, payload: dict[str, Any], headers: dict[str, str] | None = None
) -> OutboundMessage:
    return OutboundMessage(
        message_type,
        json.dumps(payload, ensure_ascii=False).encode(),
        idempotency_key=f"conformance-{uuid.uuid4()}",
        headers=headers or {},
    )


def _receipt_problem(receipt: Receipt, again: Receipt, different: Receipt) -> str | None:
    if not receipt.accepted:
        return f"the sample was not accepted: {receipt.detail}"
    if not receipt.remote_id:
        return "the receipt names no id"
    if not again.accepted or again.remote_id != receipt.remote_id:
        return (
            f"the same idempotency key again got receipt {again.remote_id!r} "
            f"(accepted: {again.accepted}), not {receipt.remote_id!r}"
        )
    if not different.accepted:
        return f"a second, different message was not accepted: {different.detail}"
    if different.remote_id == receipt.remote_id:
        return f"duplicate receipts: two different messages both got {receipt.remote_id!r}"
    return None


# -- reading a scratch store -----------------------------------------------------------------


def _quarantine_reasons(store: Engine, steps: Callable[[str], bool]) -> Counter[str]:
    with Session(store) as session:
        entries = session.execute(select(QuarantineEntry.step, QuarantineEntry.reason)).all()
    return Counter(f"{step}: {reason}" for step, reason in entries if steps(step))


def _summary(reasons: Counter[str]) -> str:
    total = sum(reasons.values())
    shown = "; ".join(f"{count}× {reason}" for reason, count in reasons.most_common(3))
    return f"{total} records refused: {shown}"


def _envelopes(session: Session, channel: str) -> list[Envelope]:
    return list(
        session.scalars(select(Envelope).where(Envelope.channel == channel).order_by(Envelope.id))
    )


def _stored_source_records(store: Engine, channel: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(message, parsed source record) of every stored envelope, in arrival order."""
    with Session(store) as session:
        for envelope in _envelopes(session, channel.name):
            source = channel.mappings[envelope.message_type].source
            for record in parse_records(open_payload(session, envelope), source):
                if isinstance(record.data, dict):
                    yield envelope.message_type, record.data


def _incremental_fields(channel: Any) -> dict[str, tuple[str, str]]:
    """{message: (updated field, id field)} of each incrementally pulled collection: REST's
    ``incremental`` (per collection), SOAP's ``fetch.updated_field`` (no id: time order)."""
    adapter = channel.adapter
    first = channel.messages[0].name if channel.messages else None
    if adapter.get("type") == "soap":
        fetch = adapter.get("fetch") or {}
        return {
            str(fetch.get("message") or first): (str(fetch.get("updated_field", "updatedAt")), "")
        }
    top = adapter.get("incremental")
    entries = adapter.get("collections") or [{"message": adapter.get("message") or first}]
    fields: dict[str, tuple[str, str]] = {}
    for entry in entries:
        incremental = entry.get("incremental", top)
        if isinstance(incremental, dict) and "updated_field" in incremental:
            fields[str(entry["message"])] = (
                str(incremental["updated_field"]),
                str(incremental.get("id_field", "")),
            )
    return fields


def round_trip(store: Engine, channel: Any) -> tuple[int, list[str]]:
    """(records checked, descriptions of those whose stored content hash differs from the
    hash of their raw bytes mapped again), by each record's latest provenance."""
    processors = {name: RecordProcessor(channel, name) for name in channel.mappings}
    mismatched: list[str] = []
    checked = 0
    with Session(store) as session:
        for envelope in _envelopes(session, channel.name):
            processor = processors[envelope.message_type]
            table = processor.target.model.__table__
            provenance = dict(
                session.execute(
                    select(Provenance.position, Provenance.record_id).where(
                        Provenance.envelope_id == envelope.id
                    )
                ).all()
            )
            if not provenance:
                continue
            stored: dict[int, str] = dict(
                session.execute(
                    select(table.c.id, table.c.content_hash).where(
                        table.c.id.in_(provenance.values())
                    )
                ).all()
            )
            version = envelope.received_at.isoformat()
            for record in parse_records(open_payload(session, envelope), processor.mapping.source):
                record_id = provenance.get(record.position)
                if record_id is None:
                    continue
                outcome = processor.process(record, version)
                checked += 1
                if not isinstance(outcome, dict) or outcome["content_hash"] != stored.get(
                    record_id
                ):
                    mismatched.append(
                        f"{processor.target.name} #{record_id} (envelope {envelope.id}, record {record.position})"
                    )
    return checked, mismatched


def run_suite(target: Target) -> list[CheckResult]:
    """Every check against ``target``, on scratch stores removed afterwards (with the audit
    anchors of their runs)."""
    from hub.settings import get_settings

    with (
        tempfile.TemporaryDirectory(prefix="hub-conformance-") as scratch,
        environment_overlay({"HUB_AUDIT_ANCHOR_PATH": ""}),
    ):
        try:
            return Suite(target, Path(scratch)).run()
        finally:
            get_settings.cache_clear()
