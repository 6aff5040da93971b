"""`calfcare rehab ...`: follow a rehabilitation programme on the command line.

The person is chosen with `--user EMAIL` (or CALFCARE_USER) and the database is the web
application's, as for `calfcare diary`. Days are calendar days in the account's time zone;
"today" comes from the settings' clock, so CALFCARE_CLOCK_FILE can replay a programme day by
day in a demonstration or a test.

Exit codes: 2 when something typed is wrong (the message names the option), 1 when the
request cannot be done as things stand (no account, no active programme, nothing to accept).

Heavy modules (SQLAlchemy, the services, the knowledge base, Rich) are imported inside the
commands so that `calfcare --help` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from calfcare.cli.people import fail, person_session, rich_console, settings, zone_of_person

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from calfcare.errors import FormError
    from calfcare.kb.loader import KnowledgeBase
    from calfcare.kb.rehab_schema import Exercise
    from calfcare.kb.schema import EvidenceLevel, Statement
    from calfcare.services.diary import Person
    from calfcare.services.rehab import DoseItem, PlanStatus, TestRecord

app = typer.Typer(
    help="Follow a rehabilitation programme: today's exercises, your logs, and when to move "
         "on. Stop and see a professional if a warning sign appears.",
    no_args_is_help=True)

UserOption = Annotated[str, typer.Option(
    "--user", envvar="CALFCARE_USER", show_default=False,
    help="Email of the person whose programme this is (or set CALFCARE_USER).")]
DayOption = Annotated[str | None, typer.Option(
    "--day", show_default=False,
    help="The day it happened, e.g. 2026-11-25 (default: today, in your account's time zone).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, for scripts.")]

#: The option a person typed for each field of the services' forms.
START_OPTIONS = {"programme": "--programme", "variant": "--variant", "side": "--side",
                 "injury_day": "--injury-day", "phase": "--phase", "notes": "--notes"}
SESSION_OPTIONS = {"day": "--day", "pain_during": "--pain", "pain_after": "--pain-after",
                   "flags": "--flag", "notes": "--notes", "exercises": "--exercise"}
MORNING_OPTIONS = {"day": "--day", "pain": "--pain"}
TEST_OPTIONS = {"kind": "KIND", "day": "--day", "injured": "--injured", "other": "--other",
                "pain": "--pain", "limp": "--limp"}
#: The part of `--exercise ID:SETSxAMOUNT@LOAD~PAIN` that each exercise field comes from.
EXERCISE_PARTS = {"exercise": "the exercise ID", "sets": "SETS", "amount": "AMOUNT",
                  "load_kg": "LOAD", "pain": "PAIN"}
EXERCISE_SYNTAX = "ID:SETSxAMOUNT[@LOADkg][~PAIN], e.g. seated_soleus_raise:3x15@20kg"
_EXERCISE = re.compile(r"^\s*(?P<id>[^:\s]+)\s*:\s*(?P<sets>[^x@~\s]+)"
                       r"(?:\s*x\s*(?P<amount>[^@~\s]+))?"
                       r"(?:\s*@\s*(?P<load>[^~\s]+?)\s*(?P<unit>kg|lb|lbs)?)?"
                       r"(?:\s*~\s*(?P<pain>\S+))?\s*$", re.IGNORECASE)
_ROW = re.compile(r"^exercises\[(\d+)\]\.(\w+)$")
LB_IN_KG = 0.45359237

ACTION_TITLES = {
    "progress": "Ready to move on",
    "hold": "Stay in this phase",
    "step_back": "Step back a phase",
    "see_professional": "STOP: see a professional before you carry on",
    "complete": "You have met every goal of the programme",
}
STATE_WORDS = {"done": "done", "current": "you are here", "upcoming": "to come"}
TEST_NAMES = {"walking": "Walking check", "symptoms": "Symptoms check",
              "heel_raise": "Single-leg heel raises", "hop": "Hop test",
              "lunge": "Knee-to-wall lunge", "run": "Run check", "training": "Full training"}
EMERGENCY_LINE = ("If you have chest pain, sudden breathlessness, a cold pale foot, or you feel "
                  "confused or faint: call emergency services now (999, 112 or 911).")
DISCLAIMER = ("calfcare gives information, not a diagnosis. If you are unsure about your calf, "
              "ask a physiotherapist or doctor.")


# --- plumbing -----------------------------------------------------------------------------

def _today(person: Person) -> date:
    """Today in the person's time zone, by the settings' clock (CALFCARE_CLOCK_FILE)."""
    try:
        now = settings().now()
    except ValueError as exc:
        fail(f"CALFCARE_CLOCK_FILE: the clock file must hold a date and time with an offset, "
              f"such as 2026-11-25T08:00+00:00 ({exc}).")
    return now.astimezone(zone_of_person(person)).date()


@contextmanager
def _person(user: str) -> Iterator[tuple[Session, Person, date]]:
    """A session on the configured database, the person, and their today."""
    with person_session(user) as (session, person):
        yield session, person, _today(person)


def _kb() -> KnowledgeBase:
    from calfcare.errors import KnowledgeBaseError
    from calfcare.kb.loader import load_kb

    try:
        return load_kb()
    except KnowledgeBaseError as exc:
        fail(f"The knowledge base could not be loaded: {exc}")


def _option(field: str, options: Mapping[str, str]) -> str:
    return options.get(field, field)


def _bad_input(exc: FormError, where: Callable[[str], str]) -> NoReturn:
    """Each bad field under the option it came from; exit 2."""
    for field, message in exc.errors.items():
        typer.echo(f"{where(field)}: {message}", err=True)
    fail("Nothing was saved.", 2)


def _no_plan(message: str) -> NoReturn:
    fail(f"{message} See `calfcare rehab programmes`, then `calfcare rehab start`.")


def _json(doc: object) -> None:
    import json

    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False, default=str))


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _short_ref(kb: KnowledgeBase, ref_id: str) -> str:
    ref = kb.references.get(ref_id)
    if ref is None:
        return ref_id
    first = ref.authors.split(",")[0].strip()
    name = first.rsplit(" ", 1)[0] if " " in first and first.split()[-1].isupper() else first
    more = " et al." if "," in ref.authors else ""
    return f"{name}{more} {ref.year}"


def _sources(kb: KnowledgeBase, refs: Sequence[str]) -> str:
    return "; ".join(_short_ref(kb, r) for r in refs)


def _evidence(kb: KnowledgeBase, level: EvidenceLevel, refs: Sequence[str]) -> str:
    from calfcare.services.guides import EVIDENCE_WORDS

    words = EVIDENCE_WORDS.get(level, level.value.replace("_", " "))
    return f"{words}; {_sources(kb, refs)}" if refs else words


def _statement(console: Console, kb: KnowledgeBase, st: Statement, indent: str = "  ") -> None:
    console.print(f"{indent}- {_esc(st.text)}")
    console.print(f"{indent}  [dim]({_esc(_evidence(kb, st.evidence, st.references))})"
                  "[/dim]")


def _measure(unit: str, amount: int) -> str:
    words = {"reps": ("rep", "reps"), "seconds": ("second", "seconds"),
             "minutes": ("minute", "minutes")}.get(unit, (unit, unit))
    return f"{amount} {words[0] if amount == 1 else words[1]}"


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _week(days: int) -> str:
    return "every day" if days >= 7 else "1 day a week" if days == 1 else f"{days} days a week"


# --- programmes and exercises -------------------------------------------------------------

@app.command("programmes")
def programmes(as_json: JsonOption = False) -> None:
    """List the programmes, their versions and how long recovery usually takes."""
    kb = _kb()
    if as_json:
        _json([{
            "id": p.id, "name": p.name, "summary": p.summary, "audience": p.audience,
            "for_conditions": p.for_conditions,
            "phases": [{"id": ph.id, "name": ph.name} for ph in p.phases],
            "variants": [{
                "id": v.id, "label": v.label, "grade": v.grade, "site": v.site,
                "expected_days": {"low": v.expected_days.low, "high": v.expected_days.high},
                "expected_note": v.expected_note, "estimate": v.estimate,
                "skip_phases": v.skip_phases, "references": v.references}
                for v in p.variants]}
            for p in sorted(kb.programmes.values(), key=lambda p: p.id)])
        return
    console = rich_console()
    for p in sorted(kb.programmes.values(), key=lambda p: p.id):
        console.print(f"\n[bold]{_esc(p.name)}[/bold]  (--programme {p.id})")
        console.print(f"  {_esc(p.summary)}")
        console.print(f"  Phases: {_esc(', '.join(ph.name for ph in p.phases))}.")
        console.print("  Versions (--variant), with the usual time back to full activity:")
        for v in p.variants:
            estimate = ", an estimate" if v.estimate else ""
            console.print(f"    {v.id}: {_esc(v.label)}: {v.expected_days.low} to "
                          f"{v.expected_days.high} days ({_sources(kb, v.references)}"
                          f"{estimate})")
    console.print("\nStart one with, for example: calfcare rehab start --programme calf_strain "
                  "--variant grade2_soleus --side left --injury-day 2026-11-20")
    console.print(f"[dim]{DISCLAIMER}[/dim]")


def _exercise_json(kb: KnowledgeBase, ex: Exercise, full: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": ex.id, "name": ex.name, "category": ex.category.value, "targets": ex.targets,
        "summary": ex.summary, "equipment": ex.equipment,
        "dose": ex.dose.model_dump(mode="json")}
    if full:
        doc.update({
            "instructions": ex.instructions, "cues": ex.cues,
            "common_errors": ex.common_errors,
            "easier": ex.easier.model_dump(mode="json") if ex.easier else None,
            "harder": ex.harder.model_dump(mode="json") if ex.harder else None,
            "stop_if": ex.stop_if, "why": ex.why.model_dump(mode="json"),
            "figure_alt": ex.figure_alt, "has_figure": ex.id in kb.figures})
    return doc


@app.command("exercises")
def exercises(
    category: Annotated[str | None, typer.Option(
        "--category", show_default=False,
        help="Only this family: stretch, mobility, isometric, strength, eccentric, "
             "soft_tissue, balance, plyometric or running.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The exercise library."""
    from calfcare.kb.rehab_schema import ExerciseCategory

    kinds = [c.value for c in ExerciseCategory]
    if category is not None and category.strip().lower() not in kinds:
        fail(f"--category: Must be one of {', '.join(kinds)} (got '{category}').", 2)
    kb = _kb()
    order = {c: i for i, c in enumerate(kinds)}
    found = sorted((e for e in kb.exercises.values()
                    if category is None or e.category.value == category.strip().lower()),
                   key=lambda e: (order[e.category.value], e.name))
    if as_json:
        _json([_exercise_json(kb, e, full=False) for e in found])
        return
    from rich import box
    from rich.table import Table

    console = rich_console()
    if not found:
        console.print("No exercises in this family yet.")
        return
    table = Table(title=f"{len(found)} exercise(s)", box=box.SIMPLE_HEAD, pad_edge=False,
                  padding=(0, 1, 0, 0))
    for column in ("ID", "Name", "Family", "Usual dose"):
        table.add_column(column)
    for e in found:
        dose = f"{e.dose.sets} x {_measure(e.dose.measure, e.dose.amount)}"
        table.add_row(e.id, _esc(e.name), e.category.value.replace("_", " "), dose)
    console.print(table)
    console.print("See one in full with `calfcare rehab exercise ID`.")


