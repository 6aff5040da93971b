"""`calfcare diary insights`: patterns in the diary, and whether it is time to see a doctor.

The largest part of the diary's command line is showing the insights (bars, circumstances,
the doctor prompts with their criteria and sources), so it has a module of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calfcare.cli.diary.common import UserOption, app
from calfcare.cli.people import fail, person_session, rich_console, zone_of_person

if TYPE_CHECKING:
    from rich.console import Console

    from calfcare.engine.insights import Insights
    from calfcare.kb.loader import KnowledgeBase
    from calfcare.services.diary import Person

OffsetOption = Annotated[
    str | None,
    typer.Option(
        "--utc-offset",
        show_default=False,
        help="A fixed offset from UTC for days and times of day, e.g. +01:00 (default: the "
        "time zone of the account, with its daylight saving time).",
    ),
]

TIME_OF_DAY_LABELS = {
    "night": "Night (00-06)",
    "morning": "Morning (06-12)",
    "afternoon": "Afternoon (12-18)",
    "evening": "Evening (18-24)",
}
BAR_WIDTH = 30
DISCLAIMER = (
    "calfcare gives information, not a diagnosis. If a cramp will not let go, or your "
    "calf is swollen, hot, red or hard, get medical help."
)


def _offset(text: str | None) -> timedelta:
    """`+01:00`, `-5`, `+0530`; this computer's current offset when not given."""
    if text is None:
        return datetime.now().astimezone().utcoffset() or timedelta(0)
    import re

    m = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d{2}))?", text.strip())
    if not m or int(m.group(2)) > 18 or int(m.group(3) or 0) >= 60:
        fail(f"--utc-offset: '{text}' is not an offset such as +01:00 or -05:00.", 2)
    sign = -1 if m.group(1) == "-" else 1
    return sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))


def _bars(console: Console, rows: list[tuple[str, int]]) -> None:
    top = max((n for _, n in rows), default=0)
    width = max((len(label) for label, _ in rows), default=0)
    for label, n in rows:
        bar = "█" * (round(n / top * BAR_WIDTH) if top else 0)
        if n and not bar:
            bar = "▏"
        console.print(f"  {label:<{width}}  {bar} {n}")


def _print_prompts(console: Console, got: Insights, kb: KnowledgeBase) -> None:
    from calfcare.services import diary

    console.print("\n[bold]When to see a doctor[/bold]")
    if not got.prompts:
        console.print("  Nothing in the diary meets calfcare's reasons to see a doctor:")
        for rule in kb.diary_rules.prompts:
            console.print(f"  - {rule.title.lower()}")
    for p in got.prompts:
        level = kb.levels.get(p.level.value)
        label = level.label if level else p.level.value
        console.print(f"  [bold]! {p.title}[/bold]: {label}.")
        console.print(f"    {p.message}")
        basis = (
            "the threshold is an estimate"
            if p.basis == "estimate"
            else "the threshold is the source's"
        )
        console.print(f"    Criterion: {p.criterion}; you: {p.observed} ({basis}).")
        for ref in p.references:
            console.print(f"    Source: {diary.citation(kb, ref)}", soft_wrap=True)


def _print_counts(console: Console, got: Insights) -> None:
    console.print("\n[bold]Episodes per week[/bold] (weeks start on Monday)")
    _bars(console, [(f"{b.start:%d %b}", b.count) for b in got.weeks])
    console.print("\n[bold]Episodes per month[/bold]")
    _bars(console, [(f"{b.start:%b %Y}", b.count) for b in got.months])
    console.print("\n[bold]By time of day[/bold]")
    _bars(console, [(TIME_OF_DAY_LABELS[c.key], c.count) for c in got.time_of_day])
    console.print("\n[bold]By activity[/bold]")
    if got.activities:
        _bars(console, [(c.key.replace("_", " "), c.count) for c in got.activities])
    else:
        console.print("  No episodes yet.")


def _print_insights(console: Console, got: Insights, person: Person, kb: KnowledgeBase) -> None:
    from rich.panel import Panel

    from calfcare.services import units

    console.print(
        Panel(
            f"[bold]Diary insights for {person.display_name}[/bold]\n"
            f"{got.total} episode(s) since {got.months[0].start:%d %b %Y} (12 months).",
            expand=False,
        )
    )
    _print_prompts(console, got, kb)
    _print_counts(console, got)
    console.print("\n[bold]Circumstances[/bold]")
    for s in got.shares:
        console.print(f"  {s.title}: {s.count} of {s.total} ({s.fraction:.0%})")
        if s.count:
            console.print(f"    {s.message}")
    if got.median_duration_s is not None and got.median_severity is not None:
        console.print(
            f"\nMedian duration {units.format_duration(round(got.median_duration_s))}"
            f", median severity {got.median_severity:g}/10."
        )
    console.print(f"\n[dim]{DISCLAIMER}[/dim]")


def _insights_json(got: Insights) -> dict[str, Any]:
    import dataclasses

    doc = dataclasses.asdict(got)
    doc["utc_offset"] = got.utc_offset.total_seconds()
    for share, out in zip(got.shares, doc["shares"], strict=True):
        out["fraction"] = share.fraction
    return doc


@app.command("insights")
def insights(
    user: UserOption,
    utc_offset: OffsetOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Patterns in the diary, and whether it is time to see a doctor."""
    import json

    from calfcare.kb.loader import load_kb
    from calfcare.services import diary

    if output not in ("text", "json"):
        fail("--format: choose text or json.", 2)
    offset = _offset(utc_offset) if utc_offset is not None else None
    kb = load_kb()
    with person_session(user) as (session, person):
        zone = zone_of_person(person) if offset is None else None
        got = diary.insights(
            session, owner_id=person.id, tz=zone, utc_offset=offset or timedelta(0), kb=kb
        )
    if output == "json":
        typer.echo(json.dumps(_insights_json(got), default=str, indent=2, ensure_ascii=False))
        return
    _print_insights(rich_console(), got, person, kb)
