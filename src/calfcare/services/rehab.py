"""Rehabilitation plans: start a programme, follow today's session, log, and move on by criteria.

A person has at most one active plan. Everything they log (exercise sessions, next-morning
pain, tests) belongs to the plan, and the plan to the person: every function takes the owner's
id and reports another person's plan exactly like a missing one. A clinician reaches a linked
person's plan through `clinician_*` functions, which check the link first.

The progression decision itself is the pure `calfcare.engine.rehab.decide`; this module only
gathers the facts for it, shows it, and records a phase change when the person (or their
clinician) accepts it. Functions flush but never commit: the caller owns the transaction.
Days are calendar days in the person's own time zone; the caller passes `today`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calfcare.engine.rehab import (
    Action,
    Decision,
    ExerciseLog,
    MorningCheck,
    PlanFacts,
    SessionLog,
    TestKind,
    TestResult,
    active_phases,
    decide,
    expected_finish,
    prescriptions,
)
from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.kb.rehab_schema import Exercise, Phase, Programme, Variant
from calfcare.services import accounts
from calfcare.services.forms import FormReader
from calfcare.storage import tables as t
from calfcare.storage.atomic import upsert

ALREADY_FOLLOWING = "You already follow a programme. Stop it before starting another."


def _table(model: type[t.Base]) -> Table:
    return t.Base.metadata.tables[str(model.__tablename__)]

SIDES = ("left", "right")
PLAN_FIELDS = ("programme", "variant", "side", "injury_day", "phase", "notes")
SESSION_FIELDS = ("day", "pain_during", "pain_after", "flags", "notes")
EXERCISE_FIELDS = ("exercise", "sets", "amount", "load_kg", "pain")
MORNING_FIELDS = ("day", "pain")
TEST_FIELDS = ("day", "kind", "injured", "other", "pain", "limp")
ADJUST_FIELDS = ("phase", "exercise", "sets", "amount", "load", "note", "removed")
#: How far back an injury may lie when a plan starts (older injuries need a professional plan).
MAX_INJURY_AGE = timedelta(days=730)
#: Days over which adherence (sessions done against sessions planned) is reported.
ADHERENCE_DAYS = 14
MAX_EXERCISES_PER_SESSION = 40
#: What each test records in `injured` and `other`, and the largest value accepted.
TEST_VALUES: dict[TestKind, tuple[str | None, float]] = {
    TestKind.walking: (None, 0),
    TestKind.symptoms: (None, 0),
    TestKind.heel_raise: ("repetitions", 200),
    TestKind.hop: ("centimetres or hops", 1000),
    TestKind.lunge: ("centimetres", 40),
    TestKind.run: ("minutes", 300),
    TestKind.training: (None, 0),
}


# --- records --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanRecord:
    id: str
    owner_id: str
    programme: str
    variant: str
    side: str
    injury_day: date
    phase: str
    phase_started: date
    status: str
    assigned_by: str | None
    notes: str
    created_at: datetime
    started_on: date  # the person's day on which the plan started


@dataclass(frozen=True)
class DoseItem:
    """One exercise of today's session with the dose that applies to this person."""

    exercise: Exercise
    sets: int
    amount: int
    per_day: int
    days_per_week: int
    load: str
    note: str
    adjusted: bool

    @property
    def measure(self) -> str:
        return self.exercise.dose.measure


@dataclass(frozen=True)
class SessionRecord:
    id: str
    day: date
    phase: str
    pain_during: int
    pain_after: int | None
    flags: tuple[str, ...]
    exercises: tuple[ExerciseLog, ...]
    notes: str


@dataclass(frozen=True)
class TestRecord:
    id: str
    day: date
    kind: TestKind
    injured: float | None
    other: float | None
    pain: int | None
    limp: bool

    @property
    def lsi(self) -> float | None:
        if self.injured is None or not self.other:
            return None
        return 100.0 * self.injured / self.other


@dataclass(frozen=True)
class PhaseChange:
    day: date
    from_phase: str | None
    to_phase: str
    action: str
    reasons: tuple[str, ...]
    by_user: str | None


