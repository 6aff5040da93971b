"""Cross-file integrity of the knowledge base (what `calfcare kb check` proves).

Schema validation happens on load; these checks prove that the files agree with each other
and with case format v1.1 (`contract.yaml`): every id resolves, every reference exists, every
condition can be reached by the interview and every finding is asked by some question. The
safety net, the rehabilitation files and the diary rules have checks of their own, gathered
here by `check_kb`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from calfcare.kb.interop_checks import check_interop
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.prevention_checks import check_prevention
from calfcare.kb.rehab_checks import check_rehab
from calfcare.kb.safety_checks import check_safety
from calfcare.kb.schema import ConditionGuide, Statement, TriageLevel

#: A finding linked to a condition at least this strongly (against its background) lets the
#: interview reach that condition.
REACHING_RATIO = 3.0
STATEMENT_LISTS = (
    "causes",
    "complications",
    "do_now",
    "self_care",
    "treatment_later",
    "prevention",
    "folk_remedies",
)


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def unknown_refs(
    kb: KnowledgeBase, where: str, owner: str, refs: Iterable[str]
) -> Iterator[Problem]:
    """A problem for every reference id that no references file defines."""
    for ref in refs:
        if ref not in kb.references:
            yield Problem(where, f"{owner} cites unknown reference '{ref}'")


def _guide_statements(g: ConditionGuide) -> Iterator[tuple[str, Statement]]:
    for name in STATEMENT_LISTS:
        for i, st in enumerate(getattr(g, name)):
            yield f"{name}[{i}]", st


# --- case format v1.1 -----------------------------------------------------------------------


def _check_contract(kb: KnowledgeBase) -> Iterator[Problem]:
    for cid, usual in kb.contract.conditions.items():
        where = f"conditions/{cid}.yaml"
        if cid not in kb.guides:
            yield Problem(where, "missing guide for a contract condition")
        elif kb.guides[cid].usual_care != usual:
            yield Problem(
                where, f"usual_care must be {usual.value} (case format {kb.contract.version})"
            )
    if len(kb.findings) < kb.contract.findings:
        yield Problem(
            "findings.yaml",
            f"has {len(kb.findings)} findings; case format "
            f"{kb.contract.version} has {kb.contract.findings}",
        )


# --- condition guides -----------------------------------------------------------------------


def _guide_refs(kb: KnowledgeBase, g: ConditionGuide) -> Iterator[Problem]:
    where = f"conditions/{g.id}.yaml"
    for loc, st in _guide_statements(g):
        yield from unknown_refs(kb, where, loc, st.references)
    for i, sh in enumerate(g.seek_help):
        yield from unknown_refs(kb, where, f"seek_help[{i}]", sh.references)
    for i, kit in enumerate(g.kit):
        if kit.product not in kb.products:
            yield Problem(where, f"kit[{i}] names unknown product '{kit.product}'")
        yield from unknown_refs(kb, where, f"kit[{i}]", kit.references)
    yield from unknown_refs(kb, where, "references", g.references)


def _check_guides(kb: KnowledgeBase) -> Iterator[Problem]:
    for g in kb.guides.values():
        where = f"conditions/{g.id}.yaml"
        yield from _guide_refs(kb, g)
        for rel in g.related:
            if rel not in kb.guides:
                yield Problem(where, f"related names unknown condition '{rel}'")
        if g.usual_care != TriageLevel.self_care and not any(
            sh.level == g.usual_care for sh in g.seek_help
        ):
            yield Problem(where, f"seek_help has no entry at its usual level {g.usual_care.value}")


# --- the probability model ------------------------------------------------------------------


def _check_coverage(kb: KnowledgeBase) -> Iterator[Problem]:
    """Every condition has a prior and every finding a background rate, and nothing else."""
    for cid in set(kb.guides) ^ set(kb.priors):
        yield Problem(
            "model/priors.yaml",
            f"no prior for condition '{cid}'"
            if cid in kb.guides
            else f"prior for unknown condition '{cid}'",
        )
    for fid in set(kb.findings) ^ set(kb.backgrounds):
        yield Problem(
            "model/backgrounds.csv",
            f"no background rate for finding '{fid}'"
            if fid in kb.findings
            else f"unknown finding '{fid}'",
        )
    for fid, bg in kb.backgrounds.items():
        if not bg.note:
            yield Problem(
                "model/backgrounds.csv",
                f"{fid}: needs a note: the figure behind the "
                "number, or for an estimate the reasoning",
            )
        yield from unknown_refs(kb, f"model/backgrounds.csv ({fid})", "row", bg.references)


def _check_likelihoods(kb: KnowledgeBase) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for i, lk in enumerate(kb.likelihoods):
        where = f"model/likelihoods.csv row {i + 2}"
        if lk.condition not in kb.priors:
            yield Problem(where, f"unknown condition '{lk.condition}'")
        if lk.finding not in kb.findings:
            yield Problem(where, f"unknown finding '{lk.finding}'")
        if (lk.condition, lk.finding) in seen:
            yield Problem(where, f"duplicate pair ({lk.condition}, {lk.finding})")
        seen.add((lk.condition, lk.finding))
        if lk.basis != "estimate" and not lk.references:
            yield Problem(where, f"basis '{lk.basis}' needs at least one reference")
        if not lk.note:
            yield Problem(
                where,
                "needs a note: the figure behind the number, or for an estimate the reasoning",
            )
        yield from unknown_refs(kb, where, "row", lk.references)


def _check_priors_and_scores(kb: KnowledgeBase) -> Iterator[Problem]:
    for prior in kb.priors.values():
        where = f"model/priors.yaml ({prior.condition})"
        if prior.basis != "estimate" and not prior.references:
            yield Problem(where, f"basis '{prior.basis}' needs a reference")
        yield from unknown_refs(kb, where, "prior", prior.references)
    wells = kb.wells
    for fid in {*wells.items, *wells.exam_items}:
        if fid not in kb.findings:
            yield Problem("model/wells.yaml", f"unknown finding '{fid}'")
    if not set(wells.exam_items) <= set(wells.items):
        yield Problem("model/wells.yaml", "every exam item must also be an item")
    if wells.condition not in kb.priors:
        yield Problem("model/wells.yaml", f"unknown condition '{wells.condition}'")
    yield from unknown_refs(kb, "model/wells.yaml", "the score", wells.references)
    for r in kb.rules:
        yield from unknown_refs(kb, f"alarm_rules.yaml ({r.id})", "rule", r.references)
    for p in kb.products.values():
        yield from unknown_refs(
            kb, f"products.yaml ({p.id})", "product", p.evidence_summary.references
        )


# --- the interview --------------------------------------------------------------------------


def _asked(kb: KnowledgeBase) -> set[str]:
    return {item.finding for q in kb.questions for item in q.items}


def _check_questions(kb: KnowledgeBase) -> Iterator[Problem]:
    for q in kb.questions:
        for f in [i.finding for i in q.items] + list(q.ask_if_any):
            if f not in kb.findings:
                yield Problem(f"questions.yaml ({q.id})", f"unknown finding '{f}'")
    asked = _asked(kb)
    for fid in kb.findings:
        if fid not in asked:
            yield Problem("questions.yaml", f"finding '{fid}' is not asked by any question")
    for opt in kb.start_options:
        for f in opt.findings:
            if f not in kb.findings:
                yield Problem("questions.yaml (start_options)", f"unknown finding '{f}'")


def _check_reachable(kb: KnowledgeBase) -> Iterator[Problem]:
    """Every condition has a patient question that points strongly to it."""
    patient_asked = {f for f in _asked(kb) if f in kb.findings and kb.findings[f].who == "patient"}
    for cid in kb.priors:
        if not any(
            lk.condition == cid
            and lk.finding in patient_asked
            and lk.finding in kb.backgrounds
            and lk.p >= REACHING_RATIO * kb.backgrounds[lk.finding].p
            for lk in kb.likelihoods
        ):
            yield Problem(
                "questions.yaml",
                f"condition '{cid}' cannot be reached: no question "
                "asks a finding that points strongly to it",
            )


def _check_rules(kb: KnowledgeBase) -> Iterator[Problem]:
    for rule in kb.rules:
        where = f"alarm_rules.yaml ({rule.id})"
        tested = [*rule.when.all, *rule.when.any]
        for f in tested:
            if f not in kb.findings:
                yield Problem(where, f"unknown finding '{f}'")
        for f in rule.serious or []:
            if f not in tested:
                yield Problem(where, f"serious lists '{f}', which the rule does not test")
        for c in rule.suspect:
            if c not in kb.priors:
                yield Problem(where, f"unknown condition '{c}'")


def _check_levels(kb: KnowledgeBase) -> Iterator[Problem]:
    for level in TriageLevel:
        if level.value not in kb.levels:
            yield Problem("levels.yaml", f"missing level '{level.value}'")
        if level not in kb.policy.triage.thresholds and level != TriageLevel.self_care:
            yield Problem("model/policy.yaml", f"no triage threshold for '{level.value}'")


# --- the diary ------------------------------------------------------------------------------


def _check_diary(kb: KnowledgeBase) -> Iterator[Problem]:
    """Diary rules: every reference resolves, every estimate says why, thresholds agree."""
    where = "diary_rules.yaml"
    rules = kb.diary_rules
    factors = rules.factors
    owners: list[tuple[str, str, list[str], str | None]] = [
        (f"prompts ({p.id})", p.basis, p.references, p.note) for p in rules.prompts
    ]
    owners += [
        (name, f.basis, f.references, f.note)
        for name, f in (
            ("factors.heat", factors.heat),
            ("factors.without_fuel", factors.without_fuel),
            ("factors.longer_or_harder", factors.longer_or_harder),
        )
    ]
    for owner, basis, refs, note in owners:
        yield from unknown_refs(kb, where, owner, refs)
        if basis == "estimate" and not (note and note.strip()):
            yield Problem(
                where, f"{owner}: basis 'estimate' needs a note saying where the number comes from"
            )
    if factors.heat.humid_min_c > factors.heat.hot_c:
        yield Problem(where, "factors.heat: humid_min_c is above hot_c, so humidity never matters")


def check_kb(kb: KnowledgeBase) -> list[Problem]:
    """Every integrity problem of the knowledge base; an empty list means it is whole."""
    return [
        *(Problem(where, message) for where, message in check_safety(kb)),
        *(Problem(where, message) for where, message in check_rehab(kb)),
        *(Problem(where, message) for where, message in check_prevention(kb)),
        *(Problem(where, message) for where, message in check_interop(kb)),
        *_check_contract(kb),
        *_check_guides(kb),
        *_check_coverage(kb),
        *_check_likelihoods(kb),
        *_check_priors_and_scores(kb),
        *_check_questions(kb),
        *_check_reachable(kb),
        *_check_rules(kb),
        *_check_levels(kb),
        *_check_diary(kb),
    ]
