"""How a plan reads in a terminal: the decision, a warning-sign panel, the whole status.

Everything printed about a plan comes from its `PlanReport`, the model that `status --json`,
the API and the web pages show too; test names come from the knowledge base's protocols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calfcare.cli.rehab.common import DISCLAIMER, EMERGENCY_LINE, esc, evidence, sources

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from calfcare.kb.loader import KnowledgeBase
    from calfcare.kb.rehab_schema import Programme
    from calfcare.kb.schema import Statement
    from calfcare.services.rehab import PlanReport, TestRecord
    from calfcare.services.rehab.report import TestReport

ACTION_TITLES = {
    "progress": "Ready to move on",
    "hold": "Stay in this phase",
    "step_back": "Step back a phase",
    "see_professional": "STOP: see a professional before you carry on",
    "complete": "You have met every goal of the programme",
}
STATE_WORDS = {"done": "done", "current": "you are here", "upcoming": "to come"}


def test_name(kb: KnowledgeBase, kind: str) -> str:
    protocol = kb.rehab_tests.get(kind)
    return protocol.title if protocol is not None else kind


def test_line(test: TestRecord | TestReport) -> str:
    parts: list[str] = []
    if test.kind.value == "run" and test.injured is not None:
        from calfcare.services.rehab import quantity

        parts.append(quantity(test.injured, "minute"))
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


def print_professional(console: Console, kb: KnowledgeBase, report: PlanReport) -> None:
    from rich.panel import Panel

    d = report.decision
    lines = [f"[bold]!! {ACTION_TITLES['see_professional']} !![/bold]"]
    if d.level is not None:
        lines.append(f"[bold]{esc(d.level.label)}.[/bold] {esc(d.level.description)}")
    for r in d.reasons:
        refs = f" ({esc(sources(kb, r.references))})" if r.references else ""
        lines.append(f"- {esc(r.text)}{refs}")
    lines.append(EMERGENCY_LINE)
    console.print(Panel("\n".join(lines), expand=False))


def print_decision(
    console: Console, kb: KnowledgeBase, report: PlanReport, panel_shown: bool = False
) -> None:
    d = report.decision
    if d.action == "see_professional":
        if panel_shown:
            console.print(f"\n[bold]Decision: {ACTION_TITLES[d.action]} (see above).[/bold]")
        else:
            print_professional(console, kb, report)
        return
    title = ACTION_TITLES[d.action]
    if d.action in ("progress", "step_back") and d.target is not None:
        title += f" to {esc(d.target.name)}"
    console.print(f"\n[bold]Decision: {title}.[/bold]")
    for r in d.reasons:
        refs = f" [dim]({esc(sources(kb, r.references))})[/dim]" if r.references else ""
        console.print(f"  - {esc(r.text)}{refs}")
    if d.action in ("progress", "step_back", "complete"):
        console.print("Accept it with `calfcare rehab advance`.")


def print_expected(console: Console, kb: KnowledgeBase, report: PlanReport) -> None:
    e = report.expected
    estimate = " This range is an estimate." if e.estimate else ""
    console.print(
        f"Usually back to full activity between {e.earliest:%d %b %Y} and "
        f"{e.latest:%d %b %Y} ({e.days.low} to {e.days.high} days after the "
        f"injury).{estimate} [dim]({esc(sources(kb, e.references))})[/dim]"
    )


def _table(title: str, *columns: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    for column in columns:
        table.add_column(column)
    return table


def _timeline(report: PlanReport) -> Table:
    table = _table("Phases", "#", "Phase", "State", "Started", "Ended", "Fewest days")
    for i, e in enumerate(report.timeline, 1):
        table.add_row(
            str(i),
            esc(e.phase.name),
            STATE_WORDS.get(e.state, e.state),
            f"{e.started:%d %b}" if e.started else "",
            f"{e.ended:%d %b}" if e.ended else "",
            str(e.min_days) if e.min_days is not None else "",
        )
    return table


def _goals(kb: KnowledgeBase, report: PlanReport) -> Table:
    table = _table("Goals of this phase", "Met", "Goal", "Now", "Evidence")
    for c in report.decision.criteria:
        words = evidence(kb, c.evidence, c.references)
        if c.estimate:
            words += "; the number is an estimate"
        table.add_row("yes" if c.met else "not yet", esc(c.text), esc(c.observed), esc(words))
    return table


def _pain(console: Console, report: PlanReport) -> None:
    from calfcare.services.rehab import quantity

    done, planned = report.adherence.done, report.adherence.planned
    share = f" ({done / planned:.0%})" if planned else ""
    console.print(
        f"Sessions logged lately: {done} of {planned} planned{share} (the last "
        f"{quantity(report.adherence.days, 'day')}, or since you started)."
    )
    change = report.decision.weekly_change
    if change is not None:
        console.print(f"Average pain this week compared with last week: {change:+.1f} points.")
    for b in report.decision.pain_breaks:
        console.print(f"Pain rule broken on {b.day:%d %b}: {esc(b.detail)}.")


def _tests(console: Console, kb: KnowledgeBase, report: PlanReport) -> None:
    from calfcare.services.rehab import latest_tests

    tests = latest_tests(report)
    if not tests:
        console.print("No tests logged yet (`calfcare rehab test KIND`).")
        return
    table = _table("Latest tests", "Test", "Day", "Result")
    for kind, x in tests.items():
        table.add_row(test_name(kb, kind), f"{x.day:%d %b}", test_line(x))
    console.print(table)


def print_status(console: Console, kb: KnowledgeBase, report: PlanReport) -> None:
    from calfcare.services.rehab import quantity

    if report.decision.action == "see_professional":
        print_professional(console, kb, report)
    phase = report.phase
    days = (report.as_of - report.injury_day).days
    ago = f"{quantity(days, 'day')} ago" if days else "today"
    console.print(
        f"[bold]{esc(report.programme.name)}[/bold]: {esc(report.variant.name)}, "
        f"{report.side} calf, injured on {report.injury_day:%d %b %Y} ({ago})."
    )
    console.print(
        f"Phase {phase.number} of {len(report.timeline)}: "
        f"[bold]{esc(phase.name)}[/bold], since {phase.started:%d %b %Y} "
        f"({quantity(phase.days_in_phase, 'day')}). {esc(phase.goal)}"
    )
    print_expected(console, kb, report)
    console.print(_timeline(report))
    print_decision(console, kb, report, panel_shown=True)
    console.print(_goals(kb, report))
    _pain(console, report)
    _tests(console, kb, report)
    console.print(f"[dim]{DISCLAIMER} {EMERGENCY_LINE}[/dim]")


def print_choices(console: Console, kb: KnowledgeBase, prog: Programme, indent: str = "  ") -> None:
    """How to tell which version is yours: each muscle in plain words with how to tell it,
    and what each grade means, graded and sourced."""
    if prog.muscles:
        console.print(f"{indent}Which muscle is it?")
    for m in prog.muscles:
        console.print(f"{indent}  [bold]{esc(m.name)}[/bold]: {_said(kb, m.signs)}")
        console.print(f"{indent}    How to tell: {_said(kb, m.how_to_tell)}")
    if prog.not_sure is not None:
        console.print(
            f"{indent}  [bold]Not sure which muscle?[/bold] {_said(kb, prog.not_sure.why)}"
        )
    if prog.grades:
        console.print(f"{indent}How bad is it?")
    for g in prog.grades:
        console.print(f"{indent}  [bold]{esc(g.name)}[/bold]: {_said(kb, g.signs)}")


def print_versions(
    console: Console, kb: KnowledgeBase, prog: Programme, indent: str = "  "
) -> None:
    """The versions to choose from (--variant), with the usual time back to full activity;
    each "not sure which muscle" choice says the version it starts."""
    from calfcare.services.rehab import version_choices

    console.print(f"{indent}Versions (--variant), with the usual time back to full activity:")
    for c in version_choices(prog):
        v = c.variant
        if c.why is not None:
            console.print(f"{indent}  {c.id}: {esc(c.label)}: starts {v.id}, the safer version")
            continue
        estimate = ", an estimate" if v.estimate else ""
        console.print(
            f"{indent}  {v.id}: {esc(v.label)}: {v.expected_days.low} to "
            f"{v.expected_days.high} days ({sources(kb, v.references)}{estimate})"
        )


def _said(kb: KnowledgeBase, st: Statement) -> str:
    return f"{esc(st.text)} [dim]({esc(evidence(kb, st.evidence, st.references))})[/dim]"
