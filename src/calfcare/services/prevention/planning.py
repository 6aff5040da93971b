"""The use cases of prevention: a sweat test, a session plan, a person's risk, night cramps.

Signed out, everything works on what is given. For a person, a plan without a sweat rate uses
their sweat test whose conditions are closest to the session, and the risk profile reads their
diary's training sessions and episodes through `services.diary`, the same records any import
of training files adds to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from calfcare.engine.episodes import EpisodeFacts
from calfcare.engine.prevention import (
    PlanInput,
    closest_test,
    night_check,
    risk_profile,
    session_plan,
    sweat_test,
)
from calfcare.engine.prevention.risk import PlannedSession, RiskProfile, TrainingFacts
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import diary
from calfcare.services.diary.records import aware_now
from calfcare.services.prevention import store
from calfcare.services.prevention.report import (
    ExerciseOut,
    NightReport,
    RiskReport,
    SessionPlanReport,
    SweatTestReport,
    advice,
    night_check_out,
    plan_report,
)
from calfcare.services.prevention.validation import plan_input, sweat_test_input


def check_sweat_test(kb: KnowledgeBase, data: Mapping[str, Any]) -> SweatTestReport:
    """Work out a sweat test without keeping it."""
    test = sweat_test_input(data, kb.prevention)
    return SweatTestReport.of(sweat_test(test, kb.prevention.fluid), kb.content_hash)


def record_sweat_test(
    session: Session,
    kb: KnowledgeBase,
    *,
    owner_id: str,
    data: Mapping[str, Any],
    now: datetime | None = None,
) -> SweatTestReport:
    """Work out a sweat test and keep it in the person's history."""
    test = sweat_test_input(data, kb.prevention)
    result = sweat_test(test, kb.prevention.fluid)
    saved = store.save_sweat_test(
        session, owner_id=owner_id, test=test, result=result, kb_version=kb.content_hash, now=now
    )
    return SweatTestReport.of(result, kb.content_hash, saved.id)


def _with_test(session: Session, owner_id: str, p: PlanInput) -> tuple[PlanInput, str | None]:
    """The plan with the sweat rate of the closest test, when none was given."""
    if p.sweat_rate_l_per_h is not None:
        return p, None
    tests = store.list_sweat_tests(session, owner_id=owner_id)
    i = closest_test(
        [s.test for s in tests], p.temperature_c, p.humidity_percent, p.intensity, p.sport
    )
    if i is None:
        return p, None
    chosen = tests[i]
    gained = chosen.body_mass_change_percent > 0
    return replace(
        p, sweat_rate_l_per_h=chosen.sweat_rate_l_per_h, sweat_test_gained_mass=gained
    ), chosen.id


def _diary_facts(
    session: Session, owner_id: str, now: datetime, days: float
) -> tuple[list[TrainingFacts], list[EpisodeFacts]]:
    since = now - timedelta(days=days)
    sessions = [
        TrainingFacts(s.started_at, s.activity, s.duration_min, s.intensity)
        for s in diary.list_training(session, owner_id=owner_id, since=since)
    ]
    episodes = [
        EpisodeFacts(
            e.id,
            e.occurred_at,
            e.duration_s,
            e.severity,
            e.activity,
            e.session_load,
            e.woke_from_sleep,
            e.temperature_c,
            e.humidity_pct,
            e.carbohydrate_g,
        )
        for e in diary.list_episodes(session, owner_id=owner_id, since=since)
    ]
    return sessions, episodes


def _risk(
    session: Session, kb: KnowledgeBase, owner_id: str, p: PlanInput, hot: bool, now: datetime
) -> RiskProfile:
    r = kb.prevention.risk
    days = max(r.window_days.value, r.cramp_history_days.value)
    sessions, episodes = _diary_facts(session, owner_id, now, days)
    planned = PlannedSession(p.duration_min, p.intensity, p.sport, hot, p.sweat_sodium == "salty")
    return risk_profile(planned, sessions, episodes, now, kb.prevention, kb.diary_rules)


def plan_session(
    kb: KnowledgeBase,
    data: Mapping[str, Any],
    *,
    session: Session | None = None,
    owner_id: str | None = None,
    now: datetime | None = None,
    save: bool = False,
) -> SessionPlanReport:
    """A session plan; for a person, with their closest sweat test and their diary's risk."""
    p = plan_input(data, kb.prevention)
    test_id, risk = None, None
    if session is not None and owner_id is not None:
        p, test_id = _with_test(session, owner_id, p)
    plan = session_plan(p, kb.prevention)
    if session is not None and owner_id is not None:
        hot = any(c.warns and c.id == plan.heat.category for c in kb.prevention.heat.categories)
        risk = _risk(session, kb, owner_id, p, hot, aware_now(now))
    report = plan_report(plan, p.duration_min, kb.content_hash, test_id, risk)
    if save and session is not None and owner_id is not None:
        saved = store.save_plan(
            session,
            owner_id=owner_id,
            request=dict(data),
            plan=report.model_dump(mode="json"),
            kb_version=kb.content_hash,
            now=now,
        )
        report = report.model_copy(update={"id": saved.id})
    return report


def risk_for(
    session: Session,
    kb: KnowledgeBase,
    *,
    owner_id: str,
    data: Mapping[str, Any],
    now: datetime | None = None,
) -> RiskReport:
    """The person's own cramp risk for a planned session, from their diary."""
    report = plan_session(kb, data, session=session, owner_id=owner_id, now=now)
    if report.risk is None:  # pragma: no cover - a person's plan always has one
        raise RuntimeError("a plan for a person has a risk profile")
    return report.risk


def night(
    kb: KnowledgeBase,
    *,
    session: Session | None = None,
    owner_id: str | None = None,
    started: date | None = None,
    now: datetime | None = None,
) -> NightReport:
    """The bedtime routine, the evidence on quinine and magnesium, and for a person the
    two-week check from their diary."""
    n = kb.prevention.night
    check = None
    if session is not None and owner_id is not None:
        at = aware_now(now)
        _, episodes = _diary_facts(session, owner_id, at, 3 * n.check.window_days.value + 1)
        check = night_check_out(night_check(episodes, started, at, n))
    routine = [
        ExerciseOut(id=e, name=kb.exercises[e].name, summary=kb.exercises[e].summary)
        for e in n.routine
    ]
    statements = advice([_advice(k, st) for k, st in n.statements.items()])
    return NightReport(
        routine=routine, holds=n.holds, check=check, evidence=statements, kb_version=kb.content_hash
    )


def _advice(key: str, st: Any) -> Any:
    from calfcare.engine.prevention import Advice

    return Advice.of(key, st)
