"""Condition guides as people read them: lists, and one guide rendered as Markdown."""

from __future__ import annotations

from typing import Any

from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import ConditionGuide, EvidenceLevel, Reference, Statement
from calfcare.services.references import citation_text
from calfcare.services.text import shown

EVIDENCE_WORDS = {
    EvidenceLevel.strong: "strong evidence",
    EvidenceLevel.moderate: "moderate evidence",
    EvidenceLevel.weak: "weak evidence",
    EvidenceLevel.expert_opinion: "expert opinion",
    EvidenceLevel.no_evidence: "no good evidence",
}
#: The symbol beside a level of care, so that colour is never the only signal; the pages, the
#: printable summary and the terminal all use these.
CARE_SYMBOLS = {"non_urgent": "i", "urgent": "!", "immediate": "!!"}
#: What a screen reader hears before a level of care, in place of the symbol and the colour.
CARE_PREFIXES = {
    "non_urgent": "Non-urgent advice: ",
    "urgent": "Urgent advice: ",
    "immediate": "Immediate action required: ",
}


def evidence_words(level: str) -> str:
    """An evidence level id (`expert_opinion`) in the words a reader sees ("expert opinion")."""
    return EVIDENCE_WORDS[EvidenceLevel(level)]


SECTIONS = (
    ("causes", "Causes"),
    ("complications", "Complications"),
    ("do_now", "What to do now"),
    ("self_care", "Looking after yourself"),
    ("treatment_later", "What helps later"),
    ("prevention", "Prevention"),
    ("folk_remedies", "Popular remedies and what the evidence says"),
)


def list_guides(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "id": g.id,
            "common_name": g.common_name,
            "medical_name": g.medical_name,
            "usual_care": g.usual_care.value,
            "usual_care_label": kb.levels[g.usual_care.value].label,
            "summary": g.summary,
        }
        for g in sorted(kb.guides.values(), key=lambda g: g.common_name.lower())
    ]


def get_guide(condition_id: str, kb: KnowledgeBase) -> ConditionGuide:
    """One condition's guide; NotFoundError for an unknown id.

    The message says only what is missing: each caller (the command line, the API, a page)
    adds where the list of ids is found in its own terms.
    """
    try:
        return kb.guides[condition_id]
    except KeyError:
        raise NotFoundError(f"No condition called '{shown(condition_id)}'.") from None


def cite(ref: Reference) -> str:
    """A reference as readers see it, on one line (the format every page and print shares)."""
    return citation_text(ref)


def _statement_md(st: Statement, numbers: dict[str, int]) -> str:
    marks = ",".join(str(numbers[r]) for r in st.references if r in numbers)
    return f"- {st.text} *({EVIDENCE_WORDS[st.evidence]}; refs {marks})*"


def reference_order(g: ConditionGuide) -> list[str]:
    """Every reference a guide cites, in a stable order for numbering."""
    order: list[str] = []
    cited = [
        *g.references,
        *(r for _, sts in _statements(g) for st in sts for r in st.references),
        *(r for k in g.kit for r in k.references),
        *(r for sh in g.seek_help for r in sh.references),
    ]
    for ref in cited:
        if ref not in order:
            order.append(ref)
    return order


def search_guides(query: str, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Guides matching every word of `query`, best matches (names) first."""
    words = [w for w in query.lower().split() if w]
    scored = []
    for item in list_guides(kb):
        g = kb.guides[item["id"]]
        names = f"{g.common_name} {g.medical_name} {g.id.replace('_', ' ')}".lower()
        body = " ".join([g.summary, g.typical_story, *g.symptoms, *g.red_flags]).lower()
        if all(w in names or w in body for w in words):
            scored.append((-sum(w in names for w in words), item["common_name"].lower(), item))
    return [item for *_, item in sorted(scored, key=lambda t: (t[0], t[1]))]


def guide_markdown(condition_id: str, kb: KnowledgeBase) -> str:
    g = get_guide(condition_id, kb)
    order = reference_order(g)
    numbers = {r: i + 1 for i, r in enumerate(order)}
    out = [
        f"# {g.common_name}",
        f"*{g.medical_name}* — usual care: **{kb.levels[g.usual_care.value].label}**",
        "",
        g.summary,
        "",
        "## A typical story",
        g.typical_story,
        "",
        "## Symptoms",
    ]
    out += [f"- {s}" for s in g.symptoms]
    out += ["", "## What happens in the body", g.mechanism]
    for name, title in SECTIONS:
        sts = getattr(g, name)
        if sts:
            out += ["", f"## {title}"] + [_statement_md(st, numbers) for st in sts]
    if g.kit:
        out += ["", "## Kit"]
        for k in g.kit:
            product = kb.products[k.product].name if k.product in kb.products else k.product
            marks = ",".join(str(numbers.get(r, "?")) for r in k.references)
            out.append(
                f"- **{product}** ({k.verdict.replace('_', ' ')}): {k.text} "
                f"*({EVIDENCE_WORDS[k.evidence]}; refs {marks})*"
            )
    out += ["", "## When to get help"]
    for sh in g.seek_help:
        marks = ",".join(str(numbers.get(r, "?")) for r in sh.references)
        out.append(f"- **{kb.levels[sh.level.value].label}** if {sh.when} *(refs {marks})*")
    out += ["", "## Warning signs"] + [f"- {r}" for r in g.red_flags]
    if g.related:
        names = [kb.guides[r].common_name for r in g.related if r in kb.guides]
        out += ["", "## Related", ", ".join(names)]
    out += ["", "## References"]
    out += [f"{numbers[r]}. {cite(kb.references[r])}" for r in order if r in kb.references]
    return "\n".join(out)


def _statements(g: ConditionGuide) -> list[tuple[str, list[Statement]]]:
    return [(name, list(getattr(g, name))) for name, _ in SECTIONS]
