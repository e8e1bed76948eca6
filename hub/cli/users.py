"""``hub user add`` and ``hub user add-client``: accounts for the work API.

    hub user add li.lei --role officer --department SCJG-3401 --region 340100
    printf '%s\\n' "$PASSWORD" | hub user add ci-bot --role admin --department HUB \\
        --region 000000 --password-stdin
    hub user add-client provincial-etl --role integrator --department HUB --region 340000

The region is a 6-digit GB/T 2260 code whose trailing ``00`` pairs widen it (``340000`` all
of Anhui, ``340100`` Hefei); ``000000`` (nationwide) is reserved for admins. A client's
secret is printed once and stored only as a hash: lose it and create a new client.
"""

from __future__ import annotations

import re
import secrets
import sys
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from hub.security.passwords import hash_password
from hub.security.tokens import NATIONWIDE, ROLES
from hub.store.engine import session_scope
from hub.store.models.users import ApiClient, User

MIN_PASSWORD_LENGTH = 8

users_app = typer.Typer(
    help="Manage accounts of the work API (people and machine clients).",
    no_args_is_help=True,
)

RoleOption = Annotated[str, typer.Option("--role", help=f"one of: {', '.join(sorted(ROLES))}")]
DepartmentOption = Annotated[
    str, typer.Option("--department", help="department code, e.g. SCJG-3401")
]
RegionOption = Annotated[
    str, typer.Option("--region", help="6-digit GB/T 2260 code, e.g. 340100 (Hefei)")
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=1)


def _check_scope(role: str, department: str, region: str) -> tuple[str, str, str]:
    """Validate role, department and region; refuse with the list of known roles."""
    role = role.strip()
    if role not in ROLES:
        raise typer.BadParameter(
            f"unknown role {role!r}; known: {', '.join(sorted(ROLES))}", param_hint="--role"
        )
    department = department.strip()
    if not department:
        raise typer.BadParameter("must not be empty", param_hint="--department")
    region = region.strip()
    if not re.fullmatch(r"[0-9]{6}", region):
        raise typer.BadParameter("must be a 6-digit GB/T 2260 code", param_hint="--region")
    if region in NATIONWIDE and role != "admin":
        raise typer.BadParameter(
            "000000 (nationwide) is reserved for admins; give the area this account covers",
            param_hint="--region",
        )
    return role, department, region


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _fail(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def _missing_tables(exc: Exception) -> typer.Exit:
    return _fail(f"the store is not ready ({type(exc).__name__}); run `hub db upgrade` first")


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(metavar="USERNAME", help="login name")],
    role: RoleOption,
    department: DepartmentOption,
    region: RegionOption,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a person's account; the password is asked twice unless read from stdin."""
    role, department, region = _check_scope(role, department, region)
    username = username.strip()
    if not username:
        raise typer.BadParameter("must not be empty", param_hint="USERNAME")
    try:
        with session_scope() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise _fail(f"user {username!r} already exists")
            password = _read_password(password_stdin)
            session.add(
                User(
                    username=username,
                    password_hash=hash_password(password),
                    role=role,
                    department_code=department,
                    region_code=region,
                )
            )
    except IntegrityError as exc:
        raise _fail(f"user {username!r} already exists") from exc
    except (OperationalError, ProgrammingError) as exc:
        raise _missing_tables(exc) from exc
    typer.echo(f"created user {username} ({role}, {department}, region {region})")


@users_app.command("add-client")
def add_client(
    client_id: Annotated[
        str, typer.Argument(metavar="CLIENT_ID", help="client id the system will send")
    ],
    role: RoleOption,
    department: DepartmentOption,
    region: RegionOption,
) -> None:
    """Create a machine client (client-credentials flow) and print its secret once."""
    role, department, region = _check_scope(role, department, region)
    client_id = client_id.strip()
    if not client_id:
        raise typer.BadParameter("must not be empty", param_hint="CLIENT_ID")
    secret = secrets.token_urlsafe(32)
    try:
        with session_scope() as session:
            if (
                session.scalar(select(ApiClient.id).where(ApiClient.client_id == client_id))
                is not None
            ):
                raise _fail(f"client {client_id!r} already exists")
            session.add(
                ApiClient(
                    client_id=client_id,
                    secret_hash=hash_password(secret),
                    role=role,
                    department_code=department,
                    region_code=region,
                )
            )
    except IntegrityError as exc:
        raise _fail(f"client {client_id!r} already exists") from exc
    except (OperationalError, ProgrammingError) as exc:
        raise _missing_tables(exc) from exc
    typer.echo(f"created client {client_id} ({role}, {department}, region {region})")
    typer.echo(f"client_secret: {secret}")
    typer.echo("This secret is shown once and stored only as a hash; keep it now.")
