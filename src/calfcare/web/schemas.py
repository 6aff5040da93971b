"""API models: what /api/v1 accepts and returns, as published in /openapi.json.

Input is read as strictly as the Python API (`services/requests.py`) reads it: a number must
be a JSON number (`true` is not 1 and `"40"` is not 40; a whole float such as `40.0` is
accepted, as there), a yes/no a JSON boolean, and text may not hold what no database could
store (`services/text.py`). Every error names its field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from calfcare.kb.rehab_schema import DayRange, Exercise, Programme
from calfcare.kb.schema import ConditionGuide, Finding, Reference
from calfcare.services.requests import MAX_AGE, MIN_AGE
from calfcare.services.text import storable

Choice = Literal["present", "absent", "unknown"]
Level = Literal["self_care", "consultation", "consultation_24", "emergency",
                "emergency_ambulance"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _whole_number(value: object) -> object:
    """A JSON number without a fraction (7 or 7.0), never text or true/false."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


#: Text in a request: a JSON string (never a number), storable on every database.
Text = Annotated[str, Field(strict=True), AfterValidator(storable)]
#: Age in whole years, as `services.requests` reads it: `true` and `"40"` are refused.
Age = Annotated[int, Field(ge=MIN_AGE, le=MAX_AGE), BeforeValidator(_whole_number)]


class EvidenceIn(_In):
    id: Annotated[Text, Field(max_length=100,
                              description="A finding id from GET /api/v1/findings")]
    choice_id: Choice
    source: Literal["initial", "suggest", "predefined", "red_flags", "question"] | None = None


class AgeObject(_In):
    value: Age


class V1Request(_In):
    """A case-format v1 request: the same for diagnosis and triage."""

    age: Age | AgeObject = Field(
        description="Age in years, 1-120 (a JSON number, not text or true/false), or "
                    "{\"value\": years}")
    sex: Literal["female", "male"]
    evidence: list[EvidenceIn] = Field(
        default_factory=list, max_length=500,
        description="Answers in the order given. A finding may appear again when the "
                    "interview re-checks an \"I don't know\"; the last answer counts.")
    mode: Literal["patient", "clinician"] | None = Field(
        default=None, description="clinician also asks examination questions")
    extras: dict[str, Any] | None = None  # only extras.mode is read; the rest is ignored

    def to_request(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True)
        if isinstance(self.age, AgeObject):
            data["age"] = self.age.value
        if self.extras is not None:
            data["extras"] = {k: v for k, v in self.extras.items() if k == "mode"}
        return data


class ChoiceOut(BaseModel):
    id: Choice
    label: str


class CompanionAnswersOut(BaseModel):
    present: str
    absent: str
    unknown: str


class CompanionOut(BaseModel):
    """A check someone with the person can do; "no one is with me" is `unknown`."""

    id: str
    title: str
    intro: str
    steps: list[str]
    figure: str = Field(description="Drawing id; the SVG is inlined by the web pages")
    figure_alt: str
    evidence: str
    references: list[str]
    answers: CompanionAnswersOut


class ItemOut(BaseModel):
    id: str
    name: str
    question: str
    choices: list[ChoiceOut]
    companion: CompanionOut | None = Field(
        default=None, description="On a re-check: a check a companion can do instead")


class QuestionOut(BaseModel):
    id: str
    type: Literal["single", "group_single", "group_multiple"]
    kind: Literal["question", "recheck", "companion"] = Field(
        description="recheck: answers that were \"I don't know\", asked again in plainer "
                    "words; companion: a check done by someone with the person")
    text: str
    help: str | None = None
    items: list[ItemOut]
    companion: CompanionOut | None = None


class ConditionProbability(BaseModel):
    id: str
    name: str
    common_name: str
    probability: float = Field(ge=0, le=1)


class DiagnosisResponse(BaseModel):
    question: QuestionOut | None
    conditions: list[ConditionProbability]
    should_stop: bool
    extras: dict[str, Any] = Field(default_factory=dict)


class SeriousOut(BaseModel):
    id: str
    name: str
    common_name: str
    is_emergency: bool