@dataclass(frozen=True)
class TimelineEntry:
    phase: Phase
    state: str  # done | current | upcoming
    started: date | None
    ended: date | None
    min_days: int | None


@dataclass(frozen=True)
class PlanStatus:
    """Everything the plan's pages, the CLI and the clinician view show."""

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
    adherence: tuple[int, int]  # sessions done, sessions planned over ADHERENCE_DAYS
    as_of: date


@dataclass(frozen=True)
class TodaySession:
    plan: PlanRecord
    phase: Phase
    day: date
    items: tuple[DoseItem, ...]
    logged_today: bool
    morning_logged: bool


# --- programmes -----------------------------------------------------------------------------

def programme(kb: KnowledgeBase, programme_id: str) -> Programme:
    try:
        return kb.programmes[programme_id]
    except KeyError:
        raise NotFoundError(f"No programme called '{programme_id}'.") from None


def variant(prog: Programme, variant_id: str) -> Variant:
    for v in prog.variants:
        if v.id == variant_id:
            return v
    raise NotFoundError(f"Programme '{prog.id}' has no variant '{variant_id}'.")


def dose_items(kb: KnowledgeBase, phase: Phase, var: Variant,
               adjustments: Sequence[t.RehabAdjustment] = ()) -> tuple[DoseItem, ...]:
    """The phase's exercises for this variant, with a clinician's adjustments applied."""
    by_exercise = {a.exercise: a for a in adjustments if a.phase == phase.id}
    items: list[DoseItem] = []
    for rx in prescriptions(phase, var):
        ex = kb.exercises[rx.exercise]
        adj = by_exercise.get(rx.exercise)
        if adj is not None and adj.removed:
            continue
        items.append(DoseItem(
            exercise=ex,
            sets=(adj.sets if adj and adj.sets else None) or rx.sets or ex.dose.sets,
            amount=(adj.amount if adj and adj.amount else None) or rx.amount or ex.dose.amount,
            per_day=rx.per_day or ex.dose.per_day,
            days_per_week=rx.days_per_week or ex.dose.days_per_week,
            load=(adj.load if adj and adj.load else None) or rx.load or "",
            note=(adj.note if adj and adj.note else None) or rx.note or "",
            adjusted=adj is not None,
        ))
    return tuple(items)


# --- plans ----------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    """Times from storage in UTC (SQLite gives them back without an offset)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _record(row: t.RehabPlan) -> PlanRecord:
    return PlanRecord(id=row.id, owner_id=row.user_id, programme=row.programme,
                      variant=row.variant, side=row.side, injury_day=row.injury_day,
                      phase=row.phase, phase_started=row.phase_started, status=row.status,
                      assigned_by=row.assigned_by, notes=row.notes,
                      created_at=_utc(row.created_at), started_on=row.started_on)


def _active_row(db: Session, owner_id: str) -> t.RehabPlan | None:
    return db.scalars(select(t.RehabPlan).where(
        t.RehabPlan.user_id == owner_id, t.RehabPlan.status == "active")).first()


def _require_active(db: Session, owner_id: str) -> t.RehabPlan:
    row = _active_row(db, owner_id)
    if row is None:
        raise NotFoundError("No active rehabilitation plan. Start one first.")
    return row


def active_plan(db: Session, *, owner_id: str) -> PlanRecord | None:
    row = _active_row(db, owner_id)
    return _record(row) if row is not None else None


def list_plans(db: Session, *, owner_id: str) -> list[PlanRecord]:
    rows = db.scalars(select(t.RehabPlan).where(t.RehabPlan.user_id == owner_id)
                      .order_by(t.RehabPlan.created_at.desc(), t.RehabPlan.id)).all()
    return [_record(r) for r in rows]


