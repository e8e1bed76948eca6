"""zeep pieces, imported only once a SOAP channel runs: a transport that never fetches a WSDL
or XSD at run time, hardened parser settings, and WS-Security with a peer's certificate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
from lxml import etree
from zeep import Client, Settings, Transport
from zeep.wsse.signature import MemorySignature, _make_verify_key, _verify_envelope_with_key
from zeep.wsse.username import UsernameToken

from hub.errors import ConfigurationError

# Never expand entities, accept a DTD or follow a reference out of the WSDL folder.
SAFE_SETTINGS = Settings(
    strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False
)


class LocalOnlyTransport(Transport):
    """Serves WSDL and XSD from files under ``root`` only; calls still go over HTTP.

    A WSDL that imports ``http://...`` would make every start depend on (and trust) a remote
    server; such a load is refused, naming the reference, so the file is copied to
    ``standards/wsdl`` instead.
    """

    def __init__(self, root: Path, *, timeout: float, verify: bool | str) -> None:
        session = requests.Session()
        session.verify = verify
        super().__init__(session=session, timeout=timeout, operation_timeout=timeout)
        self.root = root.resolve()

    def load(self, url: str) -> bytes:
        if urlparse(url).scheme not in ("",):
            raise ConfigurationError(
                f"WSDL/XSD {url} would be fetched at run time: keep it under {self.root}"
            )
        path = Path(url).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ConfigurationError(f"WSDL/XSD {path} is not a file under {self.root}")
        return path.read_bytes()


class PeerSignature(MemorySignature):
    """Signs with our key and verifies answers with the server's certificate.

    zeep's ``Signature`` verifies with our own certificate, which only works when both sides
    share one key pair.
    """

    def __init__(self, key_data: bytes, cert_data: bytes, peer_cert: bytes, password: str | None):
        super().__init__(key_data, cert_data, password)
        self.peer_cert = peer_cert

    def verify(self, envelope: etree._Element) -> etree._Element:
        _verify_envelope_with_key(envelope, _make_verify_key(self.peer_cert))
        return envelope


class SecurityHeaders:
    """Several WS-Security parts applied in order and each verified on the answer.

    zeep applies a list of parts but verifies an answer only with a single object.
    """

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def apply(self, envelope: etree._Element, headers: dict[str, str]) -> tuple[Any, Any]:
        for part in self.parts:
            envelope, headers = part.apply(envelope, headers)
        return envelope, headers

    def verify(self, envelope: etree._Element) -> etree._Element:
        for part in self.parts:
            part.verify(envelope)
        return envelope


def security(
    username_token: dict[str, Any] | None,
    signature: dict[str, Path | str | None] | None,
    extra: Sequence[Any] = (),
) -> SecurityHeaders | None:
    """The WS-Security headers for the channel: a UsernameToken, then the signature over it,
    then ``extra`` parts (zeep ``apply``/``verify`` objects) a caller adds, such as
    ``hub.national.soap_signing.BatchSignature``: last, so that they see the final Body."""
    headers: list[Any] = []
    if username_token:
        headers.append(
            UsernameToken(
                username_token["username"],
                username_token["password"],
                use_digest=bool(username_token.get("digest", True)),
            )
        )
    if signature:
        import xmlsec  # only signing channels need libxmlsec1

        password = signature.get("key_password")
        secret = str(password) if password else None
        try:
            key, cert, peer = (
                Path(str(signature[name])).read_bytes()
                for name in ("key_file", "cert_file", "server_cert_file")
            )
            xmlsec.Key.from_memory(key, xmlsec.constants.KeyDataFormatPem, secret)
            xmlsec.Key.from_memory(peer, xmlsec.constants.KeyDataFormatCertPem, None)
        except (OSError, xmlsec.Error) as exc:
            raise ConfigurationError(
                f"adapter.signature: cannot load key or certificate: {exc}"
            ) from exc
        headers.append(PeerSignature(key, cert, peer, secret))
    headers.extend(extra)
    return SecurityHeaders(headers) if headers else None


def build_client(
    wsdl: Path,
    root: Path,
    *,
    url: str,
    timeout: float,
    verify: bool | str,
    wsse: SecurityHeaders | None,
) -> tuple[Client, Any]:
    """A zeep client on the local WSDL and its service bound to ``url``."""
    transport = LocalOnlyTransport(root, timeout=timeout, verify=verify)
    client = Client(str(wsdl), transport=transport, settings=SAFE_SETTINGS, wsse=wsse)
    binding = next(iter(client.wsdl.bindings))
    return client, client.create_service(binding, url)


def call(
    client: Client, service: Any, operation: str, arguments: dict[str, Any]
) -> tuple[Any, bytes]:
    """Call ``operation``; return zeep's reading of the answer and the answer's raw bytes.

    The raw bytes are what the hub stores; zeep still reads them first, so faults, bad
    signatures and refused DTDs raise before anything is handed over.
    """
    with client.settings(raw_response=True):
        response = getattr(service, operation)(**arguments)
    binding = service._binding
    result = binding.process_reply(client, binding.get(operation), response)
    return result, bytes(response.content)
