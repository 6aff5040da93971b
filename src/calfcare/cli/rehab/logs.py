"""`calfcare rehab today`, `log`, `morning` and `test`: today's session and what you log.

How today's session is shown lives in `today_view`; here are the commands and the reading of
what a person types (`--exercise ID:SETSxAMOUNT@LOAD~PAIN`) into what the services save.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from calfcare.cli.people import fail, rich_console
from calfcare.cli.rehab.common import (
    DayOption,
    JsonOption,
    UserOption,
    app,
    bad_input,
    esc,
    knowledge,
    no_plan,
    option,
    person,
    print_json,
    programme_changed,
)
from calfcare.cli.rehab.render import print_decision, test_line, test_name
from calfcare.cli.rehab.today_view import print_today, today_json

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from calfcare.kb.loader import KnowledgeBase
    from calfcare.services.rehab import PlanReport, SessionRecord

SESSION_OPTIONS = {
    "day": "--day",
    "pain_during": "--pain",
    "pain_after": "--pain-after",
    "flags": "--flag",
    "notes": "--notes",
    "exercises": "--exercise",
}
MORNING_OPTIONS = {"day": "--day", "pain": "--pain"}
TEST_OPTIONS = {
    "kind": "KIND",
    "day": "--day",
    "injured": "--injured",
    "other": "--other",
    "pain": "--pain",
    "limp": "--limp",
}
#: The part of `--exercise ID:SETSxAMOUNT@LOAD~PAIN` that each exercise field comes from.
EXERCISE_PARTS = {
    "exercise": "the exercise ID",
    "sets": "SETS",
    "amount": "AMOUNT",
    "load_kg": "LOAD",
    "pain": "PAIN",
}
EXERCISE_SYNTAX = "ID:SETSxAMOUNT[@LOADkg][~PAIN], e.g. seated_soleus_raise:3x15@20kg"
_EXERCISE = re.compile(
    r"^\s*(?P<id>[^:\s]+)\s*:\s*(?P<sets>[^x@~\s]+)"
    r"(?:\s*x\s*(?P<amount>[^@~\s]+))?"
    r"(?:\s*@\s*(?P<load>[^~\s]+?)\s*(?P<unit>kg|lb|lbs)?)?"
    r"(?:\s*~\s*(?P<pain>\S+))?\s*$",
    re.IGNORECASE,
)
_ROW = re.compile(r"^exercises\[(\d+)\]\.(\w+)$")
LB_IN_KG = 0.45359237


# --- today --------------------------------------------------------------------------------


@app.command("today")
def today(user: UserOption, as_json: JsonOption = False) -> None:
    """Today's session: each exercise with its dose, and what is still to log."""
    from calfcare.errors import NotFoundError
    from calfcare.services import rehab

    kb = knowledge()
    with person(user) as (session, who, day):
        try:
            got = rehab.today_session(session, owner_id=who.id, today=day, kb=kb)
            report = rehab.status(session, owner_id=who.id, today=day, kb=kb).report
        except NotFoundError as exc:
            no_plan(str(exc))
        except rehab.ProgrammeChangedError as exc:
            programme_changed(exc)
    if as_json:
        print_json(today_json(kb, got, report))
        return
    print_today(kb, got, report)


# --- logging ------------------------------------------------------------------------------


def _parse_exercise(spec: str) -> dict[str, object] | None:
    m = _EXERCISE.match(spec)
    if m is None:
        return None
    row: dict[str, object] = {"exercise": m["id"], "sets": m["sets"]}
    if m["amount"] is not None:
        row["amount"] = m["amount"]
    if m["load"] is not None:
        load: object = m["load"]
        if (m["unit"] or "kg").lower().startswith("lb"):
            try:
                load = round(float(m["load"]) * LB_IN_KG, 2)
            except ValueError:
                load = m["load"]
        row["load_kg"] = load
    if m["pain"] is not None:
        row["pain"] = m["pain"]
    return row


