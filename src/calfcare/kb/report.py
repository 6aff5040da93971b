"""Figures and tables about the knowledge base, for the documentation and `kb check`.

The docs quote these numbers (counts, thresholds, the can't-miss table); they are generated
from here into marked blocks of the Markdown files, and a test fails when a block has
drifted, so the docs cannot silently disagree with the data.
"""

from __future__ import annotations

from collections import Counter

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import TriageLevel, Unconfirmed


def summary_line(kb: KnowledgeBase) -> str:
    """The one line `calfcare kb check` prints when the knowledge base is whole."""
    statements = sum(
        len(getattr(g, name))
        for g in kb.guides.values()
        for name in (
            "causes",
            "complications",
            "do_now",
            "self_care",
            "treatment_later",
            "prevention",
            "folk_remedies",
            "kit",
            "seek_help",
        )
    )
    return (
        f"Knowledge base {kb.content_hash} is whole: {len(kb.guides)} conditions, "
        f"{len(kb.findings)} findings, {len(kb.questions)} questions, {len(kb.rules)} "
        f"alarm rules, {len(kb.likelihoods)} likelihoods, {statements} graded statements, "
        f"{len(kb.references)} references; {len(kb.exercises)} exercises with their "
        f"drawings, {len(kb.programmes)} rehabilitation programmes."
    )


def unconfirmed_identifiers(kb: KnowledgeBase) -> int:
    """How many references still lack a confirmed DOI, PMID or PMCID (the editors' to-do).

    A web page that has no such identifier (an NHS page, a guideline) is not counted: only a
    reference flagged `identifier` is, and readers get a search or a trial record for it.
    """
    return sum(1 for ref in kb.references.values() if Unconfirmed.identifier in ref.unconfirmed)


def editorial_line(kb: KnowledgeBase) -> str:
    """What `calfcare kb check` tells editors is still to confirm: the data loads without it,
    but readers get a search instead of a link until an identifier is found."""
    flagged = sum(1 for ref in kb.references.values() if ref.unconfirmed)
    return (
        f"For editors: {unconfirmed_identifiers(kb)} of {len(kb.references)} references have no "
        f"confirmed identifier (DOI, PMID or PMCID) and {flagged} have a part not yet "
        "confirmed; `calfcare kb references --unconfirmed` lists them."
    )


def basis_counts(kb: KnowledgeBase) -> str:
    """Where the numbers of the model come from, in one paragraph."""
    lk = Counter(x.basis for x in kb.likelihoods)
    bg = Counter(x.basis for x in kb.backgrounds.values())
    pr = Counter(x.basis for x in kb.priors.values())
    cited = sum(bool(x.references) for x in kb.likelihoods)
    return (
        f"Of the {len(kb.likelihoods)} likelihoods, {lk['study']} come from a study, "
        f"{lk['derived']} are derived from published figures and {lk['estimate']} are "
        f"estimates; {cited} cite at least one source, and every one carries a note with "
        f"the figure or the reasoning behind it. Of the {len(kb.backgrounds)} background "
        f"rates, {bg['estimate']} are estimates; of the {len(kb.priors)} priors, "
        f"{pr['estimate']}. No record has been signed off by a clinician yet "
        f"(`reviewed_by` and `reviewed_on` are empty everywhere)."
    )


def cant_miss_table(kb: KnowledgeBase) -> str:
    """The can't-miss conditions: usual care, rule-out line, links by basis, key findings."""
    rows = [
        "| Condition | Usual care | Rule-out line | Links | `estimate` | `study` | "
        "`derived` | Key findings with a published figure |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cid, entry in sorted(
        kb.safety_net.items(), key=lambda kv: (-kb.guides[kv[0]].usual_care.rank, kv[0])
    ):
        links = [x for x in kb.likelihoods if x.condition == cid]
        count = Counter(x.basis for x in links)
        keys = ", ".join(f"`{f}`" for f in entry.key_findings) or "none (see `evidence_gap`)"
        rows.append(
            f"| `{cid}` | `{kb.guides[cid].usual_care.value}` | {entry.rule_out:g} | "
            f"{len(links)} | {count['estimate']} | {count['study']} | "
            f"{count['derived']} | {keys} |"
        )
    return "\n".join(rows)


def policy_table(kb: KnowledgeBase) -> str:
    """The thresholds of `model/policy.yaml` as a table."""
    rows = ["| Key | Value |", "| --- | --- |"]
    for level, value in sorted(kb.policy.triage.thresholds.items(), key=lambda kv: -kv[0].rank):
        rows.append(f"| `triage.thresholds.{level.value}` | {value:g} |")
    for key, value in kb.policy.interview.model_dump().items():
        rows.append(f"| `interview.{key}` | {value:g} |")
    return "\n".join(rows)


def rules_by_level(kb: KnowledgeBase) -> str:
    count = Counter(r.min_level for r in kb.rules)
    parts = [
        f"{count[level]} `{level.value}`" for level in reversed(list(TriageLevel)) if count[level]
    ]
    wells = kb.wells
    return (
        f"The {len(kb.rules)} rules by level: " + ", ".join(parts) + ". A further rule, "
        f"`{wells.rule_id}` (two-level Wells score of {wells.likely_from} or more: "
        f"`{wells.min_level.value}`), is computed from the Wells items."
    )


def _ids(ids: list[str]) -> str:
    quoted = [f"`{i}`" for i in ids]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]


def wells_text(kb: KnowledgeBase) -> str:
    """The Wells score as `model/wells.yaml` defines it."""
    w = kb.wells
    others = [i for i in w.items if i not in w.exam_items]
    return (
        f"Once any of the {len(w.exam_items)} examination items ({_ids(w.exam_items)}) has an "
        f"answer, the engine computes the two-level Wells score (`model/wells.yaml`): one "
        f"point for each of the {len(w.items)} Wells items present (the examination items "
        f"plus {_ids(others)}), {w.alternative_points:+d} if another condition is at least as "
        f"likely as `{w.condition}` in calfcare's own posterior. A score of {w.likely_from} or "
        f"more adds the rule `{w.rule_id}` with a floor of `{w.min_level.value}`."
    )


def levels_table(kb: KnowledgeBase) -> str:
    """The levels of care, least to most urgent, as the API names them."""
    rows = ["| `triage_level` | `label` | `family` |", "| --- | --- | --- |"]
    rows += [
        f"| `{level.value}` | {kb.levels[level.value].label} | `{kb.levels[level.value].family}` |"
        for level in TriageLevel
    ]
    return "\n".join(rows)


def usual_care_table(kb: KnowledgeBase) -> str:
    """Each contract condition with its usual level of care (`contract.yaml`)."""
    rows = ["| Condition | Usual level of care |", "| --- | --- |"]
    rows += [f"| `{c}` | `{level.value}` |" for c, level in kb.contract.conditions.items()]
    return "\n".join(rows)


def blocks(kb: KnowledgeBase) -> dict[str, str]:
    """Every generated block of the docs, by name."""
    return {
        "kb-summary": (
            f"```text\n$ calfcare kb check\n{summary_line(kb)}\n{editorial_line(kb)}\n```"
        ),
        "kb-basis": basis_counts(kb),
        "cant-miss": cant_miss_table(kb),
        "policy": policy_table(kb),
        "rules-by-level": rules_by_level(kb),
        "wells": wells_text(kb),
        "levels": levels_table(kb),
        "usual-care": usual_care_table(kb),
    }
