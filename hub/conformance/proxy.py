"""A TCP proxy that cuts connections on purpose, between an adapter and its remote.

Protocol-blind, so the same fault reaches REST, SOAP, SFTP and AMQP alike, and works against
a real endpoint as well as a simulator: the first ``drops`` connections are cut once the
remote has sent ``drop_after_bytes`` bytes through them; later ones pass untouched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class DroppingProxy:
    """Listens on a free port of 127.0.0.1 and forwards every connection to ``target``."""

    def __init__(self, target: tuple[str, int], *, drop_after_bytes: int, drops: int = 1) -> None:
        self.target = target
        self.drop_after_bytes = drop_after_bytes
        self.drops_left = drops
        self.dropped = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self._listener.getsockname()[:2]
        self._closing = threading.Event()
        threading.Thread(target=self._accept, name="conformance-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                cut = self.drops_left > 0
                self.drops_left -= cut
            limit = self.drop_after_bytes if cut else None
            pair = (client, upstream)
            threading.Thread(
                target=self._pump, args=(client, upstream, None, pair), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(upstream, client, limit, pair), daemon=True
            ).start()

    def _pump(
        self,
        source: socket.socket,
        sink: socket.socket,
        limit: int | None,
        pair: tuple[socket.socket, socket.socket],
    ) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                if limit is not None and sent + len(data) >= limit:
                    sink.sendall(data[: max(limit - sent, 0)])
                    with self._lock:
                        self.dropped += 1
                    break
                sink.sendall(data)
                sent += len(data)
        except OSError:  # the other pump closed this side first
            pass
        for end in pair:  # one side gone: the other goes too, as a dropped line would
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self._closing.set()
        self._listener.close()

    def __enter__(self) -> DroppingProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
