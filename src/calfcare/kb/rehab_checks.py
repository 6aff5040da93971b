"""Cross-file integrity of the rehabilitation knowledge (part of `calfcare kb check`).

Proves that every exercise has its own drawing and every drawing stays within the small,
safe subset of SVG that the web pages and the PDF handout both render; that programmes only
name exercises, products, conditions, phases and references that exist, and explain in plain
words every muscle (with how to tell it) and grade their versions name; that no phase
allows more pain than the shared pain-monitoring model, and every number of that model has
its source; that every test a person logs has its protocol and its sources; and that no id
a stored plan may hold has gone without a mapping to where its plans go.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_ids import ID_KINDS, by_grade, current_ids, not_sure_id
from calfcare.kb.rehab_schema import PAIN_MODEL_NUMBERS, Exercise, Programme, TestKind, TestProtocol

SVG_NS = "{http://www.w3.org/2000/svg}"
#: The SVG subset: drawable shapes and grouping only (no text, styles, scripts or links).
SVG_ELEMENTS = {
    "svg",
    "title",
    "desc",
    "g",
    "line",
    "polyline",
    "polygon",
    "path",
    "circle",
    "ellipse",
    "rect",
}
SVG_SHAPES = SVG_ELEMENTS - {"svg", "title", "desc", "g"}
#: Presentation and geometry attributes only: no style, class, link or event handler.
SVG_ATTRIBUTES = frozenset(
    {
        "viewBox",
        "width",
        "height",
        "role",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "d",
        "points",
        "transform",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "opacity",
        "fill-opacity",
        "stroke-opacity",
    }
)
MIN_SHAPES = 10
MAX_FIGURE_BYTES = 12_000


def _root_problems(root: ET.Element) -> list[str]:
    problems: list[str] = []
    if not root.get("viewBox"):
        problems.append("root <svg> needs a viewBox")
    children = list(root)
    if (
        len(children) < 2
        or children[0].tag != f"{SVG_NS}title"
        or children[1].tag != f"{SVG_NS}desc"
    ):
        problems.append("must start with <title> and <desc>")
    for part in children[:2] if len(children) >= 2 else []:
        if not (part.text or "").strip():
            problems.append(f"<{part.tag.removeprefix(SVG_NS)}> is empty")
    return problems


def _element_problems(root: ET.Element) -> tuple[list[str], int]:
    """Elements and attributes outside the subset, and how many shapes are drawn."""
    problems: list[str] = []
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
    return problems, shapes


def figure_problems(svg: str) -> list[str]:
    """What is wrong with one drawing, in words; empty when it is fine."""
    if len(svg.encode()) > MAX_FIGURE_BYTES:
        return [f"is larger than {MAX_FIGURE_BYTES} bytes"]
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        return [f"is not well-formed XML: {exc}"]
    if root.tag != f"{SVG_NS}svg":
        return ["root element must be <svg> in the SVG namespace"]
    elements, shapes = _element_problems(root)
    problems = _root_problems(root) + elements
    if shapes < MIN_SHAPES:
        problems.append(f"draws only {shapes} shapes; a figure needs at least {MIN_SHAPES}")
    return problems


def _choice_refs(p: Programme) -> Iterator[tuple[str, list[str]]]:
    """The references of the plain words that help a person choose their version."""
    for m in p.muscles:
        yield f"muscles ({m.site}) signs", m.signs.references
        yield f"muscles ({m.site}) how_to_tell", m.how_to_tell.references
    for g in p.grades:
        yield f"grades ({g.grade}) signs", g.signs.references
    if p.not_sure is not None:
        yield "not_sure why", p.not_sure.why.references


def _programme_refs(p: Programme) -> Iterator[tuple[str, list[str]]]:
    yield "references", p.references
    for i, v in enumerate(p.variants):
        yield f"variants[{i}] ({v.id})", v.references
    for i, sp in enumerate(p.see_professional):
        yield f"see_professional[{i}]", sp.references
    for i, st in enumerate(p.reinjury_prevention):
        yield f"reinjury_prevention[{i}]", st.references
    yield from _choice_refs(p)
    for ph in p.phases:
        for i, c in enumerate(ph.exit):
            yield f"phases ({ph.id}) exit[{i}]", c.references
        for i, st in enumerate(ph.advice):
            yield f"phases ({ph.id}) advice[{i}]", st.references
        for i, k in enumerate(ph.kit):
            yield f"phases ({ph.id}) kit[{i}]", k.references


def _unknown_refs(kb: KnowledgeBase, owner: str, refs: Iterable[str]) -> Iterator[str]:
    for ref in refs:
        if ref not in kb.references:
            yield f"{owner} cites unknown reference '{ref}'"


def _programme_names(kb: KnowledgeBase, p: Programme) -> Iterator[str]:
    """References, conditions, exercises and products the programme names."""
    for owner, refs in _programme_refs(p):
        yield from _unknown_refs(kb, owner, refs)
    for cid in p.for_conditions:
        if cid not in kb.guides:
            yield f"for_conditions names unknown condition '{cid}'"
    for ph in p.phases:
        for i, rx in enumerate(ph.exercises):
            if rx.exercise not in kb.exercises:
                yield f"phases ({ph.id}) exercises[{i}] names unknown exercise '{rx.exercise}'"
        for i, k in enumerate(ph.kit):
            if k.product not in kb.products:
                yield f"phases ({ph.id}) kit[{i}] names unknown product '{k.product}'"


def _programme_phases(kb: KnowledgeBase, p: Programme) -> Iterator[str]:
    phase_ids = [ph.id for ph in p.phases]
    if len(set(phase_ids)) != len(phase_ids):
        yield "phase ids must be unique"
    variant_ids = [v.id for v in p.variants]
    if len(set(variant_ids)) != len(variant_ids):
        yield "variant ids must be unique"
    for ph in p.phases:
        if ph.pain_ceiling > kb.pain_model.during_max:
            yield (
                f"phases ({ph.id}): pain_ceiling {ph.pain_ceiling} is above the pain "
                f"model's limit of {kb.pain_model.during_max}"
            )


def _programme_variants(p: Programme) -> Iterator[str]:
    phase_ids = [ph.id for ph in p.phases]
    for v in p.variants:
        for pid in [*v.min_days, *v.skip_phases]:
            if pid not in phase_ids:
                yield f"variants ({v.id}) names unknown phase '{pid}'"
        if len(set(v.skip_phases)) >= len(phase_ids) - 1:
            yield f"variants ({v.id}) skips too many phases"
        for ph in p.phases:
            fits = [rx for rx in ph.exercises if not rx.sites or v.site in rx.sites]
            if ph.id not in v.skip_phases and not fits:
                yield f"variants ({v.id}): phase '{ph.id}' has no exercise for it"


def _explained(kind: str, named: dict[str, str], explained: list[str]) -> Iterator[str]:
    """`named`: variant id -> the muscle or grade it names; `explained`: the entries of `kind`."""
    for item in sorted({x for x in explained if explained.count(x) > 1}):
        yield f"{kind}: '{item}' is explained twice"
    for vid, value in named.items():
        if value not in explained:
            yield (
                f"variants ({vid}) names the {kind.removesuffix('s')} '{value}', but {kind} has "
                "no entry for it: say in plain words what it is and how to tell"
            )
    for item in explained:
        if item not in named.values():
            yield f"{kind}: '{item}' is named by no variant"


def _programme_choices(p: Programme) -> Iterator[str]:
    """Every muscle and grade a variant names is explained once, and nothing else is."""
    yield from _explained(
        "muscles", {v.id: v.site for v in p.variants if v.site}, [m.site for m in p.muscles]
    )
    yield from _explained(
        "grades",
        {v.id: str(v.grade) for v in p.variants if v.grade},
        [str(g.grade) for g in p.grades],
    )


def _programme_not_sure(p: Programme) -> Iterator[str]:
    """Each grade whose versions differ by muscle has a safe "not sure" version, whose id is
    nobody else's."""
    for grade, group in by_grade(p).items():
        if len(group) < 2 or not any(v.site for v in group):
            continue
        if p.not_sure is None:
            yield "versions differ by muscle: not_sure must say which is the safe default and why"
            return
        if not any(v.site == p.not_sure.site for v in group):
            yield f"not_sure: no version of grade {grade} is for the '{p.not_sure.site}'"
        if not_sure_id(grade) in {v.id for v in p.variants}:
            yield f"variant id '{not_sure_id(grade)}' is kept for the 'not sure' choice"