@app.command("exercise")
def exercise(
    exercise_id: Annotated[str, typer.Argument(
        metavar="ID", show_default=False, help="The exercise, e.g. seated_soleus_raise.")],
    as_json: JsonOption = False,
) -> None:
    """One exercise in full: how to do it, the dose, cues, mistakes and when to stop."""
    kb = _kb()
    ex = kb.exercises.get(exercise_id.strip().lower())
    if ex is None:
        fail(f"ID: No exercise called '{exercise_id}'. See `calfcare rehab exercises`.", 2)
    if as_json:
        _json(_exercise_json(kb, ex, full=True))
        return
    console = rich_console()
    console.print(f"[bold]{_esc(ex.name)}[/bold]  ({ex.id}, "
                  f"{ex.category.value.replace('_', ' ')})")
    console.print(_esc(ex.summary))
    console.print(f"Works: {', '.join(ex.targets)}. You need: "
                  f"{', '.join(e.replace('_', ' ') for e in ex.equipment)}.")
    console.print("\n[bold]How to do it[/bold]")
    for i, step in enumerate(ex.instructions, 1):
        console.print(f"  {i}. {_esc(step)}")
    d = ex.dose
    side = ", on each side" if d.each_side else ""
    console.print(f"\n[bold]Usual dose[/bold]: {d.sets} x {_measure(d.measure, d.amount)}"
                  f"{side}, {_times(d.per_day)} a day, {_week(d.days_per_week)}.")
    console.print(f"  {_esc(d.text)}")
    console.print("\n[bold]Think of[/bold]")
    for cue in ex.cues:
        console.print(f"  - {_esc(cue)}")
    console.print("\n[bold]Common mistakes[/bold]")
    for err in ex.common_errors:
        console.print(f"  - {_esc(err)}")
    for label, var in (("Easier", ex.easier), ("Harder", ex.harder)):
        if var is not None:
            also = f" (see `calfcare rehab exercise {var.exercise}`)" if var.exercise else ""
            console.print(f"\n[bold]{label}[/bold]: {_esc(var.text)}{also}")
    if ex.stop_if:
        console.print("\n[bold]Stop if[/bold]")
        for item in ex.stop_if:
            console.print(f"  ! {_esc(item)}")
    console.print("\n[bold]Why[/bold]")
    _statement(console, kb, ex.why)
    console.print(f"\n[dim]Picture (in the web application and the printed handout): "
                  f"{_esc(ex.figure_alt)}[/dim]")


