"""Serving a simulator over real HTTP on a daemon thread, for tests, the demo and the CLI.

served = serve_handler(MyHandler, options, name="credit_publicity")   # http.server handler
served = serve_wsgi(app, options, name="national", path="/ws")         # a WSGI callable
requests.get(served.url + "/..."); served.stop()
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer, ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from simulators.registry import SimulatorOptions


class _ClosingConnections(BaseServer):
    """Remembers the connections it serves, so that stopping cuts them as a process exit
    would: otherwise a keep-alive client goes on being answered by a stopped simulator."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[Any] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)  # its handler thread reads EOF and ends


class _ThreadingHTTPServer(_ClosingConnections, ThreadingHTTPServer):
    daemon_threads = True


class _ThreadingWSGIServer(_ClosingConnections, ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test and demo output clean; the hub logs the calls on its side."""


class BackgroundServer:
    """A socket server running on a daemon thread; ``url`` is its base address."""

    def __init__(self, server: BaseServer, *, name: str, path: str = "") -> None:
        self.server = server
        address: Any = server.server_address  # (host, port) for the TCP servers used here
        self.url = f"http://{address[0]!s}:{address[1]}{path}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that stop() returns at once
            name=name,
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and close the open connections, as the real system going down."""
        self.server.shutdown()
        self.server.server_close()
        if isinstance(self.server, _ClosingConnections):
            self.server.close_connections()
        self._thread.join(timeout=5)


def serve_handler(
    handler: type[BaseHTTPRequestHandler], options: SimulatorOptions, *, name: str
) -> BackgroundServer:
    """Serve an ``http.server`` request handler class, one thread per request."""
    server = _ThreadingHTTPServer((options.host, options.port), handler)
    return BackgroundServer(server, name=name)


def serve_wsgi(
    app: Callable[..., Any], options: SimulatorOptions, *, name: str, path: str = ""
) -> BackgroundServer:
    """Serve a WSGI application, one thread per request; ``path`` is appended to ``url``."""
    server = make_server(options.host, options.port, app, _ThreadingWSGIServer, _QuietWSGIHandler)
    return BackgroundServer(server, name=name, path=path)
