"""The one shape of a plan's status and of a progression decision, for every reader.

`calfcare rehab status --json`, `GET /api/v1/rehab/plan`, `POST /api/v1/rehab/progression`,
the person's plan page and the clinician's page all show these models, built once by the
services (`decision_report`, `plan_report`), so the keys and their meaning are the same
everywhere. Days are ISO dates in JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from calfcare.engine.rehab import Decision, TestKind
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Phase
from calfcare.kb.schema import EvidenceLevel, Reference, TriageLevel

ActionName = Literal["progress", "hold", "step_back", "see_professional", "complete"]


class Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PhaseRef(Report):
    id: str
    name: str
    pain_ceiling: int = Field(description="Highest pain allowed during exercise, 0-10")


class ReasonReport(Report):
    code: str
    text: str
    references: list[str]


class CriterionReport(Report):
    kind: str
    text: str
    met: bool
    observed: str = Field(description="What was measured, in plain words")
    threshold: float = Field(description="The number to reach, for this variant")
    evidence: EvidenceLevel
    estimate: bool = Field(description="The threshold is an interim target")
    references: list[str]


class PainBreakReport(Report):
    day: date
    kind: Literal["over_ceiling", "not_settled"]
    detail: str


class LevelReport(Report):
    id: TriageLevel
    label: str
    family: Literal["non_urgent", "urgent", "immediate"]
    description: str


class DecisionReport(Report):
    """Progress, hold, step back, finish, or stop and see a professional, with the reasons."""

    action: ActionName
    phase: PhaseRef
    target: PhaseRef | None = Field(description="The phase to move to, when there is one")
    reasons: list[ReasonReport]
    criteria: list[CriterionReport] = Field(description="The exit criteria of the phase")
    pain_breaks: list[PainBreakReport] = Field(
        description="How the latest sessions broke the pain-monitoring rules"
    )
    weekly_change: float | None = Field(
        description="Average session pain this week minus last week, when both have enough"
    )
    level: LevelReport | None = Field(description="How soon to see a professional")
    references: list[Reference] = Field(description="Every source cited above, resolved")


class NamedRef(Report):
    id: str
    name: str


class CurrentPhase(PhaseRef):
    goal: str
    number: int = Field(description="1 for the first phase of the plan")
    started: date
    days_in_phase: int


class DayCount(Report):
    low: int
    high: int


class ExpectedReport(Report):
    """The usual range of days on which people are back to full activity."""

    earliest: date
    latest: date
    days: DayCount = Field(description="The same range in days after the injury")
    estimate: bool
    note: str
    references: list[str]


class AdherenceReport(Report):
    done: int = Field(description="Days with a logged session")
    planned: int = Field(description="Days with a session planned")
    days: int = Field(description="Days counted: the last 14, or since the plan started")


class TimelineReport(Report):
    phase: PhaseRef
    state: Literal["done", "current", "upcoming"]
    started: date | None
    ended: date | None
    min_days: int | None


class ExerciseLogReport(Report):
    exercise: str
    sets: int
    amount: int
    load_kg: float | None
    pain: int


class SessionReport(Report):
    day: date
    phase: str
    pain_during: int
    pain_after: int | None
    flags: list[str]
    exercises: list[ExerciseLogReport]
    notes: str


class MorningReport(Report):
    day: date
    pain: int


class TestReport(Report):
    __test__ = False  # a report, not a test case

    day: date
    kind: TestKind
    injured: float | None
    other: float | None
    pain: int | None
    limp: bool
    lsi: float | None = Field(description="Injured side as a percentage of the other side")


class PhaseChangeReport(Report):
    day: date
    from_phase: str | None
    to_phase: str
    action: str
    reasons: list[str]


class PlanReport(Report):
    """A person's plan as of one of their days: where they are, the decision, their logs."""

    id: str
    kb_version: str = Field(
        description="The knowledge base the plan's ids were written "
        'against ("unknown" for older plans)'
    )
    programme: NamedRef
    variant: NamedRef
    side: Literal["left", "right"]
    injury_day: date
    started_on: date
    status: Literal["active", "completed", "stopped"]
    assigned_by_clinician: bool
    notes: str
    as_of: date
    phase: CurrentPhase
    expected: ExpectedReport
    adherence: AdherenceReport
    decision: DecisionReport
    timeline: list[TimelineReport]
    sessions: list[SessionReport]
    mornings: list[MorningReport]
    tests: list[TestReport]
    history: list[PhaseChangeReport]


def phase_ref(phase: Phase) -> PhaseRef:
    return PhaseRef(id=phase.id, name=phase.name, pain_ceiling=phase.pain_ceiling)


def _level(kb: KnowledgeBase, level: TriageLevel | None) -> LevelReport | None:
    text = kb.levels.get(level) if level is not None else None
    if text is None:
        return None
    return LevelReport(
        id=text.id, label=text.label, family=text.family, description=text.description
    )


def decision_report(kb: KnowledgeBase, d: Decision) -> DecisionReport:
    """A decision of the progression engine as every reader sees it."""
    cited = [
        *(r for reason in d.reasons for r in reason.references),
        *(r for c in d.criteria for r in c.criterion.references),
    ]
    return DecisionReport(
        action=d.action.value,
        phase=phase_ref(d.phase),
        target=phase_ref(d.target) if d.target is not None else None,
        reasons=[
            ReasonReport(code=r.code, text=r.text, references=list(r.references)) for r in d.reasons
        ],
        criteria=[
            CriterionReport(
                kind=c.criterion.kind.value,
                text=c.criterion.text,
                met=c.met,
                observed=c.observed,
                threshold=c.threshold,
                evidence=c.criterion.evidence,
                estimate=c.criterion.estimate,
                references=list(c.criterion.references),
            )
            for c in d.criteria
        ],
        pain_breaks=[
            PainBreakReport(day=b.day, kind=b.kind.value, detail=b.detail) for b in d.breaks
        ],
        weekly_change=d.weekly_change,
        level=_level(kb, d.level),
        references=[kb.references[r] for r in dict.fromkeys(cited) if r in kb.references],
    )
