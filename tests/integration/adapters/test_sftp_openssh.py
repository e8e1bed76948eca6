"""The SFTP adapter against the real OpenSSH server, to keep the simulator honest.

``sshd -D`` runs on a free high port with a host key and an authorized key made here, its
``internal-sftp`` serving this machine's file system; the channel pins that host key and logs
in with the key.
"""

from __future__ import annotations

import getpass
import io
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.demo.sample import generate_sample
from hub.exchange.channels import load_channel
from hub.exchange.runner import run_channel
from hub.store.models.exchange import Envelope
from simulators.credit_platform import host_key_line
from tests.channels import channel_with_adapter

SSHD = Path("/usr/sbin/sshd")


def _write_key(path: Path) -> paramiko.Ed25519Key:
    """A new Ed25519 key in OpenSSH format at ``path`` (mode 0600, as sshd insists)."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return paramiko.Ed25519Key(file_obj=io.StringIO(pem.decode("ascii")))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OpenSsh:
    """A running ``sshd``: its port, pinned host key and the client key it accepts."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.host_key = _write_key(folder / "host_ed25519")
        self.client_key_file = folder / "client_ed25519"
        client_key = _write_key(self.client_key_file)
        (folder / "authorized_keys").write_text(host_key_line(client_key) + "\n")
        self.port = _free_port()
        config = folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {folder / 'host_ed25519'}",
                    f"PidFile {folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                    "PermitRootLogin yes",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "Subsystem sftp internal-sftp",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        if os.geteuid() == 0:  # what systemd's RuntimeDirectory= provides on a real host
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                assert self.process.stderr is not None
                raise RuntimeError(f"sshd exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sshd did not listen on port {self.port}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def openssh(tmp_path: Path) -> Iterator[OpenSsh]:
    server = OpenSsh(tmp_path / "sshd")
    yield server
    server.stop()


@pytest.mark.skipif(not SSHD.exists(), reason="OpenSSH server not installed (/usr/sbin/sshd)")
@pytest.mark.parametrize("key_setting", ["private_key_file", "private_key"])
def test_a_credit_file_on_openssh_is_stored_and_moved_to_done(
    sqlite_engine: Engine,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    openssh: OpenSsh,
    key_setting: str,
) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    sample = generate_sample(tmp_path / "sample", seed=11, entities=40)
    credit = next(f for f in sample if f.channel == "credit_platform").path
    shutil.copy(credit, outbox / credit.name)
    (outbox / f"{credit.name}.done").write_bytes(b"")

    key_file = openssh.client_key_file
    monkeypatch.setenv(
        "CREDIT_SFTP_KEY",
        str(key_file) if key_setting == "private_key_file" else key_file.read_text(),
    )
    adapter = {
        "type": "sftp",
        "host": "127.0.0.1",
        "port": openssh.port,
        "username": getpass.getuser(),
        key_setting: "${CREDIT_SFTP_KEY}",
        "host_key": host_key_line(openssh.host_key),
        "remote_dir": str(outbox),
        "completion": "done_marker",
        "timeout": 10,
    }
    path = channel_with_adapter(repo_root, "credit_platform", tmp_path / "credit_platform", adapter)

    report = run_channel(sqlite_engine, load_channel(path))

    assert report.balanced and report.envelopes == 1 and report.stored > 0
    assert sorted(p.name for p in outbox.iterdir()) == ["done"]
    assert sorted(p.name for p in (outbox / "done").iterdir()) == [
        credit.name,
        f"{credit.name}.done",
    ]
    with Session(sqlite_engine) as session:
        assert session.scalars(select(Envelope.file_name)).all() == [credit.name]
