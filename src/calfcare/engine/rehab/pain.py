"""The pain-monitoring model: how one session broke it, and the week-to-week trend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from calfcare.engine.rehab.criteria import of_phase
from calfcare.engine.rehab.types import BreakKind, MorningCheck, PainBreak, PlanFacts, SessionLog
from calfcare.kb.rehab_schema import PainModel


def morning_before(mornings: Sequence[MorningCheck], day: date) -> MorningCheck | None:
    before = [m for m in mornings if m.day <= day]
    return max(before, key=lambda m: m.day) if before else None


def morning_after(mornings: Sequence[MorningCheck], day: date) -> MorningCheck | None:
    next_day = day + timedelta(days=1)
    return next((m for m in mornings if m.day == next_day), None)


def pain_breaks(
    session: SessionLog, ceiling: int, model: PainModel, mornings: Sequence[MorningCheck]
) -> list[PainBreak]:
    """How one session broke the pain-monitoring model (empty if it did not)."""
    out: list[PainBreak] = []
    limit = min(ceiling, model.during_max)
    worst = max(session.pain_during, session.pain_after or 0)
    if worst > limit:
        out.append(
            PainBreak(
                session.day,
                BreakKind.over_ceiling,
                f"pain reached {worst}/10; the limit for this phase is {limit}/10",
            )
        )
    after = morning_after(mornings, session.day)
    before = morning_before(mornings, session.day)
    if (
        after is not None
        and before is not None
        and after.pain > before.pain + model.morning_tolerance
    ):
        out.append(
            PainBreak(
                session.day,
                BreakKind.not_settled,
                f"next morning pain was {after.pain}/10, up from {before.pain}/10",
            )
        )
    return out


def weekly_change(facts: PlanFacts, model: PainModel, phase_id: str | None = None) -> float | None:
    """Average session pain this week minus last week, when both weeks have enough sessions.

    A week is the pain model's `trend_days`. "This week" counts only sessions of the current
    phase, so that after a step back the lighter phase is judged on its own sessions rather
    than on those that caused the step.
    """
    week = model.trend_days

    def window(end: date, since: date, only: str | None) -> list[int]:
        start = max(end - timedelta(days=week - 1), since)
        return [
            s.pain_during for s in facts.sessions if start <= s.day <= end and of_phase(s, only)
        ]

    this = window(facts.as_of, facts.phase_started, phase_id)
    last = window(facts.as_of - timedelta(days=week), date.min, None)
    if min(len(this), len(last)) < model.min_sessions_for_trend:
        return None
    return sum(this) / len(this) - sum(last) / len(last)
