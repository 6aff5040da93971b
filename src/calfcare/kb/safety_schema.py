"""Typed records of the can't-miss safety net, the companion checks and personal advice.

`model/safety_net.yaml` names, for every condition whose usual care is same-day or more
urgent, the probability below which it counts as ruled out and the findings that rule it in
or out. `companion_checks.yaml` holds the simple checks a second person can do (the calf
squeeze, comparing the feet). `personal_advice.yaml` holds advice that an answer calls for,
such as a medicine review.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from calfcare.kb.schema import EvidenceLevel, Reviewed, RuleCondition, Slug, Statement, Strict, Text

Basis = Literal["estimate", "study", "derived"]


class SafetyNetEntry(Reviewed):
    """One can't-miss condition: when it counts as ruled out, and what can rule it out.

    The interview does not stop while the condition's probability is at or above `rule_out`
    and an unasked question could move it across that line.
    """

    condition: Slug
    rule_out: float = Field(gt=0, lt=0.5)
    basis: Basis
    references: list[Slug] = Field(min_length=1)
    note: Text
    key_findings: list[Slug] = Field(default_factory=list)
    evidence_gap: Text | None = Field(
        default=None, description="Why no key finding has a published accuracy figure"
    )

    @model_validator(mode="after")
    def _key_findings_or_gap(self) -> SafetyNetEntry:
        if not self.key_findings and not self.evidence_gap:
            raise ValueError(
                "name the key findings, or say in evidence_gap why none has a "
                "published accuracy figure"
            )
        return self


class SafetyNet(Strict):
    conditions: list[SafetyNetEntry] = Field(min_length=1)


class CompanionAnswers(Strict):
    """What each answer means, in the words the person picks from."""

    present: Text
    absent: Text
    unknown: Text


class CompanionCheck(Reviewed):
    """A check another person can do with a short illustrated instruction.

    The answer "no one is with me" is `unknown`, so a person alone is never reassured by it.
    """

    id: Slug
    finding: Slug
    title: Text
    intro: Text
    steps: list[Text] = Field(min_length=2, max_length=8)
    figure: Slug
    figure_alt: Text
    answers: CompanionAnswers
    evidence: EvidenceLevel
    references: list[Slug] = Field(min_length=1)


class PersonalAdvice(Reviewed):
    """Advice that a person's own answers call for (shown with the result)."""

    id: Slug
    when: RuleCondition
    title: Text
    statement: Statement