def _check_programme(kb: KnowledgeBase, p: Programme) -> Iterator[tuple[str, str]]:
    where = f"rehab/programmes/{p.id}.yaml"
    for message in (
        *_programme_names(kb, p),
        *_programme_phases(kb, p),
        *_programme_variants(p),
        *_programme_choices(p),
        *_programme_not_sure(p),
    ):
        yield (where, message)


def _pain_model_problems(kb: KnowledgeBase) -> Iterator[str]:
    model = kb.pain_model
    for i, st in enumerate(model.statements):
        yield from _unknown_refs(kb, f"statements[{i}]", st.references)
    for name in PAIN_MODEL_NUMBERS:
        if name not in model.sources:
            yield f"{name} has no source: add it under sources"
    for name, source in model.sources.items():
        if name not in PAIN_MODEL_NUMBERS:
            yield f"sources names '{name}', which is not a number of the model"
        yield from _unknown_refs(kb, f"sources.{name}", source.references)
        if source.basis == "estimate" and not (source.note and source.note.strip()):
            yield (
                f"sources.{name}: basis 'estimate' needs a note saying where the number comes from"
            )


def _check_pain_model(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for message in _pain_model_problems(kb):
        yield ("rehab/pain_model.yaml", message)


def _protocol_problems(kb: KnowledgeBase, t: TestProtocol) -> Iterator[str]:
    if not t.evidence:
        yield "has no source: add a graded statement with its references under evidence"
    for i, st in enumerate(t.evidence):
        yield from _unknown_refs(kb, f"evidence[{i}]", st.references)
    names = [f.name for f in t.fields]
    if len(set(names)) != len(names):
        yield "a field is listed twice"
    sided = "injured" in names
    if sided != (t.unit is not None and t.max_value is not None):
        yield "give unit and max_value exactly when the test has an injured field"
    if "other" in names and not sided:
        yield "an other field needs an injured field"


def _check_tests(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    where = "rehab/tests.yaml"
    for kind in TestKind:
        if kind.value not in kb.rehab_tests:
            yield (where, f"no protocol for the test '{kind.value}'")
    for name, protocol in kb.rehab_tests.items():
        for message in _protocol_problems(kb, protocol):
            yield (where, f"{name}: {message}")


def _check_ids(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Every published id is still there or mapped; every mapping goes somewhere real."""
    published, renames = kb.rehab_ids.published, kb.rehab_ids.renames
    now = current_ids(kb.programmes, kb.exercises)
    for kind in ID_KINDS:
        listed: list[str] = getattr(published, kind)
        mapping: dict[str, str] = getattr(renames, kind)
        for ident in sorted(now[kind] - set(listed)):
            yield (
                "rehab/published_ids.yaml",
                f"{kind}: '{ident}' is not listed; add it (plans may store it)",
            )
        for ident in sorted(set(listed) - now[kind] - set(mapping)):
            if not _carried(kb, kind, ident):
                yield (
                    "rehab/published_ids.yaml",
                    f"{kind}: '{ident}' was published but is gone; say in renames.yaml "
                    "where its plans go",
                )
        for old, new in sorted(mapping.items()):
            if new not in now[kind]:
                yield ("rehab/renames.yaml", f"{kind}: '{old}' maps to unknown id '{new}'")
            elif not _same_home(kb, old, new):
                yield (
                    "rehab/renames.yaml",
                    f"{kind}: '{old}' maps to '{new}', outside the programme its plans now follow",
                )
            if old in now[kind]:
                yield (
                    "rehab/renames.yaml",
                    f"{kind}: '{old}' still exists; a mapping would hide it",
                )
            if old not in listed:
                yield ("rehab/renames.yaml", f"{kind}: '{old}' was never published")


def _same_home(kb: KnowledgeBase, old: str, new: str) -> bool:
    """A variant or phase maps into the programme its plans follow (ids without '/': yes)."""
    if "/" not in old:
        return True
    programme_id = old.partition("/")[0]
    home = (
        programme_id
        if programme_id in kb.programmes
        else kb.rehab_ids.renames.programmes.get(programme_id)
    )
    return new.partition("/")[0] == home


def _carried(kb: KnowledgeBase, kind: str, ident: str) -> bool:
    """A variant or phase whose programme was renamed and which kept its own id."""
    if kind not in ("variants", "phases"):
        return False
    programme_id, _, item = ident.partition("/")
    target = kb.rehab_ids.renames.programmes.get(programme_id)
    prog = kb.programmes.get(target or "")
    if prog is None:
        return False
    items = prog.variants if kind == "variants" else prog.phases
    return any(x.id == item for x in items)


def _exercise_problems(kb: KnowledgeBase, eid: str, ex: Exercise) -> Iterator[str]:
    yield from _unknown_refs(kb, "why", ex.why.references)
    for name, var in (("easier", ex.easier), ("harder", ex.harder)):
        if var is None or var.exercise is None:
            continue
        if var.exercise == eid:
            yield f"{name} points to the exercise itself"
        elif var.exercise not in kb.exercises:
            yield f"{name} names unknown exercise '{var.exercise}'"
    if eid not in kb.figures:
        yield f"has no drawing: add rehab/figures/{eid}.svg"


def _check_exercises(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for eid, ex in kb.exercises.items():
        for message in _exercise_problems(kb, eid, ex):
            yield (f"rehab/exercises/{eid}.yaml", message)
    for fid, svg in kb.figures.items():
        where = f"rehab/figures/{fid}.svg"
        if fid not in kb.exercises:
            yield (where, "belongs to no exercise")
        for message in figure_problems(svg):
            yield (where, message)


def check_rehab(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Every rehabilitation problem, as (file, message)."""
    yield from _check_exercises(kb)
    for p in kb.programmes.values():
        yield from _check_programme(kb, p)
    yield from _check_pain_model(kb)
    yield from _check_tests(kb)
    yield from _check_ids(kb)
