"""A plan's status as of a day: phase, decision, timeline, logs and adherence.

`status` gathers the plan's logs, asks the pure `calfcare.engine.rehab.decide` for the
decision, and builds the one `PlanReport` that every reader renders. Adherence is worked out
here only (`adherence`). Days are calendar days in the person's own time zone; the caller
passes `today`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from calfcare.engine.rehab import (
    Decision,
    MorningCheck,
    PlanFacts,
    SessionLog,
    TestResult,
    decide,
    expected_finish,
)
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Phase, Programme, Variant
from calfcare.services.rehab import store
from calfcare.services.rehab.catalogue import PlanKnowledge, dose_items, plan_knowledge
from calfcare.services.rehab.records import (
    DoseItem,
    PhaseChange,
    PlanRecord,
    SessionRecord,
    TestRecord,
    TimelineEntry,
    TodaySession,
    plan_record,
)
from calfcare.services.rehab.report import (
    AdherenceReport,
    CurrentPhase,
    DayCount,
    ExerciseLogReport,
    ExpectedReport,
    MorningReport,
    NamedRef,
    PhaseChangeReport,
    PlanReport,
    SessionReport,
    TestReport,
    TimelineReport,
    decision_report,
    phase_ref,
)
from calfcare.storage import tables as t

#: Days over which adherence (sessions done against sessions planned) is reported.
ADHERENCE_DAYS = 14


@dataclass(frozen=True)
class Adherence:
    done: int
    planned: int
    days: int


def adherence(
    items: Sequence[DoseItem], session_days: Sequence[date], started: date, as_of: date
) -> Adherence:
    """Days with a logged session against days planned, over the last ADHERENCE_DAYS days
    (or since the plan started, when that is sooner)."""
    since = max(as_of - timedelta(days=ADHERENCE_DAYS - 1), started)
    days = (as_of - since).days + 1
    per_week = max((i.days_per_week for i in items), default=7)
    planned = max(1, round(days * per_week / 7))
    done = len({d for d in session_days if since <= d <= as_of})
    return Adherence(done, planned, days)


@dataclass(frozen=True)
class PlanStatus:
    """Everything known about a plan as of `as_of`, and `report`, the shape every reader
    shows (built once, here, from the rest)."""

    plan: PlanRecord
    programme: Programme
    variant: Variant
    phase: Phase
    phase_index: int
    decision: Decision
    timeline: tuple[TimelineEntry, ...]
    expected: tuple[date, date]
    sessions: tuple[SessionRecord, ...]
    mornings: tuple[MorningCheck, ...]
    tests: tuple[TestRecord, ...]
    history: tuple[PhaseChange, ...]
    adherence: tuple[int, int]  # sessions done, sessions planned over `adherence_days`
    adherence_days: int
    as_of: date
    kb: InitVar[KnowledgeBase]
    report: PlanReport = field(init=False, repr=False, compare=False)

    def __post_init__(self, kb: KnowledgeBase) -> None:
        object.__setattr__(self, "report", plan_report(kb, self))


def _facts(
    know: PlanKnowledge,
    row: t.RehabPlan,
    as_of: date,
    logs: tuple[list[SessionRecord], list[MorningCheck], list[TestRecord]],
) -> PlanFacts:
    sessions, mornings, tests = logs
    return PlanFacts(
        phase_index=know.index,
        phase_started=row.phase_started,
        as_of=as_of,
        sessions=tuple(
            SessionLog(
                day=s.day,
                pain_during=s.pain_during,
                pain_after=s.pain_after,
                flags=frozenset(s.flags),
                exercises=s.exercises,
                phase=s.phase,
            )
            for s in sessions
        ),
        mornings=tuple(mornings),
        tests=tuple(
            TestResult(
                day=x.day, kind=x.kind, injured=x.injured, other=x.other, pain=x.pain, limp=x.limp
            )
            for x in tests
        ),
    )


def _changes(history: Sequence[PhaseChange]) -> tuple[dict[str, date], dict[str, date]]:
    """The day each phase started and ended, from the phase history."""
    started: dict[str, date] = {}
    ended: dict[str, date] = {}
    for ch in history:
        if ch.from_phase == ch.to_phase:  # stopped or completed: no phase began
            if ch.action in ("complete", "completed"):
                ended[ch.to_phase] = ch.day
            continue
        if ch.from_phase:
            ended[ch.from_phase] = ch.day
        started[ch.to_phase] = ch.day
    return started, ended


def _timeline(
    know: PlanKnowledge, history: Sequence[PhaseChange], row: t.RehabPlan
) -> tuple[TimelineEntry, ...]:
    started, ended = _changes(history)
    current = know.index
    out = []
    for i, ph in enumerate(know.phases):
        state = (
            "done"
            if i < current or row.status == "completed"
            else "current"
            if i == current
            else "upcoming"
        )
        began = row.phase_started if i == current else started.get(ph.id)
        out.append(
            TimelineEntry(
                phase=ph,
                state=state,
                started=began if i <= current else None,
                ended=ended.get(ph.id) if state == "done" else None,
                min_days=know.variant.min_days.get(ph.id),
            )
        )
    return tuple(out)


def build_status(db: Session, kb: KnowledgeBase, row: t.RehabPlan, as_of: date) -> PlanStatus:
    """The status of one stored plan (ProgrammeChangedError when its phase is gone)."""
    know = plan_knowledge(kb, row)
    logs = (store.sessions(db, row.id), store.mornings(db, row.id), store.results(db, row.id))
    history = store.history(db, row.id)
    items = dose_items(kb, know.phase, know.variant, store.adjustments(db, row.id))
    kept = adherence(
        items, [s.day for s in logs[0]], history[0].day if history else row.phase_started, as_of
    )
    return PlanStatus(
        plan=plan_record(row),
        programme=know.programme,
        variant=know.variant,
        phase=know.phase,
        phase_index=know.index,
        decision=decide(
            know.programme, know.variant, kb.pain_model, _facts(know, row, as_of, logs)
        ),
        timeline=_timeline(know, history, row),
        expected=expected_finish(know.variant, row.injury_day),
        sessions=tuple(logs[0]),
        mornings=tuple(logs[1]),
        tests=tuple(logs[2]),
        history=tuple(history),
        adherence=(kept.done, kept.planned),
        adherence_days=kept.days,
        as_of=as_of,
        kb=kb,
    )


def status(db: Session, *, owner_id: str, today: date, kb: KnowledgeBase) -> PlanStatus:
    """The active plan as of `today`: phase, decision, timeline, logs and adherence."""
    return build_status(db, kb, store.require_active(db, owner_id), today)


def today_session(db: Session, *, owner_id: str, today: date, kb: KnowledgeBase) -> TodaySession:
    """Today's exercises with this person's doses, and whether today is logged yet."""
    row = store.require_active(db, owner_id)
    know = plan_knowledge(kb, row)
    logged = (
        db.scalars(
            select(t.RehabSession.id).where(
                t.RehabSession.plan_id == row.id, t.RehabSession.day == today
            )
        ).first()
        is not None
    )
    morning = db.get(t.RehabMorning, (row.id, today)) is not None
    return TodaySession(
        plan=plan_record(row),
        phase=know.phase,
        day=today,
        items=dose_items(kb, know.phase, know.variant, store.adjustments(db, row.id)),
        logged_today=logged,
        morning_logged=morning,
    )


def latest_tests(report: PlanReport) -> dict[str, TestReport]:
    """The latest result of each kind of test up to the report's day, by kind (in the order
    each kind was first logged)."""
    latest: dict[str, TestReport] = {}
    for test in report.tests:
        if test.day <= report.as_of:
            latest[test.kind.value] = test  # sorted by day: the last one wins
    return latest


# --- the report -----------------------------------------------------------------------------


def _phase(st: PlanStatus) -> CurrentPhase:
    return CurrentPhase(
        **phase_ref(st.phase).model_dump(),
        goal=st.phase.goal,
        number=st.phase_index + 1,
        started=st.plan.phase_started,
        days_in_phase=(st.as_of - st.plan.phase_started).days,
    )


def _expected(st: PlanStatus) -> ExpectedReport:
    v = st.variant
    return ExpectedReport(
        earliest=st.expected[0],
        latest=st.expected[1],
        days=DayCount(low=v.expected_days.low, high=v.expected_days.high),
        estimate=v.estimate,
        note=v.expected_note,
        references=list(v.references),
    )


def _session_report(s: SessionRecord) -> SessionReport:
    return SessionReport(
        day=s.day,
        phase=s.phase,
        pain_during=s.pain_during,
        pain_after=s.pain_after,
        flags=list(s.flags),
        notes=s.notes,
        exercises=[
            ExerciseLogReport(
                exercise=e.exercise, sets=e.sets, amount=e.amount, load_kg=e.load_kg, pain=e.pain
            )
            for e in s.exercises
        ],
    )


def _test_report(x: TestRecord) -> TestReport:
    return TestReport(
        day=x.day,
        kind=x.kind,
        injured=x.injured,
        other=x.other,
        pain=x.pain,
        limp=x.limp,
        lsi=x.lsi,
    )


def _logs(st: PlanStatus) -> dict[str, list[object]]:
    """Everything logged in the plan, in the report's shape (each kind of log in its own
    list, so that a reader shows sessions, mornings, tests and phase changes apart)."""
    return {
        "sessions": [_session_report(s) for s in st.sessions],
        "mornings": [MorningReport(day=m.day, pain=m.pain) for m in st.mornings],
        "tests": [_test_report(x) for x in st.tests],
        "history": [
            PhaseChangeReport(
                day=h.day,
                from_phase=h.from_phase,
                to_phase=h.to_phase,
                action=h.action,
                reasons=list(h.reasons),
            )
            for h in st.history
        ],
    }


def plan_report(kb: KnowledgeBase, st: PlanStatus) -> PlanReport:
    """The plan as every reader shows it."""
    p = st.plan
    return PlanReport.model_validate(
        {
            "id": p.id,
            "kb_version": p.kb_version,
            "programme": NamedRef(id=st.programme.id, name=st.programme.name),
            "variant": NamedRef(id=st.variant.id, name=st.variant.label),
            "side": p.side,
            "injury_day": p.injury_day,
            "started_on": p.started_on,
            "status": p.status,
            "assigned_by_clinician": p.assigned_by is not None and p.assigned_by != p.owner_id,
            "notes": p.notes,
            "as_of": st.as_of,
            "phase": _phase(st),
            "expected": _expected(st),
            "adherence": AdherenceReport(
                done=st.adherence[0], planned=st.adherence[1], days=st.adherence_days
            ),
            "decision": decision_report(kb, st.decision),
            "timeline": [
                TimelineReport(
                    phase=phase_ref(e.phase),
                    state=e.state,
                    started=e.started,
                    ended=e.ended,
                    min_days=e.min_days,
                )
                for e in st.timeline
            ],
            **_logs(st),
        }
    )
