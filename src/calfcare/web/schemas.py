"""API models: what /api/v1 accepts and returns, as published in /openapi.json.

Input is read as strictly as the Python API (`services/requests.py`) reads it: a number must
be a JSON number (`true` is not 1 and `"40"` is not 40; a whole float such as `40.0` is
accepted, as there), a yes/no a JSON boolean, and text may not hold what no database could
store (`services/text.py`). Every error names its field. The rehabilitation models are in
`schemas_rehab.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from calfcare.kb.schema import ConditionGuide, Finding, Reference
from calfcare.services.requests import MAX_AGE, MIN_AGE
from calfcare.services.text import storable

Choice = Literal["present", "absent", "unknown"]
Level = Literal["self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]


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
#: Age in whole years, as `services.requests` reads it: `true` and `"40"` are refused. The
#: youngest age the API assesses is the knowledge base's `min_supported_age`: the routes refuse
#: a younger one (`services/audience.py`) and /openapi.json publishes it (`web/vocabulary.py`).
Age = Annotated[int, Field(ge=MIN_AGE, le=MAX_AGE), BeforeValidator(_whole_number)]


class EvidenceIn(_In):
    id: Annotated[Text, Field(max_length=100, description="A finding id from GET /api/v1/findings")]
    choice_id: Choice
    source: Literal["initial", "suggest", "predefined", "red_flags", "question"] | None = None


class AgeObject(_In):
    value: Age


#: The request the API explorer at /docs fills in: a person with calf pain and a swollen calf.
V1_EXAMPLE: dict[str, Any] = {
    "age": 44,
    "sex": "male",
    "evidence": [
        {"id": "calf_pain", "choice_id": "present", "source": "initial"},
        {"id": "swelling_one_calf", "choice_id": "present"},
    ],
}


class V1Request(_In):
    """A case-format v1 request: the same for diagnosis and triage."""

    # Published in /openapi.json so that "Try it out" starts from a request that works.
    model_config = ConfigDict(json_schema_extra={"examples": [V1_EXAMPLE]})

    age: Age | AgeObject = Field(
        description="Age in whole years (a JSON number, not text or true/false), or "
        '{"value": years}'
    )
    sex: Literal["female", "male"]
    evidence: list[EvidenceIn] = Field(
        default_factory=list,
        max_length=500,
        description="Answers in the order given. A finding may appear again when the "
        'interview re-checks an "I don\'t know"; the last answer counts.',
    )
    mode: Literal["patient", "clinician"] | None = Field(
        default=None, description="clinician also asks examination questions"
    )
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
        default=None, description="On a re-check: a check a companion can do instead"
    )


class QuestionOut(BaseModel):
    id: str
    type: Literal["single", "group_single", "group_multiple"]
    kind: Literal["question", "recheck", "companion"] = Field(
        description='recheck: answers that were "I don\'t know", asked again in plainer '
        "words; companion: a check done by someone with the person"
    )
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