def _exercise_rows(specs: Sequence[str]) -> list[dict[str, object]]:
    """Each `--exercise` as the service reads it; exit 2 naming any that cannot be read."""
    rows: list[dict[str, object]] = []
    bad = []
    for spec in specs:
        row = _parse_exercise(spec)
        if row is None:
            bad.append(f"--exercise '{spec}': Must look like {EXERCISE_SYNTAX}.")
        else:
            rows.append(row)
    if bad:
        for line in bad:
            typer.echo(line, err=True)
        fail("Nothing was saved.", 2)
    return rows


def _exercise_where(specs: Sequence[str]) -> Callable[[str], str]:
    def where(field: str) -> str:
        m = _ROW.match(field)
        if m is None:
            return option(field, SESSION_OPTIONS)
        i, part = int(m[1]), m[2]
        spec = specs[i] if i < len(specs) else "?"
        return f"--exercise '{spec}' ({EXERCISE_PARTS.get(part, part)})"

    return where


@app.command("log")
def log(
    user: UserOption,
    pain: Annotated[
        str | None,
        typer.Option(
            "--pain",
            show_default=False,
            help="The worst pain during the session, 0 (none) to 10 (worst).",
        ),
    ] = None,
    pain_after: Annotated[
        str | None,
        typer.Option(
            "--pain-after",
            show_default=False,
            help="Pain an hour or so after the session, 0 to 10.",
        ),
    ] = None,
    day: DayOption = None,
    flag: Annotated[
        list[str] | None,
        typer.Option(
            "--flag",
            show_default=False,
            help="A warning sign you noticed, by its key as `calfcare rehab today` lists them "
            "(e.g. sharp_pain_or_pop). Repeat for more. Any warning sign stops the programme "
            "until a professional has checked your calf.",
        ),
    ] = None,
    exercise: Annotated[
        list[str] | None,
        typer.Option(
            "--exercise",
            "-e",
            show_default=False,
            metavar="ID:SETSxAMOUNT[@LOADkg][~PAIN]",
            help="An exercise you did: its id, the sets, and reps, seconds or minutes per set (as "
            "the exercise counts them); optionally @ the added weight (kg, or add lb) and ~ "
            "the pain during it (0-10). Repeat for each exercise, e.g. -e "
            "seated_soleus_raise:3x15@20kg -e ankle_pumps:2x30~1",
        ),
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="Anything else.")] = "",
) -> None:
    """Log today's exercise session (or an earlier day's), then show the decision.

    Example: calfcare rehab log --pain 3 --pain-after 2 -e seated_soleus_raise:3x15@20kg
    -e isometric_heel_raise_hold_double:5x45~2
    """
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    specs = list(exercise or [])
    rows = _exercise_rows(specs)
    kb = knowledge()
    with person(user) as (session, who, today):
        values: dict[str, object] = {
            "pain_during": pain,
            "pain_after": pain_after,
            "day": day or today.isoformat(),
            "notes": notes,
            "flags": list(flag or []),
        }
        try:
            record = rehab.log_session(
                session,
                owner_id=who.id,
                today=today,
                kb=kb,
                values={k: v for k, v in values.items() if v is not None},
                exercises=rows,
            )
        except NotFoundError as exc:
            no_plan(str(exc))
        except FormError as exc:
            bad_input(exc, _exercise_where(specs))
        session.commit()
        report = _report_or_changed(session, who.id, today, kb)
    _print_saved_session(kb, record, report)


