"""Progress of long runs: a live line on a terminal, structured log lines otherwise."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable

from hub.exchange.report import RunReport

log = logging.getLogger("hub.exchange")


def progress_reporter(*, interval_seconds: float = 2.0) -> Callable[[RunReport], None]:
    """A callback for the pipeline: rows, rate and quarantined so far, at most every interval."""
    started = time.perf_counter()
    last = 0.0
    interactive = sys.stderr.isatty()

    def report(run: RunReport) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last < interval_seconds:
            return
        last = now
        rate = run.received / (now - started) if now > started else 0.0
        if interactive:
            sys.stderr.write(
                f"\r{run.channel}: {run.received:,} rows  {rate:,.0f}/s  "
                f"stored {run.stored:,}  quarantined {run.quarantined:,}   "
            )
            sys.stderr.flush()
        else:
            log.info(
                json.dumps(
                    {
                        "event": "progress",
                        "run_id": run.run_id,
                        "run_uid": run.run_uid,
                        "channel": run.channel,
                        "received": run.received,
                        "stored": run.stored,
                        "duplicates": run.duplicates,
                        "quarantined": run.quarantined,
                        "rows_per_second": round(rate),
                    },
                    ensure_ascii=False,
                )
            )

    return report


def finish_line() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
