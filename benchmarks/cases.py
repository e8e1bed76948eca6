"""Complaint intake at scale: 12345 work orders from ingest to routed cases, merging included.

    python benchmarks/cases.py [--rows 1000000] [--batch 10000] [--intake beside|after]
                               [--breakdown] [--only cases-pg,pipeline-pg,...]

One run generates ``--rows`` work orders in the ``hotline_12345`` channel's source format
(``mappings/hotline_12345``: the JSON document ``{code, msg, data: {rows: [...]}}`` its REST
API and exports carry), in files of ``--batch`` orders, as the channel's pages arrive. About
10 % repeat an earlier order (the same caller, business or address, the same matter in other
words), so merging (并单) has work; the rest are distinct. Then, each in a child process of
its own on a fresh store:

- ``pipeline-pg`` / ``pipeline-sqlite`` (the baseline): ``hub.exchange.pipeline.ingest`` of
  every file with the ``hotline_12345`` channel, as ``hub ingest`` runs it;
- ``cases-pg`` / ``cases-sqlite`` (ours): the same ingest with the case intake
  (``hub.cases.intake.intake_pending``) running beside it in a process of its own, as the
  job ``job__cases_intake`` runs beside the channel runs in Airflow (started whenever a
  channel stored something, one run at a time), timed until every complaint is routed,
  merged or in triage. ``--intake after`` runs the intake after each file in the ingest's
  own process instead: what the intake costs on top of the ingest, with nothing overlapped.
  ``--breakdown`` adds the time of each step of the intake, in µs a complaint.

Reported: complaints/s end to end, the p50/p99 latency from a complaint's arrival (its
envelope's stored time) to its case's assignment (the ``assign`` transition) and to its
intake (its link to a case, merged ones included), the counts, the audit chain verified
after the run, and one ``ratio:`` line per engine (target: cases at least 50 % of the plain
ingest's rate) and the peak-memory line.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import queue
import random
import shutil
import tempfile
import time
import traceback
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _common import (
    REPO_ROOT,
    BenchmarkFailure,
    Result,
    Timer,
    chosen_contenders,
    create_hub_store,
    fail,
    fresh_schema,
    human_bytes,
    libpq_url,
    machine_summary,
    postgres_url,
    postgres_version,
    ratio_line,
    run_child,
    sqlalchemy_url,
    write_child_result,
)
from ingest import isolate_hub_settings

CONTENDERS = ("pipeline-pg", "cases-pg", "pipeline-sqlite", "cases-sqlite")
BASELINE = {"cases-pg": "pipeline-pg", "cases-sqlite": "pipeline-sqlite"}
CHANNEL_FILE = REPO_ROOT / "mappings" / "hotline_12345" / "channel.yaml"
TARGET_RATIO = 0.5
SEED = 20260302
REPEAT_SHARE = 10  # one order in REPEAT_SHARE repeats an earlier one
FIRST_CALL = datetime(2026, 3, 2, 8, 0, 0)  # Beijing time, as 来电时间 is written
SECONDS_APART = 2.5  # 1,000,000 orders span 29 days: inside the 30-day merging window


# --- the work orders ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Matter:
    """What an order is about, kept so that a repeat can tell the same matter again."""

    topic: int
    target_name: str
    uscc: str
    phone: str
    address: str
    county: str
    received: datetime


class WorkOrders:
    """Deterministic 12345 work orders; ``order(i)`` is one row of ``data.rows``."""

    def __init__(self, seed: int) -> None:
        from hub.demo.vocabulary import COMPLAINT_TOPICS
        from standards.codes.orgcode import orgcode_check_character
        from standards.codes.regions import load_regions
        from standards.codes.uscc import uscc_check_character

        self.random = random.Random(seed)
        self.topics = COMPLAINT_TOPICS
        regions = load_regions()
        self.counties = [
            (r.code, r.name) for r in regions if r.code.startswith("34") and r.level == "county"
        ]
        self.orgcode_check = orgcode_check_character
        self.uscc_check = uscc_check_character
        self.recent: list[_Matter] = []
        self.repeats = 0

    def _uscc(self, index: int, county: str) -> str:
        body = f"{(index * 48271 + 12345) % 100_000_000:08d}"
        first17 = f"91{county}{body}{self.orgcode_check(body)}"
        return first17 + self.uscc_check(first17)

    def _matter(self, index: int, received: datetime) -> _Matter:
        rnd = self.random
        county, county_name = rnd.choice(self.counties)
        named = rnd.random() < 0.7
        return _Matter(
            topic=rnd.randrange(len(self.topics)),
            target_name=f"{county_name}第{index}号商户" if named else "",
            uscc=self._uscc(index, county) if named else "",
            phone=f"139{index:08d}",
            address=f"{county_name}人民路{index}号",
            county=county,
            received=received,
        )

    def _repeat(self, index: int, received: datetime) -> _Matter:
        """The same matter as a recent order, told again by the same caller, or about the
        same business or the same address by someone else."""
        rnd = self.random
        earlier = rnd.choice(self.recent)
        way = index % 3
        if way == 1 and not earlier.uscc:
            way = 0
        return _Matter(
            topic=earlier.topic,
            target_name=earlier.target_name,
            uscc=earlier.uscc if way == 1 else "",
            phone=earlier.phone if way == 0 else f"139{index:08d}",
            address=earlier.address if way == 2 else f"{earlier.county}紫云路{index}号",
            county=earlier.county,
            received=received,
        )

    def order(self, index: int) -> dict[str, Any]:
        received = FIRST_CALL + timedelta(seconds=index * SECONDS_APART)
        if self.recent and index % REPEAT_SHARE == REPEAT_SHARE - 1:
            matter = self._repeat(index, received)
            self.repeats += 1
            opening = "再次反映："
        else:
            matter = self._matter(index, received)
            self.recent = [*self.recent[-999:], matter]
            opening = ""
        topic = self.topics[matter.topic]
        target = matter.target_name or "某商户"
        stamp = received.strftime("%Y-%m-%d %H:%M:%S")
        return {
            "工单编号": f"AH{received:%y%m%d}{index:07d}",
            "来电时间": stamp,
            "诉求渠道": "电话",
            "诉求类型": "投诉",
            "诉求标题": topic.title.format(target=target),
            "诉求内容": opening + topic.content.format(target=target),
            "诉求分类": topic.category,
            "诉求人": {
                "姓名": "张先生",
                "联系电话": matter.phone,
                "身份证号码": "",
                "联系地址": f"{matter.county}幸福小区{index % 97 + 1}栋",
            },
            "事发地": {
                "行政区划代码": matter.county,
                "详细地址": matter.address,
                "经度": None,
                "纬度": None,
            },
            "被反映对象": {"名称": matter.target_name, "统一社会信用代码": matter.uscc},
            "承办单位": {"名称": "", "部门代码": ""},
            "办理时限": 13,
            "办理期限": None,
            "工单状态": "已受理",
            "答复内容": "",
            "办结时间": None,
            "回访评价": "",
            "更新时间": stamp,
        }


@dataclass
class Generated:
    files: list[Path]
    rows: int
    repeats: int
    size: int


def generate(folder: Path, rows: int, batch: int, seed: int) -> Generated:
    """Write the orders as pages of ``batch``: ``12345_work_orders_00001.json``, ..."""
    orders = WorkOrders(seed)
    files: list[Path] = []
    size = 0
    for page, first in enumerate(range(0, rows, batch), start=1):
        chunk = [orders.order(index) for index in range(first, min(first + batch, rows))]
        document = {
            "code": 200,
            "msg": "success",
            "data": {"total": rows, "pageNum": page, "pageSize": batch, "rows": chunk},
        }
        path = folder / f"12345_work_orders_{page:05d}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        files.append(path)
        size += path.stat().st_size
    return Generated(files=files, rows=rows, repeats=orders.repeats, size=size)


# --- the contenders (each runs in a child process) ---------------------------------------


class _StepTimes:
    """``--breakdown``: the wall time of each step of the intake, summed over a run (the
    functions ``take_in_many`` calls, wrapped where it looks them up); costs a clock read per
    call, a few per chunk."""

    STEPS = (
        ("hub.cases.intake", "_pending"),
        ("hub.cases.intake", "open_cases"),
        ("hub.cases.intake", "_candidate"),
        ("hub.cases.intake", "_route"),
        ("hub.cases.intake", "_fill_digests"),
        ("hub.cases.intake", "_insert_cases"),
        ("hub.cases.intake", "_start_workflows"),
        ("hub.workflow.engine", "append_many"),
        ("hub.cases.intake", "_link"),
        ("hub.cases.intake", "_audit_merges"),
        ("hub.cases.intake", "tell_sources"),
        ("hub.cases.intake", "keep_statistics"),
        ("hub.cases.intake", "_waiting"),
        ("hub.cases.intake", "take_in_many"),
        ("hub.cases.intake", "intake_pending"),
    )

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        for module_name, name in self.STEPS:
            module = importlib.import_module(module_name)
            setattr(module, name, self._timed(name, getattr(module, name)))

    def _timed(self, label: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + (time.perf_counter() - started)

        return timed


def _run(engine: Any, url: str, files: list[Path], with_intake: bool, args: Any) -> dict[str, Any]:
    """Ingest every file, with the case intake beside it (or after each file); time it all,
    up to the last complaint taken in."""
    chunk, intake_mode = args.chunk, args.intake
    steps = _StepTimes() if with_intake and args.breakdown and intake_mode == "after" else None
    from hub.cases.intake import IntakeReport, intake_pending
    from hub.exchange.channels import load_channel
    from hub.exchange.envelopes import Arrival
    from hub.exchange.pipeline import ingest

    channel = load_channel(CHANNEL_FILE)
    received = stored = quarantined = 0
    intake = IntakeReport()
    step_seconds: dict[str, float] = {}
    beside = None
    if with_intake and intake_mode == "beside":
        beside = _IntakeBeside(url, chunk, args.breakdown)
    with Timer() as timer:
        if beside is not None:
            beside.start()
        for path in files:
            arrival = Arrival(
                channel=channel.name,
                message_type=channel.message_for_file(path.name).name,
                payload=path,
                file_name=path.name,
                content_type="application/json",
            )
            report = ingest(engine, channel, [arrival])
            received += report.received
            stored += report.stored
            quarantined += report.quarantined
            if with_intake and beside is None:
                _add(intake, intake_pending(engine, chunk=chunk))
        if beside is not None:
            run, step_seconds = beside.finish()
            _add(intake, run)
    details: dict[str, Any] = {
        "seconds": timer.seconds,
        "received": received,
        "stored": stored,
        "quarantined": quarantined,
    }
    if with_intake:
        details |= {"intake": intake.as_dict(), "intake_mode": intake_mode}
        details["breakdown"] = steps.seconds if steps is not None else step_seconds
        details |= _check_intake(engine)
    return details


def _add(total: Any, run: Any) -> None:
    """Add one intake run's report to ``total`` (both ``IntakeReport``)."""
    total.opened += run.opened
    total.merged += run.merged
    total.routed += run.routed
    total.triaged += run.triaged
    for reason, count in run.triage_reasons.items():
        total.triage_reasons[reason] = total.triage_reasons.get(reason, 0) + count


