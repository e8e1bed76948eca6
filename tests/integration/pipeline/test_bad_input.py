"""Bad input through the whole pipeline: each case ends as a clear error or a quarantine entry
naming its step and reason, nothing valid in the same file is lost, and every run balances
received = stored + duplicates + quarantined (``helpers.run`` checks it on every call).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.cases.identity import phone_digest
from hub.exchange.channels import ChannelConfig
from hub.security.crypto import get_key_ring
from hub.store.models.complaints import Complaint
from hub.store.models.exchange import Envelope, ExchangeRun
from tests.integration.pipeline.helpers import (
    ALLOW_LISTED_USCC,
    channel,
    count,
    counts,
    csv_bytes,
    csv_text,
    entities,
    entity_row,
    json_record,
    jsonl_bytes,
    make_uscc,
    quarantine,
    run,
    store_bytes,
    xml_text,
)

REGISTRY = "registry"


@pytest.fixture
def registry() -> ChannelConfig:
    return channel(REGISTRY)


# --- truncated and empty files -------------------------------------------------------------


def test_csv_cut_mid_row_quarantines_only_the_cut_row(
    engine: Engine, registry: ChannelConfig
) -> None:
    data = csv_bytes([entity_row(i) for i in range(1, 5)])
    cut = data[: data.rindex("厦门测试4".encode()) + 6]  # inside the name column of row 4

    report = run(engine, registry, "entities_csv", cut)

    assert counts(report) == (4, 3, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (4, "parse")
    assert "expected 14 columns, found 3" in entry.reason
    assert entry.raw == cut[cut.rindex(b"\n") + 1 :]
    assert sorted(entities(engine)) == sorted(make_uscc(i) for i in (1, 2, 3))


def test_csv_cut_mid_quoted_field(engine: Engine, registry: ChannelConfig) -> None:
    rows = [
        entity_row(1),
        entity_row(2, 住所="福建省厦门市\n思明区, 湖滨南路1号"),  # a quoted field over two lines
        entity_row(3, 住所="福建省厦门市思明区, 湖滨南路3号"),
    ]
    data = csv_bytes(rows)
    cut = data[: data.index("湖滨南路3号".encode())]  # inside row 3's quoted 住所

    report = run(engine, registry, "entities_csv", cut)

    assert counts(report) == (3, 2, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (3, "parse")
    assert "truncated record at end of file (unterminated quote)" in entry.reason
    assert entry.raw.startswith(b"R000003,") and entry.raw == cut[cut.index(b"R000003") :]
    stored = entities(engine)
    assert stored[make_uscc(2)].registered_address == "福建省厦门市\n思明区, 湖滨南路1号"


def test_csv_quote_inside_an_unquoted_field_is_content(
    engine: Engine, registry: ChannelConfig
) -> None:
    """An exporter that does not escape a quote in a field (32" 显示器) writes a CSV the csv
    module reads fine; the quote must not open a field that swallows the rest of the file."""
    data = csv_bytes([entity_row(i) for i in range(1, 6)])
    data = data.replace("厦门测试2有限公司".encode(), '厦门32"显示器有限公司'.encode())

    report = run(engine, registry, "entities_csv", data)

    assert counts(report) == (5, 5, 0, 0)
    assert entities(engine)[make_uscc(2)].name == '厦门32"显示器有限公司'


def test_csv_quote_left_open_mid_file_is_cut_off(engine: Engine, registry: ChannelConfig) -> None:
    """A quoted field that never closes stops at 1 MiB: memory stays flat and the rows after
    it are read again as rows."""
    rows = [entity_row(i, 住所="湖滨南路" * 70) for i in range(1, 1501)]
    data = csv_bytes(rows).replace(",厦门测试2有限公司".encode(), ',"厦门测试2有限公司'.encode())
    lines = data.splitlines(keepends=True)
    assert lines[2].startswith(b'R000002,913502030000000028,"')
    swallowed, size = 0, 0
    while size <= 1024 * 1024:
        size += len(lines[2 + swallowed])
        swallowed += 1
    after = len(rows) - 1 - swallowed

    report = run(engine, registry, "entities_csv", data)

    assert counts(report) == (2 + after, 1 + after, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (2, "parse")
    assert entry.reason == "unterminated quote: a quoted field runs past 1048576 bytes"
    assert entry.raw.startswith(lines[2])
    stored = entities(engine)
    assert make_uscc(1) in stored and make_uscc(1500) in stored
    assert make_uscc(1 + swallowed) not in stored and make_uscc(2 + swallowed) in stored


def test_json_cut_mid_document_is_one_parse_error(engine: Engine, registry: ChannelConfig) -> None:
    document = json.dumps(
        {"data": {"items": [json_record(i) for i in range(1, 4)]}}, ensure_ascii=False
    )
    cut = document.encode()[: len(document.encode()) // 2]

    report = run(engine, registry, "entities_json", cut)

    assert counts(report) == (1, 0, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (1, "parse")
    assert entry.reason.startswith("not valid JSON (truncated?)")
    assert entry.raw == cut  # under 64 KiB: the whole document is kept with the entry


def test_jsonl_cut_mid_line_quarantines_the_last_line(
    engine: Engine, registry: ChannelConfig
) -> None:
    data = jsonl_bytes([json_record(i) for i in range(1, 4)])
    cut = data[: data.rindex(b'"status"')]

    report = run(engine, registry, "entities_jsonl", cut)

    assert counts(report) == (3, 2, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (3, "parse")
    assert entry.reason.startswith("not valid JSON:")


def test_xml_cut_mid_element_keeps_the_records_before(
    engine: Engine, registry: ChannelConfig
) -> None:
    data = xml_text([json_record(i) for i in range(1, 4)]).encode()
    cut = data[
        : data.index(b"<name>", data.index(b'id="R000003"')) + 9
    ]  # mid element, mid character

    report = run(engine, registry, "entities_xml", cut)

    assert counts(report) == (3, 2, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (3, "parse")
    assert "XML is malformed (truncated?) after record 2" in entry.reason
    assert sorted(entities(engine)) == sorted(make_uscc(i) for i in (1, 2))


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("entities_csv", "empty file: no header line"),
        ("entities_json", "empty file: no JSON document"),
        ("entities_xml", "empty file: no XML document"),
    ],
)
def test_zero_byte_file_is_one_parse_error(
    engine: Engine, registry: ChannelConfig, message: str, reason: str
) -> None:
    report = run(engine, registry, message, b"")

    assert counts(report) == (1, 0, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step, entry.reason) == (1, "parse", reason)
    assert count(engine, Envelope) == 1  # what arrived is kept, even empty


@pytest.mark.parametrize(
    ("message", "payload"),
    [
        ("entities_csv", csv_text([]).encode()),  # header only: a register with no rows today
        ("entities_json", b'{"data": {"items": []}}'),
        ("entities_xml", b'<?xml version="1.0"?><entities/>'),
        ("entities_jsonl", b""),  # JSON Lines has no header: zero lines is the empty export
    ],
)
def test_well_formed_file_without_records_is_an_empty_run(
    engine: Engine, registry: ChannelConfig, message: str, payload: bytes
) -> None:
    report = run(engine, registry, message, payload)

    assert counts(report) == (0, 0, 0, 0)
    assert report.envelopes == 1
    assert quarantine(engine) == []
    with Session(engine) as session:
        assert session.scalars(select(ExchangeRun.status)).one() == "succeeded"


# --- wrong encodings -----------------------------------------------------------------------


@pytest.mark.parametrize("message", ["entities_gbk", "entities_csv"], ids=["declared", "detected"])
def test_gbk_csv(engine: Engine, registry: ChannelConfig, message: str) -> None:
    rows = [entity_row(i, 法定代表人="欧阳娜娜") for i in range(1, 4)]

    report = run(engine, registry, message, csv_bytes(rows, "gbk"))

    assert counts(report) == (3, 3, 0, 0)
    stored = entities(engine)
    assert stored[make_uscc(2)].name == "厦门测试2有限公司"
    assert stored[make_uscc(2)].legal_representative == "欧阳娜娜"
    assert stored[make_uscc(2)].registration_authority == "厦门市思明区市场监督管理局"


def test_gbk_xml_with_its_declaration(engine: Engine, registry: ChannelConfig) -> None:
    text = xml_text([json_record(i) for i in (1, 2)], prolog='<?xml version="1.0" encoding="GBK"?>')

    report = run(engine, registry, "entities_xml", text.encode("gbk"))

    assert counts(report) == (2, 2, 0, 0)
    assert entities(engine)[make_uscc(1)].name == "厦门测试1有限公司"


def test_gbk_xml_without_a_declaration(engine: Engine, registry: ChannelConfig) -> None:
    """XML without a prolog is UTF-8 by definition: GBK bytes there are a clear parse error,
    unless the mapping declares the channel's encoding."""
    data = xml_text([json_record(i) for i in (1, 2)], prolog="").encode("gbk")

    undeclared = run(engine, registry, "entities_xml", data)
    declared = run(engine, registry, "entities_xml_gbk", data)

    assert counts(undeclared) == (1, 0, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step, entry.message_type) == (1, "parse", "entities_xml")
    assert "XML is malformed" in entry.reason and "encoding" in entry.reason
    assert counts(declared) == (2, 2, 0, 0)
    assert entities(engine)[make_uscc(2)].name == "厦门测试2有限公司"


def test_gbk_json_detected(engine: Engine, registry: ChannelConfig) -> None:
    document = json.dumps({"data": {"items": [json_record(1)]}}, ensure_ascii=False)

    report = run(engine, registry, "entities_json", document.encode("gbk"))

    assert counts(report) == (1, 1, 0, 0)
    assert entities(engine)[make_uscc(1)].registered_address == "福建省厦门市思明区湖滨南路1号"


@pytest.mark.parametrize("message", ["entities_csv", "entities_utf8", "entities_gbk"])
def test_utf8_with_bom(engine: Engine, registry: ChannelConfig, message: str) -> None:
    data = b"\xef\xbb\xbf" + csv_bytes([entity_row(1), entity_row(2)])

    report = run(engine, registry, message, data)

    assert counts(report) == (2, 2, 0, 0)
    stored = entities(engine)
    # The BOM is not glued to the first column's name: 内部序号 was found and mapped.
    assert stored[make_uscc(1)].source_id == "R000001"
    assert stored[make_uscc(1)].name == "厦门测试1有限公司"


@pytest.mark.parametrize("message", ["entities_csv", "entities_utf8"], ids=["detected", "declared"])
def test_utf8_with_invalid_bytes_in_one_row(
    engine: Engine, registry: ChannelConfig, message: str
) -> None:
    lines = csv_bytes([entity_row(i) for i in range(1, 6)]).split(b"\n")
    lines[3] = lines[3].replace(
        "测试3".encode(), b"\xb2\xe2\xca\xd4\xff"
    )  # row 3: GBK bytes + 0xFF
    data = b"\n".join(lines)

    report = run(engine, registry, message, data)

    assert counts(report) == (5, 4, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (3, "parse")
    assert "not valid utf-8" in entry.reason
    assert entry.raw == lines[3] + b"\n"
    stored = entities(engine)
    assert stored[make_uscc(4)].name == "厦门测试4有限公司"  # the other rows are read as UTF-8
    assert make_uscc(3) not in stored


def test_jsonl_with_invalid_bytes_in_one_line(engine: Engine, registry: ChannelConfig) -> None:
    lines = jsonl_bytes([json_record(i) for i in range(1, 4)]).split(b"\n")
    lines[1] = lines[1].replace("测试2".encode(), b"\xff\xfe")
    report = run(engine, registry, "entities_jsonl", b"\n".join(lines))

    assert counts(report) == (3, 2, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (2, "parse")
    assert "not valid utf-8" in entry.reason


def test_declared_gbk_file_that_is_really_utf8(engine: Engine, registry: ChannelConfig) -> None:
    """GBK text is practically never valid UTF-8: the bytes win over a wrong declaration, as a
    BOM does, instead of storing mojibake (or quarantining rows at random)."""
    rows = [entity_row(i) for i in range(1, 4)]

    report = run(engine, registry, "entities_gbk", csv_bytes(rows, "utf-8"))

    assert counts(report) == (3, 3, 0, 0)
    stored = entities(engine)
    assert [stored[make_uscc(i)].name for i in (1, 2, 3)] == [
        f"厦门测试{i}有限公司" for i in (1, 2, 3)
    ]
    assert stored[make_uscc(1)].registration_authority == "厦门市思明区市场监督管理局"


# --- duplicates within a file ----------------------------------------------------------------


def test_identical_rows_in_a_file_count_as_duplicates(
    engine: Engine, registry: ChannelConfig
) -> None:
    rows = [entity_row(1), entity_row(2), entity_row(1), entity_row(3), entity_row(2)]

    report = run(engine, registry, "entities_csv", csv_bytes(rows))

    assert counts(report) == (5, 3, 2, 0)
    assert len(entities(engine)) == 3


def test_same_key_with_new_content_later_in_the_file_wins(
    engine: Engine, registry: ChannelConfig
) -> None:
    """Rows are applied in file order: a changed row with the same (or a newer) version is a
    second store of the same entity, so both count as stored and the later content stays."""
    rows = [
        entity_row(1, 企业名称="旧名称有限公司"),
        entity_row(2),
        entity_row(1, 企业名称="新名称有限公司"),
        entity_row(3, 更新时间="2024-03-01 10:00:00", 登记状态="注销"),
        entity_row(3, 更新时间="2024-02-01 10:00:00"),  # older version, later in the file
    ]

    report = run(engine, registry, "entities_csv", csv_bytes(rows))

    assert counts(report) == (5, 4, 1, 0)
    stored = entities(engine)
    assert stored[make_uscc(1)].name == "新名称有限公司"
    assert stored[make_uscc(3)].status == "deregistered"
    assert stored[make_uscc(3)].source_version == "2024-03-01T02:00:00Z"


# --- over-long fields ------------------------------------------------------------------------


def test_over_long_fields_are_quarantined_naming_the_field(
    engine: Engine, registry: ChannelConfig
) -> None:
    rows = [
        entity_row(1),
        entity_row(2, 企业名称="名" * 201),
        entity_row(3, 住所="址" * 301),
        entity_row(4, 内部序号="R" * 65),
        entity_row(5, 企业名称="名" * 200, 住所="址" * 300),  # at the limits: fine
    ]

    report = run(engine, registry, "entities_csv", csv_bytes(rows))

    assert counts(report) == (5, 2, 0, 3)
    by_position = {entry.position: entry for entry in quarantine(engine)}
    assert by_position[2].step == "validate_canonical"
    assert by_position[2].reason.startswith("canonical/entity.json: name: ")
    assert "is too long" in by_position[2].reason
    assert by_position[3].step == "validate_canonical"
    assert by_position[3].reason.startswith("canonical/entity.json: registered_address: ")
    assert by_position[4].step == "validate_source"
    assert by_position[4].reason.startswith("sources/market_registry_entity.json: 内部序号: ")
    assert entities(engine)[make_uscc(5)].name == "名" * 200


# --- a record that tries to change an entity's key -------------------------------------------


def test_source_id_cannot_move_to_another_uscc(engine: Engine, registry: ChannelConfig) -> None:
    run(engine, registry, "entities_csv", csv_bytes([entity_row(1), entity_row(2)]), "day1.csv")
    before = entities(engine)[make_uscc(1)]

    moved = entity_row(1, 统一社会信用代码=make_uscc(99), 企业名称="改了代码的公司")
    report = run(engine, registry, "entities_csv", csv_bytes([moved, entity_row(3)]), "day2.csv")

    assert counts(report) == (2, 1, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (1, "upsert")
    assert f"test_registry:R000001 is bound to entity {make_uscc(1)}" in entry.reason
    assert f"this record carries {make_uscc(99)}" in entry.reason
    assert "a natural key cannot change" in entry.reason
    assert entry.raw == csv_text([moved]).splitlines(keepends=True)[1].encode()  # as it arrived
    stored = entities(engine)
    assert make_uscc(99) not in stored
    after = stored[make_uscc(1)]
    assert (after.name, after.content_hash, after.updated_at) == (
        before.name,
        before.content_hash,
        before.updated_at,
    )


def test_source_id_bound_twice_in_one_file(engine: Engine, registry: ChannelConfig) -> None:
    """The first row binds the source id; a later row of the same file giving it another
    USCC is refused like one arriving in a later file (no second entity for one source id)."""
    rows = [entity_row(1), entity_row(2), entity_row(1, 统一社会信用代码=make_uscc(99))]

    report = run(engine, registry, "entities_csv", csv_bytes(rows))

    assert counts(report) == (3, 2, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (3, "upsert")
    assert "a natural key cannot change" in entry.reason
    assert sorted(entities(engine)) == sorted([make_uscc(1), make_uscc(2)])


# --- invalid codes ---------------------------------------------------------------------------


def test_invalid_codes_are_quarantined_with_the_reason(
    engine: Engine, registry: ChannelConfig
) -> None:
    good = make_uscc(2)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        entity_row(1),
        entity_row(2, 统一社会信用代码=wrong_check),
        entity_row(3, 统一社会信用代码="91350203I00000003X"),
        entity_row(4, 住所所在行政区划="999999"),
        entity_row(5, 行业代码="A13"),
        entity_row(6, 行业代码="X99"),
        entity_row(7, 统一社会信用代码=ALLOW_LISTED_USCC),
    ]

    report = run(engine, registry, "entities_csv", csv_bytes(rows))

    assert counts(report) == (7, 2, 0, 5)
    reasons = {entry.position: (entry.step, entry.reason) for entry in quarantine(engine)}
    assert reasons[2] == (
        "check_codes",
        f"field uscc: check character 18 is {wrong_check[17]!r} but GB 32100 gives {good[17]!r}",
    )
    assert reasons[3] == (
        "check_codes",
        "field uscc: character 9 'I' is not in the GB 32100 character set",
    )
    assert reasons[4][0] == "check_codes"
    assert reasons[4][1].startswith("field region_code: region code '999999' is not in GB/T 2260")
    assert reasons[5] == (
        "check_codes",
        "field industry_code: industry code 'A13': division 13 belongs to section C, not A",
    )
    assert reasons[6] == (
        "check_codes",
        "field industry_code: industry code 'X99': not a GB/T 4754-2017 division or class",
    )
    stored = entities(engine)
    assert stored[ALLOW_LISTED_USCC].code_check_failed is True
    assert stored[make_uscc(1)].code_check_failed is False
    assert stored[make_uscc(1)].industry_code == "13"


# --- hostile XML -----------------------------------------------------------------------------

XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE entities [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<entities><entity id="R000001"><uscc>{uscc}</uscc><name>&xxe;</name><type>企业</type>
<status>存续</status><updated>2024-01-01 10:00:00</updated></entity></entities>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<entities><entity id="R000001"><uscc>{uscc}</uscc><name>&lol9;</name><type>企业</type>
<status>存续</status><updated>2024-01-01 10:00:00</updated></entity></entities>
"""


def _passwd_marker() -> bytes:
    """A line of this machine's /etc/passwd: what an expanded external entity would leak."""
    first = Path("/etc/passwd").read_bytes().splitlines()[0]
    assert len(first) > 10
    return first


@pytest.mark.parametrize(
    "document",
    [
        XXE,
        BILLION_LAUGHS,
        # A DTD behind 64 KiB of comment, past the sniffed prefix.
        XXE.replace("?>\n", "?>\n<!--" + "x" * 70_000 + "-->\n", 1),
    ],
    ids=["external-entity", "billion-laughs", "late-dtd"],
)
def test_xml_with_a_dtd_is_refused(engine: Engine, registry: ChannelConfig, document: str) -> None:
    data = document.format(uscc=make_uscc(1)).encode()

    report = run(engine, registry, "entities_xml", data)

    assert counts(report) == (1, 0, 0, 1)
    [entry] = quarantine(engine)
    assert (entry.position, entry.step) == (1, "parse")
    assert "DTD" in entry.reason
    assert entities(engine) == {}
    assert len(entry.raw) <= len(data)  # nothing was expanded into the entry
    everything = store_bytes(engine)
    kept = b"<entities><entity" if b"xxe" not in data else b"file:///etc/passwd"
    assert kept in everything or kept.hex().encode() in everything  # the payload is kept as sent
    for needle in (_passwd_marker(), b"lollollollollol"):
        assert needle not in everything
        assert needle.hex().encode() not in everything  # bytea as pg_dump writes it


# --- personal data ---------------------------------------------------------------------------

PHONE = "13912345678"


def test_personal_data_never_reaches_the_store_in_clear(engine: Engine) -> None:
    """A personal-data channel seals envelopes, quarantined bytes and EncryptedText columns,
    and a quarantine reason keeps the field and rule but not the offending value; the phone's
    keyed digest is stored for merging."""
    hotline = channel("personal")
    order = {
        "工单编号": "GD2024000001",
        "诉求类型": "投诉",
        "来电时间": "2024-05-13 09:30:00",
        "标题": "商家拒绝退款",
        "内容": "消费者反映商家拒绝退款",
        "来电人": "王小明",
        "联系电话": PHONE,
    }
    records = [
        order,  # stored, the phone sealed in complainant_phone
        {**order, "工单编号": "GD2024000002", "联系电话": f"{PHONE} / " * 5},  # over 50 characters
        {**order, "工单编号": "GD2024000003", "来电时间": PHONE},  # the phone typed as the time
        {**order, "工单编号": "GD2024000004", "纬度": PHONE},  # a number far out of range
    ]
    data = jsonl_bytes(records) + f'{{"工单编号": "GD2024000005", "联系电话": "{PHONE}"\n'.encode()

    report = run(engine, hotline, "complaints", data)
    replay = run(engine, hotline, "complaints", data)

    assert counts(report) == (5, 1, 0, 4)
    assert counts(replay) == (5, 0, 1, 4)
    by_position = {entry.position: entry for entry in quarantine(engine)}
    assert {p: e.step for p, e in by_position.items()} == {
        2: "validate_canonical",
        3: "map",
        4: "validate_canonical",
        5: "parse",
    }
    assert by_position[2].reason == (
        "canonical/complaint.json: complainant_phone: <withheld> is too long"
    )
    assert by_position[3].reason == "field received_at: not a date and time: <withheld>"
    assert by_position[4].reason == (
        "canonical/complaint.json: latitude: <withheld> is greater than the maximum of 90"
    )
    assert all(entry.encrypted for entry in by_position.values())
    assert all(PHONE not in entry.reason for entry in by_position.values())
    assert all(PHONE not in reason for reason in report.reasons)
    with Session(engine) as session:
        complaint = session.scalars(select(Complaint)).one()
        assert complaint.complainant_phone == PHONE  # opened through the key ring
        # the keyed digest is derived as it is stored, and left out of the content hash, so
        # the replay above counted it a duplicate
        assert complaint.complainant_phone_digest == phone_digest(PHONE)
        assert session.scalars(select(Envelope.encrypted)).one() is True

    sealed = by_position[2].raw
    assert get_key_ring().open(sealed) == data.splitlines(keepends=True)[1]  # kept, sealed

    everything = store_bytes(engine)
    assert "商家拒绝退款".encode() in everything  # the search does see what is stored in clear
    for needle in (PHONE, "王小明"):
        assert needle.encode() not in everything
        assert needle.encode().hex().encode() not in everything  # bytea as pg_dump writes it


# --- a 200 MB file, streamed -----------------------------------------------------------------

LARGE_FILE_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path

    import hub.store.models  # noqa: F401
    from hub.exchange.envelopes import Arrival
    from hub.exchange.pipeline import ingest
    from hub.store.base import Base
    from hub.store.engine import make_engine
    from tests.integration.pipeline.helpers import channel, csv_bytes, entity_row

    store, path = sys.argv[1], Path(sys.argv[2])
    engine = make_engine(f"sqlite:///{store}")
    Base.metadata.create_all(engine)
    registry = channel("registry")
    # Warm up (imports, compiled mapping and validators, connection) on a small file first.
    warm = csv_bytes([entity_row(900_000_000 + i) for i in range(10)])
    ingest(engine, registry, [Arrival(registry.name, "entities_csv", warm, file_name="warm.csv")])
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = ingest(engine, registry, [Arrival(registry.name, "entities_csv", path, file_name=path.name)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "received": report.received, "stored": report.stored,
        "duplicates": report.duplicates, "quarantined": report.quarantined,
        "growth_kib": peak - baseline,
    }))
    """
)

LARGE_FILE_BYTES = 200 * 1024 * 1024


@pytest.mark.slow
def test_200_mb_csv_streams_with_flat_memory(tmp_path: Path) -> None:
    """A 200 MB export (rows widened by a long 住所) runs in a child process whose peak RSS
    grows by far less than the file: nothing holds the file, its rows or its chunks whole."""
    path = tmp_path / "entities_large.csv"
    address = "福建省厦门市思明区湖滨南路" + "号楼" * 140  # about 850 bytes of 住所
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(csv_text([]))
        while out.tell() < LARGE_FILE_BYTES:
            rows += 1
            row = entity_row(rows, 住所=address[: 250 + rows % 40])
            if rows % 10_000 == 0:
                row["成立日期"] = "2019-02-30"  # not a real date: quarantined at map
            out.write(",".join(row.values()) + "\n")
    assert path.stat().st_size >= LARGE_FILE_BYTES

    result = subprocess.run(
        [sys.executable, "-c", LARGE_FILE_SCRIPT, str(tmp_path / "large.db"), str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    bad = rows // 10_000
    assert outcome["received"] == rows
    assert (outcome["stored"], outcome["duplicates"], outcome["quarantined"]) == (
        rows - bad,
        0,
        bad,
    )
    assert outcome["growth_kib"] < 100 * 1024, outcome  # under 100 MiB for a 200 MiB file
