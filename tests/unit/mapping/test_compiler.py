"""The mapping language (hub/mapping/spec.py) compiled and run, and its load errors.

Each feature of the language is run through a compiled mapping on the record shapes the
parsers hand over (dicts for CSV and JSON, lxml elements for XML). A broken mapping file is
refused with one ConfigurationError that names the file, the line and the field of every
problem at once.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from hub.errors import ConfigurationError, MappingError
from hub.exchange.channels import load_channel
from hub.mapping.compiler import CodeCheckError, CompiledMapping, load_mapping
from standards.codes import citizen_id_check_character, uscc_check_character

USCC = "91350203000000001" + uscc_check_character("91350203000000001")
ALLOW_LISTED_USCC = "91350203M0001QAY9B"


def write(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def penalty(tmp_path: Path, fields: str, source: str = "{format: json}") -> CompiledMapping:
    """A penalty mapping (only action_number and department_code are required) plus
    ``fields``, given as indented YAML lines."""
    text = (
        f"source: {source}\n"
        "target: penalty\n"
        "fields:\n"
        "  action_number: {from: 编号, required: true}\n"
        "  department_code: {const: SCJG}\n" + textwrap.indent(textwrap.dedent(fields), "  ")
    )
    return load_mapping(write(tmp_path, text))


def mapped(mapping: CompiledMapping, record: dict[str, Any]) -> dict[str, Any]:
    """The mapped record without the two fixed fields every test mapping carries."""
    out = mapping.map({"编号": "CF-1", **record})
    assert (out.pop("action_number"), out.pop("department_code")) == ("CF-1", "SCJG")
    return out


def load_error(path: Path) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_mapping(path)
    return str(caught.value)


# --- from, const, concat ---------------------------------------------------------------------


def test_from_reads_a_csv_column_by_its_header(tmp_path: Path) -> None:
    mapping = penalty(tmp_path, "entity_name: {from: 当事人.名称}\n", source="{format: csv}")
    # A CSV header may hold a dot: it is one column name, not a path.
    assert mapped(mapping, {"当事人.名称": "甲公司"}) == {"entity_name": "甲公司"}
    assert mapped(mapping, {}) == {"entity_name": None}


def test_from_follows_json_dotted_paths_and_pointers(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        entity_name: {from: party.name}
        entity_uscc: {from: /party/ids/0}
        agency_name: {from: party.missing.deeper}
        """,
    )
    record = {"party": {"name": "甲公司", "ids": [USCC, "x"]}}
    assert mapped(mapping, record) == {
        "entity_name": "甲公司",
        "entity_uscc": USCC,
        "agency_name": None,
    }


def test_from_is_an_xpath_for_xml(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        entity_name: {from: "party/name"}
        entity_uscc: {from: "party/@uscc"}
        facts: {from: "count(officer)"}
        """,
        source="{format: xml, records: case}",
    )
    element = etree.fromstring(
        f'<case><编号>CF-1</编号><party uscc="{USCC}"><name> 甲<b>公司</b> </name></party>'
        "<officer/><officer/></case>"
    )
    out = mapping.map(element)
    assert out["action_number"] == "CF-1"
    assert (out["entity_name"], out["entity_uscc"], out["facts"]) == ("甲公司", USCC, "2")


def test_const_and_concat(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        procedure: {const: general}
        registered_address: {concat: [省, 市, {const: "（住所）"}], sep: " "}
        business_address: {concat: [甲, 乙]}
        """,
    )
    out = mapped(mapping, {"省": "福建省", "市": " 厦门市 ", "甲": "", "乙": None})
    assert out == {
        "procedure": "general",
        "registered_address": "福建省 厦门市 （住所）",
        "business_address": None,  # every part empty: no value
    }
    assert mapped(mapping, {"市": "厦门市"})["registered_address"] == "厦门市 （住所）"


# --- when / then / else ----------------------------------------------------------------------


