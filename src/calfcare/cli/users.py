"""`calfcare users ...`: account chores for the person who runs a calfcare site.

calfcare sends no email, so a forgotten password is reset with a one-time code that the
self-hoster makes here and passes on (`reset-token`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(
    help="Manage accounts: reset codes for forgotten passwords, new accounts.", no_args_is_help=True
)
T = TypeVar("T")


@contextmanager
def _db() -> Iterator[tuple[Session, str]]:
    """A database session (committed on success) and the site's address."""
    from sqlalchemy.orm import Session

    from calfcare.settings import load_settings
    from calfcare.storage.db import make_engine

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session, f"http://{settings.host}:{settings.port}"
    finally:
        engine.dispose()


def _run(action: Callable[[Session, datetime], T]) -> T:
    """Run a service call; print its error and exit 2 if it refuses."""
    from calfcare.errors import FormError, NotFoundError

    try:
        with _db() as (session, _):
            return action(session, datetime.now(UTC))
    except NotFoundError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except FormError as exc:
        for field, message in exc.errors.items():
            typer.echo(f"{field}: {message}", err=True)
        raise typer.Exit(2) from None


@app.command("reset-token")
def reset_token(
    email: Annotated[str, typer.Argument(help="The email address of the account.")],
    base_url: Annotated[
        str | None,
        typer.Option(help="The site's public address, for the link (default http://HOST:PORT)."),
    ] = None,
) -> None:
    """Make a one-time code (valid for 1 hour) to set a new password; print it and its link."""
    from calfcare.services import accounts
    from calfcare.settings import load_settings

    issued = _run(lambda db, now: accounts.create_reset_token(db, email=email, now=now))
    settings = load_settings()
    site = (base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    typer.echo(
        f"Reset code for {accounts.normalise_email(email)} "
        f"(works once, until {issued.expires_at:%Y-%m-%d %H:%M} UTC):"
    )
    typer.echo(issued.value)
    typer.echo(f"Give the person this link: {site}/account/reset?token={issued.value}")


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Email address (used to sign in).")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[str, typer.Option(help="person or clinician.")] = "person",
    units: Annotated[str, typer.Option(help="metric or imperial.")] = "metric",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
) -> None:
    """Create an account (asks for the password unless --password-stdin)."""
    from calfcare.services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _run(
        lambda db, now: accounts.sign_up(
            db, email=email, password=password, display_name=name, role=role, units=units, now=now
        )
    )
    typer.echo(f"Created the {user.role} account {user.email} ({user.display_name}).")
