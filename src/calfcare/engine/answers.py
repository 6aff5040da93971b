"""What the answers to a question could do to the probabilities.

A question's items are answered together, so every joint present/absent pattern of its
remaining items is enumerated (2^k patterns, k <= 8): the probability of each pattern and the
posterior after it. The information gain of the interview and the safety net's "could this
question move a dangerous cause across its rule-out line?" both read these.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from calfcare.engine.model import Array, Model

MAX_ITEMS = 8
_OUTCOMES: dict[int, Array] = {
    k: np.array(list(product((0.0, 1.0), repeat=k))) for k in range(1, MAX_ITEMS + 1)
}


@dataclass(frozen=True)
class Outcomes:
    """Every answer pattern of a question: its probability and the posterior after it."""

    p_pattern: Array  # (patterns,)
    posterior: Array  # (patterns, conditions)


def outcomes(model: Model, probs: Array, items: tuple[str, ...]) -> Outcomes:
    idx = [model.finding_index[f] for f in items]
    if not 1 <= len(idx) <= MAX_ITEMS:
        raise ValueError(f"a question has 1 to {MAX_ITEMS} items, not {len(idx)}")
    pattern = _OUTCOMES[len(idx)]
    loglik = pattern @ model.log_p[idx] + (1.0 - pattern) @ model.log_q[idx]
    joint = np.exp(loglik) * probs  # (patterns, conditions)
    p_pattern = joint.sum(axis=1)
    return Outcomes(p_pattern=p_pattern, posterior=joint / p_pattern[:, None])


def entropy(p: Array) -> float:
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def expected_gain(model: Model, probs: Array, items: tuple[str, ...]) -> float:
    """Expected reduction in entropy (bits) over the conditions from the joint answer."""
    out = outcomes(model, probs, items)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(out.posterior > 0, out.posterior * np.log2(out.posterior), 0.0).sum(axis=1)
    return entropy(probs) - float((out.p_pattern * h).sum())


def binary_entropy(p: Array) -> Array:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    h: Array = -(q * np.log2(q) + (1 - q) * np.log2(1 - q))
    return h
