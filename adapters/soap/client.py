"""The SOAP adapter: paged fetch and idempotent push against a WSDL kept in ``standards/``.

    adapter:
      type: soap
      wsdl: wsdl/platform_12315/platform_12315.wsdl    # under standards/, never fetched
      url: https://12315.example.gov.cn/ws/12315
      username_token: {username: hub, password: "${HUB_12315_PASSWORD}"}
      fetch: {operation: GetComplaints, message: complaints}
      push: {operation: SubmitHandlingResult}

``fetch`` asks for everything updated after the cursor, page by page; each page's raw SOAP
response is one arrival (nothing parsed for the pipeline), and the cursor after a page is
``<updatedSince>|<page>`` so a crash resumes at the next page; the last page moves the
cursor to the newest ``updatedAt`` seen, page 0. ``push`` sends a JSON message's fields as
the operation's arguments plus the idempotency key, and reads the receipt from the answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import standards
from adapters.base import Adapter, FetchedBatch, OutboundMessage, Receipt
from adapters.registry import register_adapter
from adapters.retry import RetryPolicy
from adapters.secrets import secret_values
from adapters.soap.errors import soap_errors
from hub.errors import ConfigurationError, DataError, RemoteUnavailable
from hub.exchange.envelopes import Arrival

STANDARDS_ROOT = Path(standards.__file__).resolve().parent
WSDL_ROOT = STANDARDS_ROOT / "wsdl"


@register_adapter
class SoapAdapter(Adapter):
    """A SOAP 1.1 service through zeep, with WS-Security as the channel declares it."""

    name = "soap"
    capabilities = frozenset({"fetch", "push", "paginate", "incremental", "idempotent_push"})
    config_schema = "config/adapters/soap.json"
    url_setting = "url"
    extra_security: tuple[Any, ...] = ()
    """WS-Security parts applied after the channel's own (set before the first call): the
    national push adds the province's ``BatchSignature`` here, as it adds ``SignedAuth`` to
    the REST adapter."""

    @cached_property
    def _secrets(self) -> set[str]:
        return secret_values(self.channel.adapter)

    def _path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.channel.path.parent / path

    @cached_property
    def _zeep(self) -> tuple[Any, Any]:
        from adapters.soap.transport import build_client, security

        signature = self.settings.get("signature")
        if signature:
            signature = {
                **signature,
                **{
                    name: self._path(signature[name])
                    for name in ("key_file", "cert_file", "server_cert_file")
                },
            }
        wsdl = (STANDARDS_ROOT / self.settings["wsdl"]).resolve()
        if not wsdl.is_relative_to(WSDL_ROOT) or not wsdl.is_file():
            raise ConfigurationError(
                f"{self.channel.path}: adapter.wsdl {self.settings['wsdl']!r} is not a file "
                f"under {WSDL_ROOT}"
            )
        with soap_errors(f"channel {self.channel.name}: loading {wsdl.name}", self._secrets):
            return build_client(
                wsdl,
                WSDL_ROOT,
                url=self.settings["url"],
                timeout=float(self.settings.get("timeout_seconds", 30)),
                verify=self.settings.get("verify_tls", True),
                wsse=security(self.settings.get("username_token"), signature, self.extra_security),
            )

    @cached_property
    def _retry(self) -> RetryPolicy:
        return RetryPolicy.from_settings(self.settings, attempts=1)

    def _call(
        self, operation: str, arguments: dict[str, Any], *, pushing: bool
    ) -> tuple[Any, bytes]:
        """One call, tried again (``adapter.retry``) while the remote cannot answer now: a
        ``soap:Server`` fault, HTTP 5xx, 408 or 429, a timeout or a dropped connection. Safe,
        since fetches and lookups change nothing and a push carries its idempotency key."""
        from adapters.soap.transport import call

        client, service = self._zeep
        where = f"channel {self.channel.name}: {operation}"
        attempt = 0
        while True:
            attempt += 1
            try:
                with soap_errors(where, self._secrets, pushing=pushing):
                    return call(client, service, operation, arguments)
            except RemoteUnavailable as failure:
                wait = self._retry.wait(attempt, failure.retry_after)
                if wait is None:
                    raise
                time.sleep(wait)

    def query(self, operation: str, arguments: dict[str, Any]) -> tuple[Any, bytes]:
        """Call ``operation``, which changes nothing remote (a lookup): its result as zeep
        reads it and the raw answer, faults and transport errors translated as ``fetch``
        translates them."""
        return self._call(operation, arguments, pushing=False)

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        spec: dict[str, Any] = self.settings.get("fetch") or {}
        if not spec:
            return super().fetch(cursor)
        return self._pages(spec, cursor)

    def _pages(self, spec: dict[str, Any], cursor: str | None) -> Iterator[FetchedBatch]:
        operation = spec.get("operation", "GetComplaints")
        message = spec.get("message") or self.channel.messages[0].name
        since_text, _, done = (cursor or "").partition("|")
        try:
            since = datetime.fromisoformat(since_text) if since_text else None
            page = int(done or 0) + 1
        except ValueError:
            raise ConfigurationError(
                f"channel {self.channel.name}: cursor {cursor!r} is not <updatedSince>|<page>"
            ) from None
        newest = since
        while True:
            arguments = {
                spec.get("since_parameter", "updatedSince"): since,
                spec.get("page_parameter", "page"): page,
            }
            result, raw = self._call(operation, arguments, pushing=False)
            newest = max([newest, *_updated_times(result, spec)], key=_sort_key)
            more = bool(getattr(result, spec.get("more_field", "hasMore"), False))
            position = f"{since.isoformat() if since else ''}|{page}"
            arrival = Arrival(
                self.channel.name,
                message,
                raw,
                remote_id=f"{operation}:{position}",
                offset=position,
                content_type="text/xml",
            )
            if more:
                yield FetchedBatch([arrival], cursor=position)
                page += 1
                continue
            final = f"{newest.isoformat()}|0" if newest else None
            yield FetchedBatch([arrival], cursor=final)
            return

    def push(self, message: OutboundMessage) -> Receipt:
        spec: dict[str, Any] = self.settings.get("push") or {}
        if not spec:
            return super().push(message)
        try:
            arguments = json.loads(message.payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{message.message_type}: payload is not a JSON object: {exc}") from exc
        if not isinstance(arguments, dict):
            raise DataError(f"{message.message_type}: payload is not a JSON object")
        arguments[spec.get("key_parameter", "idempotencyKey")] = message.idempotency_key
        result, raw = self._call(
            spec.get("operation", "SubmitHandlingResult"), arguments, pushing=True
        )
        duplicate = bool(getattr(result, spec.get("duplicate_field", "duplicate"), False))
        return Receipt(
            accepted=bool(getattr(result, spec.get("accepted_field", "accepted"), False)),
            remote_id=getattr(result, spec.get("receipt_field", "receiptNumber"), None),
            detail="duplicate: the remote had this key already" if duplicate else "",
            raw=raw,
        )


def _updated_times(result: Any, spec: dict[str, Any]) -> list[datetime]:
    """The ``updatedAt`` of every record on a page (records missing it are skipped)."""
    container = getattr(result, spec.get("records_field", "complaints"), None)
    records = getattr(container, spec.get("record_field", "complaint"), None) or []
    field = spec.get("updated_field", "updatedAt")
    return [
        value for record in records if isinstance(value := getattr(record, field, None), datetime)
    ]


def _sort_key(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("-inf")
