"""Streaming parsers: bytes in, one ``SourceRecord`` per record out, never a whole file in memory.

Formats: CSV, JSON, JSON Lines, XML and Excel (xlsx, read with openpyxl in read-only mode,
row by row; a non-seekable stream is spooled to a temporary file first, since a workbook is
a zip archive).

Each record keeps its raw bytes so that a record failing any later step can be quarantined
exactly as it arrived. A problem with one record (bad bytes, wrong column count) becomes an
error on that record; a problem with the file as a whole (empty, no header, a DTD, broken XML)
becomes one error record that stands for the rest of the file, so the counts still balance.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

from lxml import etree

from hub.mapping.paths import follow, pointer_parts
from hub.mapping.spec import SourceSpec

SNIFF_BYTES = 64 * 1024
# A CSV record (a quoted field may span lines) longer than this is an unterminated quote.
MAX_CSV_RECORD = 1024 * 1024
MAX_JSON_DOCUMENT = 64 * 1024 * 1024


@dataclass(slots=True)
class SourceRecord:
    """One record as read: its 1-based position, raw bytes, parsed data or the parse error."""

    position: int
    raw: bytes
    data: Any = None
    node: Any = None
    error: str | None = None


def looks_like_utf8(sample: bytes) -> bool:
    """True when ``sample`` is UTF-8, allowing a few bad bytes (one broken row must not turn
    a whole file into GBK mojibake). GBK text read as UTF-8 fails on most of its characters
    (about three bad sequences to one that happens to decode), so UTF-8 is taken when its
    valid non-ASCII characters outnumber the bad sequences four to one."""
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=False)
    bad = text.count("\ufffd")
    if not bad:
        return True
    valid = sum(1 for char in text if char > "\x7f") - bad
    return valid >= 4 * bad


def detect_encoding(sample: bytes, declared: str) -> tuple[str, int]:
    """Return (codec, bytes of BOM to skip). ``auto`` tells UTF-8 from GBK by decoding.

    The bytes win over a declared GBK, as a BOM does: non-ASCII text that reads as UTF-8 is
    practically never GBK, and decoding UTF-8 as GB18030 stores mojibake without an error.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    if declared in ("gbk", "gb18030"):
        return ("utf-8" if not sample.isascii() and looks_like_utf8(sample) else "gb18030"), 0
    if declared != "auto":
        return declared, 0
    return ("utf-8" if looks_like_utf8(sample) else "gb18030"), 0


def parse_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    """Dispatch on the mapping's declared format."""
    if source.format == "csv":
        return _csv_records(stream, source)
    if source.format == "jsonl":
        return _jsonl_records(stream, source)
    if source.format == "json":
        return _json_records(stream, source)
    if source.format == "xlsx":
        return _xlsx_records(stream, source)
    return _xml_records(stream, source)


def _file_error(position: int, message: str, raw: bytes = b"") -> SourceRecord:
    return SourceRecord(position=position, raw=raw, error=message)


def _peek(stream: IO[bytes]) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(SNIFF_BYTES)[:SNIFF_BYTES])
    position = stream.tell()
    sample = stream.read(SNIFF_BYTES)
    stream.seek(position)
    return sample


def _csv_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    encoding, bom = detect_encoding(_peek(stream), source.encoding)
    if encoding == "utf-16":
        yield _file_error(1, "UTF-16 files are not supported: send UTF-8 or GBK")
        return
    stream.read(bom)
    delimiter = source.delimiter
    lines = iter(stream)
    header_bytes = next(lines, b"")
    if not header_bytes.strip():
        yield _file_error(1, "empty file: no header line", header_bytes)
        return
    try:
        header = next(
            csv.reader([header_bytes.decode(encoding).rstrip("\r\n")], delimiter=delimiter)
        )
    except UnicodeDecodeError as exc:
        yield _file_error(
            1, f"header is not valid {encoding}: {exc.reason} at byte {exc.start}", header_bytes
        )
        return
    header = [name.strip() for name in header]
    if len(set(header)) != len(header):
        duplicates = sorted({name for name in header if header.count(name) > 1})
        yield _file_error(1, f"header repeats column(s) {duplicates}", header_bytes)
        return
    width = len(header)
    separator = delimiter.encode(encoding)
    position = 0
    inside = False  # the line read last ended inside a quoted field
    pending: list[bytes] = []  # the lines of a record so far, while ``inside``
    pending_bytes = 0
    for line in lines:
        if b'"' in line:
            inside = _ends_inside_quotes(line, inside, separator)
        if inside:
            pending.append(line)
            pending_bytes += len(line)
            if pending_bytes > MAX_CSV_RECORD:
                # Memory stays flat: the lines so far become one entry, and reading goes on.
                position += 1
                message = f"unterminated quote: a quoted field runs past {MAX_CSV_RECORD} bytes"
                yield _file_error(position, message, b"".join(pending))
                inside, pending, pending_bytes = False, [], 0
            continue
        record_bytes = b"".join([*pending, line]) if pending else line
        pending, pending_bytes = [], 0
        if not record_bytes.strip():
            continue
        position += 1
        yield _csv_record(position, record_bytes, encoding, delimiter, header, width)
    if pending:
        position += 1
        message = "truncated record at end of file (unterminated quote)"
        yield _file_error(position, message, b"".join(pending))


