"""Streaming parsers: bytes in, one ``SourceRecord`` per record out, never a whole file in memory.

Each record keeps its raw bytes so that a record failing any later step can be quarantined
exactly as it arrived. A problem with one record (bad bytes, wrong column count) becomes an
error on that record; a problem with the file as a whole (empty, no header, a DTD, broken XML)
becomes one error record that stands for the rest of the file, so the counts still balance.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from hub.mapping.spec import SourceSpec

SNIFF_BYTES = 64 * 1024
MAX_JSON_DOCUMENT = 64 * 1024 * 1024


@dataclass(slots=True)
class SourceRecord:
    """One record as read: its 1-based position, raw bytes, parsed data or the parse error."""

    position: int
    raw: bytes
    data: Any = None
    node: Any = None
    error: str | None = None


def detect_encoding(sample: bytes, declared: str) -> tuple[str, int]:
    """Return (codec, bytes of BOM to skip). ``auto`` tells UTF-8 from GBK by decoding."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    if declared != "auto":
        return ("gb18030" if declared == "gbk" else declared), 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030", 0
    return "utf-8", 0


def parse_records(stream: IO[bytes], source: SourceSpec) -> Iterator[SourceRecord]:
    """Dispatch on the mapping's declared format."""
    if source.format == "csv":
        return _csv_records(stream, source)
    if source.format == "jsonl":
        return _jsonl_records(stream, source)
    if source.format == "json":
        return _json_records(stream, source)
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
    position = 0
    pending = b""
    for line in lines:
        record_bytes = pending + line if pending else line
        if record_bytes.count(b'"') % 2:
            pending = record_bytes
            continue
        pending = b""
        if not record_bytes.strip():
            continue
        position += 1
        yield _csv_record(position, record_bytes, encoding, delimiter, header, width)
    if pending:
        position += 1
        yield _file_error(position, "truncated record at end of file (unterminated quote)", pending)


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
        message = f"not valid JSON (truncated?): {exc.msg} at line {exc.lineno} column {exc.colno}"
        yield _file_error(1, message, data[:SNIFF_BYTES])
        return
    records = _pointer(document, source.records or "")
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


def _pointer(document: Any, pointer: str) -> Any:
    value = document
    for part in (part for part in pointer.strip("/").split("/") if part):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


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
            yield _file_error(position, f"not valid JSON: {exc.msg} at column {exc.colno}", line)
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
        yield _file_error(
            1,
            "XML with a DTD or entity declarations is refused (XXE and entity-expansion guard)",
            sample,
        )
        return
    tag = source.records or ""
    position = 0
    events = etree.iterparse(
        stream, events=("end",), tag=(tag, f"{{*}}{tag}"), **xml_parser_options()
    )
    try:
        for _event, element in events:
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
