"""`calfcare plan ...`: the sweat test, a session plan, your own cramp risk, night cramps.

Thin over `services.prevention`: the same checks, numbers and sources as the API and pages.
With `--user EMAIL` a sweat test is kept in that person's history, a session plan uses their
closest test and their diary, and `profile` and `night` read their diary. `--json` prints the
API's JSON. A bad value is a message naming it and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from calfcare.cli.people import fail, person_session

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.orm import Session

    from calfcare.kb.loader import KnowledgeBase
    from calfcare.services.diary import Person

app = typer.Typer(
    help="Prevent cramps: sweat test, session plan, your own cramp risk, night cramps.",
    no_args_is_help=True,
)
T = TypeVar("T")

Json = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")]
User = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="CALFCARE_USER",
        show_default=False,
        help="Email of the person (keeps the test; uses their tests and diary).",
    ),
]
Minutes = Annotated[float, typer.Option("--minutes", help="Length of the session, minutes.")]
Effort = Annotated[int, typer.Option("--effort", help="Effort, 1 (very easy) to 10 (maximal).")]
Temp = Annotated[float, typer.Option("--temperature", help="Air temperature, °C.")]
Humid = Annotated[float, typer.Option("--humidity", help="Relative humidity, %.")]
Mass = Annotated[float, typer.Option("--mass", help="Your body mass, kg.")]
Sweat = Annotated[float | None, typer.Option("--sweat-rate", help="Litres an hour, if known.")]
Salt = Annotated[str, typer.Option("--sweat-sodium", help="low, typical or salty.")]
Sport = Annotated[str | None, typer.Option("--sport", help="The sport, e.g. running.")]
Sun = Annotated[str | None, typer.Option("--sun", help="shade, cloud or full.")]
Diuretic = Annotated[bool, typer.Option("--diuretic", help="You take a water tablet.")]
Acclim = Annotated[bool, typer.Option("--acclimatised", help="Used to this heat (1-2 weeks).")]


def _kb() -> KnowledgeBase:
    from calfcare.kb.loader import load_kb

    return load_kb()


def _checked(action: Callable[[], T]) -> T:
    from calfcare.errors import RequestError

    try:
        return action()
    except RequestError as exc:
        fail(f"{exc.field}: {exc.message}", 2)


@contextmanager
def _maybe_person(user: str | None) -> Iterator[tuple[Session | None, Person | None]]:
    if user is None:
        yield None, None
        return
    with person_session(user) as (session, person):
        yield session, person
        session.commit()


def _print(report: BaseModel, as_json: bool, lines: Callable[[Any], list[str]]) -> None:
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        typer.echo("\n".join(lines(report)))


def _advice_lines(title: str, items: list[Any]) -> list[str]:
    if not items:
        return []
    return [f"\n{title}", *(f"  - {a.text} [{', '.join(a.sources)}]" for a in items)]


@app.command("sweat-test")
def sweat_test(
    before: Annotated[float, typer.Option("--before", help="Body mass before, kg.")],
    after: Annotated[float, typer.Option("--after", help="Body mass after, kg.")],
    drunk: Annotated[float, typer.Option("--drunk", help="Fluid drunk, litres.")],
    minutes: Minutes,
    urine: Annotated[float, typer.Option("--urine", help="Urine passed, litres.")] = 0.0,
    temperature: Annotated[float | None, typer.Option("--temperature", help="°C.")] = None,
    humidity: Annotated[float | None, typer.Option("--humidity", help="%.")] = None,
    effort: Annotated[int | None, typer.Option("--effort", help="Effort, 1-10.")] = None,
    sport: Sport = None,
    user: User = None,
    as_json: Json = False,
) -> None:
    """Work out your sweat rate from body mass before and after a session."""
    from calfcare.services import prevention

    data = {
        "body_mass_before_kg": before,
        "body_mass_after_kg": after,
        "fluid_drunk_l": drunk,
        "urine_l": urine,
        "duration_min": minutes,
        "temperature_c": temperature,
        "humidity_percent": humidity,
        "intensity": effort,
        "sport": sport,
    }
    kb = _kb()
    with _maybe_person(user) as (session, person):
        if session is None or person is None:
            report = _checked(lambda: prevention.check_sweat_test(kb, data))
        else:
            report = _checked(
                lambda: prevention.record_sweat_test(session, kb, owner_id=person.id, data=data)
            )
    _print(
        report,
        as_json,
        lambda r: [
            f"Sweat rate: {r.sweat_rate_l_per_h} L an hour",
            f"Body-mass change: {r.body_mass_change_percent} %",
            f"Formula: {r.formula}",
            *(["Kept in your sweat-test history."] if r.id else []),
            *_advice_lines("Advice", r.advice),
        ],
    )


def _session_data(
    minutes: float,
    effort: int,
    temperature: float,
    humidity: float,
    mass: float,
    sweat: float | None,
    salt: str,
    sport: str | None,
    sun: str | None,
    diuretic: bool,
    acclimatised: bool,
) -> dict[str, Any]:
    return {
        "duration_min": minutes,
        "intensity": effort,
        "temperature_c": temperature,
        "humidity_percent": humidity,
        "body_mass_kg": mass,
        "sweat_rate_l_per_h": sweat,
        "sweat_sodium": salt,
        "sport": sport,
        "sun": sun,
        "takes_diuretic": diuretic,
        "acclimatised": acclimatised,
    }


def _plan_lines(r: Any) -> list[str]:
    h = r.heat_risk
    fluid = (
        "drink to thirst"
        if r.fluid_mode == "thirst" and not r.fluid_l_per_h
        else (f"{r.fluid_l_per_h} L")
    )
    return [
        f"Each hour: fluid {fluid} (sweat rate {r.sweat_rate_l_per_h} L, {r.sweat_rate_source}); "
        f"sodium {r.sodium_mg_per_h:g} mg ({r.sodium_mmol_per_h} mmol); "
        f"carbohydrate {r.carbohydrate_g_per_h:g} g",
        f"Heat: {h.label} (estimated WBGT {h.wbgt_c} °C): {h.activity_change}",
        *_advice_lines("Warnings", r.warnings),
        "\nChecklist",
        *(f"  [ ] {c}" for c in r.checklist),
        *_advice_lines("Before", r.before),
        *_advice_lines("After", r.after),
        *(_risk_lines(r.risk) if r.risk else []),
        f"\nKnowledge base {r.kb_version}. {r.disclaimer}",
    ]


def _risk_lines(r: Any) -> list[str]:
    head = (
        f"\nYour last {r.window_days} days: {r.sessions} sessions, longest "
        f"{r.longest_min} min, hardest {r.hardest_rpe}/10"
        if r.sessions
        else "\nYour diary has no recent training sessions."
    )
    return [
        head,
        f"Cramps in the last year: {r.cramps.count}",
        *_advice_lines("What this session touches", r.touches),
        f"Load ratio (for interest only): {r.load_ratio.ratio}. {r.load_ratio.limits.text}",
    ]


@app.command("session")
def session_cmd(
    minutes: Minutes,
    effort: Effort,
    temperature: Temp,
    humidity: Humid,
    mass: Mass,
    sweat_rate: Sweat = None,
    sweat_sodium: Salt = "typical",
    sport: Sport = None,
    sun: Sun = None,
    diuretic: Diuretic = False,
    acclimatised: Acclim = False,
    user: User = None,
    as_json: Json = False,
) -> None:
    """Plan fluid, sodium, carbohydrate and heat for a session, with a checklist."""
    from calfcare.services import prevention

    data = _session_data(
        minutes,
        effort,
        temperature,
        humidity,
        mass,
        sweat_rate,
        sweat_sodium,
        sport,
        sun,
        diuretic,
        acclimatised,
    )
    kb = _kb()
    with _maybe_person(user) as (session, person):
        report = _checked(
            lambda: prevention.plan_session(
                kb,
                data,
                session=session,
                owner_id=person.id if person else None,
                save=person is not None,
            )
        )
    _print(report, as_json, _plan_lines)


@app.command("profile")
def profile(
    minutes: Minutes,
    effort: Effort,
    temperature: Temp,
    humidity: Humid,
    mass: Mass,
    user: Annotated[
        str,
        typer.Option(
            "--user", envvar="CALFCARE_USER", help="Email of the person whose diary to read."
        ),
    ],
    sweat_sodium: Salt = "typical",
    sport: Sport = None,
    as_json: Json = False,
) -> None:
    """Your own cramp risk for a planned session, from your diary."""
    from calfcare.services import prevention

    data = _session_data(
        minutes, effort, temperature, humidity, mass, None, sweat_sodium, sport, None, False, False
    )
    kb = _kb()
    with person_session(user) as (session, person):
        report = _checked(lambda: prevention.risk_for(session, kb, owner_id=person.id, data=data))
    _print(report, as_json, _risk_lines)


@app.command("night")
def night(
    user: User = None,
    started: Annotated[
        str | None, typer.Option("--started", help="The day you started the stretches, YYYY-MM-DD.")
    ] = None,
    as_json: Json = False,
) -> None:
    """A bedtime stretching routine for night cramps, and whether it is working."""
    from calfcare.services import prevention

    try:
        day = date.fromisoformat(started) if started else None
    except ValueError:
        fail(f"--started: '{started}' is not a date such as 2027-01-31.", 2)
    kb = _kb()
    with _maybe_person(user) as (session, person):
        report = prevention.night(
            kb, session=session, owner_id=person.id if person else None, started=day
        )
    _print(
        report,
        as_json,
        lambda r: [
            r.holds,
            *(f"  {i}. {e.name}: {e.summary}" for i, e in enumerate(r.routine, 1)),
            *([f"\n{r.check.text}"] if r.check else []),
            *_advice_lines("What the evidence says", r.evidence),
        ],
    )