# --- start and stop -----------------------------------------------------------------------

@app.command("start")
def start(
    user: UserOption,
    programme: Annotated[str, typer.Option(
        "--programme", show_default=False,
        help="The programme, e.g. calf_strain (see `calfcare rehab programmes`).")],
    variant: Annotated[str | None, typer.Option(
        "--variant", show_default=False,
        help="Its version, e.g. grade2_soleus (not needed when there is only one).")] = None,
    side: Annotated[str | None, typer.Option(
        "--side", show_default=False, help="The injured calf: left or right.")] = None,
    injury_day: Annotated[str | None, typer.Option(
        "--injury-day", show_default=False,
        help="The day of the injury (or when it began), e.g. 2026-11-20.")] = None,
    phase: Annotated[str | None, typer.Option(
        "--phase", show_default=False,
        help="Start at a later phase (its id), if a professional has told you to. "
             "Default: the first phase.")] = None,
    notes: Annotated[str, typer.Option("--notes", help="Anything to remember.")] = "",
) -> None:
    """Start a programme.

    Example: calfcare rehab start --programme calf_strain --variant grade2_soleus --side left
    --injury-day 2026-11-20
    """
    from calfcare.errors import FormError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, today):
        current = rehab.active_plan(session, owner_id=person.id)
        if current is not None:
            name = kb.programmes[current.programme].name if current.programme in \
                kb.programmes else current.programme
            fail(f"You already follow a programme ({name}, started "
                  f"{current.started_on:%d %b %Y}). Stop it with `calfcare rehab stop` "
                  "before starting another.")
        values = {"programme": programme, "variant": variant, "side": side,
                  "injury_day": injury_day, "phase": phase, "notes": notes}
        try:
            record = rehab.start_plan(
                session, owner_id=person.id, today=today, kb=kb,
                values={k: v for k, v in values.items() if v is not None})
        except FormError as exc:
            _bad_input(exc, lambda f: _option(f, START_OPTIONS))
        session.commit()
        st = rehab.status(session, owner_id=person.id, today=today, kb=kb)
    console = rich_console()
    console.print(f"Started: [bold]{_esc(st.programme.name)}[/bold], "
                  f"{_esc(st.variant.label.lower())}, {record.side} calf, injured on "
                  f"{record.injury_day:%d %b %Y}.")
    console.print(f"Phase {st.phase_index + 1} of {len(st.timeline)}: "
                  f"[bold]{_esc(st.phase.name)}[/bold]. {_esc(st.phase.goal)}")
    _print_expected(console, kb, st)
    console.print("\nNext: `calfcare rehab today` shows today's exercises.")
    console.print(f"[dim]{DISCLAIMER}[/dim]")


