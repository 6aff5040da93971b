"""What the clinician's page of a linked person's plan shows.

Every fact about the plan comes from its `PlanReport` (`status` in the template), the same
model the person's page, the command line and the API show; this module adds words, the
trend charts over the last `TREND_DAYS` days, the doses of every phase for the adjust form,
and numbered references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from calfcare.engine.rehab import prescriptions
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import CriterionKind
from calfcare.services import rehab
from calfcare.services.accounts import LinkedAccount
from calfcare.services.diary import citation
from calfcare.services.rehab.report import PlanReport
from calfcare.web import charts
from calfcare.web.routes.rehab.common import amount_words, exercise_amount, exercise_name

#: Days of logs shown in the pain and heel-raise trends.
TREND_DAYS = 42
SESSIONS_SHOWN = 10
ACTION_WORDS = {
    "progress": "Ready to move on",
    "hold": "Stay in this phase",
    "step_back": "Go back a phase",
    "see_professional": "Stop and see a professional",
    "complete": "Programme complete",
}
STATE_WORDS = {"done": "Done", "current": "Current phase", "upcoming": "Coming up"}


def day_words(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _short_day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


class Refs:
    """Numbers the references a page cites, in the order it cites them."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def __call__(self, refs: Sequence[str]) -> list[int]:
        out = []
        for r in refs:
            if r not in self.order:
                self.order.append(r)
            out.append(self.order.index(r) + 1)
        return out


def _ceilings(kb: KnowledgeBase, report: PlanReport) -> dict[str, int]:
    """Each phase's pain limit (never above the pain model's)."""
    return {
        e.phase.id: min(e.phase.pain_ceiling, kb.pain_model.during_max) for e in report.timeline
    }


def _pain_rows(kb: KnowledgeBase, report: PlanReport, since: date) -> list[dict[str, Any]]:
    """Session pain and morning pain, day by day, since `since`."""
    ceilings = _ceilings(kb, report)
    by_day: dict[date, dict[str, Any]] = {}
    for s in report.sessions:
        if s.day >= since:
            row = by_day.setdefault(s.day, {"day": s.day})
            row["during"] = max(row.get("during", 0), s.pain_during)
            if s.pain_during > ceilings.get(s.phase, kb.pain_model.during_max):
                row["over"] = True
            if s.pain_after is not None:
                row["after"] = max(row.get("after", 0), s.pain_after)
    for m in report.mornings:
        if m.day >= since:
            by_day.setdefault(m.day, {"day": m.day})["morning"] = m.pain
    return [{**r, "label": _short_day(r["day"])} for _, r in sorted(by_day.items())]


def _pain_chart(rows: Sequence[Mapping[str, Any]], ceiling: int) -> Markup:
    """Session pain and morning pain on one chart, against the phase's limit."""
    sessions = [(r["day"], float(r["during"])) for r in rows if "during" in r]
    mornings = [(r["day"], float(r["morning"])) for r in rows if "morning" in r]
    return charts.over_time(
        "chart-pain",
        f"Pain over the last {rehab.quantity(TREND_DAYS, 'day')}",
        (
            f"Highest pain during sessions on {rehab.quantity(len(sessions), 'day')} and pain "
            f"on getting up on {rehab.quantity(len(mornings), 'day')}, 0 to 10; the limit for "
            f"this phase is {ceiling}. "
            "The table below gives every value."
        )
        if rows
        else "Nothing logged yet.",
        [
            charts.Series("During the session", sessions),
            charts.Series(
                "Next morning", mornings, colour=charts.SECOND, marker="square", dashed=True
            ),
        ],
        y_max=10,
        y_label="Pain (0–10)",
        limit=ceiling,
        limit_label=f"Limit {ceiling}",
    )


def _pain(kb: KnowledgeBase, report: PlanReport, today: date) -> dict[str, Any]:
    rows = _pain_rows(kb, report, today - timedelta(days=TREND_DAYS - 1))
    ceiling = min(report.phase.pain_ceiling, kb.pain_model.during_max)
    change = report.decision.weekly_change
    weekly = (
        None
        if change is None
        else {
            "change": f"{change:+.1f}",
            "rising": change > kb.pain_model.weekly_rise,
            "limit": _number(kb.pain_model.weekly_rise),
        }
    )
    return {
        "pain_chart": _pain_chart(rows, ceiling),
        "pain_rows": rows,
        "ceiling": ceiling,
        "weekly": weekly,
        "min_trend": kb.pain_model.min_sessions_for_trend,
    }


def _lsi_chart(points: list[tuple[date, float]], goal: float | None) -> Markup:
    return charts.over_time(
        "chart-lsi",
        "Heel-raise test: injured side as a % of the other side",
        (
            f"{rehab.quantity(len(points), 'test')}; the latest is {points[-1][1]:.0f}%."
            + (f" The goal in this phase is {goal:.0f}%." if goal is not None else "")
            + " The table below gives every value."
        )
        if points
        else "No test logged yet.",
        [charts.Series("Injured side (% of other)", points)],
        y_max=120,
        y_label="Percent",
        limit=goal,
        limit_label=f"Goal {goal:.0f}%" if goal is not None else "",
    )


