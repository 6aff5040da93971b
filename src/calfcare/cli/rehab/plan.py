"""`calfcare rehab start`, `stop`, `status`, `advance` and `phase`: the plan itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from calfcare.cli.people import fail, rich_console
from calfcare.cli.rehab.common import (
    DISCLAIMER,
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
    statement,
)
from calfcare.cli.rehab.render import (
    print_choices,
    print_expected,
    print_professional,
    print_status,
    print_versions,
)

if TYPE_CHECKING:
    from calfcare.kb.loader import KnowledgeBase
    from calfcare.kb.schema import Statement
    from calfcare.services.rehab import PlanRecord, PlanReport

#: The option a person typed for each field of the services' forms.
START_OPTIONS = {
    "programme": "--programme",
    "variant": "--variant",
    "side": "--side",
    "injury_day": "--injury-day",
    "phase": "--phase",
    "notes": "--notes",
}


@app.command("start")
def start(
    user: UserOption,
    programme: Annotated[
        str,
        typer.Option(
            "--programme",
            show_default=False,
            help="The programme, e.g. calf_strain (see `calfcare rehab programmes`).",
        ),
    ],
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant",
            show_default=False,
            help="Its version, e.g. grade2_soleus (not needed when there is only one).",
        ),
    ] = None,
    side: Annotated[
        str | None,
        typer.Option("--side", show_default=False, help="The injured calf: left or right."),
    ] = None,
    injury_day: Annotated[
        str | None,
        typer.Option(
            "--injury-day",
            show_default=False,
            help="The day of the injury (or when it began), e.g. 2026-11-20.",
        ),
    ] = None,
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase",
            show_default=False,
            help="Start at a later phase (its id), if a professional has told you to. "
            "Default: the first phase.",
        ),
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="Anything to remember.")] = "",
) -> None:
    """Start a programme.

    Example: calfcare rehab start --programme calf_strain --variant grade2_soleus --side left
    --injury-day 2026-11-20
    """
    from calfcare.errors import FormError
    from calfcare.services import rehab

    kb = knowledge()
    values = {
        "programme": programme,
        "variant": variant,
        "side": side,
        "injury_day": injury_day,
        "phase": phase,
        "notes": notes,
    }
    with person(user) as (session, who, today):
        current = rehab.active_plan(session, owner_id=who.id)
        if current is not None:
            fail(
                f"You already follow a programme ({_programme_name(kb, current)}, started "
                f"{current.started_on:%d %b %Y}). Stop it with `calfcare rehab stop` "
                "before starting another."
            )
        try:
            record = rehab.start_plan(
                session,
                owner_id=who.id,
                today=today,
                kb=kb,
                values={k: v for k, v in values.items() if v is not None},
            )
        except FormError as exc:
            if "variant" in exc.errors:
                _choose_version(kb, programme)
            bad_input(exc, lambda f: option(f, START_OPTIONS))
        session.commit()
        report = rehab.status(session, owner_id=who.id, today=today, kb=kb).report
    prog = kb.programmes[record.programme]
    chosen = rehab.choose_version(prog, (variant or "").strip().lower())
    _print_started(kb, record, report, chosen.why if chosen is not None else None)


def _choose_version(kb: KnowledgeBase, programme: str) -> None:
    """On a missing or wrong --variant: how to tell which version is yours, and the versions."""
    from rich.console import Console

    prog = kb.programmes.get(programme.strip().lower())
    if prog is None:
        return
    console = Console(stderr=True, highlight=False)
    console.print(f"Which version of {esc(prog.name)} is yours?")
    print_choices(console, kb, prog)
    print_versions(console, kb, prog)


def _programme_name(kb: KnowledgeBase, plan: PlanRecord) -> str:
    """The programme's name, or its id if the knowledge base no longer has it (a plan can
    outlive a programme that was renamed or withdrawn, and must still be stoppable)."""
    return kb.programmes[plan.programme].name if plan.programme in kb.programmes else plan.programme


def _print_started(
    kb: KnowledgeBase, record: PlanRecord, report: PlanReport, why: Statement | None
) -> None:
    """The plan just started, read back so a wrong variant, side or day shows at once (with
    why, when "not sure which muscle" picked it), then the first phase, what to expect, and
    where to go next."""
    console = rich_console()
    console.print(
        f"Started: [bold]{esc(report.programme.name)}[/bold], "
        f"{esc(report.variant.name.lower())}, {record.side} calf, injured on "
        f"{record.injury_day:%d %b %Y}."
    )
    if why is not None:
        console.print("You were not sure which muscle it is, so this is the safer version.")
        statement(console, kb, why, "  ")
    console.print(
        f"Phase {report.phase.number} of {len(report.timeline)}: "
        f"[bold]{esc(report.phase.name)}[/bold]. {esc(report.phase.goal)}"
    )
    print_expected(console, kb, report)
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

    kb = knowledge()
    with person(user) as (session, who, today):
        current = rehab.active_plan(session, owner_id=who.id)
        if current is None:
            no_plan("You do not follow a programme.")
        name = _programme_name(kb, current)
        if not yes and not typer.confirm(f"Stop {name}?", default=False):
            fail("Nothing was changed.")
        try:
            rehab.stop_plan(session, owner_id=who.id, today=today)
        except NotFoundError as exc:
            no_plan(str(exc))
        session.commit()
    typer.echo(
        f"Stopped {name}. Your logs are kept; start a programme again with `calfcare rehab start`."
    )


@app.command("status")
def status(user: UserOption, as_json: JsonOption = False) -> None:
    """Where you are: phase, goals met and not yet, the decision, tests and timeline."""
    from calfcare.errors import NotFoundError
    from calfcare.services import rehab

    kb = knowledge()
    with person(user) as (session, who, today):
        try:
            report = rehab.status(session, owner_id=who.id, today=today, kb=kb).report
        except NotFoundError as exc:
            no_plan(str(exc))
        except rehab.ProgrammeChangedError as exc:
            programme_changed(exc)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_status(rich_console(), kb, report)


@app.command("advance")
def advance(user: UserOption) -> None:
    """Accept today's decision: move on a phase, step back one, or finish the programme."""
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = knowledge()
    with person(user) as (session, who, today):
        try:
            before = rehab.status(session, owner_id=who.id, today=today, kb=kb).report
            if before.decision.action == "see_professional":
                print_professional(rich_console(), kb, before)
                fail(
                    "Nothing was changed: the programme is paused until a professional has "
                    "checked your calf."
                )
            st = rehab.apply_decision(session, owner_id=who.id, today=today, kb=kb)
        except NotFoundError as exc:
            no_plan(str(exc))
        except rehab.ProgrammeChangedError as exc:
            programme_changed(exc)
        except FormError as exc:
            for message in exc.errors.values():
                typer.echo(message, err=True)
            fail("Nothing was changed.")
        session.commit()
    console = rich_console()
    if st.plan.status == "completed":
        console.print(f"[bold]Well done: you have finished {esc(st.programme.name)}.[/bold]")
        console.print("To keep your calf strong and avoid another injury:")
        for item in st.programme.reinjury_prevention:
            statement(console, kb, item)
        return
    verb = "Stepped back" if before.decision.action == "step_back" else "Moved on"
    console.print(
        f"{verb} to phase {st.report.phase.number} of {len(st.timeline)}: "
        f"[bold]{esc(st.phase.name)}[/bold]. {esc(st.phase.goal)}"
    )
    console.print("See the new exercises with `calfcare rehab today`.")


@app.command("phase")
def phase(
    user: UserOption,
    phase_id: Annotated[
        str,
        typer.Argument(
            metavar="PHASE",
            show_default=False,
            help="The phase you are in now, as `calfcare rehab status` lists them.",
        ),
    ],
) -> None:
    """Choose your phase again after your programme has changed (only then: otherwise your
    phase changes by the progression rules, with `calfcare rehab advance`)."""
    from calfcare.errors import FormError, NotFoundError
    from calfcare.services import rehab

    kb = knowledge()
    with person(user) as (session, who, today):
        try:
            record = rehab.choose_phase(
                session, owner_id=who.id, phase=phase_id.strip(), today=today, kb=kb
            )
        except NotFoundError as exc:
            no_plan(str(exc))
        except FormError as exc:
            bad_input(exc, lambda f: "PHASE" if f == "phase" else f)
        session.commit()
    typer.echo(
        f"You continue in the phase {record.phase} from today. See your exercises with "
        "`calfcare rehab today`."
    )
