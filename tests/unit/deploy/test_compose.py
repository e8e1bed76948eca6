"""``docker-compose.yml`` checked without a container engine (none runs in CI): every service,
volume and port it refers to exists, every command is a real ``hub`` or ``airflow``
subcommand, and every environment variable is one something reads."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from hub.cli.main import app
from hub.settings import Settings

REPO = Path(__file__).resolve().parents[3]
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
# What the third-party images listen on and read (their own documented variables).
IMAGE_PORTS = {"postgres": {5432}, "rabbitmq": {5672, 15672}, "redis": {6379}}
IMAGE_VARIABLES = {
    "postgres": {
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "POSTGRES_DB",
        "PGHOST",
        "PGUSER",
        "PGDATABASE",
        "PGPASSWORD",
    },
    "rabbitmq": {"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"},
}
URL = re.compile(r"[a-z+]+://(?:[^@/\s]*@)?([A-Za-z0-9_.-]+):(\d+)")
# ${VAR} interpolated by compose; $${VAR} is a literal ${VAR} for the container's shell.
INTERPOLATED = re.compile(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}")


def _image(service: dict[str, Any]) -> str:
    return str(service.get("image", "")).split(":")[0]


def _commands(service: dict[str, Any]) -> Iterator[list[str]]:
    """Every command line a service runs: its command and its health check, ``sh -c``
    scripts split at ``&&`` and ``||``."""
    for line in (service.get("command"), (service.get("healthcheck") or {}).get("test")):
        if not line:
            continue
        words = shlex.split(line) if isinstance(line, str) else [str(w) for w in line]
        if words and words[0] in ("CMD", "CMD-SHELL"):
            words = words[1:] if words[0] == "CMD" else shlex.split(" ".join(words[1:]))
        if words[:2] == ["sh", "-c"]:
            for part in re.split(r"&&|\|\|", " ".join(words[2:])):
                yield shlex.split(part)
        else:
            yield words


def _all_commands(program: str) -> list[list[str]]:
    return [
        words
        for service in SERVICES.values()
        for words in _commands(service)
        if words[0] == program
    ]


def _listening_ports(name: str, service: dict[str, Any]) -> set[int]:
    ports = set(IMAGE_PORTS.get(_image(service), set()))
    for words in _commands(service):
        if "--port" in words:
            ports.add(int(words[words.index("--port") + 1]))
    return ports


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {str(k): str(v) for k, v in environment.items()}


def test_every_dependency_and_volume_exists() -> None:
    for name, service in SERVICES.items():
        for needed in service.get("depends_on") or {}:
            assert needed in SERVICES, f"{name} depends on unknown service {needed}"
        for mount in service.get("volumes") or []:
            source = str(mount).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in (COMPOSE.get("volumes") or {}), f"{name}: unknown volume {source}"


def test_every_url_names_a_service_and_a_port_it_listens_on() -> None:
    for name, service in SERVICES.items():
        texts = [*_environment(service).values(), json.dumps(service.get("healthcheck") or {})]
        for text in texts:
            for host, port in URL.findall(text):
                if host in ("127.0.0.1", "localhost"):
                    assert int(port) in _listening_ports(name, service), f"{name}: {text}"
                    continue
                assert host in SERVICES, f"{name}: {text} names no service"
                assert int(port) in _listening_ports(host, SERVICES[host]), (
                    f"{name}: {host} does not listen on {port}"
                )


def test_every_hub_command_is_a_real_subcommand_with_real_options() -> None:
    root = typer.main.get_command(app)  # Typer's own Click: groups are told by .commands
    lines = _all_commands("hub")
    assert lines, "no hub command found"
    for words in lines:
        command: Any = root
        args = words[1:]
        while getattr(command, "commands", None) is not None:
            assert args, f"`{' '.join(words)}` names a group, not a command"
            found = command.commands.get(args[0])
            assert found is not None, f"`{' '.join(words)}`: no subcommand {args[0]!r}"
            command, args = found, args[1:]
        command.make_context(words[0], list(args))  # refuses unknown options and arguments


def test_every_airflow_command_and_setting_is_real(tmp_path: Path) -> None:
    """Airflow's own parser and configuration, in a process of its own (importing Airflow
    here would fix its configuration for the rest of the session)."""
    lines = [words[1:] for words in _all_commands("airflow")]
    settings = sorted(
        {
            key
            for service in SERVICES.values()
            for key in _environment(service)
            if key.startswith("AIRFLOW__")
        }
        | {
            key
            for key in COMPOSE.get("x-airflow", {}).get("environment", {})
            if key.startswith("AIRFLOW__")
        }
    )
    script = (
        "import json, sys\n"
        "from airflow.cli.cli_parser import get_parser\n"
        "from airflow.configuration import conf\n"
        "lines, settings = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "for line in lines: get_parser().parse_args(line)\n"
        "known = conf.configuration_description\n"
        "def listed(name):\n"
        "    section, key = (part.lower() for part in name.split('__')[1:3])\n"
        "    return key in known.get(section, {}).get('options', {})\n"
        "unknown = [s for s in settings if not listed(s)]\n"
        "print(json.dumps(unknown))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(lines), json.dumps(settings)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AIRFLOW_HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _strings(node: Any) -> Iterator[str]:
    """Every string value of the loaded file (comments are gone by then)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _channel_variables() -> set[str]:
    return {
        match.group(1)
        for path in (REPO / "mappings").glob("*/channel.yaml")
        for match in INTERPOLATED.finditer(path.read_text(encoding="utf-8"))
    }


def test_every_environment_variable_is_one_something_reads() -> None:
    hub_settings = {f"HUB_{name.upper()}" for name in Settings.model_fields}
    documented = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", (REPO / ".env.example").read_text(), re.M))
    for name, service in [*SERVICES.items(), ("x-airflow", COMPOSE["x-airflow"])]:
        for key in _environment(service):
            if key.startswith("HUB_"):
                assert key in hub_settings | _channel_variables(), f"{name}: nothing reads {key}"
            elif key.startswith("AIRFLOW"):
                assert key == "AIRFLOW_HOME" or key.startswith("AIRFLOW__"), f"{name}: {key}"
            else:
                assert key in IMAGE_VARIABLES.get(_image(service), set()), f"{name}: {key}"
    for match in (m for text in _strings(COMPOSE) for m in INTERPOLATED.finditer(text)):
        variable, default = match.group(1), match.group(2) or ""
        assert variable in documented or default.startswith(("-", ":-")), (
            f"${{{variable}}} is neither in .env.example nor given a default"
        )


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_pinned_image_or_the_hub_build_and_a_health_check(name: str) -> None:
    service = SERVICES[name]
    merged = {**COMPOSE.get("x-airflow", {}), **service} if name.startswith("airflow-") else service
    image = str(merged.get("image", ""))
    assert merged.get("build") == "." or re.search(r":\d", image), f"{name}: unpinned {image!r}"
    runs_once = name.endswith(("-migrate", "-db"))
    assert runs_once or "healthcheck" in merged or name == "airflow-worker", (
        f"{name}: no health check"
    )
