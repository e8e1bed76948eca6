"""The credit information platform (信用信息共享平台): an SFTP server dropping daily credit files.

A real SSH server (paramiko) on a real socket, in threads of this process, serving a
temporary folder. Every day it drops ``outbox/credit_records_YYYYMMDD.csv`` (the demo
sample's GBK CSV, a fresh world per day) and, last, ``outbox/manifest_YYYYMMDD.txt`` naming
the file with its size and SHA-256, as the platform's export job does::

    simulator = start_simulator("credit_platform", SimulatorOptions(faults={"partial": True}))
    simulator.url            # sftp://hub@127.0.0.1:40123/outbox
    simulator.faulty         # {"partial": "credit_records_20260629.csv"}
    simulator.complete(simulator.faulty["partial"])   # the export job catches up

Login is user ``hub`` with password ``credit-<seed>``; the host key is derived from the seed
(``seeded_host_key``), so a channel can pin it. Faults (``options.faults``),
each on a different day chosen by the seed: ``partial`` (the file has fewer bytes than its
manifest says, until ``complete``), ``wrong_checksum`` (the manifest's SHA-256 is of other
bytes), ``drop_connection`` (the connection is cut halfway through the first read of that
file), ``changed_host_key`` (the server shows a key other than the seeded one; also
``rotate_host_key()``), ``malformed_rows`` (each file keeps the bad rows the demo sample
plants; without it the exports conform). ``days`` sets how many daily files are dropped at
start (default 3); ``refill()`` drops the next day's.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import socket
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.demo.sample import REFERENCE_DATE, generate_sample
from simulators.registry import SimulatorOptions, register_simulator

USERNAME = "hub"
FILE_FAULTS = ("partial", "wrong_checksum", "drop_connection")


def seeded_host_key(seed: int, generation: int = 0) -> Any:
    """An Ed25519 host key that depends only on ``seed`` (and the rotation ``generation``)."""
    secret = hashlib.sha256(f"credit_platform:{seed}:{generation}".encode()).digest()
    pem = Ed25519PrivateKey.from_private_bytes(secret).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return paramiko.Ed25519Key(file_obj=io.StringIO(pem.decode("ascii")))


def host_key_line(key: Any) -> str:
    """``TYPE BASE64`` as a known_hosts file or ``adapter.host_key`` holds it."""
    return f"{key.get_name()} {key.get_base64()}"


class _Login(paramiko.ServerInterface):
    """Password login for ``USERNAME``; sessions only, for the ``sftp`` subsystem."""

    def __init__(self, simulator: CreditPlatformSimulator, sock: socket.socket) -> None:
        self.simulator = simulator
        self.sock = sock

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        if username == USERNAME and password == self.simulator.password:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _File(paramiko.SFTPHandle):
    """An open file; cuts the connection halfway through when its name is armed to drop."""

    def __init__(self, login: _Login, path: Path, flags: int, mode: str) -> None:
        super().__init__(flags)
        self.login = login
        self.path = path
        self.readfile = self.writefile = path.open(mode)

    def read(self, offset: int, length: int) -> bytes | int:
        simulator = self.login.simulator
        if simulator.drop_armed == self.path.name:
            half = self.path.stat().st_size // 2
            if offset >= half:
                simulator.drop_armed = None
                self.login.sock.shutdown(socket.SHUT_RDWR)
                return paramiko.SFTP_FAILURE
            length = min(length, half - offset)
        return super().read(offset, length)

    def stat(self) -> Any:
        return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))


class _Folder(paramiko.SFTPServerInterface):
    """The simulator's root folder as the SFTP tree (``/`` is the root; ``..`` cannot leave it)."""

    def __init__(self, login: _Login, *args: Any) -> None:
        super().__init__(login, *args)
        self.login = login
        self.root = login.simulator.root

    def _local(self, path: str) -> Path:
        return self.root / self.canonicalize(path).lstrip("/")

    @staticmethod
    def _attributes(path: Path) -> Any:
        attributes = paramiko.SFTPAttributes.from_stat(path.stat())
        attributes.filename = path.name
        return attributes

    def list_folder(self, path: str) -> Any:
        try:
            return [self._attributes(child) for child in sorted(self._local(path).iterdir())]
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    def stat(self, path: str) -> Any:
        try:
            return self._attributes(self._local(path))
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    lstat = stat

    def open(self, path: str, flags: int, attr: Any) -> Any:
        local = self._local(path)
        writing = flags & (os.O_WRONLY | os.O_RDWR)
        try:
            if writing:
                local.touch()
                if flags & os.O_TRUNC:
                    local.write_bytes(b"")
            mode = ("ab" if flags & os.O_APPEND else "r+b") if writing else "rb"
            return _File(self.login, local, flags, mode)
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    def remove(self, path: str) -> int:
        return self._run(os.remove, self._local(path))

    def rename(self, oldpath: str, newpath: str) -> int:
        if self._local(newpath).exists():  # SFTP v3: never replaces
            return paramiko.SFTP_FAILURE
        return self._run(os.rename, self._local(oldpath), self._local(newpath))

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._run(os.replace, self._local(oldpath), self._local(newpath))

    def mkdir(self, path: str, attr: Any) -> int:
        return self._run(os.mkdir, self._local(path))

    def rmdir(self, path: str) -> int:
        return self._run(os.rmdir, self._local(path))

    @staticmethod
    def _run(operation: Any, *paths: Path) -> int:
        try:
            operation(*paths)
        except OSError as exc:
            return int(paramiko.SFTPServer.convert_errno(exc.errno))
        return int(paramiko.SFTP_OK)


