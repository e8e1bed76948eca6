"""Asking the national system what other regions and State Council departments hold about
an entity (跨地区、跨部门监管数据), on request.

The answer is shown, not stored: it is another authority's data, asked for one case, and the
national system stays its source. The call goes through the push's signed REST adapter.
"""

from __future__ import annotations

from typing import Any

from hub.errors import DataError
from hub.national.config import NationalConfig, load_config, open_adapter
from standards.codes.uscc import uscc_passes


def pull_entity(uscc: str, config: NationalConfig | None = None) -> list[dict[str, Any]]:
    """The records about ``uscc`` held outside the province, oldest first."""
    code = uscc.strip().upper()
    if not uscc_passes(code):
        raise DataError(f"{uscc!r} is not a valid 统一社会信用代码")
    settings = config or load_config()
    with open_adapter(settings) as adapter:
        path = settings.paths["entity_records"].format(uscc=code)
        response = adapter.request("GET", adapter.base_url + path)
    try:
        rows = response.json()["data"]["rows"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"the national system answered {path} without data.rows") from exc
    return [row for row in rows if isinstance(row, dict)]
