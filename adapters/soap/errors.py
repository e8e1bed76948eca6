"""The one boundary where zeep, requests and xmlsec exceptions become the hub's error families.

    Fault soap:Server / Receiver        → RemoteUnavailable (retry later)
    Fault soap:Client / Sender          → ConfigurationError on fetch (our request is wrong),
                                          DataError on push (the message is wrong)
    Fault wsse:FailedAuthentication ... → AuthenticationFailed (credentials, certificates)
    HTTP 5xx, timeouts, refused sockets,
    an answer cut off mid-body           → RemoteUnavailable
    a DTD, entities, malformed XML      → ParseError (the page is refused, nothing fetched)
    a response signature that fails    → ConfigurationError (wrong peer certificate, or
                                          tampering: either way an operator must look)

Every message is masked with the channel's secret values before it leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from adapters.secrets import mask
from hub.errors import (
    AuthenticationFailed,
    ConfigurationError,
    DataError,
    HubError,
    ParseError,
    RemoteUnavailable,
)

# WS-Security 1.0 fault codes (OASIS WSS SOAP Message Security, table 4 and 5).
SECURITY_FAULTS = frozenset(
    {
        "UnsupportedSecurityToken",
        "UnsupportedAlgorithm",
        "InvalidSecurity",
        "InvalidSecurityToken",
        "FailedAuthentication",
        "FailedCheck",
        "SecurityTokenUnavailable",
        "MessageExpired",
    }
)


@contextmanager
def soap_errors(where: str, secrets: set[str], *, pushing: bool = False) -> Iterator[None]:
    """Translate what a SOAP call raises, keeping the cause; ``where`` names channel and call."""
    from zeep import exceptions as zeep_errors

    try:
        yield
    except HubError:
        raise
    except zeep_errors.Fault as exc:
        code = (exc.code or "").rpartition(":")[2].rpartition("}")[2]
        text = mask(f"{where}: SOAP fault {exc.code}: {exc.message}", secrets)
        if code in SECURITY_FAULTS:
            raise AuthenticationFailed(f"{text} (check the channel's credentials)") from exc
        if code in ("Server", "Receiver"):
            raise RemoteUnavailable(text) from exc
        if pushing:
            raise DataError(text) from exc
        raise ConfigurationError(text) from exc
    except (
        zeep_errors.DTDForbidden,
        zeep_errors.EntitiesForbidden,
        zeep_errors.ExternalReferenceForbidden,
    ) as exc:
        raise ParseError(
            mask(f"{where}: response refused, it declares a DTD or entities: {exc}", secrets)
        ) from exc
    except zeep_errors.SignatureVerificationFailed as exc:
        raise AuthenticationFailed(
            f"{where}: the response's WS-Security signature does not verify against "
            "adapter.signature.server_cert_file (wrong certificate or a tampered message)"
        ) from exc
    except zeep_errors.TransportError as exc:
        text = mask(f"{where}: HTTP {exc.status_code}: {exc.message[:300]}", secrets)
        if exc.status_code >= 500 or exc.status_code in (408, 429):
            raise RemoteUnavailable(text) from exc
        if exc.status_code in (200, 0):
            raise ParseError(text) from exc
        raise ConfigurationError(text) from exc
    except (zeep_errors.XMLSyntaxError, zeep_errors.XMLParseError) as exc:
        raise ParseError(mask(f"{where}: response is not valid SOAP: {exc}", secrets)) from exc
    except zeep_errors.ValidationError as exc:
        text = mask(f"{where}: {exc}", secrets)
        raise (DataError(text) if pushing else ConfigurationError(text)) from exc
    except (
        requests.Timeout,
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
    ) as exc:
        raise RemoteUnavailable(mask(f"{where}: {type(exc).__name__}: {exc}", secrets)) from exc
