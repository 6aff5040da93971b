"""The level of care: probabilities first, then hard safety rules that can only raise it.

Alarm rules and the Wells score set a floor. The probabilistic level counts the summed
probability of the conditions whose usual care is at a level or above, so a dangerous cause
changes the advice before it is the most likely one.
"""

from __future__ import annotations

from dataclasses import replace

from calfcare.engine.inference import Posterior, posterior
from calfcare.engine.types import Case, RuleHit, TriageDecision, WellsScore
from calfcare.kb.schema import AlarmRule, TriageLevel

LEVELS = list(TriageLevel)

#: Wells items (NICE NG158 two-level score), each worth one point when present.
WELLS_ITEMS = (
    "active_cancer",
    "leg_immobilised_recently",
    "recent_surgery_or_bedrest",
    "tender_along_deep_veins",
    "whole_leg_swollen",
    "calf_3cm_larger",
    "pitting_oedema_one_leg",
    "collateral_superficial_veins",
    "previous_dvt_or_pe",
)
#: Items only a clinician can judge; the score is computed once one of them is known.
WELLS_EXAM_ITEMS = (
    "tender_along_deep_veins",
    "calf_3cm_larger",
    "pitting_oedema_one_leg",
    "collateral_superficial_veins",
)
WELLS_ALTERNATIVE_POINTS = -2
WELLS_RULE_ID = "wells_dvt_likely"


def matching_rules(rules: tuple[AlarmRule, ...], case: Case) -> list[RuleHit]:
    hits = []
    for rule in rules:
        if not all(case.present(f) for f in rule.when.all):
            continue
        anys = [f for f in rule.when.any if case.present(f)]
        if rule.when.any and not anys:
            continue
        matched = tuple(rule.when.all) + tuple(anys)
        if rule.serious is not None:
            matched = tuple(f for f in matched if f in rule.serious)
        hits.append(RuleHit(
            rule_id=rule.id, min_level=rule.min_level, message=rule.message,
            findings=matched, suspect=tuple(rule.suspect),
        ))
    return hits


def wells_score(post: Posterior) -> WellsScore | None:
    """Two-level Wells score, once any examination item is known.

    "An alternative diagnosis at least as likely as DVT" is judged by the engine itself:
    the most likely other condition against DVT, from the answers without the Wells score.
    """
    case = post.case
    if not any(case.answered(f) for f in WELLS_EXAM_ITEMS):
        return None
    items = tuple(f for f in WELLS_ITEMS if case.present(f))
    dvt = post.probability("deep_vein_thrombosis")
    others = [
        float(p) for c, p in zip(post.model.conditions, post.probabilities, strict=True)
        if c != "deep_vein_thrombosis"
    ]
    alternative = max(others) >= dvt
    points = len(items) + (WELLS_ALTERNATIVE_POINTS if alternative else 0)
    return WellsScore(points=points, items=items, alternative_as_likely=alternative)


def without_present_alarms(post: Posterior) -> Posterior:
    """The posterior with every alarm finding that is present set aside.

    A present alarm finding acts on the level of care only through the safety rules, which
    can only raise it. Keeping it out of the probability part makes the level monotone:
    reporting an alarm finding can never lower the advice, even when it makes a less urgent
    cause more likely. A "no" to an alarm question still counts, so that, for example,
    normal urine colour keeps weighing against muscle breakdown.
    """
    kb = post.model.kb
    answers = {f: c for f, c in post.case.answers.items()
               if not (kb.findings[f].alarm and c == "present")}
    if len(answers) == len(post.case.answers):
        return post
    return posterior(post.model, replace(post.case, answers=answers))


def probabilistic_level(post: Posterior, thresholds: dict[TriageLevel, float]) -> TriageLevel:
    ranks = post.model.usual_rank
    for level in reversed(LEVELS[1:]):
        mass = float(post.probabilities[ranks >= level.rank].sum())
        if mass >= thresholds[level]:
            return level
    return TriageLevel.self_care


def triage(post: Posterior) -> TriageDecision:
    kb = post.model.kb
    hits = matching_rules(kb.rules, post.case)
    wells = wells_score(post)
    if wells is not None and wells.likely:
        hits.append(RuleHit(
            rule_id=WELLS_RULE_ID, min_level=TriageLevel.consultation_24,
            message=f"The two-level Wells score is {wells.points}: a deep vein thrombosis is "
                    "likely and needs a scan or a D-dimer test today.",
            findings=wells.items, suspect=("deep_vein_thrombosis",),
        ))
    prob_level = probabilistic_level(without_present_alarms(post), kb.policy.triage.thresholds)
    floor = max((h.min_level for h in hits), key=lambda lv: lv.rank, default=prob_level)
    level = max(prob_level, floor, key=lambda lv: lv.rank)
    hits.sort(key=lambda h: -h.min_level.rank)
    return TriageDecision(level=level, probabilistic_level=prob_level, rule_hits=tuple(hits),
                          wells=wells)
