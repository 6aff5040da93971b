"""Which question to ask next, and when to stop.

The order follows a clinician's consultation:

1. the alarm screen, in the order of the knowledge base, as emergency telephone triage does;
2. a re-check of danger signs answered "I don't know", in plainer words or as a check a
   companion can do (once per finding);
3. onset and context (how it started, the activity, heat, travel, medicines) where they
   tell enough about the likely causes;
4. findings that could complete a safety rule above the current level ("triage tuples");
5. the can't-miss safety net: no stop while a dangerous cause is still above its rule-out
   line and a question could move it across (`engine.safety_net`);
6. then the most informative question, until the leading cause is clear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calfcare.engine import safety_net
from calfcare.engine.answers import expected_gain
from calfcare.engine.inference import Posterior
from calfcare.engine.model import Array, CompiledQuestion, Model
from calfcare.engine.types import Case, NextStep, StepKind
from calfcare.kb.schema import Question, QuestionItem, TriageLevel

Candidate = tuple[CompiledQuestion, tuple[str, ...]]
RECHECK_ID = "recheck"
#: A finding at least three times as common in a condition as in general typically comes
#: with it; the context questions that hold one are asked while that condition leads.
TYPICAL_LOG_RATIO = float(np.log(3.0))
#: Rules at this level or above are red flags: their open findings come before the safety net.
RED_FLAG_LEVEL = TriageLevel.consultation_24
MAX_RECHECK_ITEMS = 8


def _eligible(cq: CompiledQuestion, case: Case) -> bool:
    q = cq.question
    if cq.clinician_only and not cq.companion and case.mode != "clinician":
        return False
    if q.sex is not None and q.sex != case.sex:
        return False
    if q.min_age is not None and case.age < q.min_age:
        return False
    if q.max_age is not None and case.age > q.max_age:
        return False
    return not (q.ask_if_any and not any(case.present(f) for f in q.ask_if_any))


def questions_asked(model: Model, case: Case) -> int:
    """Questions answered, not counting the first complaint; re-checks count once each."""
    answers, initial = case.answers, case.initial
    clinician = case.mode == "clinician"
    count = case.recheck_rounds
    for cq in model.questions:
        items = cq.askable(clinician)
        if items and all(f in answers for f in items) and any(f not in initial for f in items):
            count += 1
    return count


def _askable(model: Model, case: Case, finding: str) -> bool:
    return case.mode == "clinician" or model.kb.findings[finding].who == "patient"


def _candidates(model: Model, case: Case) -> list[Candidate]:
    out = []
    answers = case.answers
    clinician = case.mode == "clinician"
    for cq in model.questions:
        items = tuple(f for f in cq.askable(clinician) if f not in answers)
        if items and _eligible(cq, case):
            out.append((cq, items))
    return out


def pending_rule_items(
    model: Model, case: Case, level: TriageLevel, at_least: TriageLevel = TriageLevel.consultation
) -> set[str]:
    """Unanswered findings that could complete a partly matched safety rule above the level.

    These "triage tuples" must be asked before the interview may stop: e.g. a headache after
    a long event makes the question about drinking beyond thirst mandatory. A rule counts
    when one more answer could complete it, or once one of its findings is present; a rule
    that needs several answers with none given yet is left to the safety net and the
    information gain. `at_least` limits them to rules of that level or higher (red flags
    are asked before the rest).
    """
    pending: set[str] = set()
    for rule in model.kb.rules:
        if rule.min_level.rank <= level.rank or rule.min_level.rank < at_least.rank:
            continue
        needed = sum(not case.present(f) for f in rule.when.all) + (
            bool(rule.when.any) and not any(case.present(f) for f in rule.when.any)
        )
        started = any(case.present(f) for f in (*rule.when.all, *rule.when.any))
        if needed > 1 and not started:
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
            open_any = [
                f for f in rule.when.any if not case.answered(f) and _askable(model, case, f)
            ]
            if not open_any:
                continue
            if not missing:
                pending.update(open_any)
                continue
        pending.update(missing)
    return pending


def _recheck(
    model: Model, case: Case, watch: frozenset[str]
) -> tuple[Question, tuple[str, ...]] | None:
    """Danger signs answered "I don't know" once, asked again together in plainer words.

    Only answers that matter are asked again: those that, if "yes", would make the care
    urgent (`watch`). Where a companion check exists for a sign (comparing the feet), the
    re-check offers it with the plainer question.
    """
    kb = model.kb
    pending = [
        f
        for f in case.answers
        if f in watch
        and case.unknown(f)
        and f not in case.asked_again
        and kb.findings[f].recheck is not None
        and (case.mode == "clinician" or kb.findings[f].who == "patient")
    ]
    if not pending:
        return None
    items = tuple(pending[:MAX_RECHECK_ITEMS])
    question = Question(
        id=RECHECK_ID,
        type="group_multiple",
        phase="detail",
        text="You were not sure about these. Here they are again, asked another way.",
        help="Tick each one that is true. If you still cannot tell, choose I don't know.",
        items=[QuestionItem(finding=f) for f in items],
    )
    return question, items


@dataclass(frozen=True)
class _Context:
    post: Posterior
    level: TriageLevel
    floor: TriageLevel
    suspects: frozenset[str]
    concerns: frozenset[str]


def _ask(cq: CompiledQuestion, items: tuple[str, ...], asked: int, reason: str) -> NextStep:
    kind: StepKind = "companion" if cq.companion else "question"
    return NextStep(
        question=cq.question, items=items, asked=asked, should_stop=False, kind=kind, reason=reason
    )


def _stop(asked: int, reason: str) -> NextStep:
    return NextStep(question=None, items=(), asked=asked, should_stop=True, reason=reason)


def next_step(
    post: Posterior,
    level: TriageLevel,
    floor: TriageLevel,
    suspects: frozenset[str],
    concerns: frozenset[str] = frozenset(),
    watch: frozenset[str] = frozenset(),
) -> NextStep:
    """The next question for this case.

    `level` is the current level of care, `floor` what the alarm rules force, and `suspects`
    the conditions those urgent rules point at: an emergency interview stops early only once
    its leading condition is one of them. `concerns` are the conditions any matched alarm
    rule points at; while one of them is still possible, a confident leader is not enough
    to stop. `watch` holds the unknown answers that would raise the level if they were "yes".
    """
    ctx = _Context(post, level, floor, suspects, concerns)
    model, case = post.model, post.case
    asked = questions_asked(model, case)
    if asked >= model.kb.policy.interview.max_questions:
        return _stop(asked, "question limit")
    candidates = _candidates(model, case)
    turn = _Turn(ctx, candidates, [c for c in candidates if not c[0].companion], asked, watch)
    for step in _STEPS:
        chosen = step(turn)
        if chosen is not None:
            return chosen
    return _settle(ctx, turn.ordinary, asked)


@dataclass(frozen=True)
class _Turn:
    """What every step of the consultation order looks at."""

    ctx: _Context
    candidates: list[Candidate]
    ordinary: list[Candidate]
    asked: int
    watch: frozenset[str]

    @property
    def model(self) -> Model:
        return self.ctx.post.model


def _alarm_step(turn: _Turn) -> NextStep | None:
    alarms = [c for c in turn.ordinary if c[0].question.phase == "alarm"]
    return _ask(*alarms[0], turn.asked, "alarm screen") if alarms else None


def _recheck_step(turn: _Turn) -> NextStep | None:
    recheck = _recheck(turn.model, turn.ctx.post.case, turn.watch)
    if recheck is None:
        return None
    question, items = recheck
    return NextStep(
        question=question,
        items=items,
        asked=turn.asked,
        should_stop=False,
        kind="recheck",
        reason="re-check of an unsure answer",
    )


def _context_step(turn: _Turn) -> NextStep | None:
    context = _context_question(
        turn.model,
        turn.ctx.post.probabilities,
        [c for c in turn.ordinary if c[0].question.phase == "context"],
    )
    return _ask(*context, turn.asked, "onset and context") if context is not None else None


def _red_flag_step(turn: _Turn) -> NextStep | None:
    pending = pending_rule_items(turn.model, turn.ctx.post.case, turn.ctx.level, RED_FLAG_LEVEL)
    chosen = _covering(turn.ordinary, pending)
    return _ask(*chosen, turn.asked, "could complete a red-flag rule") if chosen else None


def _safety_net_step(turn: _Turn) -> NextStep | None:
    net = safety_net.choose(
        turn.model, turn.ctx.post.probabilities, turn.ctx.level, turn.candidates
    )
    if net is None:
        return None
    return _ask(
        *turn.candidates[net.index], turn.asked, "not yet ruled out: " + ", ".join(net.conditions)
    )


def _safety_rule_step(turn: _Turn) -> NextStep | None:
    pending = pending_rule_items(turn.model, turn.ctx.post.case, turn.ctx.level)
    chosen = _covering(turn.ordinary, pending)
    return _ask(*chosen, turn.asked, "could complete a safety rule") if chosen else None


#: The consultation order of the module docstring; the first step with a question wins.
_STEPS = (
    _alarm_step,
    _recheck_step,
    _context_step,
    _red_flag_step,
    _safety_net_step,
    _safety_rule_step,
)


def _context_question(model: Model, probs: Array, context: list[Candidate]) -> Candidate | None:
    """The onset-and-context question a clinician would ask next, if one matters.

    A context question matters when it is expected to tell enough about the causes, when
    it holds a key finding of a can't-miss condition that is still above its rule-out line
    (the clot risk factors while a clot is possible), or when it holds what typically
    brings on the leading cause (the heat and the length of the session for an exercise
    cramp), which the result then names. The most informative of those comes first.
    """
    if not context:
        return None
    kb, policy = model.kb, model.kb.policy.interview
    in_play = {
        f
        for c, entry in kb.safety_net.items()
        if probs[model.conditions.index(c)] >= entry.rule_out
        for f in entry.key_findings
    }
    leader = int(np.argmax(probs))
    typical = {
        f
        for f, i in model.finding_index.items()
        if model.log_p[i, leader] - model.bg_log_p[i] >= TYPICAL_LOG_RATIO
    }
    scored = []
    for i, (_, items) in enumerate(context):
        gain = expected_gain(model, probs, items)
        if gain >= policy.context_min_gain_bits or set(items) & (in_play | typical):
            scored.append((gain, i))
    if not scored:
        return None
    return context[max(scored)[1]]


def _covering(ordinary: list[Candidate], pending: set[str]) -> Candidate | None:
    """The question that asks the most of the pending findings, if any asks one."""
    if not pending or not ordinary:
        return None
    count, best = max((len(pending & set(items)), i) for i, (_, items) in enumerate(ordinary))
    return ordinary[best] if count else None


def _settle(ctx: _Context, ordinary: list[Candidate], asked: int) -> NextStep:
    """Stop once the leader is clear; otherwise ask the most informative question."""
    model, probs = ctx.post.model, ctx.post.probabilities
    policy = model.kb.policy.interview
    top = np.sort(probs)[::-1]
    confident = top[0] >= policy.stop_confidence and top[0] >= policy.stop_margin * top[1]
    leader = model.conditions[int(np.argmax(probs))]
    urgent_enough = (
        ctx.floor.rank >= TriageLevel.emergency.rank
        and top[0] >= policy.emergency_stop_confidence
        and leader in ctx.suspects
    )
    open_suspects = [model.conditions.index(c) for c in ctx.concerns if c != leader]
    if confident and open_suspects:
        # An alarm points at another cause: keep asking until it is ruled out or nothing
        # more can be learnt, rather than stopping on the leading cause alone.
        confident = float(probs[open_suspects].sum()) < policy.suspect_rule_out
    if not ordinary or confident or urgent_enough:
        return _stop(asked, "the leading cause is clear" if ordinary else "nothing left to ask")
    gain, best = max(
        (expected_gain(model, probs, items), i) for i, (_, items) in enumerate(ordinary)
    )
    if gain < policy.min_gain_bits:
        return _stop(asked, "no question is worth asking")
    return _ask(*ordinary[best], asked, "most informative")