# The rest of a quoted field through its closing quote (a doubled quote is content).
_QUOTED_TAIL = re.compile(rb'(?:[^"]|"")*+"')


def _ends_inside_quotes(line: bytes, inside: bool, separator: bytes) -> bool:
    """Whether a CSV line ends inside a quoted field, given whether it began inside one.

    As the csv module reads it, only a field that starts with a quote is quoted; a quote
    within an unquoted field (an exporter's unescaped 32" 显示器) is content, and must not
    open a field that would swallow the rest of the file.
    """
    position = 0
    if not inside and line.startswith(b'"'):
        inside, position = True, 1
    while True:
        if inside:
            closed = _QUOTED_TAIL.match(line, position)
            if closed is None:
                return True
            inside, position = False, closed.end()
        found = line.find(separator, position)
        if found < 0:
            return False
        position = found + len(separator)
        if line.startswith(b'"', position):
            inside, position = True, position + 1


def _csv_record(
    position: int, raw: bytes, encoding: str, delimiter: str, header: list[str], width: int
) -> SourceRecord:
    try:
        text = raw.decode(encoding).rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return _file_error(
            position, f"bytes are not valid {encoding} at byte {exc.start}: {exc.reason}", raw
        )
    fields = (
        text.split(delimiter) if '"' not in text else next(csv.reader([text], delimiter=delimiter))
    )
    if len(fields) != width:
        return _file_error(position, f"expected {width} columns, found {len(fields)}", raw)
    return SourceRecord(position=position, raw=raw, data=dict(zip(header, fields, strict=True)))


def _decode_document(data: bytes, declared: str) -> str:
    encoding, bom = detect_encoding(data[:SNIFF_BYTES], declared)
    return data[bom:].decode(encoding)


def _json_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    data = stream.read(MAX_JSON_DOCUMENT + 1)
    if len(data) > MAX_JSON_DOCUMENT:
        yield _file_error(1, "JSON document over 64 MiB: send JSON Lines (format: jsonl) instead")
        return
    if not data.strip():
        yield _file_error(1, "empty file: no JSON document", data[:SNIFF_BYTES])
        return
    try:
        document = json.loads(_decode_document(data, source.encoding))
    except UnicodeDecodeError as exc:
        yield _file_error(
            1, f"document is not valid text: {exc.reason} at byte {exc.start}", data[:SNIFF_BYTES]
        )
        return
    except json.JSONDecodeError as exc:
        message = f"not valid JSON (truncated?): {exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}"
        yield _file_error(1, message, data[:SNIFF_BYTES])
        return
    records = follow(document, pointer_parts(source.records or ""))
    if not isinstance(records, list):
        yield _file_error(1, f"no record list at JSON pointer {source.records or '(root)'!r}")
        return
    for position, record in enumerate(records, start=1):
        raw = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if isinstance(record, dict):
            yield SourceRecord(position=position, raw=raw, data=record)
        else:
            yield _file_error(
                position, f"record is a JSON {type(record).__name__}, not an object", raw
            )


def _jsonl_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    encoding, bom = detect_encoding(_peek(stream), source.encoding)
    stream.read(bom)
    position = 0
    for line in stream:
        if not line.strip():
            continue
        position += 1
        try:
            record = json.loads(line.decode(encoding))
        except UnicodeDecodeError as exc:
            yield _file_error(position, f"bytes are not valid {encoding} at byte {exc.start}", line)
            continue
        except json.JSONDecodeError as exc:
            yield _file_error(
                position,
                f"not valid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}",
                line,
            )
            continue
        if isinstance(record, dict):
            yield SourceRecord(position=position, raw=line, data=record)
        else:
            yield _file_error(
                position, f"record is a JSON {type(record).__name__}, not an object", line
            )


def xml_parser_options() -> dict[str, Any]:
    """lxml options that never expand entities, load a DTD or touch the network."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


DTD_REFUSED = "XML with a DTD or entity declarations is refused (XXE and entity-expansion guard)"


def _declares_dtd(element: Any) -> bool:
    """True when the element's document has a DOCTYPE (known once its first record ended)."""
    docinfo = element.getroottree().docinfo
    return bool(docinfo.doctype) or docinfo.internalDTD is not None


def refuses_doctype(sample: bytes) -> bool:
    """True when the document declares a DTD: refused whole, since that is where XXE and
    entity-expansion attacks live and no exchange message of ours needs one."""
    lowered = sample.lower()
    return b"<!doctype" in lowered or b"<!entity" in lowered


