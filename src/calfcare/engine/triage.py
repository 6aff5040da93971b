"""The level of care: probabilities first, then hard safety rules that can only raise it.

Alarm rules and the Wells score set a floor. The probabilistic level counts the summed
probability of the conditions whose usual care is at a level or above, so a dangerous cause
changes the advice before it is the most likely one.
"""

from __future__ import annotations

from dataclasses import replace

from calfcare.engine.caution import Cautious, cautious
from calfcare.engine.inference import Posterior
from calfcare.engine.types import Case, RuleHit, TriageDecision, WatchFor, WellsScore
from calfcare.kb.model_schema import WellsScore as WellsRule
from calfcare.kb.schema import AlarmRule, TriageLevel

LEVELS = list(TriageLevel)


def matching_rules(rules: tuple[AlarmRule, ...], case: Case) -> list[RuleHit]:
    """The rules whose findings are present, except those a normal test has released."""
    hits = []
    for rule in rules:
        if not all(case.present(f) for f in rule.when.all):
            continue
        if any(case.answers.get(f) == "absent" for f in rule.released_by):
            continue
        anys = [f for f in rule.when.any if case.present(f)]
        if rule.when.any and not anys:
            continue
        matched = tuple(rule.when.all) + tuple(anys)
        if rule.serious is not None:
            matched = tuple(f for f in matched if f in rule.serious)
        hits.append(
            RuleHit(
                rule_id=rule.id,
                min_level=rule.min_level,
                message=rule.message,
                findings=matched,
                suspect=tuple(rule.suspect),
            )
        )
    return hits


def wells_score(rule: WellsRule, case: Case, caution: Cautious) -> WellsScore | None:
    """Two-level Wells score (`model/wells.yaml`), once any examination item is known.

    "An alternative diagnosis at least as likely as DVT" is judged by the engine itself:
    the most likely other condition against DVT, from the answers without the Wells score,
    and only when that holds whichever way an "I don't know" would have gone.
    """
    if not any(case.answered(f) for f in rule.exam_items):
        return None
    items = tuple(f for f in rule.items if case.present(f))
    alternative = caution.dvt_always_outranked
    points = len(items) + (rule.alternative_points if alternative else 0)
    return WellsScore(
        points=points, items=items, alternative_as_likely=alternative, likely_from=rule.likely_from
    )


def probabilistic_level(caution: Cautious, thresholds: dict[TriageLevel, float]) -> TriageLevel:
    """The most urgent level whose conditions together reach its threshold.

    Present alarm findings are set aside here: they act on the level only through the
    safety rules, which can only raise it, so reporting one never lowers the advice. A "no"
    to an alarm question still counts (normal urine weighs against muscle breakdown).
    Unknown answers count in whichever way gives the higher level (`engine.caution`).
    """
    for level in reversed(LEVELS[1:]):
        if float(caution.masses[level.rank]) >= thresholds[level]:
            return level
    return TriageLevel.self_care


def watch_for(rules: tuple[AlarmRule, ...], case: Case, level: TriageLevel) -> tuple[WatchFor, ...]:
    """Unknown answers that, if they were "yes", would raise the level: what to watch for."""
    matched = {h.rule_id for h in matching_rules(rules, case)}
    out = []
    for finding, choice in case.answers.items():
        if choice != "unknown":
            continue
        if_present = replace(case, answers={**case.answers, finding: "present"})
        new = [h for h in matching_rules(rules, if_present) if h.rule_id not in matched]
        top = max(new, key=lambda h: h.min_level.rank, default=None)
        if top is not None and top.min_level.rank > level.rank:
            out.append(WatchFor(finding=finding, level=top.min_level, message=top.message))
    out.sort(key=lambda w: -w.level.rank)
    return tuple(out)


def triage(post: Posterior) -> TriageDecision:
    kb = post.model.kb
    case = post.case
    hits = matching_rules(kb.rules, case)
    caution = cautious(post.model, case, len(LEVELS))
    wells = wells_score(kb.wells, case, caution)
    if wells is not None and wells.likely:
        hits.append(
            RuleHit(
                rule_id=kb.wells.rule_id,
                min_level=kb.wells.min_level,
                message=kb.wells.message.format(points=wells.points).strip(),
                findings=wells.items,
                suspect=(kb.wells.condition,),
            )
        )
    prob_level = probabilistic_level(caution, kb.policy.triage.thresholds)
    floor = max((h.min_level for h in hits), key=lambda lv: lv.rank, default=prob_level)
    level = max(prob_level, floor, key=lambda lv: lv.rank)
    hits.sort(key=lambda h: -h.min_level.rank)
    return TriageDecision(
        level=level,
        probabilistic_level=prob_level,
        rule_hits=tuple(hits),
        wells=wells,
        watch_for=watch_for(kb.rules, case, level),
    )
