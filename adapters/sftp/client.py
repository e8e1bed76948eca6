"""The SFTP adapter: complete files of a remote folder, spooled locally, moved once stored.

A file is complete when a manifest lists it with its size and SHA-256 (``completion:
manifest``) or when its ``name.done`` marker exists (``completion: done_marker``). The remote
folder is the position (no cursor): a file stored but not yet moved to ``done/`` is read
again at the next run and changes nothing, since envelopes are keyed by checksum.

    adapter:
      type: sftp
      host: sftp.credit.example.gov.cn
      username: hub
      private_key_file: ${CREDIT_SFTP_KEY_FILE}
      host_key: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
      remote_dir: /outbox
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import logging
import posixpath
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

from adapters.base import Adapter, FetchedBatch, OutboundMessage, Receipt
from adapters.registry import register_adapter
from adapters.sftp.errors import HostKeyMismatch, fingerprint, translated
from hub.errors import ConfigurationError, RetryLater
from hub.exchange.channels import ChannelConfig
from hub.exchange.envelopes import CHUNK_BYTES, Arrival

log = logging.getLogger("hub.adapters.sftp")
_PRIVATE_KEY_TYPES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


@dataclass(frozen=True)
class RemoteFile:
    """A remote file ready to take, with what its producer promised about it."""

    name: str
    size: int | None = None
    sha256: str | None = None
    manifest: str | None = None
    marker: str | None = None


class _PinnedHostKey(paramiko.MissingHostKeyPolicy):
    """Accepts only the pinned key, without adding it anywhere; every other key is refused."""

    def __init__(self, where: str, pin: str, matches: Callable[[Any], bool]) -> None:
        self.where = where
        self.pin = pin
        self.matches = matches

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        if not self.matches(key):
            raise HostKeyMismatch(self.where, key, self.pin)


def parse_manifest(text: str) -> dict[str, tuple[int, str]]:
    """``name size sha256`` per line (names may hold spaces); a torn last line is left out."""
    entries: dict[str, tuple[int, str]] = {}
    for line in text.splitlines():
        parts = line.strip().rsplit(None, 2)
        if len(parts) != 3 or line.lstrip().startswith("#"):
            continue
        name, size, sha256 = parts
        if size.isdigit() and len(sha256) == 64:
            entries[name] = (int(size), sha256.lower())
    return entries


@register_adapter
class SftpAdapter(Adapter):
    """Takes complete files of ``remote_dir`` and moves each to ``done/`` after the commit.

    A file that fails its manifest (wrong size or checksum) goes to ``failed/`` with a
    ``<name>.reason.txt`` beside it; a file shorter than its manifest says is still being
    written and is left for a later run. Pushes are written to ``name.part``, size-checked
    and renamed, so the remote never sees a half-written file.
    """

    name = "sftp"
    capabilities = frozenset({"fetch", "push"})
    config_schema = "config/adapters/sftp.json"

    @classmethod
    def endpoint(cls, settings: Mapping[str, Any]) -> tuple[str, int] | None:
        return str(settings["host"]), int(settings.get("port", 22))

    @classmethod
    def with_endpoint(cls, settings: Mapping[str, Any], host: str, port: int) -> dict[str, Any]:
        return {**settings, "host": host, "port": port}

    def __init__(self, channel: ChannelConfig, settings: Mapping[str, Any]) -> None:
        super().__init__(channel, settings)
        self.host = str(settings["host"])
        self.port = int(settings.get("port", 22))
        self.remote_dir = str(settings.get("remote_dir", "."))
        self.where = (
            f"channel {channel.name!r} (sftp://{settings['username']}@{self.host}:{self.port})"
        )
        self._client: Any = None
        self._sftp: Any = None
        self._spool: Path | None = None

    # -- connection ------------------------------------------------------------------------

    def _host_key_policy(self, client: Any) -> _PinnedHostKey:
        pin = " ".join(str(self.settings["host_key"]).split()[:2])
        if pin.startswith("SHA256:"):
            return _PinnedHostKey(self.where, pin, lambda key: fingerprint(key) == pin)
        key_type, _, data = pin.partition(" ")
        try:
            pinned = paramiko.PKey.from_type_string(key_type, base64.b64decode(data))
        except (ValueError, paramiko.SSHException) as exc:
            raise ConfigurationError(
                f"{self.where}: adapter.host_key must be 'TYPE BASE64' or 'SHA256:...': {exc}"
            ) from exc
        known_as = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
        # The pin as the only known key, so the handshake asks the server for that key type.
        client.get_host_keys().add(known_as, key_type, pinned)
        return _PinnedHostKey(
            self.where, f"{key_type} {fingerprint(pinned)}", lambda key: key == pinned
        )

    def _private_key(self) -> Any:
        text = self.settings.get("private_key")
        if not text:
            return None
        passphrase = self.settings.get("passphrase") or None
        for key_type in _PRIVATE_KEY_TYPES:
            try:
                return key_type.from_private_key(io.StringIO(str(text)), password=passphrase)
            except paramiko.SSHException:
                continue
        raise ConfigurationError(f"{self.where}: adapter.private_key is not a readable private key")

    def _connect(self) -> Any:
        """The SFTP session, opened once per adapter with the server's host key checked first."""
        if self._sftp is not None:
            return self._sftp
        timeout = float(self.settings.get("timeout", 30))
        key_file = self.settings.get("private_key_file") or None
        if key_file is not None and not Path(key_file).is_file():
            raise ConfigurationError(
                f"{self.where}: adapter.private_key_file {key_file} is not a file"
            )
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(self._host_key_policy(client))
        try:
            with translated(self.where):
                client.connect(
                    self.host,
                    port=self.port,
                    username=str(self.settings["username"]),
                    password=self.settings.get("password") or None,
                    pkey=self._private_key(),
                    key_filename=key_file,
                    passphrase=self.settings.get("passphrase") or None,
                    timeout=timeout,
                    banner_timeout=timeout,
                    auth_timeout=timeout,
                    allow_agent=False,
                    look_for_keys=False,
                )
                sftp = client.open_sftp()
                sftp.get_channel().settimeout(timeout)
        except BaseException:
            client.close()
            raise
        self._client, self._sftp = client, sftp
        return sftp

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = self._sftp = None
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None

    # -- fetch -----------------------------------------------------------------------------

    def _remote(self, *names: str) -> str:
        return posixpath.join(self.remote_dir, *names)

    def complete_files(self, names: list[str]) -> list[RemoteFile]:
        """The files of the listing ``names`` whose producer declared them complete."""
        present = set(names)
        if self.settings.get("completion", "manifest") == "done_marker":
            return [
                RemoteFile(name, marker=f"{name}.done")
                for name in sorted(present)
                if not name.endswith(".done") and f"{name}.done" in present
            ]
        pattern = str(self.settings.get("manifest_pattern", "manifest_*.txt"))
        found: dict[str, RemoteFile] = {}
        for manifest in sorted(n for n in present if fnmatch.fnmatch(n, pattern)):
            with self._sftp.open(self._remote(manifest), "r") as handle:
                text = handle.read().decode("utf-8")
            for name, (size, sha256) in parse_manifest(text).items():
                if name in present:
                    found[name] = RemoteFile(name, size, sha256, manifest=manifest)
        return [found[name] for name in sorted(found)]

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        with translated(self.where):
            sftp = self._connect()
            names = [
                entry.filename
                for entry in sftp.listdir_attr(self.remote_dir)
                if stat.S_ISREG(entry.st_mode or 0)
            ]
            ready = self.complete_files(names)
        for remote_file in ready:
            with translated(f"{self.where}: {remote_file.name}"):
                batch = self._take(remote_file)
            if batch is not None:
                yield batch

    def _take(self, remote_file: RemoteFile) -> FetchedBatch | None:
        """Spool one file and check it against its manifest; ``None`` when it is not taken."""
        remote = self._remote(remote_file.name)
        size = int(self._sftp.stat(remote).st_size or 0)
        if remote_file.size is not None and size < remote_file.size:
            log.info(
                "%s: %s has %d of %d bytes, still arriving",
                self.where,
                remote,
                size,
                remote_file.size,
            )
            return None
        spooled, sha256, spooled_size = self._download(remote)
        problem = None
        if remote_file.size is not None and spooled_size != remote_file.size:
            problem = f"size {spooled_size} bytes, the manifest {remote_file.manifest} says {remote_file.size}"
        elif remote_file.sha256 is not None and sha256 != remote_file.sha256:
            problem = (
                f"SHA-256 {sha256}, the manifest {remote_file.manifest} says {remote_file.sha256}"
            )
        if problem is not None:
            spooled.unlink()
            self._fail(remote_file, problem)
            return None
        message = self.channel.message_for_file(remote_file.name)
        arrival = Arrival(
            self.channel.name,
            message.name,
            spooled,
            file_name=remote_file.name,
            remote_id=remote,
        )
        return FetchedBatch([arrival], acknowledge=lambda: self._acknowledge(remote_file, spooled))

    def _download(self, remote: str) -> tuple[Path, str, int]:
        """Stream ``remote`` into the spool, hashing on the way; never held whole in memory."""
        if self._spool is None:
            from hub.settings import get_settings

            base = Path(self.settings.get("spool") or get_settings().var_dir / "spool")
            base.mkdir(parents=True, exist_ok=True)
            self._spool = Path(tempfile.mkdtemp(prefix=f"sftp-{self.channel.name}-", dir=base))
        target = self._spool / posixpath.basename(remote)
        digest = hashlib.sha256()
        size = 0
        try:
            with self._sftp.open(remote, "rb") as source, target.open("wb") as sink:
                while block := source.read(CHUNK_BYTES):
                    digest.update(block)
                    sink.write(block)
                    size += len(block)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target, digest.hexdigest(), size

    # -- settling --------------------------------------------------------------------------

    def _acknowledge(self, remote_file: RemoteFile, spooled: Path) -> None:
        with translated(f"{self.where}: moving {remote_file.name} to done"):
            self._settle(remote_file, str(self.settings.get("done_folder", "done")))
        spooled.unlink(missing_ok=True)

    def _fail(self, remote_file: RemoteFile, reason: str) -> None:
        folder = str(self.settings.get("failed_folder", "failed"))
        log.warning("%s: %s moved to %s/: %s", self.where, remote_file.name, folder, reason)
        self._ensure_folder(folder)
        with self._sftp.open(self._remote(folder, f"{remote_file.name}.reason.txt"), "w") as out:
            out.write(f"{remote_file.name}: {reason}\n".encode())
        self._settle(remote_file, folder)

    def _settle(self, remote_file: RemoteFile, folder: str) -> None:
        """Move the file (and its marker) to ``folder``; retire a manifest with nothing left."""
        self._ensure_folder(folder)
        for name in filter(None, (remote_file.name, remote_file.marker)):
            self.move_remote(self._remote(name), self._remote(folder, name))
        if remote_file.manifest is not None:
            present = set(self._sftp.listdir(self.remote_dir))
            with self._sftp.open(self._remote(remote_file.manifest), "r") as handle:
                listed = parse_manifest(handle.read().decode("utf-8"))
            if not present & set(listed):
                done = str(self.settings.get("done_folder", "done"))
                self._ensure_folder(done)
                self.move_remote(
                    self._remote(remote_file.manifest), self._remote(done, remote_file.manifest)
                )

    def _ensure_folder(self, folder: str) -> None:
        try:
            self._sftp.stat(self._remote(folder))
        except FileNotFoundError:
            self._sftp.mkdir(self._remote(folder))

    def move_remote(self, source: str, target: str) -> None:
        """Rename on the server, replacing ``target`` where the server allows it (OpenSSH does)."""
        try:
            self._sftp.posix_rename(source, target)
        except OSError:
            self._sftp.rename(source, target)

    # -- push ------------------------------------------------------------------------------

    def push(self, message: OutboundMessage) -> Receipt:
        """Upload to ``name.part``, check its size on the server, then rename it into place."""
        name = (
            message.headers.get("file_name") or f"{message.message_type}_{message.idempotency_key}"
        )
        folder = str(self.settings.get("upload_dir", self.remote_dir))
        target = posixpath.join(folder, name)
        part = f"{target}.part"
        with translated(f"{self.where}: upload {target}"):
            sftp = self._connect()
            with sftp.open(part, "wb") as handle:
                handle.set_pipelined(True)
                for start in range(0, len(message.payload), CHUNK_BYTES):
                    handle.write(message.payload[start : start + CHUNK_BYTES])
            size = int(sftp.stat(part).st_size or 0)
            if size != len(message.payload):
                sftp.remove(part)
                raise RetryLater(
                    f"{self.where}: {part} has {size} bytes after upload, sent {len(message.payload)}"
                )
            self.move_remote(part, target)
        return Receipt(accepted=True, remote_id=target, detail=f"{size} bytes")
