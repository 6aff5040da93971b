"""Posterior probabilities of the conditions given a case, with their explanation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from calfcare.engine.model import Array, Model
from calfcare.engine.types import Case, Contribution, RankedCondition


@dataclass(frozen=True)
class Posterior:
    """Probabilities over the model's conditions, in the model's condition order."""

    model: Model
    case: Case
    prior: Array
    probabilities: Array
    present: tuple[int, ...]
    absent: tuple[int, ...]

    def ranked(self) -> list[RankedCondition]:
        """All conditions, most likely first, each with the answers that moved it."""
        order = np.argsort(-self.probabilities, kind="stable")
        return [self._ranked(int(j)) for j in order]

    def ordered(self) -> list[tuple[str, float]]:
        """(condition, probability), most likely first, without the explanation (fast path)."""
        order = np.argsort(-self.probabilities, kind="stable")
        return [(self.model.conditions[j], float(self.probabilities[j])) for j in order]

    def probability(self, condition: str) -> float:
        return float(self.probabilities[self.model.conditions.index(condition)])

    def _ranked(self, j: int) -> RankedCondition:
        m = self.model
        names = m.finding_names
        contributions = []
        for i in self.present:
            factor = math.exp(m.log_p[i, j] - m.bg_log_p[i])
            if factor != 1.0:
                contributions.append(Contribution(names[i], "present", factor))
        for i in self.absent:
            factor = math.exp(m.log_q[i, j] - m.bg_log_q[i])
            if factor != 1.0:
                contributions.append(Contribution(names[i], "absent", factor))
        contributions.sort(key=lambda c: -abs(math.log(c.factor)))
        return RankedCondition(
            id=m.conditions[j],
            probability=float(self.probabilities[j]),
            prior=float(self.prior[j]),
            contributions=tuple(contributions),
        )


def answer_indexes(model: Model, case: Case) -> tuple[tuple[int, ...], tuple[int, ...]]:
    present, absent = [], []
    for finding, choice in case.answers.items():
        if choice == "present":
            present.append(model.finding_index[finding])
        elif choice == "absent":
            absent.append(model.finding_index[finding])
    return tuple(present), tuple(absent)


def posterior(model: Model, case: Case) -> Posterior:
    """Bayes' rule over all conditions; `unknown` answers leave the probabilities unchanged."""
    prior = model.prior(case.age, case.sex)
    present, absent = answer_indexes(model, case)
    with np.errstate(divide="ignore"):
        log_post = np.log(prior)
    log_post = log_post + model.log_p[list(present)].sum(axis=0)
    log_post = log_post + model.log_q[list(absent)].sum(axis=0)
    finite = np.isfinite(log_post)
    shifted = np.where(finite, log_post - log_post[finite].max(), -np.inf)
    weights = np.exp(shifted)
    return Posterior(
        model=model,
        case=case,
        prior=prior,
        probabilities=weights / weights.sum(),
        present=present,
        absent=absent,
    )
