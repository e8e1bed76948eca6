"""AMQP throughput: the hub's AMQP adapter and channel against plain pika, on one broker.

    python benchmarks/amqp.py [--rows 100000]

One run generates ``--rows`` departmental inspection and penalty events (the ``departmental``
simulator's, seeded, all routable and valid), then measures, each contender in a child
process of its own on a topology of its own (persistent messages, durable quorum queues):

- ``publish-hub``: ``AmqpAdapter.publish_many`` (publisher confirms, a window of outstanding
  confirms) against ``publish-pika``: plain pika ``SelectConnection`` publishing the same
  bodies with asynchronous confirms and the same window;
- ``consume-hub``: ``run_channel`` of the departmental_events channel into a fresh
  PostgreSQL schema, the full pipeline, acks after each commit, against ``consume-pika``:
  plain pika consuming the other queue with manual acks (one multiple ack per batch of the
  same size, the same prefetch) and no other work. The hub's time includes the quiet
  ``IDLE_SECONDS`` that end its run.
- ``consume-raw``: the channel's work up to its first commit and no further: the hub's AMQP
  adapter fetching, each batch joined into its JSON Lines envelope and that envelope's raw
  bytes committed, then acked; no record parsed, validated, mapped or upserted. Its ratio
  to plain pika is the ceiling the full pipeline's ratio can approach on this machine: the
  per-record work comes on top of it.

Targets (issue): publish ≥ 70 % of plain pika, consume ≥ 50 % of plain pika.
"""

from __future__ import annotations

import argparse
import dataclasses
import uuid
from pathlib import Path
from typing import Any

from _common import (
    BenchmarkFailure,
    Result,
    Timer,
    create_hub_store,
    fail,
    fresh_schema,
    machine_summary,
    postgres_url,
    ratio_line,
    run_child,
    scratch_hub_settings,
    sqlalchemy_url,
    write_child_result,
)

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"
CONTENDERS = ("publish-hub", "publish-pika", "consume-pika", "consume-raw", "consume-hub")
WINDOW = 1000
# Messages per fetched batch (the hub's batch_size; the plain consumer acks as often) and
# the prefetch both consumers get: three batches, so that the broker keeps delivering the
# next batch while the hub still stores the last one (its ack waits for that commit).
BATCH = 2000
PREFETCH = 3 * BATCH
# A hub run ends once its queue has been quiet this long, and that last wait is timed with
# it (the plain consumer stops at its last message). A loaded broker can pause for a few
# tenths of a second mid-stream, which must not end a run early.
IDLE_SECONDS = 1.0
TARGET_PUBLISH = 0.70
TARGET_CONSUME = 0.50


def _settings(prefix: str, side: str) -> dict[str, Any]:
    from hub.exchange.channels import load_channel
    from simulators.departmental import CHANNEL_FILE

    return {
        **load_channel(CHANNEL_FILE).adapter,
        "url": BROKER,
        "exchange": f"{prefix}.{side}.events",
        "queue": f"{prefix}.{side}.queue",
        "dead_letter_exchange": f"{prefix}.{side}.dead",
        "publish_window": WINDOW,
        "batch_size": BATCH,
        "prefetch": PREFETCH,
        "idle_seconds": IDLE_SECONDS,
    }


def _adapter(settings: dict[str, Any]) -> Any:
    from adapters.amqp.client import AmqpAdapter
    from hub.exchange.channels import load_channel
    from simulators.departmental import CHANNEL_FILE

    return AmqpAdapter(load_channel(CHANNEL_FILE), settings)


def _events(rows: int, seed: int) -> list[Any]:
    """``rows`` routable, valid events (inspections and penalties), generated before timing."""
    from simulators.departmental import DepartmentalEvents

    wanted = ("inspection", "penalty")
    events = DepartmentalEvents(seed, rows * 2, malformed=0.0, duplicates=0.0)
    return [message for message in events if message.message_type in wanted][:rows]


