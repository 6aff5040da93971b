"""Which question to ask next, and when to stop.

Alarm questions come first, in the order of the knowledge base, as emergency telephone
triage does. After them the engine asks the question whose answers are expected to tell the
most about the likely causes (expected information gain over the whole answer pattern of the
question), and stops once the leading cause is clear and no question is worth asking.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from calfcare.engine.inference import Posterior
from calfcare.engine.model import Array, CompiledQuestion, Model
from calfcare.engine.types import Case, NextStep
from calfcare.kb.schema import TriageLevel

_OUTCOMES: dict[int, Array] = {
    k: np.array(list(product((0.0, 1.0), repeat=k))) for k in range(1, 9)
}


def _entropy(p: Array) -> float:
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def _eligible(cq: CompiledQuestion, case: Case) -> bool:
    q = cq.question
    if cq.clinician_only and case.mode != "clinician":
        return False
    if q.sex is not None and q.sex != case.sex:
        return False
    if q.min_age is not None and case.age < q.min_age:
        return False
    if q.max_age is not None and case.age > q.max_age:
        return False
    return not (q.ask_if_any and not any(case.present(f) for f in q.ask_if_any))


def expected_gain(model: Model, probs: Array, items: tuple[str, ...]) -> float:
    """Expected reduction in entropy (bits) from the joint answer to `items`."""
    idx = [model.finding_index[f] for f in items][:8]
    outcomes = _OUTCOMES[len(idx)]
    loglik = outcomes @ model.log_p[idx] + (1.0 - outcomes) @ model.log_q[idx]
    joint = np.exp(loglik) * probs  # (outcomes, conditions)
    p_outcome = joint.sum(axis=1)
    post = joint / p_outcome[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(post > 0, post * np.log2(post), 0.0).sum(axis=1)
    return _entropy(probs) - float((p_outcome * h).sum())


def questions_asked(model: Model, case: Case) -> int:
    """Questions whose items have all been answered, not counting the first complaint."""
    answers, initial = case.answers, case.initial
    clinician = case.mode == "clinician"
    count = 0
    for cq in model.questions:
        items = cq.askable(clinician)
        if items and all(f in answers for f in items) and any(
                f not in initial for f in items):
            count += 1
    return count


def _askable(model: Model, case: Case, finding: str) -> bool:
    return case.mode == "clinician" or model.kb.findings[finding].who == "patient"


def _candidates(model: Model, case: Case) -> list[tuple[CompiledQuestion, tuple[str, ...]]]:
    out = []
    answers = case.answers
    clinician = case.mode == "clinician"
    for cq in model.questions:
        items = tuple(f for f in cq.askable(clinician) if f not in answers)
        if items and _eligible(cq, case):
            out.append((cq, items))
    return out


def pending_rule_items(model: Model, case: Case, level: TriageLevel) -> set[str]:
    """Unanswered findings that could complete a safety rule above the current level.

    These "triage tuples" must be asked before the interview may stop: e.g. a headache after
    a long event makes the question about drinking beyond thirst mandatory.
    """
    pending: set[str] = set()
    for rule in model.kb.rules:
        if rule.min_level.rank <= level.rank:
            continue
        missing = [f for f in rule.when.all if not case.present(f)]
        if any(case.answered(f) for f in missing):
            continue  # one of its required findings was answered no or unknown
        any_present = not rule.when.any or any(case.present(f) for f in rule.when.any)
        if not missing and any_present:
            continue  # already matched
        askable = [f for f in missing if _askable(model, case, f)]
        if len(askable) != len(missing):
            continue
        if not any_present:
            open_any = [f for f in rule.when.any
                        if not case.answered(f) and _askable(model, case, f)]
            if not open_any:
                continue
            if not missing:
                pending.update(open_any)
                continue
        pending.update(missing)
    return pending


def next_step(
    post: Posterior, level: TriageLevel, floor: TriageLevel, suspects: frozenset[str],
    concerns: frozenset[str] = frozenset(),
) -> NextStep:
    """The next question for this case.

    `level` is the current level of care, `floor` what the alarm rules force, and `suspects`
    the conditions those urgent rules point at: an emergency interview stops early only once
    its leading condition is one of them. `concerns` are the conditions any matched alarm
    rule points at; while one of them is still possible, a confident leader is not enough
    to stop.
    """
    model, case = post.model, post.case
    policy = model.kb.policy.interview
    asked = questions_asked(model, case)
    candidates = _candidates(model, case)
    alarms = [c for c in candidates if c[0].question.phase == "alarm"]
    if alarms and asked < policy.max_questions:
        cq, items = alarms[0]
        return NextStep(question=cq.question, items=items, asked=asked, should_stop=False)
    probs = post.probabilities
    pending = pending_rule_items(model, case, level)
    if pending and asked < policy.max_questions:
        covering = [(len(pending & set(items)), i) for i, (_, items) in enumerate(candidates)]
        count, best = max(covering)
        if count:
            cq, items = candidates[best]
            return NextStep(question=cq.question, items=items, asked=asked, should_stop=False)
    top = np.sort(probs)[::-1]
    confident = top[0] >= policy.stop_confidence and top[0] >= policy.stop_margin * top[1]
    leader = model.conditions[int(np.argmax(probs))]
    urgent_enough = (floor.rank >= TriageLevel.emergency.rank
                     and top[0] >= policy.emergency_stop_confidence
                     and leader in suspects)
    open_suspects = [model.conditions.index(c) for c in concerns if c != leader]
    if confident and open_suspects:
        # An alarm points at another cause: keep asking until it is ruled out or nothing
        # more can be learnt, rather than stopping on the leading cause alone.
        confident = float(probs[open_suspects].sum()) < policy.suspect_rule_out
    if not candidates or asked >= policy.max_questions or confident or urgent_enough:
        return NextStep(question=None, items=(), asked=asked, should_stop=True)
    scored = [(expected_gain(model, probs, items), i) for i, (_, items) in enumerate(candidates)]
    gain, best = max(scored)
    if gain < policy.min_gain_bits:
        return NextStep(question=None, items=(), asked=asked, should_stop=True)
    cq, items = candidates[best]
    return NextStep(question=cq.question, items=items, asked=asked, should_stop=False)