@app.command("stop")
def stop(
    user: UserOption,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
) -> None:
    """Stop following the programme (its logs are kept)."""
    from calfcare.errors import NotFoundError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, today):
        current = rehab.active_plan(session, owner_id=person.id)
        if current is None:
            _no_plan("You do not follow a programme.")
        name = kb.programmes[current.programme].name if current.programme in kb.programmes \
            else current.programme
        if not yes and not typer.confirm(f"Stop {name}?", default=False):
            fail("Nothing was changed.")
        try:
            rehab.stop_plan(session, owner_id=person.id, today=today)
        except NotFoundError as exc:
            _no_plan(str(exc))
        session.commit()
    typer.echo(f"Stopped {name}. Your logs are kept; start a programme again with "
               "`calfcare rehab start`.")


# --- today --------------------------------------------------------------------------------

def _dose_json(item: DoseItem) -> dict[str, Any]:
    ex = item.exercise
    return {"exercise": ex.id, "name": ex.name, "category": ex.category.value,
            "sets": item.sets, "amount": item.amount, "measure": item.measure,
            "per_day": item.per_day, "days_per_week": item.days_per_week,
            "each_side": ex.dose.each_side, "load": item.load, "note": item.note,
            "adjusted": item.adjusted, "cues": ex.cues, "stop_if": ex.stop_if}


def _dose_line(item: DoseItem) -> str:
    side = " on each side" if item.exercise.dose.each_side else ""
    return (f"{item.sets} x {_measure(item.measure, item.amount)}{side}, "
            f"{_times(item.per_day)} a day, {_week(item.days_per_week)}")


@app.command("today")
def today(user: UserOption, as_json: JsonOption = False) -> None:
    """Today's session: each exercise with its dose, and what is still to log."""
    from calfcare.errors import NotFoundError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, day):
        try:
            got = rehab.today_session(session, owner_id=person.id, today=day, kb=kb)
            st = rehab.status(session, owner_id=person.id, today=day, kb=kb)
        except NotFoundError as exc:
            _no_plan(str(exc))
    if as_json:
        _json({"day": got.day.isoformat(),
               "phase": {"id": got.phase.id, "name": got.phase.name, "goal": got.phase.goal,
                         "pain_ceiling": got.phase.pain_ceiling},
               "items": [_dose_json(i) for i in got.items],
               "logged_today": got.logged_today, "morning_logged": got.morning_logged,
               "decision": st.decision.action.value,
               "warning_signs": dict(kb.pain_model.flags)})
        return
    console = rich_console()
    if st.decision.action.value == "see_professional":
        _print_professional(console, kb, st)
    console.print(f"[bold]Today, {got.day:%a %d %b %Y}[/bold]: {_esc(st.programme.name)}, "
                  f"phase {st.phase_index + 1} of {len(st.timeline)}: "
                  f"[bold]{_esc(got.phase.name)}[/bold]")
    console.print(f"Goal: {_esc(got.phase.goal)}")
    console.print(f"Keep pain during the exercises at or below "
                  f"{min(got.phase.pain_ceiling, kb.pain_model.during_max)}/10; it should settle "
                  "by the next morning.\n")
    for n, item in enumerate(got.items, 1):
        ex = item.exercise
        mark = " (set by your clinician)" if item.adjusted else ""
        console.print(f"{n}. [bold]{_esc(ex.name)}[/bold] ({ex.id}){mark}")
        console.print(f"   {_dose_line(item)}")
        if item.load:
            console.print(f"   Load: {_esc(item.load)}")
        if item.note:
            console.print(f"   Note: {_esc(item.note)}")
        for cue in ex.cues[:2]:
            console.print(f"   - {_esc(cue)}")
    if not got.items:
        console.print("No exercises in this phase (your clinician removed them).")
    console.print()
    if got.logged_today:
        console.print("Today's session: logged.")
    else:
        console.print("Today's session: not logged yet. When you have done it: calfcare rehab "
                      "log --pain N [--exercise ID:SETSxAMOUNT ...]")
    if got.morning_logged:
        console.print("This morning's pain check: logged.")
    else:
        console.print("This morning's pain check: not logged yet (calfcare rehab morning "
                      "--pain N).")
    console.print("\n[bold]Warning signs[/bold]: stop and log them with --flag KEY:")
    for key, text in kb.pain_model.flags.items():
        console.print(f"  ! {key}: {_esc(text)}")
    console.print(f"[dim]{EMERGENCY_LINE}[/dim]")


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


