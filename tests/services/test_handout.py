"""The printable programme: every programme and variant renders, with its content, drawings,
footer and references; the output is reproducible and quick; text is made Latin-1 safe."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, date, datetime
from functools import cache

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from calfcare.engine.rehab import active_phases
from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services import accounts, rehab
from calfcare.services.rehab import handout, pdf_text
from calfcare.services.rehab.handout import Personal, programme_pdf
from calfcare.services.rehab.pdf import FIGURE_WIDTH, FOOTER, KEY_STEPS, _figure
from calfcare.services.rehab.pdf_text import to_latin1

KB = load_kb()
CASES = [
    (p.id, v.id) for p in sorted(KB.programmes.values(), key=lambda p: p.id) for v in p.variants
]
#: The scale of one exercise drawing in the page's content stream (drawings are 240 units wide).
FIGURE_SCALE = re.compile(
    rf"{re.escape(f'{FIGURE_WIDTH / 240:.4f}')} 0 0 {re.escape(f'{FIGURE_WIDTH / 240:.4f}')} "
    r"[\d.]+ [\d.]+ cm"
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _for(name: str, programme: str, variant: str) -> Personal:
    """A person on the first phase of the variant, printing on 25 November 2026."""
    prog = KB.programmes[programme]
    first = active_phases(prog, rehab.variant(prog, variant))[0]
    return Personal(name, "left", date(2026, 11, 25), first.id)


@cache
def _render(programme: str, variant: str) -> bytes:
    return programme_pdf(KB, programme, variant, person=_for("Alex Smith", programme, variant))


def _pages(pdf: bytes) -> list[str]:
    return [_flat(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _body(pages: list[str]) -> str:
    """The text of every page without the footers, joined, so that a paragraph broken by a
    page break reads as one."""
    footer = _flat(to_latin1(FOOTER))
    return " ".join(re.sub(r" ?Page \d+ of \d+$", "", p.replace(footer, "")).strip() for p in pages)


def _items(
    kb: KnowledgeBase, programme: str, variant: str
) -> dict[str, tuple[rehab.DoseItem, ...]]:
    prog = kb.programmes[programme]
    var = rehab.variant(prog, variant)
    return {ph.id: rehab.dose_items(kb, ph, var) for ph in active_phases(prog, var)}


# --- Latin-1 --------------------------------------------------------------------------------


def test_characters_outside_latin1_get_plain_equivalents() -> None:
    assert (
        to_latin1("pain ≤ 3 – not ≥ 5 — ‘ok’ “yes” • 3 × 10 → next…")
        == "pain <= 3 - not >= 5 - 'ok' \"yes\" - 3 × 10 -> next..."
    )
    assert to_latin1("Łukasz Wiśniewski, Dvořák") == "Lukasz Wisniewski, Dvorák"
    assert to_latin1("漢字 ok") == "?? ok"
    assert to_latin1("½ · °C ×, café, naïve, Müller") == "½ · °C ×, café, naïve, Müller"
    assert to_latin1("a\u202fb\u00a0c\u200bd") == "a b cd"
    assert to_latin1(FOOTER).startswith("calfcare - information, not a diagnosis.")


@pytest.mark.parametrize("text", ["Ankle pumps", "≤≥–—’“”•×→…☃", "Zoë ⅓ ﬁ ²"])
def test_the_result_always_encodes_as_latin1(text: str) -> None:
    to_latin1(text).encode("latin-1")


def test_dose_text_reads_naturally() -> None:
    item = _items(KB, *CASES[0])
    first = next(i for items in item.values() for i in items)
    text = pdf_text.dose_text(first)
    assert re.match(r"^\d+ sets? × \d+ (reps?|seconds?|minutes?)", text), text
    assert text.endswith(("every day", "a week"))


# --- content --------------------------------------------------------------------------------


@pytest.mark.parametrize(("programme", "variant"), CASES)
def test_every_programme_and_variant_renders_its_content(programme: str, variant: str) -> None:
    pdf = _render(programme, variant)
    assert pdf.startswith(b"%PDF-")
    pages = _pages(pdf)
    body = _body(pages)
    prog = KB.programmes[programme]
    var = rehab.variant(prog, variant)

    def has(text: str) -> bool:
        return _flat(to_latin1(text)) in body

    assert has(prog.name)
    assert has(var.label)
    assert has("Prepared for: Alex Smith")
    assert has(prog.summary)
    assert f"{var.expected_days.low} to {var.expected_days.high} days" in body
    if var.estimate:
        assert f"{var.expected_days.high} days after the injury (estimate)" in body
    for st in KB.pain_model.statements:
        assert has(st.text), st.text[:60]
    for flag in KB.pain_model.flags.values():
        assert has(flag)
    items = _items(KB, programme, variant)
    phases = active_phases(prog, var)
    for n, phase in enumerate(phases, 1):
        assert has(f"Phase {n} of {len(phases)}: {phase.name}")
        assert has(phase.goal)
        assert has(f"Pain limit during exercise: {phase.pain_ceiling} out of 10")
        for item in items[phase.id]:
            assert has(item.exercise.name), (phase.id, item.exercise.id)
            assert has(pdf_text.dose_text(item)), (phase.id, item.exercise.id)
            for step in item.exercise.instructions[:KEY_STEPS]:
                assert has(step), (phase.id, item.exercise.id)
        for criterion in phase.exit:
            assert has(criterion.text), (phase.id, criterion.kind)
    for sp in prog.see_professional:
        assert has(f"{KB.levels[sp.level].label}: {sp.when}")
    for st in prog.reinjury_prevention:
        assert has(st.text)
    for phase in phases:
        for kit in phase.kit:
            assert has(kit.text)
    # The warning footer and the page number on every page.
    footer = _flat(to_latin1(FOOTER))
    for number, page in enumerate(pages, 1):
        assert footer in page, number
        assert page.endswith(f"Page {number} of {len(pages)}"), page[-80:]


@pytest.mark.parametrize(("programme", "variant"), CASES)
def test_every_cited_reference_is_listed_in_order(programme: str, variant: str) -> None:
    body = _body(_pages(_render(programme, variant)))
    cited = [
        int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", body) for n in group.split(", ")
    ]
    assert cited, "no references cited"
    top = max(cited)
    assert sorted(set(cited)) == list(range(1, top + 1)), "numbers are given in order, no gaps"
    refs = body[body.rindex("References") :]
    for n in range(1, top + 1):
        assert re.search(rf"(^| ){n}\. \S", refs), n
    prog = KB.programmes[programme]
    for ref in prog.see_professional[0].references:
        assert _flat(to_latin1(KB.references[ref].title)) in refs


@pytest.mark.parametrize(("programme", "variant"), CASES)
def test_one_drawing_per_exercise(programme: str, variant: str) -> None:
    """fpdf2 draws the SVG figures as vector paths: one scaled drawing per exercise shown."""
    reader = PdfReader(io.BytesIO(_render(programme, variant)))
    drawings = 0
    for page in reader.pages:
        stream = page.get_contents()
        assert stream is not None
        content = stream.get_data().decode("latin-1")
        drawings += len(FIGURE_SCALE.findall(content))
    shown = [i for items in _items(KB, programme, variant).values() for i in items]
    assert drawings == sum(1 for i in shown if i.exercise.id in KB.figures)
    assert drawings == len(shown), "every exercise of the programme has a drawing"


def test_an_exercise_is_never_split_across_pages() -> None:
    """Each drawing's page also holds the exercise's name and its last key step."""
    programme, variant = max(CASES, key=lambda c: sum(len(v) for v in _items(KB, *c).values()))
    pages = _pages(_render(programme, variant))
    for items in _items(KB, programme, variant).values():
        for item in items:
            name = _flat(to_latin1(item.exercise.name))
            last = _flat(to_latin1(item.exercise.instructions[KEY_STEPS - 1]))
            assert any(name in p and last in p for p in pages), item.exercise.id


def test_adjustments_replace_the_programme_s_doses() -> None:
    programme, variant = "calf_strain", "grade2_soleus"
    items = _items(KB, programme, variant)
    phase = next(iter(items))
    first = items[phase][0]
    changed = rehab.DoseItem(
        exercise=first.exercise,
        sets=7,
        amount=42,
        per_day=1,
        days_per_week=5,
        load="a 4 kg backpack",
        note="Slower on the way down.",
        adjusted=True,
    )
    pdf = programme_pdf(KB, programme, variant, adjustments={phase: (changed, *items[phase][2:])})
    body = _body(_pages(pdf))
    assert pdf_text.dose_text(changed) in body
    assert "7 sets × 42" in body
    assert "Load: a 4 kg backpack" in body
    assert "Slower on the way down." in body
    assert "Adjusted by your clinician." in body
    assert "Prepared for" not in body
    # The left-out exercise (the phase's second) is not printed.
    reader = PdfReader(io.BytesIO(pdf))
    drawings = sum(
        len(FIGURE_SCALE.findall(p.get_contents().get_data().decode("latin-1")))
        for p in reader.pages
    )
    assert drawings == sum(len(v) for v in items.values()) - 1


def test_the_output_is_reproducible() -> None:
    zoe = _for("Zoë Ńowak", "calf_strain", "grade3_soleus")
    first = programme_pdf(KB, "calf_strain", "grade3_soleus", person=zoe)
    _figure.cache_clear()  # a freshly parsed drawing draws the same as a reused one
    second = programme_pdf(KB, "calf_strain", "grade3_soleus", person=zoe)
    assert first == second
    assert b"CreationDate" in first
    assert "Prepared for: Zoë Nowak" in _body(_pages(first))


def test_the_biggest_programme_renders_in_under_a_second() -> None:
    programme, variant = max(CASES, key=lambda c: sum(len(v) for v in _items(KB, *c).values()))
    programme_pdf(KB, programme, variant)  # drawings parsed once per process
    start = time.process_time()
    programme_pdf(KB, programme, variant, person=_for("Alex Smith", programme, variant))
    assert time.process_time() - start < 1.0


def test_unknown_programme_or_variant() -> None:
    with pytest.raises(NotFoundError):
        programme_pdf(KB, "no_such_programme", "x")
    with pytest.raises(NotFoundError):
        programme_pdf(KB, "calf_strain", "no_such_variant")


# --- a person's plan ------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def _person(db: Session, name: str, role: str = "person") -> str:
    return accounts.sign_up(
        db,
        email=f"{name.lower().replace(' ', '.')}@example.com",
        password="correct horse battery",
        display_name=name,
        role=role,
        units="metric",
        now=NOW,
    ).id


def test_a_plan_prints_with_the_clinician_s_adjustments(db: Session) -> None:
    person = _person(db, "Sam Lee")
    clinician = _person(db, "Dr Rivers", "clinician")
    code = accounts.create_link_code(db, person_id=person, now=NOW)
    accounts.link_with_code(db, clinician_id=clinician, code=code.value, now=NOW)
    with pytest.raises(NotFoundError):
        rehab.plan_items(db, owner_id=person, kb=KB)
    rehab.clinician_assign(
        db,
        clinician_id=clinician,
        person_id=person,
        values={
            "programme": "calf_strain",
            "variant": "grade2_soleus",
            "side": "left",
            "injury_day": "2026-11-20",
        },
        today=TODAY,
        kb=KB,
    )
    items = _items(KB, "calf_strain", "grade2_soleus")
    phase = next(iter(items))
    target = items[phase][0].exercise.id
    rehab.clinician_adjust(
        db,
        clinician_id=clinician,
        person_id=person,
        values={
            "phase": phase,
            "exercise": target,
            "sets": "6",
            "amount": "25",
            "load": "light band",
        },
        kb=KB,
    )
    planned = rehab.plan_items(db, owner_id=person, kb=KB)
    assert list(planned) == list(items)
    first = planned[phase][0]
    assert (first.exercise.id, first.sets, first.amount, first.load, first.adjusted) == (
        target,
        6,
        25,
        "light band",
        True,
    )
    # Another person has no plan of their own: nothing of Sam's comes back.
    other = _person(db, "Kim Park")
    with pytest.raises(NotFoundError):
        rehab.plan_items(db, owner_id=other, kb=KB)
    pdf = handout.plan_pdf(db, owner_id=person, kb=KB, today=TODAY, person_name="Sam Lee")
    body = _body(_pages(pdf))
    assert "Prepared for: Sam Lee" in body
    assert pdf_text.dose_text(first) in body
    assert "Load: light band" in body
    assert "Adjusted by your clinician." in body