def _heel_raises(st: rehab.PlanStatus) -> dict[str, Any]:
    """The single-leg heel-raise test: the injured side as a % of the other side."""
    raises = [t for t in st.report.tests if t.kind.value == "heel_raise"]
    points = [(t.day, float(t.lsi)) for t in raises if t.lsi is not None]
    goal = next(
        (c.value for c in st.phase.exit if c.kind is CriterionKind.heel_raise_lsi_min), None
    )
    rows = [
        {
            "day": _short_day(t.day),
            "injured": _number(t.injured),
            "other": _number(t.other),
            "lsi": f"{t.lsi:.0f}%" if t.lsi is not None else "–",
        }
        for t in raises
    ]
    return {"lsi_chart": _lsi_chart(points, goal), "lsi_rows": rows, "lsi_goal": goal}


def _sessions(kb: KnowledgeBase, report: PlanReport) -> list[dict[str, Any]]:
    """The latest sessions, newest first, with the exercises and any warning signs."""
    names = {e.phase.id: e.phase.name for e in report.timeline}
    ceilings = _ceilings(kb, report)
    return [
        {
            "day": day_words(s.day),
            "phase": names.get(s.phase, s.phase),
            "during": s.pain_during,
            "after": s.pain_after,
            "limit": ceilings.get(s.phase, kb.pain_model.during_max),
            "flags": [kb.pain_model.flags.get(f, f) for f in s.flags],
            "notes": s.notes,
            "exercises": [
                {
                    "name": exercise_name(kb, e.exercise),
                    "sets": e.sets,
                    "amount": exercise_amount(kb, e.exercise, e.amount),
                    "load": _number(e.load_kg),
                    "pain": e.pain,
                }
                for e in s.exercises
            ],
        }
        for s in sorted(report.sessions, key=lambda s: s.day, reverse=True)[:SESSIONS_SHOWN]
    ]


def _dose(item: rehab.DoseItem) -> str:
    text = f"{item.sets} × {amount_words(item.amount, item.measure)}"
    return text + f", {item.per_day}× a day, {rehab.quantity(item.days_per_week, 'day')} a week"


def _doses(
    kb: KnowledgeBase, st: rehab.PlanStatus, planned: Mapping[str, Sequence[rehab.DoseItem]]
) -> list[dict[str, Any]]:
    """Every phase's exercises as this person does them, for the adjust form."""
    out = []
    for e in st.timeline:
        p = e.phase
        items = {i.exercise.id: i for i in planned.get(p.id, ())}
        out.append(
            {
                "phase": p,
                "current": p.id == st.phase.id,
                "items": [
                    {
                        "value": f"{p.id}:{rx.exercise}",
                        "name": exercise_name(kb, rx.exercise),
                        "dose": _dose(items[rx.exercise]) if rx.exercise in items else "Left out",
                        "load": items[rx.exercise].load if rx.exercise in items else "",
                        "note": items[rx.exercise].note if rx.exercise in items else "",
                        "adjusted": items[rx.exercise].adjusted if rx.exercise in items else True,
                        "removed": rx.exercise not in items,
                    }
                    for rx in prescriptions(p, st.variant)
                ],
            }
        )
    return out


def _decision(report: PlanReport, cite: Refs) -> dict[str, Any]:
    d = report.decision
    return {
        "action": d.action,
        "words": ACTION_WORDS[d.action],
        "target": d.target.name if d.target else None,
        "reasons": [{"text": r.text, "refs": cite(r.references)} for r in d.reasons],
        "level": d.level,
        "criteria": [{"refs": cite(c.references)} for c in d.criteria],
    }


def _see_professional(kb: KnowledgeBase, st: rehab.PlanStatus, cite: Refs) -> list[dict[str, Any]]:
    return [
        {
            "when": sp.when,
            "label": kb.levels[sp.level].label,
            "family": kb.levels[sp.level].family,
            "refs": cite(sp.references),
        }
        for sp in st.programme.see_professional
    ]


def clinician_plan_context(
    kb: KnowledgeBase,
    view: rehab.ClinicianView,
    st: rehab.PlanStatus,
    who: LinkedAccount,
    today: date,
    clinician_id: str,
) -> dict[str, Any]:
    """Everything the clinician's page shows about the person's active plan (`st`, the
    status in `view`)."""
    report = st.report
    cite = Refs()
    decision = _decision(report, cite)
    see = _see_professional(kb, st, cite)
    return {
        "status": report,
        "programme": st.programme,
        "variant": st.variant,
        "phase": st.phase,
        "days_in_phase": (today - report.phase.started).days,
        "decision": decision,
        "state_words": STATE_WORDS,
        "day_words": day_words,
        **_pain(kb, report, today),
        **_heel_raises(st),
        "sessions": _sessions(kb, report),
        "doses": _doses(kb, st, view.doses),
        "phase_options": [
            (e.phase.id, f"{n}. {e.phase.name}") for n, e in enumerate(report.timeline, 1)
        ],
        "phase_choice": report.decision.target.id
        if report.decision.target is not None
        else report.phase.id,
        "see_professional": see,
        "references": [{"n": i + 1, "text": citation(kb, r)} for i, r in enumerate(cite.order)],
        "started_by": "you"
        if st.plan.assigned_by == clinician_id
        else who.display_name
        if st.plan.assigned_by is None
        else "Another clinician",
    }
