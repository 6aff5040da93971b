"""How `calfcare rehab today` shows today's session: each exercise with its dose, what is still
to log, and the warning signs, as text or as JSON.

Kept apart from the commands in `logs` so that they only fetch, save and decide, while this
module alone decides what a person sees of the day's plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calfcare.cli.people import rich_console
from calfcare.cli.rehab.common import EMERGENCY_LINE, esc, measure, times, week
from calfcare.cli.rehab.render import print_professional

if TYPE_CHECKING:
    from rich.console import Console

    from calfcare.kb.loader import KnowledgeBase
    from calfcare.services.rehab import DoseItem, PlanReport, TodaySession


def _dose_json(item: DoseItem) -> dict[str, Any]:
    ex = item.exercise
    return {
        "exercise": ex.id,
        "name": ex.name,
        "category": ex.category.value,
        "sets": item.sets,
        "amount": item.amount,
        "measure": item.measure,
        "per_day": item.per_day,
        "days_per_week": item.days_per_week,
        "each_side": ex.dose.each_side,
        "load": item.load,
        "note": item.note,
        "adjusted": item.adjusted,
        "cues": ex.cues,
        "stop_if": ex.stop_if,
    }


def today_json(kb: KnowledgeBase, got: TodaySession, report: PlanReport) -> dict[str, Any]:
    """Today's session for scripts: the phase, the doses, what is logged, the decision."""
    return {
        "day": got.day.isoformat(),
        "phase": {
            "id": got.phase.id,
            "name": got.phase.name,
            "goal": got.phase.goal,
            "pain_ceiling": got.phase.pain_ceiling,
        },
        "items": [_dose_json(i) for i in got.items],
        "logged_today": got.logged_today,
        "morning_logged": got.morning_logged,
        "decision": report.decision.action,
        "warning_signs": dict(kb.pain_model.flags),
    }


def _dose_line(item: DoseItem) -> str:
    side = " on each side" if item.exercise.dose.each_side else ""
    return (
        f"{item.sets} x {measure(item.measure, item.amount)}{side}, "
        f"{times(item.per_day)} a day, {week(item.days_per_week)}"
    )


def _print_items(console: Console, got: TodaySession) -> None:
    for n, item in enumerate(got.items, 1):
        ex = item.exercise
        mark = " (set by your clinician)" if item.adjusted else ""
        console.print(f"{n}. [bold]{esc(ex.name)}[/bold] ({ex.id}){mark}")
        console.print(f"   {_dose_line(item)}")
        if item.load:
            console.print(f"   Load: {esc(item.load)}")
        if item.note:
            console.print(f"   Note: {esc(item.note)}")
        for cue in ex.cues[:2]:
            console.print(f"   - {esc(cue)}")
    if not got.items:
        console.print("No exercises in this phase (your clinician removed them).")


def _print_to_log(console: Console, kb: KnowledgeBase, got: TodaySession) -> None:
    if got.logged_today:
        console.print("Today's session: logged.")
    else:
        console.print(
            "Today's session: not logged yet. When you have done it: calfcare rehab "
            "log --pain N [--exercise ID:SETSxAMOUNT ...]"
        )
    if got.morning_logged:
        console.print("This morning's pain check: logged.")
    else:
        console.print(
            "This morning's pain check: not logged yet (calfcare rehab morning --pain N)."
        )
    console.print("\n[bold]Warning signs[/bold]: stop and log them with --flag KEY:")
    for key, text in kb.pain_model.flags.items():
        console.print(f"  ! {key}: {esc(text)}")
    console.print(f"[dim]{EMERGENCY_LINE}[/dim]")


def print_today(kb: KnowledgeBase, got: TodaySession, report: PlanReport) -> None:
    """Today's session for a person: a warning first if the programme is paused, then the
    phase and its pain ceiling, the exercises, and what is still to log."""
    console = rich_console()
    if report.decision.action == "see_professional":
        print_professional(console, kb, report)
    console.print(
        f"[bold]Today, {got.day:%a %d %b %Y}[/bold]: {esc(report.programme.name)}, "
        f"phase {report.phase.number} of {len(report.timeline)}: "
        f"[bold]{esc(got.phase.name)}[/bold]"
    )
    console.print(f"Goal: {esc(got.phase.goal)}")
    console.print(
        f"Keep pain during the exercises at or below "
        f"{min(got.phase.pain_ceiling, kb.pain_model.during_max)}/10; it should settle "
        "by the next morning.\n"
    )
    _print_items(console, got)
    console.print()
    _print_to_log(console, kb, got)