def _exercise_where(specs: Sequence[str]) -> Callable[[str], str]:
    def where(field: str) -> str:
        m = _ROW.match(field)
        if m is None:
            return _option(field, SESSION_OPTIONS)
        i, part = int(m[1]), m[2]
        spec = specs[i] if i < len(specs) else "?"
        return f"--exercise '{spec}' ({EXERCISE_PARTS.get(part, part)})"
    return where


@app.command("log")
def log(
    user: UserOption,
    pain: Annotated[str | None, typer.Option(
        "--pain", show_default=False,
        help="The worst pain during the session, 0 (none) to 10 (worst).")] = None,
    pain_after: Annotated[str | None, typer.Option(
        "--pain-after", show_default=False,
        help="Pain an hour or so after the session, 0 to 10.")] = None,
    day: DayOption = None,
    flag: Annotated[list[str] | None, typer.Option(
        "--flag", show_default=False,
        help="A warning sign you noticed, by its key as `calfcare rehab today` lists them "
             "(e.g. sharp_pain_or_pop). Repeat for more. Any warning sign stops the programme "
             "until a professional has checked your calf.")] = None,
    exercise: Annotated[list[str] | None, typer.Option(
        "--exercise", "-e", show_default=False, metavar="ID:SETSxAMOUNT[@LOADkg][~PAIN]",
        help="An exercise you did: its id, the sets, and reps, seconds or minutes per set (as "
             "the exercise counts them); optionally @ the added weight (kg, or add lb) and ~ "
             "the pain during it (0-10). Repeat for each exercise, e.g. -e "
             "seated_soleus_raise:3x15@20kg -e ankle_pumps:2x30~1")] = None,
    notes: Annotated[str, typer.Option("--notes", help="Anything else.")] = "",
) -> None:
    """Log today's exercise session (or an earlier day's), then show the decision.

    Example: calfcare rehab log --pain 3 --pain-after 2 -e seated_soleus_raise:3x15@20kg
    -e isometric_heel_raise_hold_double:5x45~2
    """
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    specs = list(exercise or [])
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
    kb = _kb()
    with _person(user) as (session, person, today):
        values: dict[str, object] = {"pain_during": pain, "pain_after": pain_after,
                                     "day": day or today.isoformat(), "notes": notes,
                                     "flags": list(flag or [])}
        try:
            record = rehab.log_session(session, owner_id=person.id, today=today, kb=kb,
                                       values={k: v for k, v in values.items()
                                               if v is not None},
                                       exercises=rows)
        except NotFoundError as exc:
            _no_plan(str(exc))
        except FormError as exc:
            _bad_input(exc, _exercise_where(specs))
        session.commit()
        st = rehab.status(session, owner_id=person.id, today=today, kb=kb)
    console = rich_console()
    after = f", {record.pain_after}/10 after" if record.pain_after is not None else ""
    console.print(f"Saved your session of {record.day:%a %d %b %Y}: pain {record.pain_during}"
                  f"/10 during{after}, {len(record.exercises)} exercise(s).")
    if record.flags:
        console.print("Warning signs noted: " + "; ".join(
            _esc(kb.pain_model.flags.get(f, f)) for f in record.flags) + ".")
    _print_decision(console, kb, st)


@app.command("morning")
def morning(
    user: UserOption,
    pain: Annotated[str | None, typer.Option(
        "--pain", show_default=False,
        help="Calf pain or stiffness on getting up, 0 (none) to 10 (worst).")] = None,
    day: DayOption = None,
) -> None:
    """Log the next-morning pain check (one a day: logging again replaces it)."""
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, today):
        values = {"pain": pain, "day": day or today.isoformat()}
        try:
            check = rehab.log_morning(session, owner_id=person.id, today=today,
                                      values={k: v for k, v in values.items() if v is not None})
        except NotFoundError as exc:
            _no_plan(str(exc))
        except FormError as exc:
            _bad_input(exc, lambda f: _option(f, MORNING_OPTIONS))
        session.commit()
        st = rehab.status(session, owner_id=person.id, today=today, kb=kb)
    console = rich_console()
    console.print(f"Saved the morning check of {check.day:%a %d %b %Y}: pain {check.pain}/10.")
    _print_decision(console, kb, st)


