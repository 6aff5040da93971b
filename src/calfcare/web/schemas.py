"""API models: what /api/v1 accepts and returns, as published in /openapi.json."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from calfcare.kb.schema import ConditionGuide, Finding, Reference

Choice = Literal["present", "absent", "unknown"]
Level = Literal["self_care", "consultation", "consultation_24", "emergency",
                "emergency_ambulance"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceIn(_In):
    id: str = Field(max_length=100, description="A finding id from GET /api/v1/findings")
    choice_id: Choice
    source: Literal["initial", "suggest", "predefined", "red_flags", "question"] | None = None


class AgeObject(_In):
    value: int = Field(ge=1, le=120)


class V1Request(_In):
    """A case-format v1 request: the same for diagnosis and triage."""

    age: Annotated[int, Field(ge=1, le=120)] | AgeObject = Field(
        description="Age in years, 1-120, or {\"value\": years}")
    sex: Literal["female", "male"]
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=500)
    mode: Literal["patient", "clinician"] | None = Field(
        default=None, description="clinician also asks examination questions")
    extras: dict[str, Any] | None = None

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


class ItemOut(BaseModel):
    id: str
    name: str
    question: str
    choices: list[ChoiceOut]


class QuestionOut(BaseModel):
    id: str
    type: Literal["single", "group_single", "group_multiple"]
    text: str
    help: str | None = None
    items: list[ItemOut]


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
