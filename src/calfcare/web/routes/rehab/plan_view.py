"""What the person's plan page shows: the plan's report, in words and charts.

Every fact about the plan comes from its `PlanReport` (`status` in the template), the same
model the command line and the API print; this module only adds words, charts and the
knowledge behind the phase (advice, kit, references).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

from calfcare.kb.loader import KnowledgeBase
from calfcare.services import rehab
from calfcare.services.rehab.report import PlanReport, SessionReport
from calfcare.web import charts
from calfcare.web.routes.rehab.common import (
    SIDE_WORDS,
    VERDICT_WORDS,
    decision_references,
    decision_view,
    exercise_amount,
    exercise_name,
    numbered,
    reference_ids,
)

RECENT_SESSIONS = 5
STATE_WORDS = {"done": "Done", "current": "You are here", "upcoming": "Still to come"}


def _heel_chart(report: PlanReport) -> dict[str, Any]:
    heel = [
        t
        for t in report.tests
        if t.kind.value == "heel_raise" and t.injured is not None and t.other is not None
    ]
    rows = [{"day": t.day, "injured": t.injured, "other": t.other, "lsi": t.lsi} for t in heel]
    chart = (
        charts.over_time(
            "chart-heel-raises",
            "Single-leg heel raises, injured and other leg",
            "; ".join(
                f"{t.day.isoformat()}: injured {t.injured:.0f}, other {t.other:.0f}"
                for t in heel
                if t.injured is not None and t.other is not None
            )
            + ".",
            [
                charts.Series("Injured leg", [(t.day, t.injured or 0.0) for t in heel]),
                charts.Series(
                    "Other leg",
                    [(t.day, t.other or 0.0) for t in heel],
                    charts.SECOND,
                    "square",
                    dashed=True,
                ),
            ],
            y_max=30,
            y_label="Raises",
        )
        if heel
        else None
    )
    return {"heel_chart": chart, "heel_rows": rows}


def _pain_described(days: list[date], by_day: dict[date, int], mornings: dict[date, int]) -> str:
    described = []
    for d in days:
        parts = [
            f"session {by_day[d]}" if d in by_day else "",
            f"morning {mornings[d]}" if d in mornings else "",
        ]
        described.append(f"{d.isoformat()}: " + ", ".join(p for p in parts if p))
    return "; ".join(described)


def _pain_chart(report: PlanReport) -> dict[str, Any]:
    by_day: dict[date, int] = {}
    for s in report.sessions:
        by_day[s.day] = max(by_day.get(s.day, 0), s.pain_during)
    mornings = {m.day: m.pain for m in report.mornings}
    days = sorted(set(by_day) | set(mornings))
    ceiling = report.phase.pain_ceiling
    chart: Markup | None = (
        charts.over_time(
            "chart-pain",
            "Pain during sessions and in the morning (0 to 10)",
            _pain_described(days, by_day, mornings)
            + f". The limit in this phase is {ceiling} out of 10.",
            [
                charts.Series("Session pain", sorted((d, float(p)) for d, p in by_day.items())),
                charts.Series(
                    "Morning pain",
                    [(m.day, float(m.pain)) for m in report.mornings],
                    charts.SECOND,
                    "square",
                    dashed=True,
                ),
            ],
            y_max=10,
            y_label="Pain (0 to 10)",
            limit=ceiling,
            limit_label=f"Limit now: {ceiling}",
        )
        if days
        else None
    )
    rows = [{"day": d, "session": by_day.get(d), "morning": mornings.get(d)} for d in days]
    return {"pain_chart": chart, "pain_rows": rows}


def session_view(kb: KnowledgeBase, s: SessionReport) -> dict[str, Any]:
    return {
        "day": s.day,
        "pain_during": s.pain_during,
        "pain_after": s.pain_after,
        "flags": [kb.pain_model.flags.get(f, f) for f in s.flags],
        "notes": s.notes,
        "exercises": [
            {
                "name": exercise_name(kb, e.exercise),
                "sets": e.sets,
                "amount": exercise_amount(kb, e.exercise, e.amount),
                "load_kg": e.load_kg,
                "pain": e.pain,
            }
            for e in s.exercises
        ],
    }


def plan_context(kb: KnowledgeBase, st: rehab.PlanStatus) -> dict[str, Any]:
    """Everything the plan page shows about a plan as of its report's day."""
    report = st.report
    ids = reference_ids(
        decision_references(report.decision),
        (r for k in st.phase.kit for r in k.references),
        (r for a in st.phase.advice for r in a.references),
        st.variant.references,
        (r for sp in st.programme.see_professional for r in sp.references),
        (r for s in kb.pain_model.statements for r in s.references),
    )
    return {
        "status": report,
        "prog": st.programme,
        "variant": st.variant,
        "phase": st.phase,
        "goals": {ph.id: ph.goal for ph in st.programme.phases},
        "decision": decision_view(kb, report.decision),
        "state_words": STATE_WORDS,
        "side": SIDE_WORDS[report.side],
        "products": kb.products,
        "verdicts": VERDICT_WORDS,
        "pain_model": kb.pain_model,
        "sessions": [session_view(kb, s) for s in reversed(report.sessions[-RECENT_SESSIONS:])],
        "morning_today": any(m.day == report.as_of for m in report.mornings),
        **_heel_chart(report),
        **_pain_chart(report),
        **numbered(kb, ids),
    }