def _plan_values(kb: KnowledgeBase, values: Mapping[str, object], today: date
                 ) -> tuple[Programme, Variant, str, date, Phase, str]:
    f = FormReader(values, PLAN_FIELDS)
    pid = f.choice("programme", sorted(kb.programmes), "one of " + ", ".join(sorted(kb.programmes)))
    prog = kb.programmes.get(pid or "")
    var: Variant | None = None
    phase: Phase | None = None
    if prog is not None:
        vids = [v.id for v in prog.variants]
        vid = f.choice("variant", vids, "one of " + ", ".join(vids),
                       required=len(vids) > 1) or (vids[0] if len(vids) == 1 else None)
        var = next((v for v in prog.variants if v.id == vid), None)
    side = f.choice("side", SIDES, "left or right") or ""
    injury = f.day("injury_day", latest=today, earliest=today - MAX_INJURY_AGE)
    if var is not None and prog is not None:
        phases = active_phases(prog, var)
        ids = [p.id for p in phases]
        first = f.choice("phase", ids, "one of " + ", ".join(ids), required=False)
        phase = next((p for p in phases if p.id == first), phases[0])
    notes = f.text("notes", 2000)
    f.done()
    assert prog is not None
    assert var is not None
    assert phase is not None
    assert injury is not None
    return prog, var, side, injury, phase, notes


def start_plan(db: Session, *, owner_id: str, values: Mapping[str, object], today: date,
               assigned_by: str | None = None, kb: KnowledgeBase | None = None) -> PlanRecord:
    """Start a programme. A person has one active plan: stop the current one first."""
    kb = kb or load_kb()
    prog, var, side, injury, phase, notes = _plan_values(kb, values, today)
    if _active_row(db, owner_id) is not None:
        raise FormError({"programme": ALREADY_FOLLOWING})
    # The first phase counts from the injury (healing time); a later starting phase, chosen by
    # a clinician for an older injury, counts from today.
    first = phase.id == active_phases(prog, var)[0].id
    row = t.RehabPlan(id=uuid.uuid4().hex, user_id=owner_id, programme=prog.id, variant=var.id,
                      side=side, injury_day=injury, started_on=today, phase=phase.id,
                      phase_started=injury if first else today,
                      status="active", assigned_by=assigned_by, notes=notes,
                      created_at=_now())
    try:
        # The partial unique index refuses a second active plan, even from a parallel request
        # that passed the check above at the same moment.
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise FormError({"programme": ALREADY_FOLLOWING}) from None
    _log_change(db, row, today, None, phase.id, "start", ("The programme started.",),
                assigned_by or owner_id)
    return _record(row)


def stop_plan(db: Session, *, owner_id: str, today: date, completed: bool = False
              ) -> PlanRecord:
    """Stop (or complete) the active plan. Every active plan of the person stops, so that no
    plan made active by an earlier fault can linger."""
    row = _require_active(db, owner_id)
    status = "completed" if completed else "stopped"
    for plan in db.scalars(select(t.RehabPlan).where(t.RehabPlan.user_id == owner_id,
                                                     t.RehabPlan.status == "active")).all():
        plan.status = status if plan.id == row.id else "stopped"
        _log_change(db, plan, today, plan.phase, plan.phase, plan.status, (), owner_id)
    db.flush()
    return _record(row)


def _log_change(db: Session, row: t.RehabPlan, day: date, from_phase: str | None,
                to_phase: str, action: str, reasons: Sequence[str], by_user: str | None) -> None:
    db.add(t.RehabPhaseChange(id=uuid.uuid4().hex, plan_id=row.id, day=day,
                              from_phase=from_phase, to_phase=to_phase, action=action,
                              reasons=list(reasons), by_user=by_user, created_at=_now()))
    db.flush()


# --- logging --------------------------------------------------------------------------------

def _session_record(row: t.RehabSession) -> SessionRecord:
    return SessionRecord(
        id=row.id, day=row.day, phase=row.phase, pain_during=row.pain_during,
        pain_after=row.pain_after, flags=tuple(row.flags),
        exercises=tuple(ExerciseLog(exercise=e["exercise"], sets=e["sets"], amount=e["amount"],
                                    load_kg=e.get("load_kg"), pain=e.get("pain", 0))
                        for e in row.exercises),
        notes=row.notes)


def _flags(f: FormReader, raw: object, allowed: Sequence[str]) -> list[str]:
    if raw is None or raw == "":
        return []
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else None
    if items is None or any(not isinstance(i, str) or i not in allowed for i in items):
        f.errors["flags"] = "Must be any of " + ", ".join(allowed) + "."
        return []
    return sorted(set(items))


