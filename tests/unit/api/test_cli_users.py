"""``hub user add`` and ``hub user add-client``."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.cli.users import users_app
from hub.settings import Settings

runner = CliRunner()


def _flat(output: str) -> str:
    """Rich draws errors in a wrapped box; unwrap it to match a message."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


ADD = ["add", "li.lei", "--role", "officer", "--department", "SCJG-3401", "--region", "340100"]


def test_add_user_from_stdin_then_sign_in(settings: Settings, client: TestClient) -> None:
    result = runner.invoke(users_app, [*ADD, "--password-stdin"], input="long enough pw\n")
    assert result.exit_code == 0, result.output
    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "li.lei", "password": "long enough pw"},
    )
    assert response.status_code == 200, response.text


def test_add_user_prompts_twice(settings: Settings) -> None:
    result = runner.invoke(users_app, ADD, input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output


def test_refuses_duplicates_unknown_roles_and_bad_regions(settings: Settings) -> None:
    assert (
        runner.invoke(users_app, [*ADD, "--password-stdin"], input="long enough pw\n").exit_code
        == 0
    )
    duplicate = runner.invoke(users_app, [*ADD, "--password-stdin"], input="long enough pw\n")
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output

    unknown = runner.invoke(
        users_app,
        ["add", "x", "--role", "boss", "--department", "D", "--region", "340100"],
        input="long enough pw\n",
    )
    assert unknown.exit_code == 2
    assert "known: admin, integrator, leader, officer" in _flat(unknown.output)

    nationwide = runner.invoke(
        users_app,
        ["add", "x", "--role", "officer", "--department", "D", "--region", "000000"],
        input="long enough pw\n",
    )
    assert nationwide.exit_code == 2

    short = runner.invoke(
        users_app,
        [
            "add",
            "y",
            "--role",
            "officer",
            "--department",
            "D",
            "--region",
            "340100",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert short.exit_code == 1


def test_add_client_prints_its_secret_once(settings: Settings, client: TestClient) -> None:
    result = runner.invoke(
        users_app,
        ["add-client", "etl", "--role", "integrator", "--department", "HUB", "--region", "340000"],
    )
    assert result.exit_code == 0, result.output
    match = re.search(r"client_secret: (\S+)", result.output)
    assert match is not None
    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=("etl", match.group(1)),
    )
    assert response.status_code == 200, response.text
    again = runner.invoke(
        users_app,
        ["add-client", "etl", "--role", "integrator", "--department", "HUB", "--region", "340000"],
    )
    assert again.exit_code == 1