def _test_line(test: TestRecord) -> str:
    parts: list[str] = []
    kind = test.kind.value
    if kind == "run" and test.injured is not None:
        parts.append(f"{test.injured:g} minutes")
    elif test.injured is not None:
        parts.append(f"injured side {test.injured:g}")
    if test.other is not None:
        parts.append(f"other side {test.other:g}")
    if test.lsi is not None:
        parts.append(f"{test.lsi:.0f}% of the other side")
    if test.pain is not None:
        parts.append(f"pain {test.pain}/10")
    if test.limp:
        parts.append("with a limp")
    return ", ".join(parts) or "done"


@app.command("test")
def log_test(
    user: UserOption,
    kind: Annotated[str, typer.Argument(
        metavar="KIND", show_default=False,
        help="walking (--pain, --limp), symptoms (--pain at rest and when pressed), "
             "heel_raise (single-leg raises: --injured N --other N), hop (--injured --other, "
             "cm or hops), lunge (knee-to-wall cm: --injured --other), run (--injured MINUTES "
             "run, --pain) or training (a full training session: --pain).")],
    injured: Annotated[str | None, typer.Option(
        "--injured", show_default=False,
        help="The injured side's result (for run: the minutes run).")] = None,
    other: Annotated[str | None, typer.Option(
        "--other", show_default=False, help="The other side's result.")] = None,
    pain: Annotated[str | None, typer.Option(
        "--pain", show_default=False, help="The worst pain during the test, 0 to 10.")] = None,
    limp: Annotated[bool, typer.Option("--limp", help="You limped (walking check).")] = False,
    day: DayOption = None,
) -> None:
    """Log a test that a phase's goals ask for, then show the decision.

    Example: calfcare rehab test heel_raise --injured 18 --other 25
    """
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, today):
        values = {"kind": kind, "injured": injured, "other": other, "pain": pain,
                  "limp": limp, "day": day or today.isoformat()}
        try:
            record = rehab.log_test(session, owner_id=person.id, today=today,
                                    values={k: v for k, v in values.items() if v is not None})
        except NotFoundError as exc:
            _no_plan(str(exc))
        except FormError as exc:
            _bad_input(exc, lambda f: _option(f, TEST_OPTIONS))
        session.commit()
        st = rehab.status(session, owner_id=person.id, today=today, kb=kb)
    console = rich_console()
    console.print(f"Saved: {TEST_NAMES.get(record.kind.value, record.kind.value)} of "
                  f"{record.day:%a %d %b %Y}: {_test_line(record)}.")
    _print_decision(console, kb, st)


# --- status and decisions -----------------------------------------------------------------

def _print_professional(console: Console, kb: KnowledgeBase, st: PlanStatus) -> None:
    from rich.panel import Panel

    d = st.decision
    level = kb.levels.get(d.level) if d.level is not None else None
    lines = [f"[bold]!! {ACTION_TITLES['see_professional']} !![/bold]"]
    if level is not None:
        lines.append(f"[bold]{_esc(level.label)}.[/bold] {_esc(level.description)}")
    for r in d.reasons:
        refs = f" ({_esc(_sources(kb, r.references))})" if r.references else ""
        lines.append(f"- {_esc(r.text)}{refs}")
    lines.append(EMERGENCY_LINE)
    console.print(Panel("\n".join(lines), expand=False))


def _print_decision(console: Console, kb: KnowledgeBase, st: PlanStatus,
                    panel_shown: bool = False) -> None:
    d = st.decision
    action = d.action.value
    if action == "see_professional":
        if panel_shown:
            console.print(f"\n[bold]Decision: {ACTION_TITLES[action]} (see above).[/bold]")
        else:
            _print_professional(console, kb, st)
        return
    title = ACTION_TITLES[action]
    if action == "progress" and d.target is not None:
        title += f" to {_esc(d.target.name)}"
    if action == "step_back" and d.target is not None:
        title += f" to {_esc(d.target.name)}"
    console.print(f"\n[bold]Decision: {title}.[/bold]")
    for r in d.reasons:
        refs = f" [dim]({_esc(_sources(kb, r.references))})[/dim]" if r.references else ""
        console.print(f"  - {_esc(r.text)}{refs}")
    if action in ("progress", "step_back", "complete"):
        console.print("Accept it with `calfcare rehab advance`.")


def _print_expected(console: Console, kb: KnowledgeBase, st: PlanStatus) -> None:
    low, high = st.expected
    v = st.variant
    estimate = " This range is an estimate." if v.estimate else ""
    console.print(f"Usually back to full activity between {low:%d %b %Y} and {high:%d %b %Y} "
                  f"({v.expected_days.low} to {v.expected_days.high} days after the injury)."
                  f"{estimate} [dim]({_esc(_sources(kb, v.references))})[/dim]")


def _latest_tests(st: PlanStatus) -> list[TestRecord]:
    latest: dict[str, TestRecord] = {}
    for test in st.tests:
        if test.day <= st.as_of:
            latest[test.kind.value] = test  # sorted by day: the last one wins
    return list(latest.values())