class TriageResponse(BaseModel):
    triage_level: Level
    serious: list[SeriousOut]
    label: str
    description: str
    extras: dict[str, Any] = Field(default_factory=dict)


class ConditionSummary(BaseModel):
    id: str
    common_name: str
    medical_name: str
    usual_care: Level
    usual_care_label: str
    summary: str


class ConditionDetail(ConditionGuide):
    references: list[Reference]  # type: ignore[assignment]


class FindingOut(Finding):
    pass


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok", "unavailable"]
    kb_version: str


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    field: str | None = None


class ErrorResponse(BaseModel):
    detail: list[ErrorItem] | str


# --- rehabilitation ---------------------------------------------------------------------------

#: Days the progression endpoint accepts: ISO dates from 1900-01-01 to 2099-12-31.
DAY_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
#: At most a year of daily records per list, so that a full request fits the body limit.
MAX_ITEMS = 366


def _iso_day(value: object) -> object:
    """Only the text of an ISO date (JSON has no date type: no numbers, no date-times)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a date written like 2026-11-25")
    return value


def _day_in_range(value: date) -> date:
    if not 1900 <= value.year <= 2099:
        raise ValueError("must be a day from 1900-01-01 to 2099-12-31")
    return value


Day = Annotated[date, Field(json_schema_extra={"pattern": DAY_PATTERN},
                            description="An ISO date, e.g. 2026-11-25"),
                BeforeValidator(_iso_day), AfterValidator(_day_in_range)]
Pain = Annotated[int, Field(ge=0, le=10, description="Pain, 0 (none) to 10"),
                 BeforeValidator(_whole_number)]
Measure = Annotated[float, Field(ge=0, le=1000, strict=True, allow_inf_nan=False)]
Action = Literal["progress", "hold", "step_back", "see_professional", "complete"]


def _flag_vocabulary(schema: dict[str, Any], cls: type) -> None:
    """Publish the warning-sign ids of the pain model as an enum (checked in the route)."""
    from calfcare.kb.loader import load_kb

    prop = schema.get("properties", {}).get("flags", {})
    if isinstance(prop.get("items"), dict):
        prop["items"]["enum"] = sorted(load_kb().pain_model.flags)


def _programme_vocabulary(schema: dict[str, Any], cls: type) -> None:
    """Publish which variants and phases belong to which programme (checked in the route).

    Each (programme, variant) pair is one `oneOf` branch listing the phases that variant goes
    through, so a client (or a fuzzer) reading /openapi.json can build a valid request.
    """
    from calfcare.engine.rehab import active_phases
    from calfcare.kb.loader import load_kb

    kb = load_kb()
    props = schema.get("properties", {})
    if not kb.programmes or not all(k in props for k in ("programme", "variant", "phase")):
        return
    props["programme"]["enum"] = sorted(kb.programmes)
    props["variant"]["enum"] = sorted({v.id for p in kb.programmes.values() for v in p.variants})
    props["phase"]["enum"] = sorted({ph.id for p in kb.programmes.values() for ph in p.phases})
    schema["oneOf"] = [
        {"type": "object", "properties": {
            "programme": {"const": p.id}, "variant": {"const": v.id},
            "phase": {"enum": [ph.id for ph in active_phases(p, v)]}}}
        for p in sorted(kb.programmes.values(), key=lambda p: p.id) for v in p.variants]


class RehabSessionIn(_In):
    """One exercise session: the highest pain during it, pain afterwards, warning signs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_flag_vocabulary)

    day: Day
    pain_during: Pain
    pain_after: Pain | None = None
    flags: list[Annotated[Text, Field(max_length=64)]] = Field(
        default_factory=list, max_length=10,
        description="Warning signs noticed (ids of the pain model's flags); any one stops")


class RehabMorningIn(_In):
    """Pain on getting up, the next-morning check of the pain-monitoring model."""

    day: Day
    pain: Pain


class RehabTestIn(_In):
    """A measured test. `injured` and `other` are repetitions, centimetres or minutes."""

    day: Day
    kind: Literal["walking", "symptoms", "heel_raise", "hop", "lunge", "run", "training"]
    injured: Measure | None = None
    other: Measure | None = None
    pain: Pain | None = None
    limp: bool = Field(default=False, strict=True)


