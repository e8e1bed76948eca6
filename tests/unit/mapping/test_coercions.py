"""The type coercions and transforms mappings use, on the spellings sources really send."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from hub.mapping.coercions import (
    COERCIONS,
    to_amount,
    to_bool,
    to_date,
    to_datetime,
    to_int,
    to_list,
    to_number,
)
from hub.mapping.transforms import TRANSFORMS, digits, halfwidth, lower, strip, upper


@pytest.mark.parametrize(
    "text",
    [
        "2019-04-19",
        "20190419",
        "2019年4月19日",
        "2019年04月19日",
        "2019/4/19",
        "2019/04/19",
        "2019.4.19",
        " 2019 年 4 月 19 日 ",
    ],
)
def test_date_spellings(text: str) -> None:
    assert to_date(text) == "2019-04-19"


def test_date_objects_pass_through() -> None:
    assert to_date(date(2019, 4, 19)) == "2019-04-19"
    assert to_date(datetime(2019, 4, 19, 23, 59)) == "2019-04-19"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-02-30", "not a real date: '2019-02-30'"),
        ("20191301", "not a real date: '20191301'"),
        ("19/04/2019", "not a date: '19/04/2019'"),
        ("2019-04", "not a date: '2019-04'"),
        ("明天", "not a date: '明天'"),
    ],
)
def test_bad_dates(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        to_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-13 09:30:00", "2024-05-13T01:30:00Z"),  # no zone: Beijing time
        ("2024-05-13T09:30", "2024-05-13T01:30:00Z"),
        ("2024/5/13 9:30:15", "2024-05-13T01:30:15Z"),
        ("2024年5月13日 9时30分15秒", "2024-05-13T01:30:15Z"),
        ("2024年5月13日 9时30分", "2024-05-13T01:30:00Z"),
        ("2024年5月13日9时30分", "2024-05-13T01:30:00Z"),
        ("2024年05月13日09:30:15", "2024-05-13T01:30:15Z"),
        ("20240513093000", "2024-05-13T01:30:00Z"),
        ("202405130930", "2024-05-13T01:30:00Z"),
        ("2024-05-13T01:30:00Z", "2024-05-13T01:30:00Z"),
        ("2024-05-13T09:30:00+08:00", "2024-05-13T01:30:00Z"),
        ("2024-05-13T09:30:00+0800", "2024-05-13T01:30:00Z"),
        ("2024-05-13T01:30:00.25Z", "2024-05-13T01:30:00.250000Z"),
        ("2024-05-13", "2024-05-12T16:00:00Z"),  # midnight in Beijing
    ],
)
def test_datetime_spellings(text: str, expected: str) -> None:
    assert to_datetime(text) == expected


def test_datetime_objects() -> None:
    assert to_datetime(datetime(2024, 5, 13, 9, 30)) == "2024-05-13T01:30:00Z"
    utc_minus_5 = timezone(timedelta(hours=-5))
    assert to_datetime(datetime(2024, 5, 13, 9, 30, tzinfo=utc_minus_5)) == "2024-05-13T14:30:00Z"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-05-13 25:00", "not a real date and time: '2024-05-13 25:00'"),
        ("2024-02-30 10:00", "not a real date and time: '2024-02-30 10:00'"),
        ("13912345678", "not a date and time: '13912345678'"),
        ("2024-05-1309:30", "not a date and time: '2024-05-1309:30'"),
        ("昨天下午", "not a date and time: '昨天下午'"),
    ],
)
def test_bad_datetimes(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        to_datetime(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("100", "元", 100.0),
        ("100", "万元", 1_000_000.0),
        ("1.5", "亿元", 150_000_000.0),
        ("1,234.56", "元", 1234.56),
        ("1，234.5", "元", 1234.5),  # full-width comma
        (" 50 万元 ", "元", 500_000.0),  # a unit in the value wins over the mapping's
        ("500元", "万元", 500.0),
        ("0.00015", "万元", 1.5),
        (100, "万元", 1_000_000.0),
        (12.346, "元", 12.35),
        ("0.0000125", "万元", 0.12),  # to the fen, half to even
    ],
)
def test_amounts(value: object, unit: str, expected: float) -> None:
    assert to_amount(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("一百万", "元", "not an amount: '一百万'"),
        ("NaN", "元", "not an amount: 'NaN'"),
        ("Infinity", "万元", "not an amount: 'Infinity'"),
        ("100", "美元", "unknown amount unit '美元'; known: 元, 万元, 亿元"),
    ],
)
def test_bad_amounts(value: str, unit: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        to_amount(value, unit)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["1", "true", "TRUE", "yes", "Y", "是", "有", " 对 "])
def test_true_spellings(text: str) -> None:
    assert to_bool(text) is True


@pytest.mark.parametrize("text", ["0", "false", "No", "n", "否", "无", "错"])
def test_false_spellings(text: str) -> None:
    assert to_bool(text) is False


def test_bool_refuses_other_words() -> None:
    assert to_bool(True) is True
    with pytest.raises(ValueError, match="not a yes/no value: '也许'"):
        to_bool("也许")


def test_integers() -> None:
    assert to_int("42") == 42
    assert to_int(" 1,000 ") == 1000
    assert to_int(7) == 7
    for bad in ("1.5", "十", True):
        with pytest.raises(ValueError, match="not an integer"):
            to_int(bad)


def test_numbers() -> None:
    assert to_number("3.5") == 3.5
    assert to_number("1,000.25") == 1000.25
    assert to_number(2) == 2.0
    for bad in ("abc", False):
        with pytest.raises(ValueError, match="not a number"):
            to_number(bad)


def test_lists() -> None:
    assert to_list("a, b,,c ") == ["a", "b", "c"]
    assert to_list("食品、药品", "、") == ["食品", "药品"]
    assert to_list([1, "x"]) == ["1", "x"]
    assert to_list("") == []


def test_every_declared_type_has_a_coercion() -> None:
    assert set(COERCIONS) == {"date", "datetime", "amount", "boolean", "integer", "number", "list"}


def test_transforms() -> None:
    assert strip("  x ") == "x"
    assert upper("91350203m0001qay9b") == "91350203M0001QAY9B"
    assert lower("ABC") == "abc"
    assert digits("139-1234-5678") == "13912345678"
    assert halfwidth("９１３５０２０３Ｍ０００１ＱＡＹ９Ｂ") == "91350203M0001QAY9B"
    assert halfwidth("厦门　思明（一）") == "厦门 思明(一)"
    assert digits(12.5) == "125"
    assert set(TRANSFORMS) == {"strip", "upper", "lower", "digits", "halfwidth"}