class CreditPlatformSimulator:
    """The running server: its folder, credentials, host keys and the faults it planted."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.password = f"credit-{options.seed}"
        self.original_host_key = seeded_host_key(options.seed)
        self.host_key = self.original_host_key
        self._generation = 0
        if options.faults.get("changed_host_key"):
            self.rotate_host_key()
        self.root = Path(tempfile.mkdtemp(prefix="credit-platform-"))
        (self.root / "outbox").mkdir()
        (self.root / "inbox").mkdir()  # what the hub delivers (双公示 files)
        self.drop_armed: str | None = None
        self.newest_day = date.min
        self.faulty: dict[str, str] = {}
        self._partial: dict[str, bytes] = {}
        self._transports: list[Any] = []
        self._listener = socket.create_server((options.host, options.port))
        self.port = int(self._listener.getsockname()[1])
        self.url = f"sftp://{USERNAME}@{options.host}:{self.port}/outbox"
        days = int(options.faults.get("days", 3))
        planted = [fault for fault in FILE_FAULTS if options.faults.get(fault)]
        fault_days = dict(zip(self.rng.sample(range(days), len(planted)), planted, strict=True))
        for index in range(days):
            self.drop_day(REFERENCE_DATE - timedelta(days=days - 1 - index), fault_days.get(index))
        self._thread = threading.Thread(
            target=self._serve, name="credit-platform-sftp", daemon=True
        )
        self._thread.start()

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def drop_day(self, day: date, fault: str | None = None) -> str:
        """Export ``day``'s credit file and then its manifest; returns the file's name."""
        self.newest_day = max(day, self.newest_day)
        with tempfile.TemporaryDirectory() as scratch:
            sample = generate_sample(
                Path(scratch), seed=self.options.seed + day.toordinal(), entities=100
            )
            exported = next(f for f in sample if f.channel == "credit_platform")
            content = exported.path.read_bytes()
        if not self.options.faults.get("malformed_rows"):
            content = _without_records(content, exported.bad_positions)
        name = f"credit_records_{day:%Y%m%d}.csv"
        sha256 = hashlib.sha256(content).hexdigest()
        if fault == "partial":
            self._partial[name] = content
            content = content[: len(content) // 2]
        elif fault == "wrong_checksum":
            sha256 = hashlib.sha256(content + b"\r\n").hexdigest()
        elif fault == "drop_connection":
            self.drop_armed = name
        if fault is not None:
            self.faulty[fault] = name
        (self.outbox / name).write_bytes(content)
        full_size = len(self._partial.get(name, content))
        manifest = self.outbox / f"manifest_{day:%Y%m%d}.txt"
        manifest.write_text(f"{name} {full_size} {sha256}\n", encoding="utf-8")
        return name

    def complete(self, name: str) -> None:
        """Finish writing a ``partial`` file, as the export job eventually does."""
        (self.outbox / name).write_bytes(self._partial.pop(name))

    def rotate_host_key(self) -> None:
        """Show a new host key from now on, as after a server reinstall (or an impostor)."""
        self._generation += 1
        self.host_key = seeded_host_key(self.options.seed, self._generation)

    def _serve(self) -> None:
        while True:
            try:
                sock, _address = self._listener.accept()
            except OSError:  # the listener was closed: stop
                return
            transport = paramiko.Transport(sock)
            transport.add_server_key(self.host_key)
            login = _Login(self, sock)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _Folder)
            self._transports.append(transport)
            transport.start_server(event=threading.Event(), server=login)

    @property
    def environment(self) -> dict[str, str]:
        """The ${ENV} settings that point the credit_platform channel at this simulator (its
        host key for the default seed is pinned in the channel file itself)."""
        return {
            "HUB_CREDIT_SFTP_HOST": self.options.host,
            "HUB_CREDIT_SFTP_PORT": str(self.port),
            "HUB_CREDIT_SFTP_PASSWORD": self.password,
        }

    def refill(self) -> None:
        """Export one more day (the next after the newest), as the platform does daily."""
        self.drop_day(self.newest_day + timedelta(days=1))

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # shutdown wakes the thread blocked in accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
        for transport in self._transports:
            transport.close()
        shutil.rmtree(self.root, ignore_errors=True)


def _without_records(content: bytes, positions: tuple[int, ...]) -> bytes:
    """The CSV export without the records at ``positions`` (1-based, after the header): the
    sample plants bad rows for the demo; a conforming platform exports none."""
    header, *records = content.split(b"\r\n")
    kept = [record for index, record in enumerate(records, start=1) if index not in positions]
    return b"\r\n".join([header, *kept])


@register_simulator("credit_platform")
def credit_platform(options: SimulatorOptions) -> CreditPlatformSimulator:
    """Start the credit platform's SFTP server on ``options.port`` (0: any free port)."""
    return CreditPlatformSimulator(options)
