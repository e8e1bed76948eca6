"""The Excel (xlsx) parser: row by row under the header, cells as CSV text, each record's raw
bytes its cells, and a broken workbook one error that stands for the rest."""

from __future__ import annotations

import io
import json
from datetime import datetime

from openpyxl import Workbook

from hub.exchange.parsers import parse_records
from hub.mapping.spec import SourceSpec

XLSX = SourceSpec(format="xlsx", encoding="auto", schema=None, records=None, delimiter=",")


def _workbook(*rows: list[object], sheet: str = "清单", before: str | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    if before is not None:
        workbook.create_sheet(before).append(["other"])
    target = workbook.create_sheet(sheet)
    for row in rows:
        target.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _OneWay(io.RawIOBase):
    """A stream that cannot seek, as a replayed envelope is."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_rows_become_records_of_text_with_their_cells_as_raw_bytes() -> None:
    data = _workbook(
        [],
        ["事项编码", "事项名称", "版本", "更新时间", None],
        [34010100010000, "对培训机构的检查", 2.0, datetime(2026, 6, 20, 10, 0), None],
        [None, None, None, None, None],
        ["00010100010000", " 前后空格 ", 1.5, None, None],
    )
    records = list(parse_records(io.BytesIO(data), XLSX))
    assert [r.position for r in records] == [1, 2]
    assert records[0].data == {
        "事项编码": "34010100010000",
        "事项名称": "对培训机构的检查",
        "版本": "2",
        "更新时间": "2026-06-20 10:00:00",
    }
    assert records[1].data["事项编码"] == "00010100010000"
    assert records[1].data["事项名称"] == "前后空格"
    assert records[1].data["版本"] == "1.5"
    assert json.loads(records[0].raw) == records[0].data


def test_a_value_under_no_header_is_an_error_of_its_row_only() -> None:
    data = _workbook(["a", "b"], ["1", "2", "stray"], ["3", "4"])
    records = list(parse_records(io.BytesIO(data), XLSX))
    assert records[0].error == "value(s) in column(s) [3] under no header"
    assert json.loads(records[0].raw) == {"a": "1", "b": "2"}
    assert records[1].data == {"a": "3", "b": "4"} and records[1].error is None


def test_a_named_sheet_a_non_seekable_stream_and_broken_files() -> None:
    data = _workbook(["a"], ["x"], sheet="权力清单", before="说明")
    named = SourceSpec("xlsx", "auto", None, "权力清单", ",")
    one_way = io.BufferedReader(_OneWay(data))
    assert not one_way.seekable()
    assert [r.data for r in parse_records(one_way, named)] == [{"a": "x"}]
    missing = SourceSpec("xlsx", "auto", None, "没有", ",")
    assert "no sheet '没有'" in (next(iter(parse_records(io.BytesIO(data), missing))).error or "")
    broken = list(parse_records(io.BytesIO(b"PK\x03\x04 not really a zip"), XLSX))
    assert len(broken) == 1 and "not a readable Excel workbook" in (broken[0].error or "")
    repeated = list(parse_records(io.BytesIO(_workbook(["a", "a"], ["1", "2"])), XLSX))
    assert repeated[0].error == "header repeats column(s) ['a']"
    empty = list(parse_records(io.BytesIO(_workbook()), XLSX))
    assert empty[0].error == "empty sheet: no header row"
