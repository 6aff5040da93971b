"""The can't-miss safety net of the interview (threshold approach, Pauker & Kassirer 1980).

Every condition whose usual care is same-day or more urgent has a rule-out line
(`model/safety_net.yaml`). While the level of care is below the condition's usual one, the
interview may not stop if an unasked question has a real chance (at least
`policy.interview.net_min_cross_probability`) of moving the condition across its line: down
below it (ruled out), up over it from below (a risk factor nobody asked about), or far
enough to raise the level of care to the condition's own (ruled in). Of those questions, the
one expected to tell most about these conditions is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from calfcare.engine.answers import binary_entropy, outcomes
from calfcare.engine.model import Array, CompiledQuestion, Model
from calfcare.kb.schema import TriageLevel

LEVELS = list(TriageLevel)


@dataclass(frozen=True)
class NetChoice:
    index: int  # into the candidate list
    conditions: tuple[str, ...]  # the open conditions this question can settle


def watched_conditions(model: Model, level: TriageLevel) -> list[int]:
    """Can't-miss conditions whose usual care the current level does not yet cover."""
    return [
        j
        for j in range(len(model.conditions))
        if model.rule_out[j] > 0 and model.usual_rank[j] > level.rank
    ]


def _levels(model: Model, posterior: Array) -> npt.NDArray[np.int64]:
    """Probabilistic level rank of each row of posteriors (thresholds from the policy)."""
    thresholds = model.kb.policy.triage.thresholds
    ranks = np.zeros(posterior.shape[0], dtype=np.int64)
    for level in LEVELS[1:]:
        mass = posterior[:, model.usual_rank >= level.rank].sum(axis=1)
        ranks = np.where(mass >= thresholds[level], level.rank, ranks)
    return ranks


def choose(
    model: Model,
    probs: Array,
    level: TriageLevel,
    candidates: list[tuple[CompiledQuestion, tuple[str, ...]]],
) -> NetChoice | None:
    """The question that best settles a can't-miss condition, or None when none can."""
    watched = watched_conditions(model, level)
    if not watched:
        return None
    lines = model.rule_out[watched]
    above = probs[watched] >= lines
    min_cross = model.kb.policy.interview.net_min_cross_probability
    before = binary_entropy(probs[watched]).sum()
    best: tuple[float, int, tuple[str, ...]] | None = None
    for i, (_, items) in enumerate(candidates):
        out = outcomes(model, probs, items)
        post = out.posterior[:, watched]
        crosses = (post >= lines) != above  # (patterns, watched)
        raises = _levels(model, out.posterior)[:, None] >= model.usual_rank[watched][None, :]
        chance = out.p_pattern @ (crosses | raises)
        settles = tuple(
            model.conditions[j] for k, j in enumerate(watched) if chance[k] >= min_cross
        )
        if not settles:
            continue
        after = float((out.p_pattern * binary_entropy(post).sum(axis=1)).sum())
        gain = float(before) - after
        if best is None or gain > best[0]:
            best = (gain, i, settles)
    if best is None:
        return None
    return NetChoice(index=best[1], conditions=best[2])