def _status_json(kb: KnowledgeBase, st: PlanStatus) -> dict[str, Any]:
    d = st.decision
    p = st.plan
    level = kb.levels.get(d.level) if d.level is not None else None
    return {
        "as_of": st.as_of.isoformat(),
        "plan": {"programme": p.programme, "programme_name": st.programme.name,
                 "variant": p.variant, "variant_label": st.variant.label, "side": p.side,
                 "injury_day": p.injury_day.isoformat(), "status": p.status,
                 "assigned_by_clinician": p.assigned_by is not None and
                 p.assigned_by != p.owner_id, "notes": p.notes},
        "phase": {"id": st.phase.id, "name": st.phase.name, "goal": st.phase.goal,
                  "number": st.phase_index + 1, "of": len(st.timeline),
                  "started": p.phase_started.isoformat(),
                  "days_in_phase": (st.as_of - p.phase_started).days,
                  "pain_ceiling": st.phase.pain_ceiling},
        "decision": {
            "action": d.action.value, "target": d.target.id if d.target else None,
            "level": d.level.value if d.level else None,
            "level_label": level.label if level else None,
            "see_professional": d.action.value == "see_professional",
            "reasons": [{"code": r.code, "text": r.text, "references": list(r.references)}
                        for r in d.reasons],
            "pain_breaks": [{"day": b.day.isoformat(), "kind": b.kind.value,
                             "detail": b.detail} for b in d.breaks],
            "weekly_change": d.weekly_change},
        "criteria": [{"kind": c.criterion.kind.value, "text": c.criterion.text,
                      "threshold": c.threshold, "met": c.met, "observed": c.observed,
                      "evidence": c.criterion.evidence.value,
                      "estimate": c.criterion.estimate,
                      "references": c.criterion.references} for c in d.criteria],
        "timeline": [{"phase": e.phase.id, "name": e.phase.name, "state": e.state,
                      "started": e.started.isoformat() if e.started else None,
                      "ended": e.ended.isoformat() if e.ended else None,
                      "min_days": e.min_days} for e in st.timeline],
        "adherence": {"done": st.adherence[0], "planned": st.adherence[1]},
        "expected": {"low": st.expected[0].isoformat(), "high": st.expected[1].isoformat(),
                     "days_low": st.variant.expected_days.low,
                     "days_high": st.variant.expected_days.high,
                     "estimate": st.variant.estimate, "note": st.variant.expected_note,
                     "references": st.variant.references},
        "latest_tests": [{"kind": x.kind.value, "day": x.day.isoformat(),
                          "injured": x.injured, "other": x.other, "lsi": x.lsi,
                          "pain": x.pain, "limp": x.limp} for x in _latest_tests(st)],
        "sessions": len(st.sessions), "mornings": len(st.mornings),
        "history": [{"day": h.day.isoformat(), "from": h.from_phase, "to": h.to_phase,
                     "action": h.action, "reasons": list(h.reasons)} for h in st.history],
    }


def _print_status(console: Console, kb: KnowledgeBase, st: PlanStatus) -> None:
    from rich import box
    from rich.table import Table

    p = st.plan
    if st.decision.action.value == "see_professional":
        _print_professional(console, kb, st)
    console.print(f"[bold]{_esc(st.programme.name)}[/bold]: {_esc(st.variant.label)}, "
                  f"{p.side} calf, injured on {p.injury_day:%d %b %Y} "
                  f"({(st.as_of - p.injury_day).days} days ago).")
    console.print(f"Phase {st.phase_index + 1} of {len(st.timeline)}: "
                  f"[bold]{_esc(st.phase.name)}[/bold], since {p.phase_started:%d %b %Y} "
                  f"({(st.as_of - p.phase_started).days} days). {_esc(st.phase.goal)}")
    _print_expected(console, kb, st)

    timeline = Table(title="Phases", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    for column in ("#", "Phase", "State", "Started", "Ended", "Fewest days"):
        timeline.add_column(column)
    for i, e in enumerate(st.timeline, 1):
        timeline.add_row(str(i), _esc(e.phase.name), STATE_WORDS.get(e.state, e.state),
                         f"{e.started:%d %b}" if e.started else "",
                         f"{e.ended:%d %b}" if e.ended else "",
                         str(e.min_days) if e.min_days is not None else "")
    console.print(timeline)

    _print_decision(console, kb, st, panel_shown=True)

    goals = Table(title="Goals of this phase", box=box.SIMPLE_HEAD, pad_edge=False,
                  padding=(0, 1, 0, 0))
    for column in ("Met", "Goal", "Now", "Evidence"):
        goals.add_column(column)
    for c in st.decision.criteria:
        evidence = _evidence(kb, c.criterion.evidence, c.criterion.references)
        if c.criterion.estimate:
            evidence += "; the number is an estimate"
        goals.add_row("yes" if c.met else "not yet", _esc(c.criterion.text),
                      _esc(c.observed), _esc(evidence))
    console.print(goals)

    done, planned = st.adherence
    share = f" ({done / planned:.0%})" if planned else ""
    console.print(f"Sessions logged lately: {done} of {planned} planned{share} (the last 14 "
                  "days, or since you started).")
    if st.decision.weekly_change is not None:
        console.print(f"Average pain this week compared with last week: "
                      f"{st.decision.weekly_change:+.1f} points.")
    for b in st.decision.breaks:
        console.print(f"Pain rule broken on {b.day:%d %b}: {_esc(b.detail)}.")

    tests = _latest_tests(st)
    if tests:
        table = Table(title="Latest tests", box=box.SIMPLE_HEAD, pad_edge=False,
                      padding=(0, 1, 0, 0))
        for column in ("Test", "Day", "Result"):
            table.add_column(column)
        for x in tests:
            table.add_row(TEST_NAMES.get(x.kind.value, x.kind.value), f"{x.day:%d %b}",
                          _test_line(x))
        console.print(table)
    else:
        console.print("No tests logged yet (`calfcare rehab test KIND`).")
    console.print(f"[dim]{DISCLAIMER} {EMERGENCY_LINE}[/dim]")


@app.command("status")
def status(user: UserOption, as_json: JsonOption = False) -> None:
    """Where you are: phase, goals met and not yet, the decision, tests and timeline."""
    from calfcare.errors import NotFoundError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, today):
        try:
            st = rehab.status(session, owner_id=person.id, today=today, kb=kb)
        except NotFoundError as exc:
            _no_plan(str(exc))
    if as_json:
        _json(_status_json(kb, st))
        return
    _print_status(rich_console(), kb, st)


