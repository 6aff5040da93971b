"""Cross-file integrity of the rehabilitation knowledge (part of `calfcare kb check`).

Proves that every exercise has its own drawing and every drawing stays within the small,
safe subset of SVG that the web pages and the PDF handout both render; that programmes only
name exercises, products, conditions, phases and references that exist; and that no phase
allows more pain than the shared pain-monitoring model.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Programme

SVG_NS = "{http://www.w3.org/2000/svg}"
#: The SVG subset: drawable shapes and grouping only (no text, styles, scripts or links).
SVG_ELEMENTS = {"svg", "title", "desc", "g", "line", "polyline", "polygon", "path", "circle",
                "ellipse", "rect"}
SVG_SHAPES = SVG_ELEMENTS - {"svg", "title", "desc", "g"}
#: Presentation and geometry attributes only: no style, class, link or event handler.
SVG_ATTRIBUTES = frozenset({
    "viewBox", "width", "height", "role", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "rx", "ry", "d", "points", "transform", "fill", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "opacity", "fill-opacity",
    "stroke-opacity"})
MIN_SHAPES = 10
MAX_FIGURE_BYTES = 12_000


def figure_problems(svg: str) -> list[str]:
    """What is wrong with one drawing, in words; empty when it is fine."""
    if len(svg.encode()) > MAX_FIGURE_BYTES:
        return [f"is larger than {MAX_FIGURE_BYTES} bytes"]
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        return [f"is not well-formed XML: {exc}"]
    problems: list[str] = []
    if root.tag != f"{SVG_NS}svg":
        return ["root element must be <svg> in the SVG namespace"]
    if not root.get("viewBox"):
        problems.append("root <svg> needs a viewBox")
    children = list(root)
    if len(children) < 2 or children[0].tag != f"{SVG_NS}title" or \
            children[1].tag != f"{SVG_NS}desc":
        problems.append("must start with <title> and <desc>")
    for part in (children[:2] if len(children) >= 2 else []):
        if not (part.text or "").strip():
            problems.append(f"<{part.tag.removeprefix(SVG_NS)}> is empty")
    shapes = 0
    for el in root.iter():
        name = el.tag.removeprefix(SVG_NS)
        if name not in SVG_ELEMENTS or not el.tag.startswith(SVG_NS):
            problems.append(f"uses <{name}>, which is outside the allowed subset")
            continue
        bad = set(el.attrib) - SVG_ATTRIBUTES
        if bad:
            problems.append(f"<{name}> has attribute(s) {sorted(bad)}, which are not allowed")
        shapes += name in SVG_SHAPES
    if shapes < MIN_SHAPES:
        problems.append(f"draws only {shapes} shapes; a figure needs at least {MIN_SHAPES}")
    return problems


def _programme_refs(p: Programme) -> Iterator[tuple[str, list[str]]]:
    yield "references", p.references
    for i, v in enumerate(p.variants):
        yield f"variants[{i}] ({v.id})", v.references
    for i, sp in enumerate(p.see_professional):
        yield f"see_professional[{i}]", sp.references
    for i, st in enumerate(p.reinjury_prevention):
        yield f"reinjury_prevention[{i}]", st.references
    for ph in p.phases:
        for i, c in enumerate(ph.exit):
            yield f"phases ({ph.id}) exit[{i}]", c.references
        for i, st in enumerate(ph.advice):
            yield f"phases ({ph.id}) advice[{i}]", st.references
        for i, k in enumerate(ph.kit):
            yield f"phases ({ph.id}) kit[{i}]", k.references


def _check_programme(kb: KnowledgeBase, p: Programme) -> Iterator[tuple[str, str]]:
    where = f"rehab/programmes/{p.id}.yaml"
    for owner, refs in _programme_refs(p):
        for ref in refs:
            if ref not in kb.references:
                yield (where, f"{owner} cites unknown reference '{ref}'")
    for cid in p.for_conditions:
        if cid not in kb.guides:
            yield (where, f"for_conditions names unknown condition '{cid}'")
    phase_ids = [ph.id for ph in p.phases]
    if len(set(phase_ids)) != len(phase_ids):
        yield (where, "phase ids must be unique")
    variant_ids = [v.id for v in p.variants]
    if len(set(variant_ids)) != len(variant_ids):
        yield (where, "variant ids must be unique")
    for ph in p.phases:
        if ph.pain_ceiling > kb.pain_model.during_max:
            yield (where, f"phases ({ph.id}): pain_ceiling {ph.pain_ceiling} is above the "
                           f"pain model's limit of {kb.pain_model.during_max}")
        for i, rx in enumerate(ph.exercises):
            if rx.exercise not in kb.exercises:
                yield (where, f"phases ({ph.id}) exercises[{i}] names unknown exercise "
                               f"'{rx.exercise}'")
        for i, k in enumerate(ph.kit):
            if k.product not in kb.products:
                yield (where, f"phases ({ph.id}) kit[{i}] names unknown product '{k.product}'")
    for v in p.variants:
        for pid in [*v.min_days, *v.skip_phases]:
            if pid not in phase_ids:
                yield (where, f"variants ({v.id}) names unknown phase '{pid}'")
        if len(set(v.skip_phases)) >= len(phase_ids) - 1:
            yield (where, f"variants ({v.id}) skips too many phases")
        for ph in p.phases:
            if ph.id in v.skip_phases:
                continue
            fits = [rx for rx in ph.exercises if not rx.sites or v.site in rx.sites]
            if not fits:
                yield (where, f"variants ({v.id}): phase '{ph.id}' has no exercise for it")


def check_rehab(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Every rehabilitation problem, as (file, message)."""
    for eid, ex in kb.exercises.items():
        where = f"rehab/exercises/{eid}.yaml"
        for ref in ex.why.references:
            if ref not in kb.references:
                yield (where, f"why cites unknown reference '{ref}'")
        for name, var in (("easier", ex.easier), ("harder", ex.harder)):
            if var is not None and var.exercise is not None:
                if var.exercise == eid:
                    yield (where, f"{name} points to the exercise itself")
                elif var.exercise not in kb.exercises:
                    yield (where, f"{name} names unknown exercise '{var.exercise}'")
        if eid not in kb.figures:
            yield (where, f"has no drawing: add rehab/figures/{eid}.svg")
    for fid, svg in kb.figures.items():
        where = f"rehab/figures/{fid}.svg"
        if fid not in kb.exercises:
            yield (where, "belongs to no exercise")
        for message in figure_problems(svg):
            yield (where, message)
    for p in kb.programmes.values():
        yield from _check_programme(kb, p)
    for i, st in enumerate(kb.pain_model.statements):
        for ref in st.references:
            if ref not in kb.references:
                yield ("rehab/pain_model.yaml", f"statements[{i}] cites unknown reference '{ref}'")