def _print_saved_session(kb: KnowledgeBase, record: SessionRecord, report: PlanReport) -> None:
    """What was saved, in the person's words back (so a mistyped pain shows at once), any
    warning sign by its text rather than its key, then what the plan now says to do."""
    from calfcare.services.rehab import quantity

    console = rich_console()
    after = f", {record.pain_after}/10 after" if record.pain_after is not None else ""
    console.print(
        f"Saved your session of {record.day:%a %d %b %Y}: pain {record.pain_during}"
        f"/10 during{after}, {quantity(len(record.exercises), 'exercise')}."
    )
    if record.flags:
        console.print(
            "Warning signs noted: "
            + "; ".join(esc(kb.pain_model.flags.get(f, f)) for f in record.flags)
            + "."
        )
    print_decision(console, kb, report)


def _report_or_changed(
    session: Session, owner_id: str, today: date, kb: KnowledgeBase
) -> PlanReport:
    """The plan's report after something was saved (its phase may have gone: say so)."""
    from calfcare.services import rehab

    try:
        return rehab.status(session, owner_id=owner_id, today=today, kb=kb).report
    except rehab.ProgrammeChangedError as exc:
        programme_changed(exc)


@app.command("morning")
def morning(
    user: UserOption,
    pain: Annotated[
        str | None,
        typer.Option(
            "--pain",
            show_default=False,
            help="Calf pain or stiffness on getting up, 0 (none) to 10 (worst).",
        ),
    ] = None,
    day: DayOption = None,
) -> None:
    """Log the next-morning pain check (one a day: logging again replaces it)."""
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = knowledge()
    with person(user) as (session, who, today):
        values = {"pain": pain, "day": day or today.isoformat()}
        try:
            check = rehab.log_morning(
                session,
                owner_id=who.id,
                today=today,
                values={k: v for k, v in values.items() if v is not None},
            )
        except NotFoundError as exc:
            no_plan(str(exc))
        except FormError as exc:
            bad_input(exc, lambda f: option(f, MORNING_OPTIONS))
        session.commit()
        report = _report_or_changed(session, who.id, today, kb)
    console = rich_console()
    console.print(f"Saved the morning check of {check.day:%a %d %b %Y}: pain {check.pain}/10.")
    print_decision(console, kb, report)


@app.command("test")
def log_test(
    user: UserOption,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            show_default=False,
            help="walking (--pain, --limp), symptoms (--pain at rest and when pressed), "
            "heel_raise (single-leg raises: --injured N --other N), hop (--injured --other, "
            "cm or hops), lunge (knee-to-wall cm: --injured --other), run (--injured MINUTES "
            "run, --pain) or training (a full training session: --pain).",
        ),
    ],
    injured: Annotated[
        str | None,
        typer.Option(
            "--injured",
            show_default=False,
            help="The injured side's result (for run: the minutes run).",
        ),
    ] = None,
    other: Annotated[
        str | None, typer.Option("--other", show_default=False, help="The other side's result.")
    ] = None,
    pain: Annotated[
        str | None,
        typer.Option("--pain", show_default=False, help="The worst pain during the test, 0 to 10."),
    ] = None,
    limp: Annotated[bool, typer.Option("--limp", help="You limped (walking check).")] = False,
    day: DayOption = None,
) -> None:
    """Log a test that a phase's goals ask for, then show the decision.

    Example: calfcare rehab test heel_raise --injured 18 --other 25
    """
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = knowledge()
    with person(user) as (session, who, today):
        values = {
            "kind": kind,
            "injured": injured,
            "other": other,
            "pain": pain,
            "limp": limp,
            "day": day or today.isoformat(),
        }
        try:
            record = rehab.log_test(
                session,
                owner_id=who.id,
                today=today,
                kb=kb,
                values={k: v for k, v in values.items() if v is not None},
            )
        except NotFoundError as exc:
            no_plan(str(exc))
        except FormError as exc:
            bad_input(exc, lambda f: option(f, TEST_OPTIONS))
        session.commit()
        report = _report_or_changed(session, who.id, today, kb)
    console = rich_console()
    console.print(
        f"Saved: {test_name(kb, record.kind.value)} of "
        f"{record.day:%a %d %b %Y}: {test_line(record)}."
    )
    print_decision(console, kb, report)
