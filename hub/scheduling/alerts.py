"""Alerts of failed Airflow tasks: one JSON post (dag, task, run, error) to a webhook.

The webhook is the channel file's ``alert_webhook``, else ``HUB_ALERT_WEBHOOK``: a URL or an
``${ENV}`` reference, resolved when the alert is sent and never when the DAG file is parsed,
so a webhook carrying a token is read only by the worker that posts. The callback runs once a
task has failed for good (its retries spent, or failed without retry), not on each retry.

Sending is best effort: a webhook that is missing or down is logged, never raised, so that it
cannot hide the task's own error. This module is imported by the DAG files; what it needs to
send is imported only when it sends.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from hub.errors import ConfigurationError, HubError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


def failure_alert(webhook: str | None) -> Callable[[Mapping[str, Any]], None]:
    """An ``on_failure_callback`` posting to ``webhook`` (None: the hub-wide one)."""

    def alert(context: Mapping[str, Any]) -> None:
        send_alert(webhook, alert_payload(context))

    return alert


def alert_payload(context: Mapping[str, Any]) -> dict[str, Any]:
    """What failed, from the callback's context; ``error_type`` names the hub error when one
    was raised, or wrapped into the ``AirflowFailException`` that failed the task."""
    instance = context["ti"]
    error = context.get("exception")
    return {
        "dag": instance.dag_id,
        "task": instance.task_id,
        "run": instance.run_id,
        "try_number": instance.try_number,
        "error": str(error) if error is not None else "",
        "error_type": type(_hub_error(error)).__name__ if error is not None else None,
    }


def _hub_error(error: BaseException) -> BaseException:
    for candidate in (error, error.__cause__):
        if isinstance(candidate, HubError):
            return candidate
    return error


def send_alert(webhook: str | None, payload: Mapping[str, Any]) -> None:
    """Post ``payload`` as JSON to ``webhook``, else to ``HUB_ALERT_WEBHOOK``."""
    from urllib.request import Request, urlopen

    from adapters.secrets import resolve
    from hub.settings import get_settings

    try:
        reference = webhook or get_settings().alert_webhook
        if not reference:
            log.warning("no alert webhook configured; %s failed: %s", payload["dag"], payload)
            return
        url = str(resolve(reference, where="alert_webhook"))
    except ConfigurationError as exc:
        log.error("alert of %s not sent: %s", payload["dag"], exc)
        return
    if not url.startswith(("http://", "https://")):
        log.error("alert of %s not sent: %s is not an http(s) URL", payload["dag"], reference)
        return
    request = Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS):
            pass
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        log.error("alert of %s to %s not delivered: %s", payload["dag"], reference, exc)
