"""What the person-facing commands share: the account chosen with --user, the database
session, the account's time zone, Rich output and clean failures (a message, an exit code,
never a traceback).

Heavy modules are imported inside the functions so that `calfcare --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from calfcare.services.diary import Person
    from calfcare.settings import Settings


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def rich_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def settings() -> Settings:
    """The settings from the environment, or a clear message naming each bad variable."""
    from pydantic import ValidationError

    from calfcare.settings import load_settings

    try:
        return load_settings()
    except ValidationError as exc:
        problems = "; ".join(
            (f"CALFCARE_{'_'.join(str(p) for p in e['loc']).upper()}: " if e["loc"] else "")
            + e["msg"]
            for e in exc.errors()
        )
        fail(f"The settings are not valid: {problems}")


@contextmanager
def person_session(user: str) -> Iterator[tuple[Session, Person]]:
    """A session on the configured database, and the person chosen with --user."""
    from sqlalchemy.orm import Session

    from calfcare.errors import CalfcareError, NotFoundError
    from calfcare.services import diary
    from calfcare.services.database import ensure_schema
    from calfcare.storage.db import make_engine

    url = settings().database_url
    try:
        if ensure_schema(url):
            typer.echo("Created the database schema (first use).", err=True)
    except CalfcareError as exc:
        fail(str(exc))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            try:
                person = diary.person_by_email(session, email=user)
            except NotFoundError:
                fail(
                    f"No account with the email {user}. Create the account first (sign up "
                    "in the web application), then try again."
                )
            yield session, person
    finally:
        engine.dispose()


def zone_of_person(person: Person) -> tzinfo:
    """The person's time zone (their account's)."""
    from calfcare.services.accounts import zone_of

    return zone_of(person.time_zone)
