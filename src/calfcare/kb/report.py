"""Figures and tables about the knowledge base, for the documentation and `kb check`.

The docs quote these numbers (counts, thresholds, the can't-miss table); they are generated
from here into marked blocks of the Markdown files, and a test fails when a block has
drifted, so the docs cannot silently disagree with the data.
"""

from __future__ import annotations

from collections import Counter

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import TriageLevel


def summary_line(kb: KnowledgeBase) -> str:
    """The one line `calfcare kb check` prints when the knowledge base is whole."""
    statements = sum(
        len(getattr(g, name)) for g in kb.guides.values()
        for name in ("causes", "complications", "do_now", "self_care", "treatment_later",
                     "prevention", "folk_remedies", "kit", "seek_help"))
    return (f"Knowledge base {kb.content_hash} is whole: {len(kb.guides)} conditions, "
            f"{len(kb.findings)} findings, {len(kb.questions)} questions, {len(kb.rules)} "
            f"alarm rules, {len(kb.likelihoods)} likelihoods, {statements} graded statements, "
            f"{len(kb.references)} references; {len(kb.exercises)} exercises with their "
            f"drawings, {len(kb.programmes)} rehabilitation programmes.")


def basis_counts(kb: KnowledgeBase) -> str:
    """Where the numbers of the model come from, in one paragraph."""
    lk = Counter(x.basis for x in kb.likelihoods)
    bg = Counter(x.basis for x in kb.backgrounds.values())
    pr = Counter(x.basis for x in kb.priors.values())
    cited = sum(bool(x.references) for x in kb.likelihoods)
    return (f"Of the {len(kb.likelihoods)} likelihoods, {lk['study']} come from a study, "
            f"{lk['derived']} are derived from published figures and {lk['estimate']} are "
            f"estimates; {cited} cite at least one source, and every one carries a note with "
            f"the figure or the reasoning behind it. Of the {len(kb.backgrounds)} background "
            f"rates, {bg['estimate']} are estimates; of the {len(kb.priors)} priors, "
            f"{pr['estimate']}. No record has been signed off by a clinician yet "
            f"(`reviewed_by` and `reviewed_on` are empty everywhere).")


def cant_miss_table(kb: KnowledgeBase) -> str:
    """The can't-miss conditions: usual care, rule-out line, links by basis, key findings."""
    rows = ["| Condition | Usual care | Rule-out line | Links | `estimate` | `study` | "
            "`derived` | Key findings with a published figure |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for cid, entry in sorted(kb.safety_net.items(),
                             key=lambda kv: (-kb.guides[kv[0]].usual_care.rank, kv[0])):
        links = [x for x in kb.likelihoods if x.condition == cid]
        count = Counter(x.basis for x in links)
        keys = ", ".join(f"`{f}`" for f in entry.key_findings) or "none (see `evidence_gap`)"
        rows.append(f"| `{cid}` | `{kb.guides[cid].usual_care.value}` | {entry.rule_out:g} | "
                    f"{len(links)} | {count['estimate']} | {count['study']} | "
                    f"{count['derived']} | {keys} |")
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
    parts = [f"{count[level]} `{level.value}`" for level in reversed(list(TriageLevel))
             if count[level]]
    return (f"The {len(kb.rules)} rules by level: " + ", ".join(parts) + ". A further rule, "
            "`wells_dvt_likely` (two-level Wells score of 2 or more: `consultation_24`), is "
            "computed from the Wells items.")


def blocks(kb: KnowledgeBase) -> dict[str, str]:
    """Every generated block of the docs, by name."""
    return {
        "kb-summary": f"```text\n$ calfcare kb check\n{summary_line(kb)}\n```",
        "kb-basis": basis_counts(kb),
        "cant-miss": cant_miss_table(kb),
        "policy": policy_table(kb),
        "rules-by-level": rules_by_level(kb),
    }
