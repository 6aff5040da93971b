"""Cross-file checks of the confirmed terminology codes (`interop/codes.yaml`).

Every code must name a source that the references files define, every condition must exist,
and a condition or observation may hold one code per terminology, so that an export never has
to choose between two codes for the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator

from calfcare.kb.interop_schema import ConfirmedCode
from calfcare.kb.loader import KnowledgeBase

WHERE = "interop/codes.yaml"
#: What the exports code; a key outside this list would never be used.
OBSERVATIONS = ("pain_severity", "exercise_activity", "exercise_duration", "heart_rate_max")


def _sources(kb: KnowledgeBase, owner: str, code: ConfirmedCode) -> Iterator[tuple[str, str]]:
    for ref in code.references:
        if ref not in kb.references:
            yield WHERE, f"{owner} code {code.code} cites unknown reference '{ref}'"


def check_interop(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """(where, message) for every problem of the confirmed codes."""
    seen: set[str] = set()
    for entry in kb.interop.conditions:
        owner = f"condition {entry.condition}"
        if entry.condition not in kb.guides:
            yield WHERE, f"{owner} is not a condition of the knowledge base"
        if entry.condition in seen:
            yield WHERE, f"{owner} is listed twice"
        seen.add(entry.condition)
        systems = [c.system for c in entry.codes]
        if len(set(systems)) != len(systems):
            yield WHERE, f"{owner} has two codes of one terminology"
        for code in entry.codes:
            yield from _sources(kb, owner, code)
    for key, code in kb.interop.observations.items():
        if key not in OBSERVATIONS:
            yield (
                WHERE,
                f"observation '{key}' is not one calfcare exports ({', '.join(OBSERVATIONS)})",
            )
        yield from _sources(kb, f"observation {key}", code)
