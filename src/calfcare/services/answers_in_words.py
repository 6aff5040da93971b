"""The answers a person gave, in the words they read them: the question and the answer label.

The emergency page lists the answers that led to it, so that the person can show the
ambulance crew or the emergency department what they said; ids mean nothing to them. The
words come from the knowledge base (each finding's question) and the interview's answer
labels, never from the page.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from calfcare.kb.loader import KnowledgeBase
from calfcare.services.assessment import CHOICE_LABELS

EMERGENCY_LEVELS = frozenset({"emergency", "emergency_ambulance"})


def answers_in_words(
    kb: KnowledgeBase, evidence: Iterable[Mapping[str, str]], only: Collection[str] | None = None
) -> list[dict[str, str]]:
    """Each answered finding once (the last answer counts, as in the assessment), in the
    order first asked: `{"question": ..., "answer": ...}`. `only` keeps those findings."""
    last: dict[str, str] = {}
    for item in evidence:
        last[item["id"]] = item["choice_id"]
    return [
        {"question": kb.findings[fid].question, "answer": CHOICE_LABELS[choice]}
        for fid, choice in last.items()
        if (only is None or fid in only) and fid in kb.findings and choice in CHOICE_LABELS
    ]


def emergency_findings(triage: Mapping[str, Any]) -> list[str]:
    """The findings behind the rules that call for an emergency, each once, in rule order."""
    out: list[str] = []
    for reason in triage.get("extras", {}).get("reasons", []):
        if reason.get("min_level") in EMERGENCY_LEVELS:
            out += [f for f in reason.get("findings", []) if f not in out]
    return out