def element_to_data(element: Any) -> Any:
    """An element as JSON-like data (children by local name, repeated ones as lists, text
    leaves as strings, attributes as ``@name``) for source-schema validation."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children and not element.attrib:
        return (element.text or "").strip()
    data: dict[str, Any] = {
        f"@{etree.QName(key).localname}": value for key, value in element.attrib.items()
    }
    for child in children:
        name = etree.QName(child).localname
        value = element_to_data(child)
        if name in data:
            existing = data[name]
            data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            data[name] = value
    return data


def _xml_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    sample = _peek(stream)
    if not sample.strip():
        yield _file_error(1, "empty file: no XML document")
        return
    if refuses_doctype(sample):
        yield _file_error(1, DTD_REFUSED, sample)
        return
    tag = source.records or ""
    position = 0
    # A mapping's declared encoding overrides the document's own (a GBK file without a prolog
    # would otherwise be read as UTF-8); ``auto`` leaves it to the prolog, as XML says.
    encoding = None if source.encoding == "auto" else detect_encoding(sample, source.encoding)[0]
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=(tag, f"{{*}}{tag}"),
        encoding=encoding,
        **xml_parser_options(),
    )
    try:
        for _event, element in events:
            if position == 0 and _declares_dtd(element):
                # The DTD stood past the sniffed prefix. libxml2 has read it but, with the
                # options above, neither loaded nor expanded anything; refuse the file whole.
                yield _file_error(1, DTD_REFUSED)
                return
            position += 1
            raw = etree.tostring(element, encoding="utf-8")
            yield SourceRecord(
                position=position, raw=raw, data=element_to_data(element), node=element
            )
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        message = f"XML is malformed (truncated?) after record {position}: {exc.msg}; the rest was not read"
        yield _file_error(position + 1, message)


# Spooled in memory up to this size when an xlsx stream cannot seek (a replayed envelope).
XLSX_SPOOL_BYTES = 16 * 1024 * 1024
# What a broken workbook raises inside openpyxl: not a zip, a part missing, bad XML (a
# SyntaxError), a cell it cannot read.
_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, TypeError)


@contextlib.contextmanager
def _seekable(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """``stream`` itself when it can seek, else a temporary copy, removed afterwards."""
    if stream.seekable():
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES) as spool:
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        yield spool


def cell_text(value: Any) -> str:
    """A cell as the text a CSV export would hold: integral numbers without ``.0`` (codes
    typed as numbers), dates in ISO form, empty cells as empty strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


def _xlsx_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    """Rows of the first sheet (or the sheet named by ``records``) under its header row.

    Each record's raw bytes are its cells as a JSON object (header → text), which is what
    quarantine keeps; a replay reads the workbook again from the envelope. Empty rows are
    skipped, as blank CSV lines are; a value under no header is an error of that row.
    """
    from openpyxl import load_workbook  # heavy; imported only when a workbook arrives

    with _seekable(stream) as readable:
        try:
            workbook = load_workbook(readable, read_only=True, data_only=True)
        except _XLSX_ERRORS as exc:
            yield _file_error(1, f"not a readable Excel workbook (xlsx): {exc}")
            return
        try:
            if source.records and source.records not in workbook.sheetnames:
                yield _file_error(1, f"no sheet {source.records!r}; sheets: {workbook.sheetnames}")
                return
            sheet = workbook[source.records] if source.records else workbook.worksheets[0]
            yield from _sheet_records(sheet.iter_rows(values_only=True))
        finally:
            workbook.close()


def _sheet_records(rows: Iterator[tuple[Any, ...]]) -> Iterator[SourceRecord]:
    header: list[str] | None = None
    position = 0
    try:
        for values in rows:
            cells = [cell_text(value) for value in values]
            if not any(cells):
                continue
            if header is None:
                header = cells
                named = [name for name in header if name]
                if len(set(named)) != len(named):
                    duplicates = sorted({name for name in named if named.count(name) > 1})
                    yield _file_error(1, f"header repeats column(s) {duplicates}")
                    return
                continue
            position += 1
            yield _xlsx_record(position, header, cells)
    except _XLSX_ERRORS as exc:
        message = f"the workbook is damaged after record {position}: {exc}; the rest was not read"
        yield _file_error(position + 1, message)
        return
    if header is None:
        yield _file_error(1, "empty sheet: no header row")


def _xlsx_record(position: int, header: list[str], cells: list[str]) -> SourceRecord:
    data = {name: "" for name in header if name}
    stray = []
    for index, text in enumerate(cells):
        name = header[index] if index < len(header) else ""
        if name:
            data[name] = text
        elif text:
            stray.append(index + 1)
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    if stray:
        return _file_error(position, f"value(s) in column(s) {stray} under no header", raw)
    return SourceRecord(position=position, raw=raw, data=data)
