"""Process a large file's records in a worker process while this process stores them.

Mapping and validation are pure Python and hold the GIL; storing is mostly waiting for the
database. In one process the two take turns on one core; with the per-record work in a
worker process, the worker fills one core while this process and the database share the
other.

The worker is ``python -m hub.exchange.workers`` (a plain subprocess: nothing of this
process is forked or re-imported). It reads the file itself and writes finished chunks to
its stdout as length-prefixed pickles; the pipe's small buffer keeps memory bounded, since
the worker blocks until this process has taken the previous chunk. A failure in the worker
is raised here with its traceback. Only files go to a worker; replays and small messages
run in-process, through the same ``RecordProcessor``.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from hub.errors import HubError
from hub.exchange.processing import Chunk

# Below this size the cost of starting a worker (imports, compiling the mapping: ~1 s) is
# more than it saves.
PARALLEL_THRESHOLD_BYTES = 16 * 1024 * 1024
_FRAME = struct.Struct("!Q")
_DONE = "done"
_FAILED = "failed"


class WorkerFailed(HubError):
    """The worker process failed; the message carries its traceback."""


def worth_a_worker(path: Path, threshold: int = PARALLEL_THRESHOLD_BYTES) -> bool:
    return (os.cpu_count() or 1) > 1 and path.stat().st_size >= threshold


def _send(stream: IO[bytes], item: Any) -> None:
    payload = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(payload)))
    stream.write(payload)


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_FRAME.size)
    if len(header) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(header)
    return pickle.loads(stream.read(size))  # our own child's output, not outside data


def chunks_from_worker(
    channel_path: Path, message: str, file_path: Path, default_version: str, chunk_size: int
) -> Iterator[Chunk]:
    """Chunks of ``file_path`` processed in a fresh worker process, in file order."""
    arguments = [str(channel_path), message, str(file_path), default_version, str(chunk_size)]
    with tempfile.TemporaryFile() as errors:
        worker = subprocess.Popen(
            [sys.executable, "-m", "hub.exchange.workers", *arguments],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert worker.stdout is not None
        try:
            while True:
                item = _receive(worker.stdout)
                if isinstance(item, Chunk):
                    yield item
                elif item == _DONE:
                    break
                elif isinstance(item, tuple) and item[0] == _FAILED:
                    raise WorkerFailed(f"record worker failed:\n{item[1]}")
                else:
                    worker.wait()
                    errors.seek(0)
                    tail = errors.read()[-4000:].decode("utf-8", "replace")
                    raise WorkerFailed(
                        f"record worker ended with code {worker.returncode}:\n{tail}"
                    )
        finally:
            if worker.poll() is None:
                worker.kill()
            worker.stdout.close()
            worker.wait()


def main(arguments: list[str]) -> None:
    """Worker entry point: parse and process the file, write chunks to stdout."""
    out = sys.stdout.buffer
    try:
        from hub.exchange.channels import load_channel
        from hub.exchange.parsers import parse_records
        from hub.exchange.processing import RecordProcessor

        channel_path, message, file_path, default_version, chunk_size = arguments
        processor = RecordProcessor(load_channel(Path(channel_path)), message)
        with Path(file_path).open("rb") as stream:
            records = parse_records(stream, processor.mapping.source)
            for chunk in processor.chunks(records, default_version, int(chunk_size)):
                _send(out, chunk)
        _send(out, _DONE)
    except BaseException:
        _send(out, (_FAILED, traceback.format_exc()))
    out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
