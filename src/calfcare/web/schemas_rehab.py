"""Rehabilitation API models: what /api/v1/rehab accepts and returns, as published in
/openapi.json.

Requests are read as strictly as the rest of the API (see `schemas.py`): days are ISO dates
written as text, pain a whole JSON number from 0 to 10, and every error names its field. A
plan's status and a progression decision are returned as the services' own `PlanReport` and
`DecisionReport`, the same shape the command line and the pages show.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from calfcare.kb.rehab_schema import DayRange, Exercise, GradeGuide, MuscleGuide, NotSure, Programme
from calfcare.kb.schema import Reference
from calfcare.services.rehab import DecisionReport, PlanReport
from calfcare.web.schemas import Text, _whole_number

#: Days the progression endpoint accepts: ISO dates from 1900-01-01 to 2099-12-31.
DAY_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
#: At most a year of daily records per list, so that a full request fits the body limit.
MAX_ITEMS = 366


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _iso_day(value: object) -> object:
    """Only the text of an ISO date (JSON has no date type: no numbers, no date-times)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a date written like 2026-11-25")
    return value


def _day_in_range(value: date) -> date:
    if not 1900 <= value.year <= 2099:
        raise ValueError("must be a day from 1900-01-01 to 2099-12-31")
    return value


Day = Annotated[
    date,
    Field(json_schema_extra={"pattern": DAY_PATTERN}, description="An ISO date, e.g. 2026-11-25"),
    BeforeValidator(_iso_day),
    AfterValidator(_day_in_range),
]
Pain = Annotated[
    int, Field(ge=0, le=10, description="Pain, 0 (none) to 10"), BeforeValidator(_whole_number)
]
Measure = Annotated[float, Field(ge=0, le=1000, strict=True, allow_inf_nan=False)]


class RehabSessionIn(_In):
    """One exercise session: the highest pain during it, pain afterwards, warning signs."""

    model_config = ConfigDict(extra="forbid")

    day: Day
    pain_during: Pain
    pain_after: Pain | None = None
    flags: list[Annotated[Text, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=10,
        description="Warning signs noticed (ids of the pain model's flags); any one stops",
    )


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

    model_config = ConfigDict(extra="forbid")

    programme: Text = Field(max_length=64, description="A programme id")
    variant: Text = Field(max_length=64, description="A variant of that programme")
    phase: Text = Field(max_length=64, description="The phase the person is in now")
    phase_started: Day
    as_of: Day
    sessions: list[RehabSessionIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    mornings: list[RehabMorningIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    tests: list[RehabTestIn] = Field(default_factory=list, max_length=MAX_ITEMS)


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


class ProgrammeSummary(BaseModel):
    """A programme with its versions; `muscles` and `grades` say in plain words what the
    versions' `site` and `grade` mean, and how a person tells which muscle they hurt;
    `not_sure` is the safe default for a person who cannot tell."""

    id: str
    name: str
    summary: str
    for_conditions: list[str]
    audience: str
    variants: list[VariantSummary]
    muscles: list[MuscleGuide]
    grades: list[GradeGuide]
    not_sure: NotSure | None = Field(
        description="The muscle whose version a person follows when they cannot tell, and why; "
        "the start form and `calfcare rehab start` take `gradeN_not_sure` (or `not_sure`)"
    )
    phases: list[PhaseSummary]


class ProgrammeDetail(Programme):
    """A programme; `references` lists every source it cites anywhere, resolved."""

    references: list[Reference]  # type: ignore[assignment]


__all__ = [
    "DecisionReport",
    "ExerciseDetail",
    "ExerciseSummary",
    "PlanReport",
    "ProgrammeDetail",
    "ProgrammeSummary",
    "ProgressionIn",
    "RehabMorningIn",
    "RehabSessionIn",
    "RehabTestIn",
]
