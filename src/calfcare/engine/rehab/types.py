"""What the progression engine reads (a plan's logs and the day to judge) and what it returns
(a decision with its reasons, the status of each exit criterion and the pain-rule breaks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from calfcare.kb.rehab_schema import Criterion, Phase, TestKind
from calfcare.kb.schema import TriageLevel


class Action(StrEnum):
    progress = "progress"
    hold = "hold"
    step_back = "step_back"
    see_professional = "see_professional"
    complete = "complete"


@dataclass(frozen=True)
class ExerciseLog:
    exercise: str
    sets: int
    amount: int
    load_kg: float | None = None
    pain: int = 0


@dataclass(frozen=True)
class SessionLog:
    """One exercise session: the highest pain during it and any warning signs ticked."""

    day: date
    pain_during: int
    pain_after: int | None = None
    flags: frozenset[str] = frozenset()
    exercises: tuple[ExerciseLog, ...] = ()
    #: The phase the session was done in, when known: a session logged on the day of a phase
    #: change belongs to the phase it was done in, not to the one that began that day.
    phase: str | None = None


@dataclass(frozen=True)
class MorningCheck:
    """Pain (0-10) on getting up; the next-morning check of the pain-monitoring model."""

    day: date
    pain: int


@dataclass(frozen=True)
class TestResult:
    """One test of `kb.rehab_schema.TestKind`; what `injured` and `other` hold depends on it."""

    __test__ = False  # a record, not a test case

    day: date
    kind: TestKind
    injured: float | None = None
    other: float | None = None
    pain: int | None = None
    limp: bool = False

    @property
    def lsi(self) -> float | None:
        """Limb symmetry index: injured side as a percentage of the other side."""
        return limb_symmetry(self.injured, self.other)


def limb_symmetry(injured: float | None, other: float | None) -> float | None:
    """The injured side as a percentage of the other side (None without both sides)."""
    if injured is None or not other:
        return None
    return 100.0 * injured / other


@dataclass(frozen=True)
class PlanFacts:
    """Everything logged in one plan, and the day to judge."""

    phase_index: int
    phase_started: date
    as_of: date
    sessions: tuple[SessionLog, ...] = ()
    mornings: tuple[MorningCheck, ...] = ()
    tests: tuple[TestResult, ...] = ()


@dataclass(frozen=True)
class CriterionStatus:
    criterion: Criterion
    threshold: float
    met: bool
    observed: str


class BreakKind(StrEnum):
    over_ceiling = "over_ceiling"
    not_settled = "not_settled"


@dataclass(frozen=True)
class PainBreak:
    day: date
    kind: BreakKind
    detail: str


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[Reason, ...]
    phase: Phase
    target: Phase | None
    criteria: tuple[CriterionStatus, ...]
    breaks: tuple[PainBreak, ...]
    weekly_change: float | None
    level: TriageLevel | None = None
