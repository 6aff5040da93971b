"""Typed records of the knowledge base.

Every clinical record is data that a clinician reviews in a pull request; these models are the
contract those files must meet. Validation is strict (unknown keys are refused) so that a typo
in a YAML key is an error rather than silently ignored content.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from calfcare.kb.reference_rules import locator_problem, reference_problems

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=3, strip_whitespace=True)]


class Strict(BaseModel):
    """Base for knowledge records: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Reviewed(Strict):
    """Who signed a clinical record off, and when: both empty until a clinician has.

    An empty pair is the honest state of a record nobody has reviewed yet; `kb check` refuses a
    name without a date or a date without a name.
    """

    reviewed_by: str = Field(description="Who signed the record off; empty until someone has")
    reviewed_on: dt.date | None = Field(description="When it was signed off; empty until then")

    @field_validator("reviewed_on", mode="before")
    @classmethod
    def _empty_date(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _signed_together(self) -> Reviewed:
        if bool(self.reviewed_by.strip()) != (self.reviewed_on is not None):
            raise ValueError("reviewed_by and reviewed_on are filled in together or not at all")
        return self


class TriageLevel(StrEnum):
    """The five levels of care of case format v1, least to most urgent."""

    self_care = "self_care"
    consultation = "consultation"
    consultation_24 = "consultation_24"
    emergency = "emergency"
    emergency_ambulance = "emergency_ambulance"

    @property
    def rank(self) -> int:
        return _LEVEL_ORDER.index(self)


_LEVEL_ORDER = list(TriageLevel)


class EvidenceLevel(StrEnum):
    """How well a statement is supported, in the words a reader sees."""

    strong = "strong"
    moderate = "moderate"
    weak = "weak"
    expert_opinion = "expert_opinion"
    no_evidence = "no_evidence"


class Unconfirmed(StrEnum):
    """A part of a citation that an editor has not yet checked against the source itself.

    Readers never see these flags; the editors' view of the sources lists them. A flagged
    author list, year or journal is left out of the citation a reader sees; a flagged title is
    still shown, because a citation needs one.
    """

    authors = "authors"
    author_list = "author_list"
    year = "year"
    #: Named so, not `title`, which would hide `str.title`; the data still says "title".
    exact_title = "title"
    journal = "journal"
    details = "details"
    identifier = "identifier"


class Reference(Strict):
    """A citable source, located by a DOI, PMID, PMCID or address, or at least by a search."""

    id: Slug
    authors: Text | None = None
    year: int = Field(ge=1900, le=2100)
    title: Text
    journal: Text | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    search: str | None = None
    unconfirmed: list[Unconfirmed] = Field(default_factory=list)
    note: str | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_as_text(cls, value: object) -> object:
        """A PMID written without quotes reads as a number in YAML; it is the same PMID."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("doi", "pmid", "pmcid", "url", "search")
    @classmethod
    def _locator_shape(cls, value: str | None, info: ValidationInfo) -> str | None:
        problem = locator_problem(str(info.field_name), value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Reference:
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Statement(Strict):
    """One clinical claim, graded and sourced."""

    text: Text
    evidence: EvidenceLevel
    references: list[Slug] = Field(min_length=1)


class Code(Strict):
    """A terminology code and how sure we are of it."""

    code: str
    term: str | None = None
    status: Literal["verified", "unverified"]


class Codes(Strict):
    icd10: Code
    snomed_ct: Code | None = None


class SeekHelp(Strict):
    """When to get help, and how quickly."""

    level: TriageLevel
    when: Text
    evidence: EvidenceLevel
    references: list[Slug] = Field(min_length=1)


class KitAdvice(Strict):
    """Whether a piece of equipment helps with this condition."""

    product: Slug
    verdict: Literal["helpful", "may_help", "not_needed", "avoid"]
    text: Text
    evidence: EvidenceLevel
    references: list[Slug] = Field(min_length=1)


class ConditionGuide(Strict):
    """Everything a person or clinician reads about one condition."""

    id: Slug
    common_name: Text
    medical_name: Text
    usual_care: TriageLevel
    codes: Codes
    summary: Text
    typical_story: Text
    symptoms: list[Text] = Field(min_length=2)
    causes: list[Statement] = Field(min_length=1)
    mechanism: Text
    complications: list[Statement] = Field(default_factory=list)
    do_now: list[Statement] = Field(min_length=1)
    self_care: list[Statement] = Field(default_factory=list)
    treatment_later: list[Statement] = Field(default_factory=list)
    prevention: list[Statement] = Field(default_factory=list)
    folk_remedies: list[Statement] = Field(default_factory=list)
    kit: list[KitAdvice] = Field(default_factory=list)
    seek_help: list[SeekHelp] = Field(min_length=1)
    red_flags: list[Text] = Field(min_length=1)
    related: list[Slug] = Field(default_factory=list)
    references: list[Slug] = Field(min_length=1)


class Product(Strict):
    """A category of kit (never a brand or a shop)."""

    id: Slug
    name: Text
    description: Text
    evidence_summary: Statement


class Finding(Strict):
    """A yes/no fact about the person or the episode (case format v1 ids).

    `recheck` is the same question in plainer words, asked once when the first answer was
    "I don't know"; `companion_check` names a check another person can do instead.
    """

    id: Slug
    who: Literal["patient", "clinician"]
    group: Slug
    name: Text
    question: Text
    alarm: bool = False
    recheck: Text | None = None
    companion_check: Slug | None = None


class Background(Reviewed):
    """P(finding present) in a condition that the model does not link to the finding."""

    finding: Slug
    p: float = Field(gt=0, lt=1)
    basis: Literal["estimate", "study", "derived"]
    references: list[Slug] = Field(default_factory=list)
    note: str | None = None


class Likelihood(Reviewed):
    """P(finding present | condition), with where the number comes from."""

    condition: Slug
    finding: Slug
    p: float = Field(gt=0, lt=1)
    basis: Literal["estimate", "study", "derived"]
    references: list[Slug] = Field(default_factory=list)
    note: str | None = None


class AgeBand(Strict):
    """A multiplier on a condition's prior for ages in [min_age, max_age]."""

    min_age: int = Field(ge=0, le=130)
    max_age: int = Field(ge=0, le=130)
    factor: float = Field(ge=0)


class Prior(Reviewed):
    """How common a condition is among people who consult about calf pain or cramp."""

    condition: Slug
    base: float = Field(gt=0, lt=1)
    basis: Literal["estimate", "study", "derived"]
    references: list[Slug] = Field(default_factory=list)
    age: list[AgeBand] = Field(default_factory=list)
    female: float = Field(default=1.0, ge=0)
    male: float = Field(default=1.0, ge=0)
    note: str | None = None


class RuleCondition(Strict):
    """Findings that must all be present, and optionally at least one of another set."""

    all: list[Slug] = Field(default_factory=list)
    any: list[Slug] = Field(default_factory=list)


class AlarmRule(Reviewed):
    """A hard safety rule: when it matches, the level of care is at least `min_level`.

    `released_by` names tests that rule the suspected condition out: when one of them was
    answered "no" (done and normal, by a clinician or a companion), the rule stands down.
    "I don't know" never releases a rule.
    """

    id: Slug
    when: RuleCondition
    released_by: list[Slug] = Field(default_factory=list)
    min_level: TriageLevel
    message: Text
    suspect: list[Slug] = Field(default_factory=list)
    serious: list[Slug] | None = Field(
        default=None, description="Which matched findings to report as serious; all if unset"
    )
    references: list[Slug] = Field(min_length=1)


class QuestionItem(Strict):
    finding: Slug
    label: Text | None = None


class Question(Strict):
    """A question of the interview; `items` are findings answered together."""

    id: Slug
    type: Literal["single", "group_single", "group_multiple"]
    text: Text
    help: str | None = None
    phase: Literal["alarm", "context", "core", "detail"]
    items: list[QuestionItem] = Field(min_length=1, max_length=8)
    companion: Slug | None = Field(
        default=None, description="A companion check: asks a clinician finding in patient mode"
    )
    ask_if_any: list[Slug] = Field(default_factory=list)
    sex: Literal["female", "male"] | None = None
    min_age: int | None = None
    max_age: int | None = None


class LevelText(Strict):
    """The words of a level of care as a person reads them.

    An immediate level also carries the emergency page's words (`act_now`, `meanwhile_heading`
    and `meanwhile`), so that each emergency says one thing everywhere: going to A&E never
    reads "wait for the ambulance".
    """

    id: TriageLevel
    label: Text
    description: Text
    family: Literal["non_urgent", "urgent", "immediate"]
    act_now: Text | None = Field(default=None, description="Said just before the numbers to call")
    meanwhile_heading: Text | None = None
    meanwhile: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _emergency_words(self) -> LevelText:
        has_words = bool(self.act_now and self.meanwhile_heading and self.meanwhile)
        if (self.family == "immediate") != has_words:
            raise ValueError(
                "act_now, meanwhile_heading and meanwhile: give all three for an "
                "immediate level of care and none for any other"
            )
        return self


class StartOption(Strict):
    """A first complaint offered when an assessment begins."""

    label: Text
    findings: list[Slug] = Field(min_length=1)


class TriagePolicy(Strict):
    thresholds: dict[TriageLevel, float]


class InterviewPolicy(Strict):
    max_questions: int = Field(ge=1, le=40)
    context_min_gain_bits: float = Field(ge=0)
    stop_confidence: float = Field(gt=0, le=1)
    stop_margin: float = Field(ge=1)
    min_gain_bits: float = Field(ge=0)
    emergency_stop_confidence: float = Field(gt=0, le=1)
    suspect_rule_out: float = Field(gt=0, lt=1)
    net_min_cross_probability: float = Field(gt=0, lt=1)


class Policy(Strict):
    """Engine thresholds, kept as data so that a reviewer sees and changes them in one place."""

    triage: TriagePolicy
    interview: InterviewPolicy
