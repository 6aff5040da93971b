"""The level of care when some answers are "I don't know".

"I don't know" must never be reassurance. The posterior leaves an unknown answer out, which
is exactly "not asked"; but a "no" to the same question can make a dangerous cause *more*
likely (by ruling out a harmless one), so leaving it out could give a lower level than the
"no" would have. The level therefore uses, for each level of care, the highest summed
probability over every way the unknown answers could have been "no" or left out. Then:

* turning any "no" into "I don't know" never lowers the level (the "no" is one of the ways);
* an "I don't know" never gives a lower level than not asking (leaving out is another).

Up to `MAX_EXACT_UNKNOWNS` unknown answers are enumerated exactly (2^k rows, vectorised);
beyond that an upper bound is used, which keeps both properties.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from calfcare.engine.model import Array, Model
from calfcare.engine.types import Case

MAX_EXACT_UNKNOWNS = 10
_PATTERNS: dict[int, Array] = {
    k: np.array(list(product((0.0, 1.0), repeat=k)), dtype=np.float64)
    for k in range(MAX_EXACT_UNKNOWNS + 1)
}


@dataclass(frozen=True)
class Cautious:
    """Per level rank, the highest summed probability of the conditions at or above it."""

    masses: Array  # (levels,): index = level rank; index 0 is always 1
    dvt_always_outranked: bool  # another cause at least as likely as DVT in every way


def _log_weights(model: Model, case: Case, skip_present_alarms: bool) -> Array:
    """log prior + the log-likelihood of every known answer (unknowns left out)."""
    with np.errstate(divide="ignore"):
        logw = np.log(model.prior(case.age, case.sex))
    kb = model.kb
    for finding, choice in case.answers.items():
        i = model.finding_index[finding]
        if choice == "present":
            if skip_present_alarms and kb.findings[finding].alarm:
                continue
            logw = logw + model.log_p[i]
        elif choice == "absent":
            logw = logw + model.log_q[i]
    return logw


def _unknown_indexes(model: Model, case: Case) -> list[int]:
    return [model.finding_index[f] for f, c in case.answers.items() if c == "unknown"]


def _rows(model: Model, logw: Array, unknown: list[int]) -> Array:
    """Normalised probabilities for every way the unknowns could be 'no' (1) or left out (0)."""
    pattern = _PATTERNS[len(unknown)]
    rows = logw[None, :] + pattern @ model.log_q[unknown] if unknown else logw[None, :]
    finite = np.isfinite(rows)
    top = np.where(finite, rows, -np.inf).max(axis=1, keepdims=True)
    weights = np.where(finite, np.exp(rows - top), 0.0)
    normalised: Array = weights / weights.sum(axis=1, keepdims=True)
    return normalised


def _bounded_masses(model: Model, logw: Array, unknown: list[int], levels: int) -> Array:
    """Upper bound of each level's mass: its conditions with every unknown left out, the
    others with every unknown answered 'no' (each likelihood factor is at most 1)."""
    all_no = logw + model.log_q[unknown].sum(axis=0)
    top = max(np.max(logw[np.isfinite(logw)]), np.max(all_no[np.isfinite(all_no)]))
    kept = np.where(np.isfinite(logw), np.exp(logw - top), 0.0)
    lowered = np.where(np.isfinite(all_no), np.exp(all_no - top), 0.0)
    masses = np.ones(levels)
    for rank in range(1, levels):
        at_or_above = model.usual_rank >= rank
        a = kept[at_or_above].sum()
        b = lowered[~at_or_above].sum()
        masses[rank] = a / (a + b) if a + b > 0 else 0.0
    return masses


def cautious(model: Model, case: Case, levels: int) -> Cautious:
    """Level masses and the Wells "alternative as likely" judgement, unknowns made safe."""
    unknown = _unknown_indexes(model, case)
    level_logw = _log_weights(model, case, skip_present_alarms=True)
    full_logw = _log_weights(model, case, skip_present_alarms=False)
    dvt = model.conditions.index(model.kb.wells.condition)
    if len(unknown) > MAX_EXACT_UNKNOWNS:
        return Cautious(_bounded_masses(model, level_logw, unknown, levels), False)
    rows = _rows(model, level_logw, unknown)
    masses = np.ones(levels)
    for rank in range(1, levels):
        masses[rank] = rows[:, model.usual_rank >= rank].sum(axis=1).max()
    full = _rows(model, full_logw, unknown)
    others = np.delete(full, dvt, axis=1).max(axis=1)
    return Cautious(masses, bool(np.all(others >= full[:, dvt])))
