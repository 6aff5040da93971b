"""Cross-file checks of the safety net, companion checks, re-checks and personal advice.

Part of `calfcare kb check`. They prove that every can't-miss condition has a rule-out line
and a red-flag rule, that its key findings rest on published accuracy figures, that every
danger sign can be asked again when the answer was "I don't know", and that safety messages
leave the timing to the level of care, so that the headline and the text never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_checks import figure_problems
from calfcare.kb.schema import TriageLevel

#: Words that state how soon to act. The level of care says that; a message must not, or it
#: could contradict its own headline ("within 24 hours" above, "today" below).
TIMING = re.compile(
    r"\b(today|tonight|now|at once|straight away|immediately|right away|"
    r"same[- ]day|within \d+ hours?|urgent(ly)?)\b",
    re.IGNORECASE,
)
#: The timing words each level's own text may use; anything else contradicts its headline.
LEVEL_TIMING = {
    TriageLevel.emergency_ambulance: {
        "now",
        "at once",
        "straight away",
        "immediately",
        "right away",
    },
    TriageLevel.emergency: {"now", "at once", "straight away", "immediately", "right away"},
    TriageLevel.consultation_24: {"within 24 hours", "urgent", "urgently"},
    TriageLevel.consultation: set(),
    TriageLevel.self_care: set(),
}
#: Rules at or above this level are red-flag patterns whose findings may be re-checked.
RED_FLAG_LEVEL = TriageLevel.consultation_24

Problem = tuple[str, str]


def _cant_miss(kb: KnowledgeBase) -> Iterator[Problem]:
    where = "model/safety_net.yaml"
    for cid, guide in kb.guides.items():
        if guide.usual_care.rank >= RED_FLAG_LEVEL.rank and cid not in kb.safety_net:
            yield where, f"no entry for '{cid}', whose usual care is {guide.usual_care.value}"
    suspected = {c for r in kb.rules for c in r.suspect}
    for cid, entry in kb.safety_net.items():
        if cid not in kb.guides:
            yield where, f"unknown condition '{cid}'"
            continue
        if kb.guides[cid].usual_care.rank < RED_FLAG_LEVEL.rank:
            yield where, f"'{cid}' is not a can't-miss condition (usual care below same-day)"
        if cid not in suspected:
            yield "alarm_rules.yaml", f"no red-flag rule suspects the can't-miss '{cid}'"
        yield from _refs(kb, where, cid, entry.references)
        yield from _key_findings(kb, where, cid, entry.key_findings)


def _refs(kb: KnowledgeBase, where: str, owner: str, refs: list[str]) -> Iterator[Problem]:
    for ref in refs:
        if ref not in kb.references:
            yield where, f"{owner}: unknown reference '{ref}'"


def _key_findings(kb: KnowledgeBase, where: str, cid: str, keys: list[str]) -> Iterator[Problem]:
    """Each key finding rests on a likelihood with a published accuracy figure."""
    links = {lk.finding: lk for lk in kb.likelihoods if lk.condition == cid}
    for f in keys:
        lk = links.get(f)
        if lk is None:
            yield where, f"{cid}: key finding '{f}' has no likelihood for the condition"
        elif lk.basis == "estimate" or not lk.references or not lk.note:
            yield (
                where,
                (
                    f"{cid}: key finding '{f}' must cite a published accuracy figure "
                    "(basis study or derived, a reference and a note)"
                ),
            )


def _companions(kb: KnowledgeBase) -> Iterator[Problem]:
    where = "companion_checks.yaml"
    for cid, check in kb.companion_checks.items():
        if check.finding not in kb.findings:
            yield where, f"{cid}: unknown finding '{check.finding}'"
        elif kb.findings[check.finding].companion_check != cid:
            yield "findings.yaml", f"{check.finding}: companion_check should be '{cid}'"
        yield from _drawing(kb, where, cid, check.figure)
        yield from _refs(kb, where, cid, check.references)
    for f in kb.findings.values():
        if f.companion_check is not None and f.companion_check not in kb.companion_checks:
            yield "findings.yaml", f"{f.id}: unknown companion check '{f.companion_check}'"
    yield from _companion_questions(kb)


def _drawing(kb: KnowledgeBase, where: str, cid: str, figure: str) -> Iterator[Problem]:
    if figure not in kb.companion_figures:
        yield where, f"{cid}: no drawing figures/{figure}.svg"
        return
    for message in figure_problems(kb.companion_figures[figure]):
        yield f"figures/{figure}.svg", message


def _companion_questions(kb: KnowledgeBase) -> Iterator[Problem]:
    for q in kb.questions:
        if q.companion is None:
            continue
        asked = kb.companion_checks.get(q.companion)
        if asked is None:
            yield "questions.yaml", f"{q.id}: unknown companion check '{q.companion}'"
        elif [i.finding for i in q.items] != [asked.finding]:
            yield "questions.yaml", f"{q.id}: must ask exactly '{asked.finding}'"


def _rechecks(kb: KnowledgeBase) -> Iterator[Problem]:
    """Every danger sign a person can answer has a plainer wording or a companion check."""
    danger = {f.id for f in kb.findings.values() if f.alarm}
    for rule in kb.rules:
        if rule.min_level.rank >= RED_FLAG_LEVEL.rank:
            danger.update(rule.when.all)
            danger.update(rule.when.any)
    for fid in sorted(danger):
        f = kb.findings.get(fid)
        if f is not None and f.who == "patient" and f.recheck is None and f.companion_check is None:
            yield (
                "findings.yaml",
                (
                    f"{fid}: a danger sign needs a 'recheck' wording (asked "
                    'again after "I don\'t know")'
                ),
            )


def _rules(kb: KnowledgeBase) -> Iterator[Problem]:
    for rule in kb.rules:
        where = f"alarm_rules.yaml ({rule.id})"
        for f in rule.released_by:
            if f not in kb.findings:
                yield where, f"released_by: unknown finding '{f}'"
        match = TIMING.search(rule.message)
        if match:
            yield (
                where,
                (
                    f"message says '{match.group(0)}'; leave the timing to the level "
                    "of care so that the headline and the text agree"
                ),
            )


def _guide_timing(kb: KnowledgeBase) -> Iterator[Problem]:
    """ "When to get help" and "what to do now" say no other timing than their level's."""
    for cid, guide in kb.guides.items():
        where = f"conditions/{cid}.yaml"
        for i, sh in enumerate(guide.seek_help):
            for m in TIMING.finditer(sh.when):
                if m.group(0).lower() not in LEVEL_TIMING[sh.level]:
                    yield (
                        where,
                        (
                            f"seek_help[{i}] ({sh.level.value}) says '{m.group(0)}', "
                            "which contradicts its level's headline"
                        ),
                    )
        # "What to do now" may escalate ("if it spreads, within 24 hours") but never use a
        # timing that no headline uses ("today", "same day").
        allowed = {
            w
            for level, words in LEVEL_TIMING.items()
            if level.rank >= guide.usual_care.rank
            for w in words
        }
        for i, st in enumerate(guide.do_now):
            for m in TIMING.finditer(st.text):
                if m.group(0).lower() not in allowed:
                    yield (
                        where,
                        (
                            f"do_now[{i}] says '{m.group(0)}', which no headline at or "
                            f"above its usual care ({guide.usual_care.value}) uses"
                        ),
                    )


def _advice(kb: KnowledgeBase) -> Iterator[Problem]:
    for advice in kb.personal_advice:
        where = f"personal_advice.yaml ({advice.id})"
        for f in [*advice.when.all, *advice.when.any]:
            if f not in kb.findings:
                yield where, f"unknown finding '{f}'"
        for ref in advice.statement.references:
            if ref not in kb.references:
                yield where, f"unknown reference '{ref}'"


def check_safety(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _cant_miss(kb)
    yield from _companions(kb)
    yield from _rechecks(kb)
    yield from _rules(kb)
    yield from _guide_timing(kb)
    yield from _advice(kb)
