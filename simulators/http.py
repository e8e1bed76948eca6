"""Serving a simulator over real HTTP on a daemon thread, for tests, the demo and the CLI.

served = serve_handler(MyHandler, options, name="credit_publicity")   # http.server handler
served = serve_wsgi(app, options, name="national", path="/ws")         # a WSGI callable
requests.get(served.url + "/..."); served.stop()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer, ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from simulators.registry import SimulatorOptions


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
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
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def serve_handler(
    handler: type[BaseHTTPRequestHandler], options: SimulatorOptions, *, name: str
) -> BackgroundServer:
    """Serve an ``http.server`` request handler class, one thread per request."""
    server = ThreadingHTTPServer((options.host, options.port), handler)
    server.daemon_threads = True
    return BackgroundServer(server, name=name)


def serve_wsgi(
    app: Callable[..., Any], options: SimulatorOptions, *, name: str, path: str = ""
) -> BackgroundServer:
    """Serve a WSGI application, one thread per request; ``path`` is appended to ``url``."""
    server = make_server(options.host, options.port, app, _ThreadingWSGIServer, _QuietWSGIHandler)
    return BackgroundServer(server, name=name, path=path)