def _row_key(index: int) -> Callable[[str], str]:
    def key(name: str) -> str:
        return f"exercises[{index}].{name}"
    return key


def log_session(db: Session, *, owner_id: str, values: Mapping[str, object],
                exercises: Sequence[Mapping[str, object]], today: date,
                kb: KnowledgeBase | None = None) -> SessionRecord:
    """Log one exercise session of the active plan (for `day`, today or earlier)."""
    kb = kb or load_kb()
    row = _require_active(db, owner_id)
    f = FormReader({k: v for k, v in values.items() if k != "flags"},
                   [x for x in SESSION_FIELDS if x != "flags"])
    flags = _flags(f, values.get("flags"), list(kb.pain_model.flags))
    day = f.day("day", latest=today, earliest=row.injury_day)
    pain = f.integer("pain_during", 0, 10, "a whole number from 0 to 10")
    after = f.integer("pain_after", 0, 10, "a whole number from 0 to 10", required=False)
    notes = f.text("notes", 2000)
    logged: list[dict[str, Any]] = []
    if len(exercises) > MAX_EXERCISES_PER_SESSION:
        f.errors["exercises"] = f"At most {MAX_EXERCISES_PER_SESSION} exercises per session."
    for i, raw in enumerate(exercises[:MAX_EXERCISES_PER_SESSION]):
        ef = FormReader(raw, EXERCISE_FIELDS, key=_row_key(i))
        eid = ef.choice("exercise", sorted(kb.exercises), "an exercise of the library")
        sets = ef.integer("sets", 0, 20, "a whole number of sets from 0 to 20")
        amount = ef.integer("amount", 0, 600, "a whole number from 0 to 600", required=False)
        load = ef.number("load_kg", 0, 300, "a weight in kg from 0 to 300")
        epain = ef.integer("pain", 0, 10, "a whole number from 0 to 10", required=False)
        f.errors.update(ef.errors)
        if not ef.errors and sets:
            logged.append({"exercise": eid, "sets": sets, "amount": amount or 0,
                           "load_kg": load, "pain": epain or 0})
    f.done()
    assert day is not None
    assert pain is not None
    worst = max([pain, *(e["pain"] for e in logged)])
    session = t.RehabSession(id=uuid.uuid4().hex, plan_id=row.id, day=day, phase=row.phase,
                             pain_during=worst, pain_after=after, flags=flags,
                             exercises=logged, notes=notes, created_at=_now())
    db.add(session)
    db.flush()
    return _session_record(session)


def log_morning(db: Session, *, owner_id: str, values: Mapping[str, object], today: date
                ) -> MorningCheck:
    """Record pain on getting up (one per day: a second entry for the day replaces it)."""
    row = _require_active(db, owner_id)
    f = FormReader(values, MORNING_FIELDS)
    day = f.day("day", latest=today, earliest=row.injury_day)
    pain = f.integer("pain", 0, 10, "a whole number from 0 to 10")
    f.done()
    assert day is not None
    assert pain is not None
    # One statement, so that the same check sent twice at once stores one row, not an error.
    upsert(db, _table(t.RehabMorning), {"plan_id": row.id, "day": day, "pain": pain},
           keys=("plan_id", "day"), update_columns=("pain",))
    db.flush()
    return MorningCheck(day=day, pain=pain)


def _test_record(row: t.RehabTest) -> TestRecord:
    return TestRecord(id=row.id, day=row.day, kind=TestKind(row.kind), injured=row.injured,
                      other=row.other, pain=row.pain, limp=row.limp)