@app.command("advance")
def advance(user: UserOption) -> None:
    """Accept today's decision: move on a phase, step back one, or finish the programme."""
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = _kb()
    with _person(user) as (session, person, today):
        try:
            before = rehab.status(session, owner_id=person.id, today=today, kb=kb)
            if before.decision.action.value == "see_professional":
                _print_professional(rich_console(), kb, before)
                fail("Nothing was changed: the programme is paused until a professional has "
                      "checked your calf.")
            st = rehab.apply_decision(session, owner_id=person.id, today=today, kb=kb)
        except NotFoundError as exc:
            _no_plan(str(exc))
        except FormError as exc:
            for message in exc.errors.values():
                typer.echo(message, err=True)
            fail("Nothing was changed.")
        session.commit()
    console = rich_console()
    if st.plan.status == "completed":
        console.print(f"[bold]Well done: you have finished {_esc(st.programme.name)}.[/bold]")
        console.print("To keep your calf strong and avoid another injury:")
        for statement in st.programme.reinjury_prevention:
            _statement(console, kb, statement)
        return
    verb = "Stepped back" if before.decision.action.value == "step_back" else "Moved on"
    console.print(f"{verb} to phase {st.phase_index + 1} of {len(st.timeline)}: "
                  f"[bold]{_esc(st.phase.name)}[/bold]. {_esc(st.phase.goal)}")
    console.print("See the new exercises with `calfcare rehab today`.")


# --- handout ------------------------------------------------------------------------------

@app.command("handout")
def handout(
    output: Annotated[Path, typer.Option(
        "--output", "-o", show_default=False, dir_okay=False,
        help="The PDF file to write, e.g. calf-programme.pdf.")],
    programme: Annotated[str | None, typer.Option(
        "--programme", show_default=False,
        help="A programme to print (default: your own plan, with --user).")] = None,
    variant: Annotated[str | None, typer.Option(
        "--variant", show_default=False,
        help="Its version (not needed when there is only one).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", envvar="CALFCARE_USER", show_default=False,
        help="Print this person's own plan, with their clinician's changes.")] = None,
) -> None:
    """Write a printable PDF of a programme: the phases, exercises with drawings, and goals.

    Example: calfcare rehab handout --programme calf_strain --variant grade2_soleus
    --output calf.pdf
    """
    from calfcare.errors import NotFoundError
    from calfcare.services.handout import plan_pdf, programme_pdf

    kb = _kb()
    if output.exists() and output.is_dir():
        fail(f"--output: {output} is a folder; give a file name such as calf.pdf.", 2)
    if programme is not None:
        pid = programme.strip().lower()
        if pid not in kb.programmes:
            fail(f"--programme: Must be one of {', '.join(sorted(kb.programmes))} "
                  f"(got '{programme}').", 2)
        vids = [v.id for v in kb.programmes[pid].variants]
        vid = variant.strip().lower() if variant else (vids[0] if len(vids) == 1 else None)
        if vid not in vids:
            rule = f"one of {', '.join(vids)}"
            fail(f"--variant: Must be {rule} (got '{variant}')." if variant
                  else f"--variant: Required: {rule}.", 2)
        pdf = programme_pdf(kb, pid, vid)
    else:
        if variant is not None:
            fail("--variant: Give --programme too, or leave both out to print your plan.", 2)
        if not user:
            fail("--programme: Required: the programme to print, or give --user (or set "
                  "CALFCARE_USER) to print your own plan.", 2)
        with _person(user) as (session, person, _):
            try:
                pdf = plan_pdf(session, owner_id=person.id, kb=kb,
                               person_name=person.display_name)
            except NotFoundError as exc:
                _no_plan(str(exc))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
    except OSError as exc:
        fail(f"--output: could not write {output}: {exc.strerror or exc}.")
    typer.echo(f"Handout written to {output} ({len(pdf) // 1024 + 1} KB).")
