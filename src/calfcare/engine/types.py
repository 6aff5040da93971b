"""Inputs and outputs of the reasoning engine: small frozen values, no behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from calfcare.kb.schema import Question, TriageLevel

Choice = Literal["present", "absent", "unknown"]
Sex = Literal["female", "male"]
Mode = Literal["patient", "clinician"]


@dataclass(frozen=True)
class Case:
    """What is known about one person: age, sex and the answers so far.

    `asked_again` holds the findings answered more than once (a re-check after "I don't
    know"; the last answer counts) and `recheck_rounds` how many re-check questions that took.
    """

    age: int
    sex: Sex
    answers: Mapping[str, Choice]
    initial: frozenset[str] = frozenset()
    mode: Mode = "patient"
    asked_again: frozenset[str] = frozenset()
    recheck_rounds: int = 0

    def present(self, finding: str) -> bool:
        return self.answers.get(finding) == "present"

    def answered(self, finding: str) -> bool:
        return finding in self.answers

    def unknown(self, finding: str) -> bool:
        return self.answers.get(finding) == "unknown"


@dataclass(frozen=True)
class Contribution:
    """How much one answer moved one condition, as a ratio against the background rate.

    `factor` > 1 raised the condition, < 1 lowered it. The posterior is exactly the prior
    times the product of the factors, normalised over conditions.
    """

    finding: str
    choice: Choice
    factor: float


@dataclass(frozen=True)
class RankedCondition:
    id: str
    probability: float
    prior: float
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class RuleHit:
    """A safety rule that matched, and what it forces."""

    rule_id: str
    min_level: TriageLevel
    message: str
    findings: tuple[str, ...]
    suspect: tuple[str, ...]


@dataclass(frozen=True)
class WellsScore:
    """The two-level Wells score for DVT (NICE NG158)."""

    points: int
    items: tuple[str, ...]
    alternative_as_likely: bool
    likely_from: int = 2

    @property
    def likely(self) -> bool:
        return self.points >= self.likely_from


@dataclass(frozen=True)
class TriageDecision:
    level: TriageLevel
    probabilistic_level: TriageLevel
    rule_hits: tuple[RuleHit, ...]
    wells: WellsScore | None
    watch_for: tuple[WatchFor, ...] = ()


StepKind = Literal["question", "recheck", "companion"]


@dataclass(frozen=True)
class NextStep:
    """The interview's next question (None when it should stop).

    `kind` says how to word it: a question of the knowledge base, a re-check of answers
    that were "I don't know" (in plainer words), or a check done by a companion.
    """

    question: Question | None
    items: tuple[str, ...]
    asked: int
    should_stop: bool
    kind: StepKind = "question"
    reason: str = ""


@dataclass(frozen=True)
class WatchFor:
    """A finding left unknown that would raise the level of care if it were present."""

    finding: str
    level: TriageLevel
    message: str
