"""The can't-miss safety net of the interview (threshold approach, Pauker & Kassirer 1980).

A condition whose usual care is same-day or more urgent stays "open" while its probability
is at or above its rule-out line (`model/safety_net.yaml`) and the current level of care
is below its usual one. While a condition is open, the interview may not stop if some
unasked question could move it across: an answer that would take it below the line (ruled
out), or one that would raise the level of care to the condition's own (ruled in). Of those
questions, the one expected to tell most about the open conditions is asked.
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


def open_conditions(model: Model, probs: Array, level: TriageLevel) -> list[int]:
    """Can't-miss conditions not yet ruled out and not yet covered by the level of care."""
    return [j for j in range(len(model.conditions))
            if model.rule_out[j] > 0 and probs[j] >= model.rule_out[j]
            and model.usual_rank[j] > level.rank]


def _levels(model: Model, posterior: Array) -> npt.NDArray[np.int64]:
    """Probabilistic level rank of each row of posteriors (thresholds from the policy)."""
    thresholds = model.kb.policy.triage.thresholds
    ranks = np.zeros(posterior.shape[0], dtype=np.int64)
    for level in LEVELS[1:]:
        mass = posterior[:, model.usual_rank >= level.rank].sum(axis=1)
        ranks = np.where(mass >= thresholds[level], level.rank, ranks)
    return ranks


def choose(model: Model, probs: Array, level: TriageLevel,
           candidates: list[tuple[CompiledQuestion, tuple[str, ...]]]) -> NetChoice | None:
    """The question that best settles an open can't-miss condition, or None."""
    open_ = open_conditions(model, probs, level)
    if not open_:
        return None
    lines = model.rule_out[open_]
    before = binary_entropy(probs[open_]).sum()
    best: tuple[float, int, tuple[str, ...]] | None = None
    for i, (_, items) in enumerate(candidates):
        out = outcomes(model, probs, items)
        reachable = out.p_pattern > 1e-9
        post = out.posterior[reachable][:, open_]
        lowest = post.min(axis=0)
        top_level = int(_levels(model, out.posterior[reachable]).max())
        settles = tuple(model.conditions[j] for k, j in enumerate(open_)
                        if lowest[k] < lines[k] or top_level >= model.usual_rank[j])
        if not settles:
            continue
        after = float((out.p_pattern[reachable] * binary_entropy(post).sum(axis=1)).sum())
        gain = float(before) - after
        if best is None or gain > best[0]:
            best = (gain, i, settles)
    if best is None:
        return None
    return NetChoice(index=best[1], conditions=best[2])
