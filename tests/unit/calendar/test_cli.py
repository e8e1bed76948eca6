"""``hub calendar import | show | deadline`` against a deployment folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.calendar import load_calendar
from hub.calendar.files import STANDARD_CALENDAR_DIR, deployment_calendar_dir
from hub.cli.main import app

runner = CliRunner()
NOTICE_2027: dict[str, Any] = {
    "year": 2027,
    "source": {"notice": "国务院办公厅关于2027年部分节假日安排的通知"},
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"date": "2027-01-02", "name": "元旦"},
        {"date": "2027-01-03", "name": "元旦"},
    ],
    "makeup_workdays": [{"date": "2027-01-09", "name": "元旦"}],
}


def invoke(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["calendar", *arguments])
    return result.exit_code, " ".join(result.output.split())


def write_notice(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def standard_files() -> list[str]:
    return sorted(path.name for path in STANDARD_CALENDAR_DIR.iterdir())


def test_import_writes_to_the_deployment_folder_and_the_calendar_uses_it(
    tmp_path: Path, standard_files: list[str]
) -> None:
    assert not load_calendar().is_official(2027)

    code, output = invoke("import", str(write_notice(tmp_path, NOTICE_2027)))

    assert code == 0, output
    assert "imported 2027: 3 days off, 1 make-up working days" in output
    assert (deployment_calendar_dir() / "2027.json").is_file()
    assert sorted(path.name for path in STANDARD_CALENDAR_DIR.iterdir()) == standard_files
    calendar = load_calendar()
    assert calendar.is_official(2027)
    code, output = invoke("deadline", "2026-12-31", "2")
    assert (code, output) == (0, "due 2027-01-05 23:59:59+08:00")


def test_a_second_import_of_the_same_year_needs_replace(tmp_path: Path) -> None:
    notice = write_notice(tmp_path, NOTICE_2027)
    assert invoke("import", str(notice))[0] == 0

    code, output = invoke("import", str(notice))
    assert code == 2
    assert "a schedule for 2027 exists; pass --replace to replace it" in output
    assert invoke("import", str(notice), "--replace")[0] == 0


def test_a_refused_file_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    broken = dict(
        NOTICE_2027,
        holidays=[{"date": "2026-12-31", "name": "元旦"}, {"date": "2027-01-09", "name": "元旦"}],
        makeup_workdays=[
            {"date": "2027-01-09", "name": "元旦"},
            {"date": "2027-01-04", "name": "元旦"},
        ],
    )

    code, output = invoke("import", str(write_notice(tmp_path, broken)))

    assert code == 2
    assert "holidays[0] 2026-12-31 is not in 2027" in output
    assert "2027-01-09 is both a holiday and a make-up working day" in output
    assert "make-up working day 2027-01-04 is a Monday, not a weekend day" in output
    assert not (deployment_calendar_dir() / "2027.json").exists()


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notice.json"
    path.write_text("{not json", encoding="utf-8")

    code, output = invoke("import", str(path))

    assert code == 2 and "is not JSON" in output


def test_show_prints_an_official_year_with_its_source() -> None:
    code, output = invoke("show", "2025")

    assert code == 0
    assert "2025: official, from 国务院办公厅关于2025年部分节假日安排的通知" in output
    assert (
        "make-up working days (调休上班): 5 2025-01-26 Sun 春节 2025-02-08 Sat 春节 2025-04-27"
        in output
    )


def test_show_of_a_year_without_schedule_says_so_and_shows_the_estimate() -> None:
    code, output = invoke("show", "2030")

    assert code == 0
    assert "2030: no official schedule" in output
    assert "estimated days off (holidays package; not counted, make-up days unknown)" in output
    assert "2030-01-01 Tue 元旦" in output


def test_deadline_across_the_spring_festival_and_a_provisional_one() -> None:
    assert invoke("deadline", "2025-01-26", "7") == (0, "due 2025-02-11 23:59:59+08:00")

    code, output = invoke("deadline", "2026-12-30T09:00", "3")
    assert code == 0
    assert output.startswith("due 2027-01-04 23:59:59+08:00 provisional:")


def test_deadline_refuses_a_start_that_is_not_a_date() -> None:
    code, output = invoke("deadline", "next-monday", "3")

    assert code == 2 and "not a date: next-monday" in output