def test_when_equals_then_else(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        counterpart_kind:
          when: {from: 类型, equals: 自然人}
          then: {const: natural_person}
          else: {const: legal_person}
        """,
    )
    assert mapped(mapping, {"类型": " 自然人 "}) == {"counterpart_kind": "natural_person"}
    assert mapped(mapping, {"类型": "法人"}) == {"counterpart_kind": "legal_person"}


def test_when_in_with_typed_branches(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        decided_on:
          when: {from: 格式, in: [中文, 汉字]}
          then: {from: 中文日期, type: date}
          else: {from: 日期, type: date}
        """,
    )
    assert mapped(mapping, {"格式": "汉字", "中文日期": "2019年4月19日"}) == {
        "decided_on": "2019-04-19"
    }
    assert mapped(mapping, {"格式": "ISO", "日期": "20190419"}) == {"decided_on": "2019-04-19"}


def test_when_empty_and_not_empty(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        entity_name:
          when: {from: 企业名称, empty: true}
          then: {from: 个人姓名}
          else: {from: 企业名称}
        result:
          when: {from: 结果, empty: false}
          then: {from: 结果}
        """,
    )
    assert mapped(mapping, {"企业名称": " ", "个人姓名": "张三"}) == {
        "entity_name": "张三",
        "result": None,  # no else: no value
    }
    assert mapped(mapping, {"企业名称": "甲公司", "结果": "罚款"}) == {
        "entity_name": "甲公司",
        "result": "罚款",
    }


# --- transform, table ------------------------------------------------------------------------


def test_transforms_apply_in_order(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        entity_uscc: {from: 代码, transform: [halfwidth, upper]}
        counterpart_id: {from: 证件, transform: [digits]}
        reporter: {from: 填报人, transform: [lower, strip]}
        """,
    )
    assert mapped(
        mapping,
        {"代码": "９１３５０２０３ｍ０００１ｑａｙ９ｂ", "证件": "350-203", "填报人": "ZHANG"},
    ) == {
        "entity_uscc": ALLOW_LISTED_USCC,
        "counterpart_id": "350203",
        "reporter": "zhang",
    }


def test_table_with_default(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        procedure: {from: 程序, table: {简易: simple, 一般: general}, table_default: general}
        hearing: {from: 听证, table: {是: true, 否: false}}
        """,
    )
    assert mapped(mapping, {"程序": "简易", "听证": "是"}) == {
        "procedure": "simple",
        "hearing": True,
    }
    assert mapped(mapping, {"程序": "其他", "听证": "否"}) == {
        "procedure": "general",
        "hearing": False,  # a table's values keep their YAML type
    }


def test_table_without_default_refuses_unknown_values(tmp_path: Path) -> None:
    mapping = penalty(tmp_path, "procedure: {from: 程序, table: {1: simple, 2: general}}\n")
    assert mapped(mapping, {"程序": 2}) == {"procedure": "general"}  # keys compared as text
    with pytest.raises(MappingError) as caught:
        mapped(mapping, {"程序": "3"})
    assert str(caught.value) == "field procedure: value '3' is not in the code table (known: 1, 2)"
    assert caught.value.step == "map"


# --- type ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2019-04-19", "20190419", "2019年4月19日", "2019/4/19"])
def test_type_date_spellings(tmp_path: Path, text: str) -> None:
    mapping = penalty(tmp_path, "decided_on: {from: 决定日期, type: date}\n")
    assert mapped(mapping, {"决定日期": text}) == {"decided_on": "2019-04-19"}


def test_type_amount_in_yuan_and_wan_yuan(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        fine_amount: {from: 罚款金额, type: amount}
        confiscated_amount: {from: 没收金额, type: amount, unit: 万元}
        """,
    )
    assert mapped(mapping, {"罚款金额": "5,000", "没收金额": "1.5"}) == {
        "fine_amount": 5000.0,
        "confiscated_amount": 15000.0,
    }
    assert mapped(mapping, {"罚款金额": "2万元", "没收金额": "300元"}) == {
        "fine_amount": 20000.0,
        "confiscated_amount": 300.0,
    }


