"""双随机 draw: a four-class stratified draw over millions of entities, with teams assigned.

    python benchmarks/draw.py [--rows 5000000] [--only draw-pg,draw-sqlite]

Each contender, in a child process of its own on a fresh store, generates ``--rows``
entities of Hefei with a credit class each (A 40 %, B 40 %, C 15 %, D 5 %), 1 % of them on
the abnormal-operation list (weight 3), and an inspector library of two departments, then
takes a joint plan through ``hub.draws.service`` exactly as the API does: freeze (the entity
library streamed into the hashed candidate lists), commit, public value, draw (picks
``--rows / 100``: A 20 %, B 40 %, C 25 %, D 15 % of them), reveal, assign (two inspectors
per entity, one from each department). Each step is timed on its own.

The baseline, in the same child on the same frozen tables: ``SELECT entity_uscc FROM
draw_candidates WHERE draw_id = ? AND stratum = ? ORDER BY random() LIMIT k`` per stratum
(neither verifiable nor reproducible). ``ratio:`` compares the entity draw (``run_draw``:
``hub-draw/2`` computes a few keyed hashes per pick in Python and finds each ticket's
candidate by an index probe on the stored cumulative weights, one query per batch on
PostgreSQL, one probe per ticket on SQLite) with it. Peak memory is the child's, sampled with psutil over its whole process tree
(and its ``ru_maxrss`` from ``wait4``). Targets (issue): on PostgreSQL the entity draw no
slower than the baseline, peak memory under 1 GB; SQLite reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import (
    BenchmarkFailure,
    Result,
    Timer,
    chosen_contenders,
    create_hub_store,
    fail,
    fresh_schema,
    libpq_url,
    machine_summary,
    postgres_url,
    postgres_version,
    ratio_line,
    run_child,
    scratch_hub_settings,
    sqlalchemy_url,
    write_child_result,
)

CONTENDERS = ("draw-pg", "draw-sqlite")
TARGET_PEAK_MB = 1024.0
CLASS_SHARES = (("A", 40), ("B", 40), ("C", 15), ("D", 5))
PICK_SHARES = {"A": 20, "B": 40, "C": 25, "D": 15}
MARKET, HEALTH = "SCJG-3401", "WSJ-3401"
OFFICERS = {MARKET: 400, HEALTH: 200}
AS_OF = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
PUBLIC_VALUE = "福彩3D 2026056: 4 1 7"
STAMP = "2026-01-01 00:00:00+00:00"
BASELINE_SQL = (
    "SELECT entity_uscc FROM draw_candidates WHERE draw_id = {draw} AND stratum = '{stratum}' "
    "ORDER BY random() LIMIT {count}"
)


# --- the generated world ---------------------------------------------------------------------


def uscc(number: int) -> str:
    return f"91340100MA{number:08d}"


def credit_class(number: int) -> str:
    """A class spread over the numbers by a multiplicative hash (not in blocks)."""
    bucket = (number * 2654435761) % 100
    for name, share in CLASS_SHARES:
        if bucket < share:
            return name
        bucket -= share
    raise AssertionError("shares sum to 100")


def entity_rows(rows: int) -> Iterator[tuple[Any, ...]]:
    for number in range(rows):
        yield (
            uscc(number),
            f"合肥市样例企业{number}",
            "enterprise",
            ("340102", "340103", "340104", "340111")[number % 4],
            "H6210",
            "active",
            False,
            "x",
            "",
            STAMP,
            STAMP,
        )


def credit_rows(rows: int) -> Iterator[tuple[Any, ...]]:
    for number in range(rows):
        code = uscc(number)
        yield ("credit_class", code, f"CLS-{number}", "2025-12-01", credit_class(number))
        if number % 100 == 7:
            yield ("abnormal_list", code, f"ABN-{number}", "2025-06-01", None)


def officer_rows() -> Iterator[tuple[Any, ...]]:
    for department, count in OFFICERS.items():
        tag = "food_safety" if department == MARKET else "public_health"
        for number in range(count):
            yield (f"{department[:4]}{number:05d}", department, "340100", f'["{tag}"]')


ENTITY_COLUMNS = (
    "uscc, name, entity_type, region_code, industry_code, status, code_check_failed, "
    "content_hash, source_version, created_at, updated_at"
)
CREDIT_COLUMNS = "record_kind, entity_uscc, document_number, listed_on, credit_class"
CREDIT_FIXED = "content_hash, source_version, created_at, updated_at"
OFFICER_COLUMNS = "certificate_number, department_code, region_code, qualifications"
OFFICER_FIXED = (
    "name, certified, status, specialities, content_hash, source_version, created_at, updated_at"
)


def generate_postgres(engine: Any, rows: int) -> None:
    """COPY the world into the store (three COPY streams, one transaction)."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY entities ({ENTITY_COLUMNS}) FROM STDIN") as copy:
                for row in entity_rows(rows):
                    copy.write_row(row)
            columns = f"{CREDIT_COLUMNS}, {CREDIT_FIXED}"
            with cursor.copy(f"COPY credit_records ({columns}) FROM STDIN") as copy:
                for row in credit_rows(rows):
                    copy.write_row((*row, "x", "", STAMP, STAMP))
            columns = f"{OFFICER_COLUMNS}, {OFFICER_FIXED}"
            with cursor.copy(f"COPY enforcement_officers ({columns}) FROM STDIN") as copy:
                for row in officer_rows():
                    copy.write_row((*row, "检查员", True, "active", "[]", "x", "", STAMP, STAMP))
            cursor.execute("ANALYZE")
        connection.commit()
    finally:
        raw.close()


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = 100_000) -> Iterator[list[Any]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def generate_sqlite(engine: Any, rows: int) -> None:
    """executemany in one big transaction per table."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        entity_sql = f"INSERT INTO entities ({ENTITY_COLUMNS}) VALUES ({', '.join('?' * 11)})"
        for chunk in _chunks(entity_rows(rows)):
            cursor.executemany(entity_sql, chunk)
        credit_sql = (
            f"INSERT INTO credit_records ({CREDIT_COLUMNS}, {CREDIT_FIXED}) "
            f"VALUES (?, ?, ?, ?, ?, 'x', '', '{STAMP}', '{STAMP}')"
        )
        for chunk in _chunks(credit_rows(rows)):
            cursor.executemany(credit_sql, chunk)
        officer_sql = (
            f"INSERT INTO enforcement_officers ({OFFICER_COLUMNS}, {OFFICER_FIXED}) "
            f"VALUES (?, ?, ?, ?, '检查员', 1, 'active', '[]', 'x', '', '{STAMP}', '{STAMP}')"
        )
        cursor.executemany(officer_sql, list(officer_rows()))
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def plan(rows: int) -> dict[str, Any]:
    picks = max(rows // 100, 4)
    return {
        "name": "benchmark: 2026 年度餐饮服务跨部门联合抽查",
        "year": 2026,
        "department_code": MARKET,
        "region_code": "340100",
        "items": [
            {
                "code": "34010100010000",
                "department": MARKET,
                "kind": "key",
                "qualification": "food_safety",
            },
            {
                "code": "34010200030000",
                "department": HEALTH,
                "kind": "general",
                "qualification": "public_health",
            },
        ],
        "quotas": {name: {"count": picks * share // 100} for name, share in PICK_SHARES.items()},
        "weights": {"abnormal_list": 3},
    }


# --- measuring -------------------------------------------------------------------------------


class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled every 20 ms."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.02):
            total = 0
            for process in (self.process, *self.process.children(recursive=True)):
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _timed(timings: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    with Timer() as timer:
        answer = step()
    timings[name] = timer.seconds
    return answer


def run_draw(engine: Any, rows: int) -> dict[str, Any]:
    """Generate, then every step of the draw and the baseline, each timed."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from hub.draws import service, stored

    actor = service.Actor("benchmark", MARKET)
    timings: dict[str, float] = {}
    generate = generate_postgres if engine.dialect.name == "postgresql" else generate_sqlite
    _timed(timings, "generate", lambda: generate(engine, rows))
    with TreeMemory() as memory, Session(engine) as session:

        def step(name: str, action: Callable[[], Any]) -> None:
            def run() -> None:
                action()
                session.commit()

            _timed(timings, name, run)

        draw = service.create_plan(session, plan(rows), actor)
        session.commit()
        step("freeze", lambda: service.freeze(session, draw.id, actor, as_of=AS_OF))
        step("commit", lambda: service.commit(session, draw.id, actor))
        step(
            "public_value",
            lambda: service.enter_public_value(session, draw.id, PUBLIC_VALUE, "福彩3D", actor),
        )
        quotas = {name: rule["count"] for name, rule in draw.plan["quotas"].items()}

        def baseline() -> int:
            picked = 0
            for stratum, count in sorted(quotas.items()):
                sql = BASELINE_SQL.format(draw=draw.id, stratum=stratum, count=count)
                picked += len(session.execute(text(sql)).all())
            return picked

        baseline_picks = _timed(timings, "baseline", baseline)
        step("draw", lambda: service.run_draw(session, draw.id, actor))
        step("reveal", lambda: service.reveal(session, draw.id, actor))
        step("assign", lambda: service.assign_teams(session, draw.id, actor))
        picks = stored.load_picks(session, draw.id)
        teams = stored.load_teams(session, draw.id)
        counts = stored.candidate_counts(session, draw.id)
    drawn = {name: len(ranked) for name, ranked in picks.items()}
    if drawn != quotas or baseline_picks != sum(quotas.values()):
        raise BenchmarkFailure(f"picked {drawn} (baseline {baseline_picks}), wanted {quotas}")
    if len(teams) != sum(quotas.values()) or any(len(team) != 2 for team in teams.values()):
        raise BenchmarkFailure("not every drawn entity has a team of two")
    return {
        "timings": timings,
        "candidates": counts,
        "picks": drawn,
        "places": sum(len(team) for team in teams.values()),
        "tree_peak_mb": memory.peak / (1024 * 1024),
        "resolved_by": (
            "batched index probes" if engine.dialect.name == "postgresql" else "index probes"
        ),
    }


def child_draw_pg(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    url = postgres_url()
    with fresh_schema(url, "draw") as schema:
        engine = create_hub_store(sqlalchemy_url(url, schema=schema))
        try:
            details = run_draw(engine, args.rows)
        finally:
            engine.dispose()
    return sum(details["picks"].values()), details["timings"]["draw"], details


def child_draw_sqlite(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="hub-bench-draw-sqlite-"))
    try:
        engine = create_hub_store(f"sqlite:///{folder / 'store.db'}")
        try:
            details = run_draw(engine, args.rows)
        finally:
            engine.dispose()
        details["store_bytes"] = sum(path.stat().st_size for path in folder.iterdir())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return sum(details["picks"].values()), details["timings"]["draw"], details


CHILDREN: dict[str, Callable[[argparse.Namespace], tuple[int, float, dict[str, Any]]]] = {
    "draw-pg": child_draw_pg,
    "draw-sqlite": child_draw_sqlite,
}


# --- the parent ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="entities to generate")
    parser.add_argument(
        "--only",
        default=",".join(CONTENDERS),
        help=f"comma-separated contenders (default: all of {','.join(CONTENDERS)})",
    )
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = chosen_contenders(parser, args.only, CONTENDERS)
    if args.rows < 100:
        parser.error("--rows must be at least 100")
    return args


def _describe(result: Result) -> str:
    details = result.details
    seconds = details["timings"]
    candidates = ", ".join(f"{name} {count:,}" for name, count in details["candidates"].items())
    steps = ", ".join(
        f"{name} {seconds[name]:.2f} s"
        for name in ("freeze", "commit", "public_value", "draw", "reveal", "assign")
    )
    return (
        f"{result.name}: {sum(details['candidates'].values()):,} candidates ({candidates}), "
        f"generated in {seconds['generate']:.1f} s\n"
        f"  steps: {steps}\n"
        f"  entity draw: {result.rows:,} picks in {seconds['draw']:.2f} s, by "
        f"{details['resolved_by']}; baseline ORDER BY random() LIMIT: {seconds['baseline']:.2f} s\n"
        f"  inspector assignment: {details['places']:,} places in {seconds['assign']:.2f} s\n"
        f"  peak memory: {details['tree_peak_mb']:.0f} MB (psutil, process tree), "
        f"{result.peak_mb:.0f} MB (ru_maxrss)"
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        with scratch_hub_settings(args.child):
            rows, seconds, details = CHILDREN[args.child](args)
        write_child_result(args.result, rows, seconds, details)
        return
    print(machine_summary())
    if "draw-pg" in args.only:
        url = postgres_url()
        print(f"PostgreSQL {postgres_version(url)} at {libpq_url(url).split('@')[-1]}")
    print(
        f"{args.rows:,} entities, picking {max(args.rows // 100, 4):,} in four classes, "
        "teams of two from two departments"
    )
    results: dict[str, Result] = {}
    for name in CONTENDERS:
        if name not in args.only:
            continue
        print(f"running {name} (load average {os.getloadavg()[0]:.2f}) ...", flush=True)
        try:
            results[name] = run_child(Path(__file__).resolve(), name, ["--rows", str(args.rows)])
        except BenchmarkFailure as error:
            fail(str(error))
            return
        print(_describe(results[name]), flush=True)
    print()
    for name, result in results.items():
        baseline = Result(
            f"order-by-random-{name.removeprefix('draw-')}",
            result.rows,
            result.details["timings"]["baseline"],
        )
        if name == "draw-pg":
            met = result.seconds <= baseline.seconds
            print(
                f"target: draw-pg entity draw no slower than the baseline: "
                f"{'met' if met else 'NOT MET'}"
            )
        print(ratio_line(result, baseline))
    peaks = [max(r.peak_mb, r.details["tree_peak_mb"]) for r in results.values()]
    print(
        "peak memory: "
        + ", ".join(f"{name} {peak:.0f} MB" for name, peak in zip(results, peaks, strict=True))
        + f" (target < {TARGET_PEAK_MB:.0f} MB: "
        + ("met" if all(peak < TARGET_PEAK_MB for peak in peaks) else "NOT MET")
        + ")"
    )


if __name__ == "__main__":
    main()
