"""What the rehabilitation services return: frozen records, never ORM rows.

Also `ProgrammeChangedError`, raised when a stored plan names a phase (or programme, or variant)
that the knowledge base no longer has and that no mapping moves anywhere: the plan is then
neither shown on a guessed phase nor reset, and the person or their clinician chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from calfcare.engine.rehab import ExerciseLog, limb_symmetry
from calfcare.errors import CalfcareError
from calfcare.kb.rehab_schema import Exercise, Phase, TestKind
from calfcare.storage import tables as t


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
    kb_version: str  # the knowledge base its ids were last written against


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
    __test__ = False  # a record, not a test case

    id: str
    day: date
    kind: TestKind
    injured: float | None
    other: float | None
    pain: int | None
    limp: bool

    @property
    def lsi(self) -> float | None:
        return limb_symmetry(self.injured, self.other)


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
class TodaySession:
    plan: PlanRecord
    phase: Phase
    day: date
    items: tuple[DoseItem, ...]
    logged_today: bool
    morning_logged: bool


class ProgrammeChangedError(CalfcareError):
    """The plan's stored phase (or programme, or variant) is gone and nothing maps it.

    `phases` lists the (id, name) of the phases the plan may continue in; it is empty when the
    programme or the variant itself is gone, and the plan can only be stopped.
    """

    def __init__(
        self, plan: PlanRecord, programme_name: str, phases: tuple[tuple[str, str], ...]
    ) -> None:
        gone = (
            f"phase '{plan.phase}'" if phases else f"version '{plan.variant}' of '{plan.programme}'"
        )
        super().__init__(
            f"The programme has changed since this plan was last updated: its "
            f"{gone} no longer exists."
        )
        self.plan = plan
        self.programme_name = programme_name
        self.phases = phases


def utc(moment: datetime) -> datetime:
    """Times from storage in UTC (SQLite gives them back without an offset)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def plan_record(row: t.RehabPlan) -> PlanRecord:
    return PlanRecord(
        id=row.id,
        owner_id=row.user_id,
        programme=row.programme,
        variant=row.variant,
        side=row.side,
        injury_day=row.injury_day,
        phase=row.phase,
        phase_started=row.phase_started,
        status=row.status,
        assigned_by=row.assigned_by,
        notes=row.notes,
        created_at=utc(row.created_at),
        started_on=row.started_on,
        kb_version=row.kb_version,
    )


def session_record(row: t.RehabSession) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        day=row.day,
        phase=row.phase,
        pain_during=row.pain_during,
        pain_after=row.pain_after,
        flags=tuple(row.flags),
        exercises=tuple(
            ExerciseLog(
                exercise=e["exercise"],
                sets=e["sets"],
                amount=e["amount"],
                load_kg=e.get("load_kg"),
                pain=e.get("pain", 0),
            )
            for e in row.exercises
        ),
        notes=row.notes,
    )


def result_record(row: t.RehabTest) -> TestRecord:
    return TestRecord(
        id=row.id,
        day=row.day,
        kind=TestKind(row.kind),
        injured=row.injured,
        other=row.other,
        pain=row.pain,
        limp=row.limp,
    )
