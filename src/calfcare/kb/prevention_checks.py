"""Cross-file checks of `kb/data/prevention/`: what `calfcare kb check` proves about it.

Every reference resolves, every exercise of the bedtime routine is in the library, the
carbohydrate bands follow one another without a gap and never give less for a longer session,
and the heat categories rise. The schema checks each record on its own; these check them
against each other and against the rest of the knowledge base.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from pydantic import BaseModel

from calfcare.kb.loader import KnowledgeBase

WHERE = "prevention"


def _references(node: object, path: str) -> Iterator[tuple[str, str]]:
    """Every (place, reference id) in a record, walking its fields."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name == "references" and isinstance(value, list):
                for ref in value:
                    yield path, ref
            else:
                yield from _references(value, f"{path}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _references(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _references(value, f"{path}[{i}]")


def _fuel(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    bands = kb.prevention.fuel.bands
    if bands[0].from_min != 0:
        yield f"{WHERE}/fuel.yaml", "the first band must start at 0 minutes"
    for i, (a, b) in enumerate(pairwise(bands)):
        if a.to_min != b.from_min:
            yield f"{WHERE}/fuel.yaml", f"bands[{i + 1}] must start where bands[{i}] ends"
        if b.low.value < a.high.value:
            yield f"{WHERE}/fuel.yaml", f"bands[{i + 1}] gives less than bands[{i}]"
    if bands[-1].to_min is not None:
        yield f"{WHERE}/fuel.yaml", "the last band must be open (no to_min)"


def _heat(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    cats = kb.prevention.heat.categories
    if cats[0].from_wbgt_c is not None:
        yield f"{WHERE}/heat.yaml", "the first category must have no lower edge"
    edges = [c.from_wbgt_c.value for c in cats[1:] if c.from_wbgt_c is not None]
    if len(edges) != len(cats) - 1 or edges != sorted(set(edges)):
        yield f"{WHERE}/heat.yaml", "categories after the first need rising lower edges"


def check_prevention(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """(where, message) for every problem of the prevention files."""
    for path, ref in _references(kb.prevention, WHERE):
        if ref not in kb.references:
            yield path, f"cites unknown reference '{ref}'"
    for ex in kb.prevention.night.routine:
        if ex not in kb.exercises:
            yield f"{WHERE}/night.yaml", f"routine names unknown exercise '{ex}'"
    rates = [b.max_rpe for b in kb.prevention.fluid.estimated_sweat_rates]
    if rates != sorted(set(rates)) or rates[-1] != 10:
        yield f"{WHERE}/fluid.yaml", "estimated_sweat_rates need rising max_rpe ending at 10"
    yield from _fuel(kb)
    yield from _heat(kb)