class _IntakeBeside:
    """The case intake in a process of its own, as the job ``job__cases_intake`` runs beside
    the channel runs (started by their assets, one run at a time): each run takes in what is
    stored, the next starts when something more is; ``finish`` waits for the run that finds
    nothing left once the ingest is done, and returns the runs' report."""

    POLL_SECONDS = 0.05

    def __init__(self, url: str, chunk: int, breakdown: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self.ingest_done = context.Event()
        self.reports = context.Queue()
        self.process = context.Process(
            target=_intake_runs, args=(url, chunk, breakdown, self.ingest_done, self.reports)
        )

    def start(self) -> None:
        self.process.start()

    def finish(self) -> tuple[Any, dict[str, float]]:
        self.ingest_done.set()
        while True:
            try:
                report = self.reports.get(timeout=5)
                break
            except queue.Empty:
                if not self.process.is_alive():
                    raise BenchmarkFailure(
                        f"the intake beside the ingest died (exit code {self.process.exitcode})"
                    ) from None
        self.process.join()
        if isinstance(report, str):
            raise BenchmarkFailure(f"the intake beside the ingest failed: {report}")
        return report


def _intake_runs(url: str, chunk: int, breakdown: bool, ingest_done: Any, reports: Any) -> None:
    """The intake process: run after run until one after the ingest finds nothing."""
    steps = _StepTimes() if breakdown else None
    from hub.cases.intake import IntakeReport, intake_pending
    from hub.store.engine import make_engine

    engine = make_engine(url)
    total = IntakeReport()
    try:
        while True:
            last = ingest_done.is_set()
            run = intake_pending(engine, chunk=chunk)
            _add(total, run)
            if run.opened + run.merged == 0:
                if last:
                    break
                time.sleep(_IntakeBeside.POLL_SECONDS)
    except Exception:  # reported to the parent, which fails the contender
        reports.put(traceback.format_exc())
        return
    finally:
        engine.dispose()
    reports.put((total, steps.seconds if steps is not None else {}))


def _check_intake(engine: Any) -> dict[str, Any]:
    """Counts from the store, the latencies, and the audit chain verified (not timed)."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from hub.audit import default_anchor, verify
    from hub.store.models.cases import Case, CaseComplaint
    from hub.store.models.complaints import Complaint
    from hub.store.models.exchange import Envelope, Provenance
    from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
    from hub.workflow.timing import aware

    arrival = (
        select(Provenance.record_id.label("complaint_id"), Envelope.received_at)
        .join(Envelope, Envelope.id == Provenance.envelope_id)
        .where(Provenance.record_type == "complaint")
        .subquery()
    )
    to_assignment, to_intake = array("d"), array("d")
    with Session(engine) as session:
        complaints = session.scalar(select(func.count()).select_from(Complaint)) or 0
        linked = session.scalar(select(func.count()).select_from(CaseComplaint)) or 0
        cases = session.scalar(select(func.count()).select_from(Case)) or 0
        assigned = session.execute(
            select(arrival.c.received_at, WorkflowTransition.fired_at)
            .join(CaseComplaint, CaseComplaint.complaint_id == arrival.c.complaint_id)
            .join(
                WorkflowInstance,
                (WorkflowInstance.subject_type == "case")
                & (WorkflowInstance.subject_id == CaseComplaint.case_id),
            )
            .join(WorkflowTransition, WorkflowTransition.instance_id == WorkflowInstance.id)
            .where(CaseComplaint.relation == "original", WorkflowTransition.transition == "assign")
            .execution_options(yield_per=20_000)
        )
        for stored_at, fired_at in assigned:
            to_assignment.append((aware(fired_at) - aware(stored_at)).total_seconds())
        taken = session.execute(
            select(arrival.c.received_at, CaseComplaint.linked_at)
            .join(CaseComplaint, CaseComplaint.complaint_id == arrival.c.complaint_id)
            .execution_options(yield_per=20_000)
        )
        for stored_at, linked_at in taken:
            to_intake.append((aware(linked_at) - aware(stored_at)).total_seconds())
    with Timer() as checking, Session(engine) as session:
        audit = verify(session, default_anchor())
    return {
        "complaints": complaints,
        "linked": linked,
        "cases": cases,
        "assignment_latency": _percentiles(to_assignment),
        "intake_latency": _percentiles(to_intake),
        "audit_ok": audit.ok,
        "audit_entries": audit.entries_checked,
        "audit_problems": audit.problems[:5],
        "audit_seconds": checking.seconds,
    }


def _percentiles(values: array[float]) -> dict[str, float]:
    if not values:
        return {"count": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)
    last = len(ordered) - 1
    return {
        "count": len(ordered),
        "p50": ordered[last // 2],
        "p99": ordered[min(last, round(last * 0.99))],
        "max": ordered[last],
    }


def _files(args: argparse.Namespace) -> list[Path]:
    return sorted(Path(args.files).glob("12345_work_orders_*.json"))


def child_postgres(args: argparse.Namespace, with_intake: bool) -> dict[str, Any]:
    url = postgres_url()
    with fresh_schema(url, args.child) as schema:
        store_url = sqlalchemy_url(url, schema=schema)
        engine = create_hub_store(store_url)
        try:
            details = _run(engine, store_url, _files(args), with_intake, args)
        finally:
            engine.dispose()
    details["store"] = f"PostgreSQL schema {schema} (dropped)"
    return details


def child_sqlite(args: argparse.Namespace, with_intake: bool) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="hub-bench-sqlite-", dir=Path(args.files).parent))
    try:
        store_url = f"sqlite:///{folder / 'store.db'}"
        engine = create_hub_store(store_url)
        try:
            details = _run(engine, store_url, _files(args), with_intake, args)
        finally:
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    details["store"] = "SQLite file (WAL, synchronous=NORMAL; deleted)"
    return details


def run_as_child(args: argparse.Namespace) -> None:
    scratch = Path(tempfile.mkdtemp(prefix=f"hub-bench-{args.child}-"))
    isolate_hub_settings(scratch)
    try:
        with_intake = args.child.startswith("cases")
        if args.child.endswith("-pg"):
            details = child_postgres(args, with_intake)
        else:
            details = child_sqlite(args, with_intake)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_child_result(args.result, details["received"], details.pop("seconds"), details)


# --- the parent ----------------------------------------------------------------------------


def _describe(result: Result) -> str:
    d = result.details
    line = (
        f"{result.name:16} {result.rows:>10,} complaints in {result.seconds:8.1f} s = "
        f"{result.rate:>8,.0f}/s, peak {result.peak_mb:5.0f} MB; stored {d['stored']:,}, "
        f"quarantined {d['quarantined']:,}"
    )
    if "intake" in d:
        taken, a, i = d["intake"], d["assignment_latency"], d["intake_latency"]
        line += (
            f"\n{'':16} intake {d['intake_mode']} the ingest; cases {taken['opened']:,} "
            f"(routed {taken['routed']:,}, triage "
            f"{taken['triaged']:,}), merged {taken['merged']:,}; arrival → assignment p50 "
            f"{a['p50']:.2f} s, p99 {a['p99']:.2f} s (max {a['max']:.2f} s, {a['count']:,} "
            f"routed); arrival → intake p50 {i['p50']:.2f} s, p99 {i['p99']:.2f} s; audit chain "
            f"{'verified' if d['audit_ok'] else 'BROKEN'} ({d['audit_entries']:,} entries, "
            f"{d['audit_seconds']:.0f} s, not timed)"
        )
    if d.get("breakdown"):
        line += "\n" + _breakdown(d["breakdown"], d["complaints"])
    return line


def _breakdown(seconds: dict[str, float], complaints: int) -> str:
    """The intake's steps as µs a complaint, costliest first (nested steps overlap:
    ``append_many`` is within ``_start_workflows``, everything within ``intake_pending``)."""
    steps = sorted(seconds.items(), key=lambda item: -item[1])
    return "\n".join(
        f"{'':16} {name:18} {total / max(complaints, 1) * 1e6:8.0f} µs a complaint"
        for name, total in steps
    )


def _check(result: Result, generated: Generated) -> None:
    d = result.details
    problems = []
    if d["stored"] + d["quarantined"] != generated.rows:
        problems.append(f"stored {d['stored']:,} + quarantined {d['quarantined']:,} != rows")
    if d["quarantined"]:
        problems.append(f"{d['quarantined']:,} generated orders were quarantined")
    if "intake" in d:
        taken = d["intake"]
        if d["linked"] != d["complaints"] or taken["opened"] + taken["merged"] != d["complaints"]:
            problems.append(
                f"{d['complaints']:,} complaints but {d['linked']:,} linked "
                f"({taken['opened']:,} opened + {taken['merged']:,} merged)"
            )
        if taken["routed"] + taken["triaged"] != taken["opened"] or d["cases"] != taken["opened"]:
            problems.append("routed + triaged != cases opened")
        if not d["audit_ok"]:
            problems.append(f"audit chain: {d['audit_problems']}")
    if problems:
        fail(f"{result.name}: " + "; ".join(problems))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="work orders to generate")
    parser.add_argument("--batch", type=int, default=10_000, help="orders per file (a page)")
    parser.add_argument("--chunk", type=int, default=2000, help="intake chunk size")
    parser.add_argument(
        "--intake",
        choices=("beside", "after"),
        default="beside",
        help="the case intake in a process beside the ingest, as the job runs (default), "
        "or after each file in the ingest's process",
    )
    parser.add_argument(
        "--only",
        default=",".join(CONTENDERS),
        help=f"comma-separated contenders (default: all of {','.join(CONTENDERS)})",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time each step of the intake (µs a complaint)",
    )
    parser.add_argument("--workdir", type=Path, help="folder for the files (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = chosen_contenders(parser, args.only, CONTENDERS)
    if args.rows < 1 or args.batch < 1 or args.chunk < 1:
        parser.error("--rows, --batch and --chunk must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        run_as_child(args)
        return
    print(machine_summary())
    if any(name.endswith("-pg") for name in args.only):
        url = postgres_url()
        print(f"PostgreSQL {postgres_version(url)} at {libpq_url(url).split('@')[-1]}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hub-bench-cases-"))
    folder = workdir / f"hotline_12345_{args.rows}"
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, Result] = {}
    try:
        with Timer() as timer:
            generated = generate(folder, args.rows, args.batch, args.seed)
        print(
            f"generated {len(generated.files)} file(s) of up to {args.batch:,} work orders in "
            f"{folder} in {timer.seconds:.1f} s: {generated.rows:,} orders, "
            f"{human_bytes(generated.size)}, {generated.repeats:,} repeats of an earlier matter"
        )
        child_args = [
            *("--files", str(folder), "--rows", str(args.rows)),
            *("--chunk", str(args.chunk), "--intake", args.intake),
            *(["--breakdown"] if args.breakdown else []),
        ]
        for name in CONTENDERS:
            if name not in args.only:
                continue
            print(f"running {name} (load average {os.getloadavg()[0]:.2f}) ...", flush=True)
            try:
                result = run_child(Path(__file__).resolve(), name, child_args)
            except BenchmarkFailure as error:
                fail(str(error))
                return
            results[name] = result
            print(_describe(result), flush=True)
            _check(result, generated)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder if args.workdir else workdir, ignore_errors=True)
    _print_summary(results)


def _print_summary(results: dict[str, Result]) -> None:
    print()
    pairs = [
        (results[ours], results[base])
        for ours, base in BASELINE.items()
        if ours in results and base in results
    ]
    for ours, baseline in pairs:
        ok = ours.rate >= TARGET_RATIO * baseline.rate
        verdict = "met" if ok else "NOT MET"
        print(f"target: {ours.name} >= {TARGET_RATIO:.0%} of {baseline.name}: {verdict}")
    for ours, baseline in pairs:
        print(ratio_line(ours, baseline))
    peaks = [f"{r.name} {r.peak_mb:.0f} MB" for r in results.values()]
    if peaks:
        print(f"peak memory: {', '.join(peaks)}")


if __name__ == "__main__":
    main()