class ProgressionIn(_In):
    """What the progression engine needs to judge one day of a plan; nothing is stored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_programme_vocabulary)

    programme: Text = Field(max_length=64, description="A programme id")
    variant: Text = Field(max_length=64, description="A variant of that programme")
    phase: Text = Field(max_length=64, description="The phase the person is in now")
    phase_started: Day
    as_of: Day
    sessions: list[RehabSessionIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    mornings: list[RehabMorningIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    tests: list[RehabTestIn] = Field(default_factory=list, max_length=MAX_ITEMS)


class PhaseRef(BaseModel):
    id: str
    name: str
    pain_ceiling: int


class ReasonOut(BaseModel):
    code: str
    text: str
    references: list[str]


class CriterionOut(BaseModel):
    kind: str
    text: str
    met: bool
    observed: str
    threshold: float
    evidence: str
    estimate: bool
    references: list[str]


class PainBreakOut(BaseModel):
    day: date
    kind: Literal["over_ceiling", "not_settled"]
    detail: str


class LevelOut(BaseModel):
    id: Level
    label: str
    family: Literal["non_urgent", "urgent", "immediate"]
    description: str


class DecisionOut(BaseModel):
    """Progress, hold, step back, finish, or stop and see a professional, with the reasons."""

    action: Action
    phase: PhaseRef
    target: PhaseRef | None
    reasons: list[ReasonOut]
    criteria: list[CriterionOut]
    breaks: list[PainBreakOut]
    weekly_change: float | None
    level: LevelOut | None
    references: list[Reference]


class ExerciseSummary(BaseModel):
    id: str
    name: str
    category: str
    targets: list[str]
    summary: str
    equipment: list[str]
    figure_url: str | None


class ExerciseDetail(Exercise):
    figure_url: str | None
    references: list[Reference]


class VariantSummary(BaseModel):
    id: str
    label: str
    grade: int | None
    site: str | None
    expected_days: DayRange
    estimate: bool


class PhaseSummary(BaseModel):
    id: str
    name: str


class NamedOut(BaseModel):
    id: str
    name: str


class ProgrammeSummary(BaseModel):
    id: str
    name: str
    summary: str
    for_conditions: list[str]
    audience: str
    variants: list[VariantSummary]
    phases: list[PhaseSummary]


class ProgrammeDetail(Programme):
    """A programme; `references` lists every source it cites anywhere, resolved."""

    references: list[Reference]  # type: ignore[assignment]


class TimelineOut(BaseModel):
    phase: PhaseRef
    state: Literal["done", "current", "upcoming"]
    started: date | None
    ended: date | None
    min_days: int | None


class ExerciseLogOut(BaseModel):
    exercise: str
    sets: int
    amount: int
    load_kg: float | None
    pain: int


class SessionOut(BaseModel):
    day: date
    phase: str
    pain_during: int
    pain_after: int | None
    flags: list[str]
    exercises: list[ExerciseLogOut]
    notes: str


class MorningOut(BaseModel):
    day: date
    pain: int


class TestOut(BaseModel):
    day: date
    kind: str
    injured: float | None
    other: float | None
    pain: int | None
    limp: bool
    lsi: float | None = Field(description="Injured side as a percentage of the other side")


class ExpectedOut(BaseModel):
    earliest: date
    latest: date
    estimate: bool
    note: str


class AdherenceOut(BaseModel):
    done: int
    planned: int
    days: int


class PlanOut(BaseModel):
    """The signed-in person's active plan as of today (in their time zone)."""

    id: str
    programme: NamedOut
    variant: NamedOut
    side: Literal["left", "right"]
    injury_day: date
    phase: PhaseRef
    phase_started: date
    status: str
    as_of: date
    expected: ExpectedOut
    adherence: AdherenceOut
    decision: DecisionOut
    timeline: list[TimelineOut]
    sessions: list[SessionOut]
    mornings: list[MorningOut]
    tests: list[TestOut]