def child_publish_hub(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    messages = _events(args.rows, args.seed)
    with _adapter(_settings(args.prefix, "hub")) as adapter:
        adapter.connect()
        with Timer() as timer:
            receipts = adapter.publish_many(messages)
    accepted = sum(receipt.accepted for receipt in receipts)
    if accepted != args.rows:
        raise BenchmarkFailure(f"publish-hub: {accepted} of {args.rows} confirmed")
    return accepted, timer.seconds, {"confirmed": accepted}


def child_publish_pika(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    import pika

    from adapters.amqp.client import ROUTING_KEY_HEADER

    messages = _events(args.rows, args.seed)
    settings = _settings(args.prefix, "pika")
    with _adapter(settings) as adapter:
        adapter.connect()  # the same topology, declared before timing
    state = {"next": 0, "outstanding": 0, "confirmed": 0}

    def publish_more(channel: Any) -> None:
        while state["outstanding"] < WINDOW and state["next"] < len(messages):
            message = messages[state["next"]]
            state["next"] += 1
            state["outstanding"] += 1
            channel.basic_publish(
                settings["exchange"],
                message.headers[ROUTING_KEY_HEADER],
                message.payload,
                pika.BasicProperties(
                    delivery_mode=2,
                    message_id=message.idempotency_key,
                    content_type=message.content_type,
                    type=message.message_type,
                ),
            )

    def on_open(connection: Any) -> None:
        connection.channel(on_open_callback=on_channel)

    def on_channel(channel: Any) -> None:
        channel.confirm_delivery(
            ack_nack_callback=lambda frame: on_confirm(channel, frame),
            callback=lambda _frame: publish_more(channel),
        )

    confirmed_tags = {"last": 0}

    def on_confirm(channel: Any, frame: Any) -> None:
        tag = frame.method.delivery_tag
        count = tag - confirmed_tags["last"] if frame.method.multiple else 1
        confirmed_tags["last"] = max(confirmed_tags["last"], tag)
        if isinstance(frame.method, pika.spec.Basic.Ack):
            state["confirmed"] += count
        state["outstanding"] -= count
        if state["next"] < len(messages):
            publish_more(channel)
        elif state["outstanding"] == 0:
            channel.connection.close()

    with Timer() as timer:
        connection = pika.SelectConnection(
            pika.URLParameters(BROKER),
            on_open_callback=on_open,
            on_close_callback=lambda _connection, _reason: connection.ioloop.stop(),
        )
        connection.ioloop.start()
    if state["confirmed"] != args.rows:
        raise BenchmarkFailure(f"publish-pika: {state['confirmed']} of {args.rows} confirmed")
    return state["confirmed"], timer.seconds, {"confirmed": state["confirmed"]}


def child_consume_hub(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    from hub.exchange.channels import load_channel
    from hub.exchange.runner import run_channel
    from simulators.departmental import CHANNEL_FILE

    channel = dataclasses.replace(load_channel(CHANNEL_FILE), adapter=_settings(args.prefix, "hub"))
    url = postgres_url()
    with fresh_schema(url, "amqp") as schema:
        engine = create_hub_store(sqlalchemy_url(url, schema=schema))
        try:
            with Timer() as timer:
                report = run_channel(engine, channel)
        finally:
            engine.dispose()
    if report.stored != args.rows or report.received != args.rows:
        raise BenchmarkFailure(f"consume-hub: received {report.received}, stored {report.stored}")
    return report.stored, timer.seconds, {"stored": report.stored, "envelopes": report.envelopes}


def child_consume_raw(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    from sqlalchemy.orm import sessionmaker

    from hub.exchange.channels import load_channel
    from hub.exchange.coalesce import coalesce
    from hub.exchange.envelopes import store_envelope
    from simulators.departmental import CHANNEL_FILE

    settings = _settings(args.prefix, "raw")
    with _adapter(settings) as adapter:  # its queue filled before timing
        adapter.connect()
        adapter.publish_many(_events(args.rows, args.seed))
    channel = dataclasses.replace(load_channel(CHANNEL_FILE), adapter=settings)
    url = postgres_url()
    received = envelopes = 0
    with fresh_schema(url, "amqpraw") as schema:
        engine = create_hub_store(sqlalchemy_url(url, schema=schema))
        sessions = sessionmaker(bind=engine)
        try:
            with Timer() as timer, _adapter(settings) as adapter:
                for batch in adapter.fetch(None):
                    received += len(batch.arrivals)
                    with sessions() as session, session.begin():
                        for arrival in coalesce(channel, batch.arrivals):
                            store_envelope(session, arrival, personal=False, run_id=None)
                            envelopes += 1
                    if batch.acknowledge is not None:
                        batch.acknowledge()
        finally:
            engine.dispose()
    if received != args.rows:
        raise BenchmarkFailure(f"consume-raw: received {received} of {args.rows}")
    return received, timer.seconds, {"envelopes": envelopes}


def child_consume_pika(args: argparse.Namespace) -> tuple[int, float, dict[str, Any]]:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=PREFETCH)
    received = 0
    with Timer() as timer:
        for method, _properties, _body in channel.consume(
            _settings(args.prefix, "pika")["queue"], inactivity_timeout=IDLE_SECONDS
        ):
            if method is None:
                break
            received += 1
            if received % BATCH == 0 or received == args.rows:
                channel.basic_ack(method.delivery_tag, multiple=True)
            if received == args.rows:
                break
        channel.cancel()
    connection.close()
    if received != args.rows:
        raise BenchmarkFailure(f"consume-pika: received {received} of {args.rows}")
    return received, timer.seconds, {"acked": received}


CHILDREN = {
    "publish-hub": child_publish_hub,
    "publish-pika": child_publish_pika,
    "consume-pika": child_consume_pika,
    "consume-raw": child_consume_raw,
    "consume-hub": child_consume_hub,
}


def _delete_topology(prefix: str) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    for side in ("hub", "pika", "raw"):
        settings = _settings(prefix, side)
        for queue in (settings["queue"], f"{settings['queue']}.dead"):
            channel.queue_delete(queue)
        for exchange in (settings["exchange"], settings["dead_letter_exchange"]):
            channel.exchange_delete(exchange)
    connection.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="messages per contender")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        with scratch_hub_settings(args.child):
            rows, seconds, details = CHILDREN[args.child](args)
        write_child_result(args.result, rows, seconds, details)
        return
    print(machine_summary())
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    results: dict[str, Result] = {}
    try:
        for name in CONTENDERS:
            extra = ["--rows", str(args.rows), "--seed", str(args.seed), "--prefix", prefix]
            try:
                results[name] = run_child(Path(__file__).resolve(), name, extra)
            except BenchmarkFailure as error:
                fail(str(error))
            result = results[name]
            print(
                f"{name}: {result.rows} messages in {result.seconds:.1f} s "
                f"({result.rate:.0f}/s), peak {result.peak_mb:.0f} MB",
                flush=True,
            )
    finally:
        _delete_topology(prefix)
    publish = results["publish-hub"].rate / results["publish-pika"].rate
    consume = results["consume-hub"].rate / results["consume-pika"].rate
    print(ratio_line(results["publish-hub"], results["publish-pika"]))
    print(ratio_line(results["consume-hub"], results["consume-pika"]))
    print(
        ratio_line(results["consume-raw"], results["consume-pika"])
        + " (the ceiling: no per-record work)"
    )
    print(
        "peak memory: "
        + ", ".join(f"{name} {result.peak_mb:.0f} MB" for name, result in results.items())
    )
    print(
        f"targets: publish {publish:.2f} (≥ {TARGET_PUBLISH:.2f}) "
        f"{'met' if publish >= TARGET_PUBLISH else 'MISSED'}, consume {consume:.2f} "
        f"(≥ {TARGET_CONSUME:.2f}) {'met' if consume >= TARGET_CONSUME else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
