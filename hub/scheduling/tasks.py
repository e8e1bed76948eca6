"""What the hub's Airflow tasks run: one hub call each, its errors turned into Airflow's outcomes.

Imported inside the task callables only, never when a DAG file is parsed: it pulls in the
store, the adapters and Airflow's task SDK.

- ``RetryLater`` (a timeout, a 5xx, the broker or the database gone) is left to Airflow, which
  retries the task after the channel's ``retry_delay_seconds``, ``retries`` times.
- ``ConfigurationError`` (a wrong channel file, a missing secret, credentials the remote
  refused: ``AuthenticationFailed``) and ``DataError`` fail the task at once with the hub's
  message (``AirflowFailException``): another try changes nothing until someone fixes the
  file, the secret or the data.
- Any other exception is a bug; Airflow retries it like a transient failure, so that one bad
  moment does not stop a channel, and the alert goes out once the retries are spent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from importlib import import_module
from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from hub.errors import ConfigurationError, DataError
from hub.exchange.channels import default_registry
from hub.exchange.dispatch import OUTCOMES, dispatch_outbox
from hub.exchange.report import RunReport
from hub.exchange.runner import run_channel
from hub.store.engine import get_engine


@contextmanager
def airflow_outcomes() -> Iterator[None]:
    """Hub errors that no retry can fix become ``AirflowFailException`` (the cause kept)."""
    try:
        yield
    except (ConfigurationError, DataError) as exc:
        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc


def exchange(channel: str, outlet: Any) -> dict[str, Any]:
    """Run ``channel`` once: fetch what is new, store it, move its cursor, acknowledge.

    The whole run is one call, batch after batch, because each batch's cursor and
    acknowledgement follow its own commit. The channel's asset is updated only when something
    was stored (``outlet``'s event carries the counts); a run that found nothing new is
    skipped, so jobs waiting for fresh data do not run for nothing.
    """
    with airflow_outcomes():
        registry = default_registry()
        report = run_channel(get_engine(), registry.get(channel), subscribers=registry.subscribers)
    counts = run_counts(report)
    if not report.balanced:
        raise AirflowFailException(f"{report.summary()}: the counts do not balance")
    if not report.stored:
        raise AirflowSkipException(f"{report.summary()}: nothing new stored, no asset event")
    outlet.extra = counts
    return counts


def dispatch(destination: str | None = None) -> dict[str, Any]:
    """Send the outbox's due messages (to ``destination``, or to all).

    Messages that failed transiently stay pending on the outbox's own backoff, which is not
    Airflow's business; a message rejected or gone dead, or a destination held back by its
    configuration, fails the task without retry so that the alert reaches an operator.
    """
    with airflow_outcomes():
        report = dispatch_outbox(get_engine(), default_registry(), destination=destination)
    tallies = {name: asdict(tally) for name, tally in sorted(report.destinations.items())}
    if report.failed:
        raise AirflowFailException(
            f"outbox dispatch {report.run_uid} needs an operator (`hub outbox list`): "
            + "; ".join(_describe(tally) for tally in tallies.values())
        )
    return {"run_uid": report.run_uid, "destinations": tallies}


def run_job(target: str) -> Any:
    """Call a module's periodic job, ``package.module:function`` taking no arguments."""
    module, _, name = target.partition(":")
    function = getattr(import_module(module), name)
    with airflow_outcomes():
        return function()


def run_counts(report: RunReport) -> dict[str, Any]:
    """A run's balanced counts, small enough for XCom and an asset event's extra."""
    return {
        "channel": report.channel,
        "run_uid": report.run_uid,
        "received": report.received,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "quarantined": report.quarantined,
        "envelopes": report.envelopes,
    }


def _describe(tally: dict[str, Any]) -> str:
    counts = ", ".join(f"{outcome} {tally[outcome]}" for outcome in OUTCOMES if tally[outcome])
    held_back = f" (held back: {tally['error']})" if tally["error"] else ""
    return f"{tally['destination']}: {counts or 'nothing sent'}{held_back}"