def test_other_types(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        entity_name: {from: 名称, type: string}
        hearing: {from: 听证, type: boolean}
        acted_at: {from: 检查时间, type: datetime}
        penalty_kinds: {from: 处罚种类, type: list, separator: 、}
        officers: {from: 执法人员, type: list}
        facts: {from: 次数, type: integer}
        amount_paid: {from: 已缴, type: number}
        """,
    )
    record = {
        "名称": 12345,
        "听证": "否",
        "检查时间": "2024年5月13日 9时30分",
        "处罚种类": "警告、罚款",
        "执法人员": "张三, 李四",
        "次数": "1,024",
        "已缴": 99.5,
    }
    assert mapped(mapping, record) == {
        "entity_name": "12345",
        "hearing": False,
        "acted_at": "2024-05-13T01:30:00Z",
        "penalty_kinds": ["警告", "罚款"],
        "officers": ["张三", "李四"],
        "facts": 1024,
        "amount_paid": 99.5,
    }


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"决定日期": "2019-02-30"}, "field decided_on: not a real date: '2019-02-30'"),
        ({"罚款金额": "五千"}, "field fine_amount: not an amount: '五千'"),
        ({"听证": "也许"}, "field hearing: not a yes/no value: '也许'"),
    ],
)
def test_a_failing_coercion_names_the_field(
    tmp_path: Path, record: dict[str, str], message: str
) -> None:
    mapping = penalty(
        tmp_path,
        """
        decided_on: {from: 决定日期, type: date}
        fine_amount: {from: 罚款金额, type: amount}
        hearing: {from: 听证, type: boolean}
        """,
    )
    with pytest.raises(MappingError) as caught:
        mapped(mapping, record)
    assert str(caught.value) == message


# --- default, required -----------------------------------------------------------------------


def test_default_fills_missing_and_blank_values(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        procedure: {from: 程序, default: general}
        hearing: {from: 听证, type: boolean, default: false}
        """,
    )
    assert mapped(mapping, {}) == {"procedure": "general", "hearing": False}
    assert mapped(mapping, {"程序": "  ", "听证": ""}) == {"procedure": "general", "hearing": False}
    assert mapped(mapping, {"程序": "simple", "听证": "是"}) == {
        "procedure": "simple",
        "hearing": True,
    }


def test_required_refuses_missing_and_blank_values(tmp_path: Path) -> None:
    mapping = penalty(
        tmp_path,
        """
        entity_name: {from: 名称, required: true}
        registered_address: {concat: [省, 市], required: true}
        """,
    )
    assert mapped(mapping, {"名称": "甲", "市": "厦门"}) == {
        "entity_name": "甲",
        "registered_address": "厦门",
    }
    with pytest.raises(
        MappingError, match=r"^field entity_name: required value missing \(from '名称'\)$"
    ):
        mapped(mapping, {"名称": " ", "市": "厦门"})
    with pytest.raises(
        MappingError, match=r"^field registered_address: required value missing \(from 'concat'\)$"
    ):
        mapped(mapping, {"名称": "甲"})


# --- check -----------------------------------------------------------------------------------


def test_check_uscc_normalises_flags_and_refuses(tmp_path: Path) -> None:
    mapping = penalty(tmp_path, "entity_uscc: {from: 代码, check: uscc}\n")
    assert mapping.uses_code_checks is True
    assert mapped(mapping, {"代码": USCC.lower()}) == {"entity_uscc": USCC}
    # kept; a penalty has no flag column (entities do: see the allow-list test below)
    assert mapped(mapping, {"代码": ALLOW_LISTED_USCC}) == {"entity_uscc": ALLOW_LISTED_USCC}
    wrong = USCC[:17] + ("1" if USCC[17] != "1" else "2")
    with pytest.raises(CodeCheckError) as caught:
        mapped(mapping, {"代码": wrong})
    assert caught.value.step == "check_codes"
    assert str(caught.value) == (
        f"field entity_uscc: check character 18 is {wrong[17]!r} but GB 32100 gives {USCC[17]!r}"
    )