def log_test(db: Session, *, owner_id: str, values: Mapping[str, object], today: date
             ) -> TestRecord:
    """Record a test. Which values are needed depends on the kind (see `TEST_VALUES`)."""
    row = _require_active(db, owner_id)
    f = FormReader(values, TEST_FIELDS)
    day = f.day("day", latest=today, earliest=row.injury_day)
    kind_name = f.choice("kind", [k.value for k in TestKind],
                         "one of " + ", ".join(k.value for k in TestKind))
    injured = other = None
    pain = None
    limp = f.boolean("limp")
    if kind_name is not None:
        kind = TestKind(kind_name)
        unit, top = TEST_VALUES[kind]
        if unit is not None:
            injured = f.number("injured", 0, top, f"a number of {unit} from 0 to {top:.0f}",
                               required=True)
        if kind in (TestKind.heel_raise, TestKind.hop, TestKind.lunge):
            other = f.number("other", 0, top, f"a number of {unit} from 0 to {top:.0f}",
                             required=True)
        pain = f.integer("pain", 0, 10, "a whole number from 0 to 10",
                         required=kind in (TestKind.walking, TestKind.symptoms, TestKind.run,
                                           TestKind.training))
    f.done()
    assert day is not None
    assert kind_name is not None
    test = t.RehabTest(id=uuid.uuid4().hex, plan_id=row.id, day=day, kind=kind_name,
                       injured=injured, other=other, pain=pain, limp=limp, created_at=_now())
    db.add(test)
    db.flush()
    return _test_record(test)


# --- status and decisions -------------------------------------------------------------------

def _facts(db: Session, row: t.RehabPlan, phase_index: int, as_of: date
           ) -> tuple[PlanFacts, list[SessionRecord], list[MorningCheck], list[TestRecord]]:
    sessions = [_session_record(s) for s in db.scalars(
        select(t.RehabSession).where(t.RehabSession.plan_id == row.id)
        .order_by(t.RehabSession.day, t.RehabSession.created_at)).all()]
    mornings = [MorningCheck(day=m.day, pain=m.pain) for m in db.scalars(
        select(t.RehabMorning).where(t.RehabMorning.plan_id == row.id)
        .order_by(t.RehabMorning.day)).all()]
    tests = [_test_record(x) for x in db.scalars(
        select(t.RehabTest).where(t.RehabTest.plan_id == row.id)
        .order_by(t.RehabTest.day, t.RehabTest.created_at)).all()]
    facts = PlanFacts(
        phase_index=phase_index, phase_started=row.phase_started, as_of=as_of,
        sessions=tuple(SessionLog(day=s.day, pain_during=s.pain_during, pain_after=s.pain_after,
                                  flags=frozenset(s.flags), exercises=s.exercises,
                                  phase=s.phase)
                       for s in sessions),
        mornings=tuple(mornings),
        tests=tuple(TestResult(day=x.day, kind=x.kind, injured=x.injured, other=x.other,
                               pain=x.pain, limp=x.limp) for x in tests))
    return facts, sessions, mornings, tests


def _history(db: Session, plan_id: str) -> list[PhaseChange]:
    rows = db.scalars(select(t.RehabPhaseChange).where(t.RehabPhaseChange.plan_id == plan_id)
                      .order_by(t.RehabPhaseChange.created_at, t.RehabPhaseChange.id)).all()
    return [PhaseChange(day=r.day, from_phase=r.from_phase, to_phase=r.to_phase,
                        action=r.action, reasons=tuple(r.reasons), by_user=r.by_user)
            for r in rows]


def _timeline(phases: Sequence[Phase], var: Variant, current: int,
              history: Sequence[PhaseChange], row: t.RehabPlan) -> tuple[TimelineEntry, ...]:
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
    out = []
    for i, ph in enumerate(phases):
        state = "done" if i < current else "current" if i == current else "upcoming"
        if row.status == "completed":
            state = "done"
        out.append(TimelineEntry(
            phase=ph, state=state,
            started=(row.phase_started if i == current else started.get(ph.id))
            if i <= current else None,
            ended=ended.get(ph.id) if state == "done" else None,
            min_days=var.min_days.get(ph.id)))
    return tuple(out)


def _adherence(db: Session, kb: KnowledgeBase, row: t.RehabPlan, phase: Phase, var: Variant,
               sessions: Sequence[SessionRecord], started: date, as_of: date
               ) -> tuple[int, int]:
    """Days with a logged session against days planned, over the last ADHERENCE_DAYS."""
    since = max(as_of - timedelta(days=ADHERENCE_DAYS - 1), started)
    days = (as_of - since).days + 1
    items = dose_items(kb, phase, var, _adjustments(db, row.id))
    per_week = max((i.days_per_week for i in items), default=7)
    planned = max(1, round(days * per_week / 7))
    done = len({s.day for s in sessions if since <= s.day <= as_of})
    return done, planned


