"""The probability model compiled from the knowledge base into arrays.

The model is naive Bayes over yes/no findings, the method of evidence-based physical
diagnosis: P(condition | answers) is proportional to the condition's prior (by age and sex)
times, for each answered finding, P(answer | condition). A finding that the knowledge base
does not link to a condition takes the finding's background rate, so only the links a
clinician wrote down can move a condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import Prior, Question, TriageLevel

Array = npt.NDArray[np.float64]
MAX_AGE = 130


@dataclass(frozen=True)
class CompiledQuestion:
    """A question with the items each kind of respondent can answer.

    A companion question (`question.companion`) asks a person and whoever is with them to
    do a check a clinician would do; it is offered to patients only, since a clinician
    answers the examination question itself.
    """

    question: Question
    findings: tuple[str, ...]
    patient_findings: tuple[str, ...]
    clinician_only: bool

    @property
    def companion(self) -> bool:
        return self.question.companion is not None

    def askable(self, clinician: bool) -> tuple[str, ...]:
        """The items this kind of respondent can answer."""
        if self.companion:
            return () if clinician else self.findings
        return self.findings if clinician else self.patient_findings


@dataclass(frozen=True)
class Model:
    """Arrays for fast inference; built once per knowledge base."""

    kb: KnowledgeBase
    conditions: tuple[str, ...]
    finding_index: dict[str, int]
    log_p: Array  # (findings, conditions): log P(present | condition)
    log_q: Array  # (findings, conditions): log P(absent | condition)
    bg_log_p: Array  # (findings,): log of the background rate
    bg_log_q: Array
    usual_rank: npt.NDArray[np.int64]  # (conditions,): rank of the usual level of care
    rule_out: Array  # (conditions,): safety-net rule-out probability; 0 if not can't-miss
    questions: tuple[CompiledQuestion, ...]
    finding_names: tuple[str, ...]
    priors_by_age: dict[tuple[int, str], Array]

    def prior(self, age: int, sex: str) -> Array:
        """Prior probabilities for a person of this age and sex (sums to 1)."""
        key = (min(max(age, 0), MAX_AGE), sex)
        cached = self.priors_by_age.get(key)
        if cached is None:
            weights = np.array(
                [_prior_weight(self.kb.priors[c], key[0], sex) for c in self.conditions],
                dtype=np.float64,
            )
            cached = weights / weights.sum()
            self.priors_by_age[key] = cached
        return cached


def _prior_weight(prior: Prior, age: int, sex: str) -> float:
    factor = next((b.factor for b in prior.age if b.min_age <= age <= b.max_age), 1.0)
    sex_factor = prior.female if sex == "female" else prior.male
    return prior.base * factor * sex_factor


def compile_model(kb: KnowledgeBase) -> Model:
    conditions = kb.condition_ids
    findings = list(kb.findings)
    index = {f: i for i, f in enumerate(findings)}
    cindex = {c: j for j, c in enumerate(conditions)}
    bg = np.array([kb.backgrounds[f].p for f in findings])
    p = np.repeat(bg[:, None], len(conditions), axis=1)
    for lk in kb.likelihoods:
        p[index[lk.finding], cindex[lk.condition]] = lk.p
    levels = list(TriageLevel)
    usual = np.array([levels.index(kb.guides[c].usual_care) for c in conditions], dtype=np.int64)
    rule_out = np.array(
        [kb.safety_net[c].rule_out if c in kb.safety_net else 0.0 for c in conditions]
    )
    questions = tuple(
        CompiledQuestion(
            question=q,
            findings=tuple(i.finding for i in q.items),
            patient_findings=tuple(
                i.finding for i in q.items if kb.findings[i.finding].who == "patient"
            ),
            clinician_only=all(kb.findings[i.finding].who == "clinician" for i in q.items),
        )
        for q in kb.questions
    )
    return Model(
        kb=kb,
        conditions=conditions,
        finding_index=index,
        log_p=np.log(p),
        log_q=np.log1p(-p),
        bg_log_p=np.log(bg),
        bg_log_q=np.log1p(-bg),
        usual_rank=usual,
        rule_out=rule_out,
        questions=questions,
        finding_names=tuple(findings),
        priors_by_age={},
    )