def test_check_region_industry_and_citizen_id(tmp_path: Path) -> None:
    first17 = "35020319900101123"
    citizen_id = first17 + citizen_id_check_character(first17)
    mapping = penalty(
        tmp_path,
        """
        region_code: {from: 区划, check: region}
        counterpart_id: {from: 证件号, check: citizen_id}
        """,
    )
    assert mapped(mapping, {"区划": "350203", "证件号": citizen_id}) == {
        "region_code": "350203",
        "counterpart_id": citizen_id,
    }
    with pytest.raises(
        CodeCheckError, match=r"^field region_code: region code '999999' is not in GB/T 2260"
    ):
        mapped(mapping, {"区划": "999999"})
    with pytest.raises(CodeCheckError, match=r"^field counterpart_id: .*ISO 7064"):
        mapped(mapping, {"证件号": first17 + ("0" if citizen_id[-1] != "0" else "1")})

    entity = load_mapping(
        write(
            tmp_path,
            """
            source: {format: csv}
            target: entity
            fields:
              uscc: {from: 代码}
              name: {from: 名称}
              entity_type: {const: enterprise}
              status: {const: active}
              industry_code: {from: 行业, check: industry}
            """,
            "entity.yaml",
        )
    )
    row = {"代码": USCC, "名称": "甲"}
    assert entity.map({**row, "行业": "c1311"})["industry_code"] == "1311"
    assert entity.map({**row, "行业": "C"})["industry_code"] == "C"
    with pytest.raises(CodeCheckError, match="division 13 belongs to section C, not A"):
        entity.map({**row, "行业": "A13"})


def test_a_mapping_without_checks_says_so(tmp_path: Path) -> None:
    assert penalty(tmp_path, "facts: {from: 事实}\n").uses_code_checks is False


# --- the example channel's mapping -----------------------------------------------------------


def test_the_market_registry_mapping(repo_root: Path) -> None:
    mapping = load_mapping(repo_root / "mappings" / "market_registry" / "entities.yaml")
    out = mapping.map(
        {
            "内部序号": "7",
            "统一社会信用代码": "９１３５０２０３ｍ０００１ｑａｙ９ｂ",
            "企业名称": "厦门甲有限公司",
            "主体类型": "农民专业合作社",
            "住所所在行政区划": "350203",
            "行业代码": "c13",
            "法定代表人": "",
            "住所": "厦门",
            "经营场所": "厦门市思明区",
            "登记状态": "吊销",
            "成立日期": "2019年4月19日",
            "注册资本": "100",
            "登记机关": "思明区市场监督管理局",
            "更新时间": "2024/5/13 9:30",
        }
    )
    assert out == {
        "uscc": ALLOW_LISTED_USCC,
        "code_check_failed": True,
        "name": "厦门甲有限公司",
        "entity_type": "farmer_cooperative",
        "region_code": "350203",
        "industry_code": "13",
        "legal_representative": None,
        "registered_address": "厦门",
        "business_address": "厦门市思明区",
        "status": "revoked",
        "established_on": "2019-04-19",
        "registered_capital": 1_000_000.0,
        "registration_authority": "思明区市场监督管理局",
        "source_system": "market_registry",
        "source_id": "7",
        "source_version": "2024-05-13T01:30:00Z",
    }


# --- load errors -----------------------------------------------------------------------------


def test_a_malformed_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        source: {format: csv}
        target: entity
        fields:
          uscc: {from: 代码}
          name: {from: 名称}
          entity_type: {const: enterprise}
          status: {const: active}
          established_on: {from: 成立日期, type: datum}
        """,
    )
    message = load_error(path)
    assert message.startswith(f"{path} has 1 error(s):")
    assert f"{path}:8: fields.established_on.type: 'datum' is not one of" in message


def test_an_unknown_target_field_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        source: {format: csv}
        target: entity
        fields:
          uscc: {from: 代码}
          name: {from: 名称}
          entity_type: {const: enterprise}
          status: {const: active}
          nickname: {from: 简称}
        """,
    )
    assert f"{path}:8: fields.nickname: entity has no field 'nickname'" in load_error(path)


