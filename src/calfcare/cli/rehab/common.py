"""What the `calfcare rehab` commands share: the Typer app, options, the person and their day,
clean failures, and how references and evidence are printed.

Heavy modules (SQLAlchemy, the services, the knowledge base, Rich) are imported inside the
functions so that `calfcare --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from calfcare.cli.people import fail, person_session, settings, zone_of_person

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from calfcare.errors import FormError
    from calfcare.kb.loader import KnowledgeBase
    from calfcare.kb.schema import EvidenceLevel, Statement
    from calfcare.services.diary import Person
    from calfcare.services.rehab import ProgrammeChangedError

app = typer.Typer(
    help="Follow a rehabilitation programme: today's exercises, your logs, and when to move "
    "on. Stop and see a professional if a warning sign appears.",
    no_args_is_help=True,
)

UserOption = Annotated[
    str,
    typer.Option(
        "--user",
        envvar="CALFCARE_USER",
        show_default=False,
        help="Email of the person whose programme this is (or set CALFCARE_USER).",
    ),
]
DayOption = Annotated[
    str | None,
    typer.Option(
        "--day",
        show_default=False,
        help="The day it happened, e.g. 2026-11-25 (default: today, in your account's time zone).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, for scripts.")]

EMERGENCY_LINE = (
    "If you have chest pain, sudden breathlessness, a cold pale foot, or you feel "
    "confused or faint: call emergency services now (999, 112 or 911)."
)
DISCLAIMER = (
    "calfcare gives information, not a diagnosis. If you are unsure about your calf, "
    "ask a physiotherapist or doctor."
)


def _today(person: Person) -> date:
    """Today in the person's time zone, by the settings' clock (CALFCARE_CLOCK_FILE)."""
    try:
        now = settings().now()
    except ValueError as exc:
        fail(
            f"CALFCARE_CLOCK_FILE: the clock file must hold a date and time with an offset, "
            f"such as 2026-11-25T08:00+00:00 ({exc})."
        )
    return now.astimezone(zone_of_person(person)).date()


@contextmanager
def person(user: str) -> Iterator[tuple[Session, Person, date]]:
    """A session on the configured database, the person, and their today."""
    with person_session(user) as (session, who):
        yield session, who, _today(who)


def knowledge() -> KnowledgeBase:
    from calfcare.errors import KnowledgeBaseError
    from calfcare.kb.loader import load_kb

    try:
        return load_kb()
    except KnowledgeBaseError as exc:
        fail(f"The knowledge base could not be loaded: {exc}")


def option(field: str, options: Mapping[str, str]) -> str:
    return options.get(field, field)


def bad_input(exc: FormError, where: Callable[[str], str]) -> NoReturn:
    """Each bad field under the option it came from; exit 2."""
    for field, message in exc.errors.items():
        typer.echo(f"{where(field)}: {message}", err=True)
    fail("Nothing was saved.", 2)


def no_plan(message: str) -> NoReturn:
    fail(f"{message} See `calfcare rehab programmes`, then `calfcare rehab start`.")


def programme_changed(exc: ProgrammeChangedError) -> NoReturn:
    """The plan's phase is gone from the programme: say so and how to choose it again."""
    if not exc.phases:
        fail(f"{exc} Stop it with `calfcare rehab stop` and start another.")
    choices = ", ".join(f"{pid} ({name})" for pid, name in exc.phases)
    fail(
        f"{exc} Your logs are kept. Choose the phase you are in now with `calfcare rehab "
        f"phase PHASE`, one of: {choices}."
    )


def print_json(doc: object) -> None:
    import json

    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False, default=str))


def esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _short_ref(kb: KnowledgeBase, ref_id: str) -> str:
    from calfcare.services.references import short_citation

    ref = kb.references.get(ref_id)
    return ref_id if ref is None else short_citation(ref)


def sources(kb: KnowledgeBase, refs: Sequence[str]) -> str:
    return "; ".join(_short_ref(kb, r) for r in refs)


def evidence(kb: KnowledgeBase, level: EvidenceLevel, refs: Sequence[str]) -> str:
    from calfcare.services.guides import EVIDENCE_WORDS

    words = EVIDENCE_WORDS.get(level, level.value.replace("_", " "))
    return f"{words}; {sources(kb, refs)}" if refs else words


def statement(console: Console, kb: KnowledgeBase, st: Statement, indent: str = "  ") -> None:
    console.print(f"{indent}- {esc(st.text)}")
    console.print(f"{indent}  [dim]({esc(evidence(kb, st.evidence, st.references))})[/dim]")


def measure(unit: str, amount: int) -> str:
    """E.g. `12 reps`, `1 minute`."""
    from calfcare.services.rehab import quantity

    return quantity(
        amount, {"reps": "rep", "seconds": "second", "minutes": "minute"}.get(unit, unit)
    )


def times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def week(days: int) -> str:
    from calfcare.services.rehab import quantity

    return "every day" if days >= 7 else f"{quantity(days, 'day')} a week"
