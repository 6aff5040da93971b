"""Cross-file integrity of the knowledge base (what `calfcare kb check` proves).

Schema validation happens on load; these checks prove that the files agree with each other
and with the case-format v1 contract: every id resolves, every reference exists, every
condition can be reached by the interview and every finding is asked by some question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_checks import check_rehab
from calfcare.kb.safety_checks import check_safety
from calfcare.kb.schema import ConditionGuide, Statement

#: Case format v1: the 23 condition ids and their usual level of care.
CONTRACT_CONDITIONS = {
    "exercise_associated_muscle_cramp": "self_care",
    "nocturnal_leg_cramps": "self_care",
    "calf_muscle_strain": "consultation",
    "calf_contusion": "self_care",
    "achilles_tendon_rupture": "emergency",
    "achilles_tendinopathy": "consultation",
    "deep_vein_thrombosis": "consultation_24",
    "superficial_thrombophlebitis": "consultation",
    "ruptured_bakers_cyst": "consultation_24",
    "acute_compartment_syndrome": "emergency",
    "chronic_exertional_compartment_syndrome": "consultation",
    "acute_limb_ischaemia": "emergency_ambulance",
    "peripheral_arterial_disease": "consultation",
    "popliteal_artery_entrapment": "consultation",
    "exertional_rhabdomyolysis": "emergency",
    "exercise_associated_hyponatremia": "emergency",
    "exertional_heat_illness": "emergency",
    "lumbar_radiculopathy": "consultation",
    "medication_induced_cramps": "consultation",
    "pregnancy_leg_cramps": "self_care",
    "cellulitis": "consultation_24",
    "tibial_stress_injury": "consultation",
    "secondary_cramps_systemic": "consultation",
}
CONTRACT_FINDING_COUNT = 99
#: A finding linked to a condition at least this strongly (against its background) lets the
#: interview reach that condition.
REACHING_RATIO = 3.0


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _guide_statements(g: ConditionGuide) -> Iterator[tuple[str, Statement]]:
    for name in ("causes", "complications", "do_now", "self_care", "treatment_later",
                 "prevention", "folk_remedies"):
        for i, st in enumerate(getattr(g, name)):
            yield f"{name}[{i}]", st


def _check_guides(kb: KnowledgeBase) -> Iterator[Problem]:
    for cid, usual in CONTRACT_CONDITIONS.items():
        if cid not in kb.guides:
            yield Problem(f"conditions/{cid}.yaml", "missing guide for a contract condition")
            continue
        if kb.guides[cid].usual_care.value != usual:
            yield Problem(f"conditions/{cid}.yaml",
                          f"usual_care must be {usual} (case format v1)")
    for cid, g in kb.guides.items():
        where = f"conditions/{cid}.yaml"
        cited = set(g.references)
        for loc, st in _guide_statements(g):
            for ref in st.references:
                cited.add(ref)
                if ref not in kb.references:
                    yield Problem(where, f"{loc} cites unknown reference '{ref}'")
        for i, sh in enumerate(g.seek_help):
            for ref in sh.references:
                if ref not in kb.references:
                    yield Problem(where, f"seek_help[{i}] cites unknown reference '{ref}'")
        for i, kit in enumerate(g.kit):
            if kit.product not in kb.products:
                yield Problem(where, f"kit[{i}] names unknown product '{kit.product}'")
            for ref in kit.references:
                if ref not in kb.references:
                    yield Problem(where, f"kit[{i}] cites unknown reference '{ref}'")
        for ref in g.references:
            if ref not in kb.references:
                yield Problem(where, f"references lists unknown reference '{ref}'")
        for rel in g.related:
            if rel not in kb.guides:
                yield Problem(where, f"related names unknown condition '{rel}'")
        if g.usual_care.value != "self_care" and not any(
                sh.level == g.usual_care for sh in g.seek_help):
            yield Problem(where, f"seek_help has no entry at its usual level {g.usual_care.value}")


def _check_model(kb: KnowledgeBase) -> Iterator[Problem]:
    if len(kb.findings) < CONTRACT_FINDING_COUNT:
        yield Problem("findings.yaml", f"has {len(kb.findings)} findings; the contract has "
                                       f"{CONTRACT_FINDING_COUNT}")
    for cid in kb.guides:
        if cid not in kb.priors:
            yield Problem("model/priors.yaml", f"no prior for condition '{cid}'")
    for cid in kb.priors:
        if cid not in kb.guides:
            yield Problem("model/priors.yaml", f"prior for unknown condition '{cid}'")
    for fid in kb.findings:
        if fid not in kb.backgrounds:
            yield Problem("model/backgrounds.csv", f"no background rate for finding '{fid}'")
    for fid, bg in kb.backgrounds.items():
        if fid not in kb.findings:
            yield Problem("model/backgrounds.csv", f"unknown finding '{fid}'")
        if not bg.note:
            yield Problem("model/backgrounds.csv", f"{fid}: needs a note: the figure behind the "
                                                   "number, or for an estimate the reasoning")
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
            yield Problem(where, "needs a note: the figure behind the number, or for an "
                                 "estimate the reasoning")
    for prior in kb.priors.values():
        if prior.basis != "estimate" and not prior.references:
            yield Problem("model/priors.yaml",
                          f"{prior.condition}: basis '{prior.basis}' needs a reference")
    for ref_owner, refs in _model_references(kb):
        for ref in refs:
            if ref not in kb.references:
                yield Problem(ref_owner, f"cites unknown reference '{ref}'")


def _model_references(kb: KnowledgeBase) -> Iterator[tuple[str, list[str]]]:
    for i, lk in enumerate(kb.likelihoods):
        yield f"model/likelihoods.csv row {i + 2}", lk.references
    for p in kb.priors.values():
        yield f"model/priors.yaml ({p.condition})", p.references
    for b in kb.backgrounds.values():
        yield f"model/backgrounds.csv ({b.finding})", b.references
    for r in kb.rules:
        yield f"alarm_rules.yaml ({r.id})", r.references
    for p2 in kb.products.values():
        yield f"products.yaml ({p2.id})", p2.evidence_summary.references


def _check_interview(kb: KnowledgeBase) -> Iterator[Problem]:
    asked: set[str] = set()
    for q in kb.questions:
        for item in q.items:
            if item.finding not in kb.findings:
                yield Problem(f"questions.yaml ({q.id})", f"unknown finding '{item.finding}'")
            asked.add(item.finding)
        for f in q.ask_if_any:
            if f not in kb.findings:
                yield Problem(f"questions.yaml ({q.id})", f"ask_if_any: unknown finding '{f}'")
    for fid in kb.findings:
        if fid not in asked:
            yield Problem("questions.yaml", f"finding '{fid}' is not asked by any question")
    for opt in kb.start_options:
        for f in opt.findings:
            if f not in kb.findings:
                yield Problem("questions.yaml (start_options)", f"unknown finding '{f}'")
    patient_asked = {f for f in asked if f in kb.findings and kb.findings[f].who == "patient"}
    for cid in kb.priors:
        reaching = [
            lk.finding for lk in kb.likelihoods
            if lk.condition == cid and lk.finding in patient_asked
            and lk.finding in kb.backgrounds
            and lk.p >= REACHING_RATIO * kb.backgrounds[lk.finding].p
        ]
        if not reaching:
            yield Problem("questions.yaml",
                          f"condition '{cid}' cannot be reached: no question asks a finding "
                          "that points strongly to it")
    for rule in kb.rules:
        for f in [*rule.when.all, *rule.when.any]:
            if f not in kb.findings:
                yield Problem(f"alarm_rules.yaml ({rule.id})", f"unknown finding '{f}'")
        for f in rule.serious or []:
            if f not in [*rule.when.all, *rule.when.any]:
                yield Problem(f"alarm_rules.yaml ({rule.id})",
                              f"serious lists '{f}', which the rule does not test")
        for c in rule.suspect:
            if c not in kb.priors:
                yield Problem(f"alarm_rules.yaml ({rule.id})", f"unknown condition '{c}'")


def _check_levels(kb: KnowledgeBase) -> Iterator[Problem]:
    from calfcare.kb.schema import TriageLevel

    for level in TriageLevel:
        if level.value not in kb.levels:
            yield Problem("levels.yaml", f"missing level '{level.value}'")
        if level not in kb.policy.triage.thresholds and level != TriageLevel.self_care:
            yield Problem("model/policy.yaml", f"no triage threshold for '{level.value}'")


def _check_diary(kb: KnowledgeBase) -> Iterator[Problem]:
    """Diary rules: every reference resolves, every estimate says why, thresholds agree."""
    where = "diary_rules.yaml"
    rules = kb.diary_rules
    owners: list[tuple[str, str, list[str], str | None]] = [
        (f"prompts ({p.id})", p.basis, p.references, p.note) for p in rules.prompts]
    factors = rules.factors
    owners += [
        ("factors.heat", factors.heat.basis, factors.heat.references, factors.heat.note),
        ("factors.without_fuel", factors.without_fuel.basis, factors.without_fuel.references,
         factors.without_fuel.note),
        ("factors.longer_or_harder", factors.longer_or_harder.basis,
         factors.longer_or_harder.references, factors.longer_or_harder.note),
    ]
    for owner, basis, refs, note in owners:
        for ref in refs:
            if ref not in kb.references:
                yield Problem(where, f"{owner} cites unknown reference '{ref}'")
        if basis == "estimate" and not (note and note.strip()):
            yield Problem(where, f"{owner}: basis 'estimate' needs a note saying where the "
                                 "number comes from")
    if factors.heat.humid_min_c > factors.heat.hot_c:
        yield Problem(where, "factors.heat: humid_min_c is above hot_c, so humidity never "
                             "matters")


def _check_rehab(kb: KnowledgeBase) -> Iterator[Problem]:
    for where, message in check_rehab(kb):
        yield Problem(where, message)


def check_kb(kb: KnowledgeBase) -> list[Problem]:
    """Every integrity problem of the knowledge base; an empty list means it is whole."""
    return [
        *(Problem(where, message) for where, message in check_safety(kb)),
        *_check_rehab(kb),
        *_check_guides(kb),
        *_check_model(kb),
        *_check_interview(kb),
        *_check_levels(kb),
        *_check_diary(kb),
    ]