def test_unknown_target_and_unmapped_required_fields(tmp_path: Path) -> None:
    unknown = write(
        tmp_path,
        """
        source: {format: csv}
        target: enterprise
        fields:
          uscc: {from: 代码}
        """,
        "unknown.yaml",
    )
    assert f"{unknown}:2: target: unknown record type 'enterprise'; known: " in load_error(unknown)

    partial = write(
        tmp_path,
        """
        source: {format: csv}
        target: entity
        fields:
          uscc: {from: 代码}
          name: {from: 名称}
        """,
        "partial.yaml",
    )
    message = load_error(partial)
    assert f"{partial}:3: fields: required entity field 'entity_type' is not mapped" in message
    assert f"{partial}:3: fields: required entity field 'status' is not mapped" in message


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        source: {format: csv, encoding: latin-1, schema: sources/no_such_schema.json}
        target: entity
        fields:
          uscc: {from: 代码, check: luhn}
          name: {from: 名称, const: 甲}
          entity_type: {from: 类型, table: {}}
          nickname: {from: 简称}
          alias: {from: 别名, tranform: [upper]}
        """,
    )
    message = load_error(path)
    lines = message.splitlines()
    assert lines[0] == f"{path} has 9 error(s):"
    expected = [
        f"{path}:4: fields.uscc.check: 'luhn' is not one of",
        f"{path}:5: fields.name: {{'from': '名称', 'const': '甲'}} is valid under each of",
        f"{path}:6: fields.entity_type.table: {{}} should be non-empty",
        f"{path}:8: fields.alias: Additional properties are not allowed ('tranform' was unexpected)",
        f"{path}:1: source.encoding: 'latin-1' is not one of",
        f"{path}:7: fields.nickname: entity has no field 'nickname'",
        f"{path}:8: fields.alias: entity has no field 'alias'",
        f"{path}:3: fields: required entity field 'status' is not mapped",
        f"{path}:1: source.schema: schema 'sources/no_such_schema.json' not found",
    ]
    for line in expected:
        assert any(found.strip().startswith(line) for found in lines[1:]), (line, message)
    assert len(lines) == 1 + 9


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        source: {format: csv}
        target: entity
        fields:
          uscc: {from: 代码
          name: [
        """,
    )
    assert load_error(path).startswith(f"{path}:5: not valid YAML:")


def test_bad_xpaths_are_all_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        source: {format: xml, records: entity}
        target: entity
        fields:
          uscc: {from: "uscc["}
          name: {from: name}
          entity_type: {const: enterprise}
          status: {from: "//status)"}
        """,
    )
    message = load_error(path)
    assert message.startswith(f"{path} has 2 error(s):")
    assert f"{path}:4: fields.uscc.from: bad XPath 'uscc['" in message
    assert f"{path}:7: fields.status.from: bad XPath '//status)'" in message


def test_xml_needs_a_records_tag(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        source: {format: xml}
        target: entity
        fields:
          uscc: {from: uscc}
          name: {from: name}
          entity_type: {const: enterprise}
          status: {const: active}
        """,
    )
    assert f"{path}:1: source: xml sources need 'records' (element tag)" in load_error(path)


def test_an_empty_or_missing_mapping_file(tmp_path: Path) -> None:
    empty = write(tmp_path, "", "empty.yaml")
    assert f"{empty}:1: (document): None is not of type 'object'" in load_error(empty)
    missing = tmp_path / "missing.yaml"
    assert load_error(missing).startswith(f"{missing}: cannot read:")


def test_a_channel_naming_a_missing_mapping_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        name: broken_channel
        title: 缺少映射
        adapter: {type: file}
        messages:
          - {name: entities, mapping: entities.yaml}
          - {name: others, mapping: no_such.yaml}
        """,
        "channel.yaml",
    )
    write(tmp_path, "", "entities.yaml")
    with pytest.raises(ConfigurationError) as caught:
        load_channel(path)
    assert str(caught.value).startswith(f"{path}:6: messages.1.mapping: mapping file ")


def test_allow_listed_code_is_kept_and_flagged_only_where_the_target_can_say_so(
    tmp_path: Path,
) -> None:
    allow_listed = "91350203M0001QAY9B"  # issued, yet fails its check (DOMAIN.md)
    mapping = penalty(tmp_path, "entity_uscc: {from: 代码, check: uscc}\n")
    assert mapped(mapping, {"代码": allow_listed}) == {"entity_uscc": allow_listed}
    entity = load_mapping(
        write(
            tmp_path,
            """
            source: {format: json}
            target: entity
            fields:
              uscc: {from: 代码, check: uscc}
              name: {const: 厦门某公司}
              entity_type: {const: enterprise}
              status: {const: active}
            """,
            name="entity.yaml",
        )
    )
    assert entity.map({"代码": allow_listed})["code_check_failed"] is True
    assert "code_check_failed" not in entity.map({"代码": "91350100M000100Y43"})