def _adjustments(db: Session, plan_id: str) -> list[t.RehabAdjustment]:
    return list(db.scalars(select(t.RehabAdjustment).where(
        t.RehabAdjustment.plan_id == plan_id)).all())


def _status(db: Session, kb: KnowledgeBase, row: t.RehabPlan, as_of: date) -> PlanStatus:
    prog = programme(kb, row.programme)
    var = variant(prog, row.variant)
    phases = active_phases(prog, var)
    index = next((i for i, p in enumerate(phases) if p.id == row.phase), 0)
    facts, sessions, mornings, tests = _facts(db, row, index, as_of)
    history = _history(db, row.id)
    return PlanStatus(
        plan=_record(row), programme=prog, variant=var, phase=phases[index], phase_index=index,
        decision=decide(prog, var, kb.pain_model, facts),
        timeline=_timeline(phases, var, index, history, row),
        expected=expected_finish(var, row.injury_day), sessions=tuple(sessions),
        mornings=tuple(mornings), tests=tuple(tests), history=tuple(history),
        adherence=_adherence(db, kb, row, phases[index], var, sessions,
                             history[0].day if history else row.phase_started, as_of),
        as_of=as_of)


def status(db: Session, *, owner_id: str, today: date,
           kb: KnowledgeBase | None = None) -> PlanStatus:
    """The active plan as of `today`: phase, decision, timeline, logs and adherence."""
    return _status(db, kb or load_kb(), _require_active(db, owner_id), today)


def today_session(db: Session, *, owner_id: str, today: date,
                  kb: KnowledgeBase | None = None) -> TodaySession:
    kb = kb or load_kb()
    row = _require_active(db, owner_id)
    prog = programme(kb, row.programme)
    var = variant(prog, row.variant)
    phase = next((p for p in active_phases(prog, var) if p.id == row.phase),
                 active_phases(prog, var)[0])
    logged = db.scalars(select(t.RehabSession.id).where(
        t.RehabSession.plan_id == row.id, t.RehabSession.day == today)).first() is not None
    morning = db.get(t.RehabMorning, (row.id, today)) is not None
    return TodaySession(plan=_record(row), phase=phase, day=today,
                        items=dose_items(kb, phase, var, _adjustments(db, row.id)),
                        logged_today=logged, morning_logged=morning)


def apply_decision(db: Session, *, owner_id: str, today: date, by_user: str | None = None,
                   kb: KnowledgeBase | None = None) -> PlanStatus:
    """Accept today's decision: move to the next phase, step back, or finish the programme."""
    kb = kb or load_kb()
    row = _require_active(db, owner_id)
    current = _status(db, kb, row, today)
    decision = current.decision
    reasons = tuple(r.text for r in decision.reasons)
    if decision.action is Action.complete:
        row.status = "completed"
        _log_change(db, row, today, row.phase, row.phase, "complete", reasons,
                    by_user or owner_id)
    elif decision.action in (Action.progress, Action.step_back) and decision.target:
        _log_change(db, row, today, row.phase, decision.target.id, decision.action.value,
                    reasons, by_user or owner_id)
        row.phase = decision.target.id
        row.phase_started = today
    else:
        raise FormError({"decision": "There is no phase change to apply today: "
                                     + (reasons[0] if reasons else "keep going.")})
    db.flush()
    return _status(db, kb, row, today)


def plan_items(db: Session, *, owner_id: str, kb: KnowledgeBase | None = None
               ) -> dict[str, tuple[DoseItem, ...]]:
    """Every phase's exercises of the owner's active plan, with the clinician's adjustments."""
    kb = kb or load_kb()
    row = _require_active(db, owner_id)
    prog = programme(kb, row.programme)
    var = variant(prog, row.variant)
    adjustments = _adjustments(db, row.id)
    return {p.id: dose_items(kb, p, var, adjustments) for p in active_phases(prog, var)}


