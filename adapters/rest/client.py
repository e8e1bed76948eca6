"""The REST adapter: paged, incremental JSON pulls and idempotent pushes over HTTP(S).

    adapter:
      type: rest
      url: "${HUB_HOTLINE_12345_URL}"
      path: /api/workorders
      records: /data/rows
      pagination: {style: page, page_size: 200}
      incremental: {updated_field: 更新时间, id_field: 工单编号, timezone: "+08:00"}
      auth: {type: api_key, header: X-API-Key, key: "${HUB_HOTLINE_12345_KEY}"}

Each page is one ``FetchedBatch`` of one ``Arrival`` (the page's bytes, ``remote_id`` the page
URL) with the watermark after that page as cursor, so a run cut short resumes after the last
stored page. Connection errors, 429 and 5xx are retried with exponential backoff and jitter,
or after the ``Retry-After`` the remote asks for; other 4xx fail at once.

A remote that serves a channel's messages at several paths is pulled as ``collections``, in
order, in one fetch; each entry names its message and path and may override ``records``,
``params``, ``pagination`` and ``incremental`` (taken whole, not merged)::

    records: /data/rows
    pagination: {style: page, page_size: 50}
    incremental: {updated_field: 更新时间, id_field: 法规编号, timezone: "+08:00"}
    collections:
      - {message: laws, path: /api/laws}
      - message: law_articles
        path: /api/articles
        incremental: {updated_field: 更新时间, id_field: 条文编号, timezone: "+08:00"}

The channel cursor then holds every collection's watermark as a JSON object by message
(``paging.Positions``); a plain watermark left by the single-collection form is the first
collection's. Pushes go to ``push.paths[message_type]``, else ``push.path``, so one channel
can publish several kinds of message to the paths the remote takes each at.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from adapters.base import Adapter, FetchedBatch, OutboundMessage, Receipt
from adapters.registry import register_adapter
from adapters.rest.auth import OAuth2ClientCredentials, build_auth
from adapters.rest.errors import error_for_response, translating
from adapters.rest.paging import Collection, Positions, json_pointer
from adapters.retry import RetryPolicy
from adapters.secrets import mask, secret_values
from hub.errors import ConfigurationError, DataError, RemoteUnavailable
from hub.exchange.channels import ChannelConfig
from hub.exchange.envelopes import Arrival

log = logging.getLogger(__name__)


@register_adapter
class RestAdapter(Adapter):
    """HTTP(S) JSON endpoints; settings in ``standards/schemas/config/adapters/rest.json``."""

    name = "rest"
    capabilities = frozenset({"fetch", "push", "paginate", "incremental"})
    config_schema = "config/adapters/rest.json"
    url_setting = "url"

    def __init__(self, channel: ChannelConfig, settings: Mapping[str, Any]) -> None:
        super().__init__(channel, settings)
        self._secrets = secret_values(channel.adapter.get("auth", {}))
        self.base_url = str(settings["url"]).rstrip("/")
        timeout = settings.get("timeout", {})
        self.timeout = (float(timeout.get("connect", 5)), float(timeout.get("read", 30)))
        self.retry = RetryPolicy.from_settings(settings, attempts=5)
        self.session = requests.Session()
        self.session.verify = self._verify()
        self.session.headers.update(settings.get("headers", {}))
        self.auth = build_auth(settings.get("auth"), self._fetch_token)
        self.collections = self._collections()

    def _collections(self) -> tuple[Collection, ...]:
        """What a fetch pulls, in order: ``collections``, or the one collection the top-level
        settings describe. Every message must be the channel's, and each pulled once (its
        watermark is one entry of the cursor); refused here rather than on the first page."""
        listed = self.settings.get("collections") or [
            {"message": self.settings.get("message") or self.channel.messages[0].name}
        ]
        collections = tuple(Collection.from_settings(self.settings, own) for own in listed)
        seen: set[str] = set()
        for collection in collections:
            self.channel.message(collection.message)  # UnknownNameError names it
            if collection.message in seen:
                raise ConfigurationError(
                    f"{self.channel.path}: adapter.collections pulls message "
                    f"{collection.message!r} twice; each message has one watermark"
                )
            seen.add(collection.message)
        return collections

    def _verify(self) -> bool | str:
        bundle = self.settings.get("ca_bundle")
        if bundle:
            path = Path(bundle)
            return str(path if path.is_absolute() else self.channel.path.parent / path)
        return bool(self.settings.get("verify_tls", True))

    @property
    def secrets(self) -> set[str]:
        """Values never to show: the channel's auth secrets and the current bearer token."""
        token = self.auth.token if isinstance(self.auth, OAuth2ClientCredentials) else None
        return self._secrets | ({token} if token else set())

    def request(
        self,
        method: str,
        url: str,
        *,
        auth: AuthBase | None = None,
        accept_client_errors: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        """One call with retries; 4xx other than 401/403/429 returned when accepted."""
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            try:
                with translating(f"{method} {url}", self.secrets):
                    response = self.session.request(
                        method, url, auth=auth or self.auth, timeout=self.timeout, **kwargs
                    )
            except RemoteUnavailable as exc:
                failure = exc
            else:
                status = response.status_code
                token_auth = self.auth if auth is None else None
                if (
                    status == 401
                    and isinstance(token_auth, OAuth2ClientCredentials)
                    and not refreshed
                ):
                    refreshed = True  # the token expired early: fetch a new one, once
                    token_auth.forget()
                    attempt -= 1
                    continue
                if status < 400 or (
                    accept_client_errors and status < 500 and status not in (401, 403, 429)
                ):
                    return response
                if status in (429, 503) and "Retry-After" not in response.headers:
                    self.observations["retry_after_missing"] += 1
                error = error_for_response(response, self.secrets)
                if not isinstance(error, RemoteUnavailable):
                    raise error
                failure = error
            self.observations["retried"] += 1
            wait = self.retry.wait(attempt, failure.retry_after)
            if wait is None:
                raise failure
            time.sleep(wait)

    def _fetch_token(self) -> Mapping[str, Any]:
        auth = self.settings["auth"]
        data = {"grant_type": "client_credentials"}
        if auth.get("scope"):
            data["scope"] = str(auth["scope"])
        client = HTTPBasicAuth(str(auth["client_id"]), str(auth["client_secret"]))
        response = self.request("POST", str(auth["token_url"]), auth=client, data=data)
        try:
            answer = response.json()
        except ValueError as exc:
            raise ConfigurationError(f"{response.url}: token answer is not JSON") from exc
        return answer if isinstance(answer, dict) else {}

    def fetch(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Each collection's pages after its committed watermark, collection after collection,
        each page with the channel cursor after it (every collection's watermark)."""
        positions = Positions.parse(
            cursor, self.collections[0].message, plain="collections" not in self.settings
        )
        for collection in self.collections:
            yield from self._pull(collection, positions)

    def _pull(self, collection: Collection, positions: Positions) -> Iterator[FetchedBatch]:
        """One collection's pages, advancing its watermark in ``positions`` page by page."""
        incremental = collection.incremental
        watermark = positions.watermark(collection.message) if incremental else None
        since = watermark
        url = self.base_url + collection.path
        params: dict[str, str] = {
            **collection.params,
            **(incremental.params(watermark) if incremental else {}),
            **collection.pagination.first(),
        }
        while True:
            response = self.request("GET", url, params=params)
            payload = response.content
            try:
                document = json.loads(payload)
            except ValueError:
                document = None  # passed on whole: the pipeline quarantines it; no next page
            found = json_pointer(document, collection.records)
            records = found if isinstance(found, list) else []
            kept = records
            if incremental:
                kept, watermark, late = incremental.select(records, watermark, since=since)
                if late:  # the remote broke its (updated, id) order: a resumed run may miss
                    self.observations["records_out_of_order"] += late
                    log.warning("%s: %d records came out of (updated, id) order", url, late)
                if len(kept) < len(records):
                    payload = _with_records(document, collection.records, kept)
                if watermark:
                    positions.advance(collection.message, watermark)
            arrival = Arrival(
                self.channel.name,
                collection.message,
                payload,
                remote_id=mask(response.url, self.secrets),
                content_type=response.headers.get("Content-Type", ""),
            )
            yield FetchedBatch(
                [arrival] if kept or document is None else [], cursor=positions.cursor()
            )
            following = (
                None
                if document is None
                else collection.pagination.following(params, document, len(records), response.links)
            )
            if following is None:
                return
            next_url, params = following
            url = next_url or url

    def push(self, message: OutboundMessage) -> Receipt:
        """POST (or ``push.method``) the payload with its ``Idempotency-Key`` to the path of
        its message type."""
        push = self.settings.get("push")
        if not push:
            raise ConfigurationError(f"channel {self.channel.name!r} has no adapter.push")
        template = self._push_path(push, message.message_type)
        try:
            fields = json.loads(message.payload) if "json" in message.content_type else {}
            path = template.format_map(fields if isinstance(fields, dict) else {})
        except (ValueError, KeyError) as exc:
            raise DataError(f"{message.message_type}: cannot fill push path: {exc}") from exc
        headers = {
            "Content-Type": message.content_type,
            **message.headers,
            "Idempotency-Key": message.idempotency_key,
        }
        pointer = str(push.get("receipt_id_pointer", "/receipt_id"))
        attempt = 0
        while True:
            attempt += 1
            response = self.request(
                str(push.get("method", "POST")),
                self.base_url + path,
                data=message.payload,
                headers=headers,
                accept_client_errors=True,
            )
            try:
                answer = response.json()
            except ValueError:
                answer = None
            remote_id = json_pointer(answer, pointer)
            if not response.ok or remote_id is not None or "receipt_id_pointer" not in push:
                break
            # Accepted, yet no receipt where the channel says one always is: an answer cut off
            # on its way (http.client takes a status line alone for a whole answer). The same
            # Idempotency-Key again gets the receipt the remote kept.
            self.observations["receipt_missing"] += 1
            wait = self.retry.wait(attempt)
            if wait is None:
                raise RemoteUnavailable(
                    f"channel {self.channel.name!r}: {path} accepted the push but its answer "
                    f"carried no receipt at {pointer} ({attempt} tries)"
                )
            time.sleep(wait)
        return Receipt(
            accepted=response.ok,
            remote_id=None if remote_id is None else str(remote_id),
            detail=mask(f"HTTP {response.status_code}: {response.text[:200]}", self.secrets),
            raw=response.content,
        )

    def _push_path(self, push: Mapping[str, Any], message_type: str) -> str:
        """``push.paths[message_type]``, else ``push.path``; a message type with neither is a
        configuration error, not a guess at where the remote wants it."""
        path = push.get("paths", {}).get(message_type, push.get("path"))
        if path is None:
            raise ConfigurationError(
                f"channel {self.channel.name!r}: no push path for message type "
                f"{message_type!r} (adapter.push.paths has none and there is no push.path)"
            )
        return str(path)

    def close(self) -> None:
        self.session.close()


def _with_records(document: Any, pointer: str, records: list[Any]) -> bytes:
    """The page re-encoded with only ``records`` at ``pointer`` (boundary records dropped)."""
    if not pointer:
        return json.dumps(records, ensure_ascii=False).encode()
    *parents, last = pointer.split("/")[1:]
    parent = json_pointer(document, "/" + "/".join(parents)) if parents else document
    parent[last.replace("~1", "/").replace("~0", "~")] = records
    return json.dumps(document, ensure_ascii=False).encode()