# --- clinicians -----------------------------------------------------------------------------

def _linked(db: Session, clinician_id: str, person_id: str) -> None:
    if not accounts.is_linked(db, person_id=person_id, clinician_id=clinician_id):
        raise NotFoundError("No such person.")


def clinician_status(db: Session, *, clinician_id: str, person_id: str, today: date,
                     kb: KnowledgeBase | None = None) -> PlanStatus | None:
    """A linked person's active plan, or None when they follow none."""
    _linked(db, clinician_id, person_id)
    row = _active_row(db, person_id)
    return _status(db, kb or load_kb(), row, today) if row is not None else None


def clinician_assign(db: Session, *, clinician_id: str, person_id: str,
                     values: Mapping[str, object], today: date,
                     kb: KnowledgeBase | None = None) -> PlanRecord:
    """Start a programme for a linked person (who must not already follow one)."""
    _linked(db, clinician_id, person_id)
    return start_plan(db, owner_id=person_id, values=values, today=today,
                      assigned_by=clinician_id, kb=kb)


def clinician_set_phase(db: Session, *, clinician_id: str, person_id: str, phase: str,
                        today: date, kb: KnowledgeBase | None = None) -> PlanRecord:
    """Move a linked person's plan to a phase of the clinician's choosing."""
    _linked(db, clinician_id, person_id)
    kb = kb or load_kb()
    row = _require_active(db, person_id)
    prog = programme(kb, row.programme)
    ids = [p.id for p in active_phases(prog, variant(prog, row.variant))]
    if phase not in ids:
        raise FormError({"phase": "Must be one of " + ", ".join(ids) + "."})
    if phase != row.phase:
        _log_change(db, row, today, row.phase, phase, "clinician", (), clinician_id)
        row.phase = phase
        row.phase_started = today
        db.flush()
    return _record(row)


def clinician_adjust(db: Session, *, clinician_id: str, person_id: str,
                     values: Mapping[str, object], kb: KnowledgeBase | None = None
                     ) -> list[DoseItem]:
    """Set a linked person's dose for one exercise of one phase (or remove the exercise)."""
    _linked(db, clinician_id, person_id)
    kb = kb or load_kb()
    row = _require_active(db, person_id)
    prog = programme(kb, row.programme)
    var = variant(prog, row.variant)
    phases = {p.id: p for p in active_phases(prog, var)}
    f = FormReader(values, ADJUST_FIELDS)
    pid = f.choice("phase", list(phases), "one of " + ", ".join(phases))
    exercise = f.slug("exercise", 64, "an exercise of this phase")
    sets = f.integer("sets", 1, 10, "a whole number from 1 to 10", required=False)
    amount = f.integer("amount", 1, 600, "a whole number from 1 to 600", required=False)
    load = f.text("load", 200)
    note = f.text("note", 400)
    removed = f.boolean("removed")
    if pid is not None and exercise and exercise not in {
            rx.exercise for rx in prescriptions(phases[pid], var)}:
        f.errors["exercise"] = "Must be one of this phase's exercises."
    f.done()
    assert pid is not None
    existing = db.scalars(select(t.RehabAdjustment).where(
        t.RehabAdjustment.plan_id == row.id, t.RehabAdjustment.phase == pid,
        t.RehabAdjustment.exercise == exercise)).first()
    if not (sets or amount or load or note or removed):
        # An empty adjustment gives the exercise back its programme dose.
        if existing is not None:
            db.delete(existing)
            db.flush()
        return list(dose_items(kb, phases[pid], var, _adjustments(db, row.id)))
    if existing is None:
        existing = t.RehabAdjustment(id=uuid.uuid4().hex, plan_id=row.id, phase=pid,
                                     exercise=exercise, created_at=_now())
        db.add(existing)
    existing.sets, existing.amount, existing.load, existing.note = sets, amount, load, note
    existing.removed, existing.by_user = removed, clinician_id
    db.flush()
    return list(dose_items(kb, phases[pid], var, _adjustments(db, row.id)))
