"""A printable PDF of a rehabilitation programme, for the fridge door or the gym bag.

`programme_pdf` lays out one programme as one variant follows it: the plan in brief, what the
version means in plain words (the grade, the muscle and how to tell it), the pain rules, then
each phase with its exercises (drawing, dose and key steps) and the checks that end it, the kit
advice, when to see a professional, how to avoid another injury, and the references. A
clinician's adjustments replace the programme's doses when given.

A person's handout (`Personal`) also says who it is for, the day it was printed (the person's
own today, passed in by the caller: the services read no clock), the injured side and the
phase they are in. Without a person the handout says it is the general programme. The output
depends only on its input (see `pdf.py` for the layout).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from calfcare.engine.rehab import active_phases, quantity, threshold
from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Phase, Programme, Variant
from calfcare.services.rehab import store
from calfcare.services.rehab.catalogue import dose_items, plan_knowledge, programme, variant
from calfcare.services.rehab.clinician import plan_items
from calfcare.services.rehab.pdf import Writer
from calfcare.services.rehab.pdf_text import evidence_words, reference_text
from calfcare.services.rehab.records import DoseItem, plan_record

VERDICT_WORDS = {
    "helpful": "Helpful",
    "may_help": "May help",
    "not_needed": "Not needed",
    "avoid": "Avoid",
}
EVIDENCE_NOTE = (
    "Evidence levels: strong (systematic reviews or several good trials), moderate (one good "
    "trial or consistent studies), weak (small, laboratory or conflicting studies), expert "
    'opinion (guidelines and consensus without trials). "Estimate" marks a number that is '
    "our interim target, not a published value."
)
GENERIC = (
    "This is the general programme for this version, not a plan made for one person: it has "
    "no injured side, no dates and no current phase. To print your own plan, sign in and open "
    "My rehab."
)
SIDE_WORDS = {"left": "left calf", "right": "right calf"}


@dataclass(frozen=True)
class Personal:
    """Who a handout is for, and where they stand on the day it is printed.

    `printed_on` is the person's own today, in their time zone; `phase` is the id of the phase
    they are in, since `phase_started`.
    """

    name: str | None
    side: str
    printed_on: date
    phase: str
    phase_started: date | None = None


def day_words(day: date) -> str:
    """E.g. `5 November 2026`."""
    return f"{day.day} {day:%B %Y}"


def _criteria(w: Writer, phase: Phase, var: Variant) -> list[str]:
    out = []
    for c in phase.exit:
        need = threshold(c, phase, var)
        text = c.text
        if need != c.value:
            text += f" For your plan: at least {quantity(need, 'day')}."
        marks = evidence_words(c.evidence) + ("; estimate" if c.estimate else "")
        out.append(f"{text} ({marks}) {w.cite(c.references)}")
    return out


def _personal(w: Writer, person: Personal, phases: Sequence[Phase]) -> None:
    """Who the handout is for, the day it was printed, the side and the phase they are in."""
    index = next((i for i, p in enumerate(phases) if p.id == person.phase), None)
    if index is None:
        raise NotFoundError(f"This version has no phase '{person.phase}'.")
    if person.name:
        w.para(f"Prepared for: {person.name}", 11)
    w.para(f"Printed on: {day_words(person.printed_on)}", 11)
    w.para(f"Injured side: {SIDE_WORDS.get(person.side, person.side)}", 11)
    since = f", since {day_words(person.phase_started)}" if person.phase_started else ""
    w.para(
        f"Your phase now: phase {index + 1} of {len(phases)}, {phases[index].name}{since}.", 11, "B"
    )


def _version(w: Writer, prog: Programme, var: Variant) -> None:
    """The version in plain words: what its grade means, its muscle and how to tell it."""
    grade, muscle = prog.grade_guide(var.grade), prog.muscle(var.site)
    if grade is None and muscle is None:
        return
    w.heading("What this version means")
    items = [f"{grade.name}: {w.statement(grade.signs)}"] if grade else []
    if muscle is not None:
        items.append(f"{muscle.name}: {w.statement(muscle.signs)}")
        items.append(f"How to tell: {w.statement(muscle.how_to_tell)}")
    w.bullets(items)


def _summary(
    w: Writer, prog: Programme, var: Variant, person: Personal | None, phases: Sequence[Phase]
) -> None:
    w.heading(prog.name, level=0)
    w.para(var.label, 12, "B", muted=True)
    if person is not None:
        _personal(w, person, phases)
    else:
        w.para(GENERIC, 10, "B")
    w.para(prog.summary)
    w.para(f"Who it is for: {prog.audience}", 9.5, muted=True)
    _version(w, prog, var)
    w.heading("How long it usually takes")
    low, high = var.expected_days.low, var.expected_days.high
    w.para(
        f"Most people are back to full activity {low} to {high} days after the injury"
        + (" (estimate)." if var.estimate else "."),
        10,
        "B",
    )
    w.para(f"{var.expected_note} {w.cite(var.references)}", 9.5)
    w.para(
        "You move on by passing the checks at the end of each phase, not by the calendar. "
        f"This plan has {quantity(len(phases), 'phase')}.",
        9.5,
    )


def _pain_rules(w: Writer) -> None:
    kb = w.kb
    w.heading("Pain rules")
    w.bullets([w.statement(st) for st in kb.pain_model.statements])
    limit = (
        kb.levels[kb.pain_model.flag_level].label if kb.pain_model.flag_level in kb.levels else ""
    )
    w.para(
        "Stop the programme and have your calf checked if you notice any of these"
        + (f" ({limit})" if limit else "")
        + ":",
        10,
        "B",
    )
    w.bullets(list(kb.pain_model.flags.values()))


@dataclass(frozen=True)
class _Phase:
    phase: Phase
    number: int
    count: int
    items: Sequence[DoseItem]
    current: bool = False


def _phase(w: Writer, ph: _Phase, var: Variant) -> None:
    phase = ph.phase
    now = " (your phase now)" if ph.current else ""
    w.heading(f"Phase {ph.number} of {ph.count}: {phase.name}{now}")
    w.para(f"Goal: {phase.goal}")
    w.para(
        f"Pain limit during exercise: {phase.pain_ceiling} out of 10. Pain should "
        "settle by the next morning.",
        10,
        "B",
    )
    w.heading(
        "Exercises", level=2, section=False, keep=w.exercise_height(ph.items[0]) if ph.items else 25
    )
    for item in ph.items:
        w.exercise(item)
    if not ph.items:
        w.para("No exercises in this phase.", muted=True)
    w.heading(
        "Move on when" if ph.number < ph.count else "You have finished when", level=2, section=False
    )
    w.bullets(_criteria(w, phase, var))


def _kit(w: Writer, phases: Sequence[Phase]) -> None:
    kb = w.kb
    if not any(p.kit for p in phases):
        return
    w.heading("Kit, phase by phase")
    w.para(
        "Neutral advice on what may help. You do not need to buy anything to follow this plan.",
        9.5,
        muted=True,
    )
    for phase in phases:
        if not phase.kit:
            continue
        w.heading(phase.name, level=2, section=False)
        w.bullets(
            [
                f"{kb.products[k.product].name if k.product in kb.products else k.product}: "
                f"{VERDICT_WORDS[k.verdict]}. {k.text} ({evidence_words(k.evidence)}) "
                f"{w.cite(k.references)}"
                for k in phase.kit
            ]
        )


def _closing(w: Writer, prog: Programme) -> None:
    kb = w.kb
    w.heading("When to see a professional")
    w.bullets(
        [
            f"{kb.levels[sp.level].label if sp.level in kb.levels else sp.level}: {sp.when} "
            f"{w.cite(sp.references)}"
            for sp in prog.see_professional
        ]
    )
    w.heading("Avoiding another injury")
    w.bullets([w.statement(st) for st in prog.reinjury_prevention])
    w.heading("References")
    w.bullets([reference_text(kb, ref) for ref in w.cite.order], numbered=True, size=8.5)
    w.para(EVIDENCE_NOTE, 8, muted=True)


def _write(
    w: Writer,
    prog: Programme,
    var: Variant,
    person: Personal | None,
    adjustments: Mapping[str, Sequence[DoseItem]],
) -> None:
    phases = active_phases(prog, var)
    _summary(w, prog, var, person, phases)
    _pain_rules(w)
    for n, phase in enumerate(phases, 1):
        items = adjustments.get(phase.id)
        if items is None:
            items = dose_items(w.kb, phase, var)
        current = person is not None and person.phase == phase.id
        _phase(w, _Phase(phase, n, len(phases), items, current), var)
    _kit(w, phases)
    _closing(w, prog)


def programme_pdf(
    kb: KnowledgeBase,
    programme_id: str,
    variant_id: str,
    *,
    person: Personal | None = None,
    adjustments: Mapping[str, Sequence[DoseItem]] | None = None,
) -> bytes:
    """The programme as a printable PDF (A4), for one variant.

    With `person`, the handout is that person's: their name, the day printed, their side and
    their phase; without, it says it is the general programme. `adjustments` maps a phase id
    to the exercises and doses to print for that phase (a clinician's changes, e.g. from
    `rehab.plan_items`); other phases print the programme's own. Raises `NotFoundError` for an
    unknown programme, variant or phase.
    """
    prog = programme(kb, programme_id)
    var = variant(prog, variant_id)
    w = Writer(kb, f"{prog.name}: {var.label}")
    _write(w, prog, var, person, adjustments or {})
    return w.output()


@dataclass(frozen=True)
class PlanHandout:
    """The owner's plan as a PDF, and the programme and variant it prints."""

    programme: str
    variant: str
    pdf: bytes


def plan_handout(
    db: Session, *, owner_id: str, kb: KnowledgeBase, today: date, person_name: str | None = None
) -> PlanHandout:
    """The owner's active plan as a PDF, with their clinician's adjustments, printed on the
    owner's `today`. Raises `NotFoundError` without a plan, `ProgrammeChangedError` when its
    phase is gone from the programme."""
    row = store.active_row(db, owner_id)
    if row is None:
        raise NotFoundError(store.NO_PLAN)
    known = plan_knowledge(kb, row)
    plan = plan_record(row)
    person = Personal(person_name, plan.side, today, known.phase.id, plan.phase_started)
    pdf = programme_pdf(
        kb,
        known.programme.id,
        known.variant.id,
        person=person,
        adjustments=plan_items(db, owner_id=owner_id, kb=kb),
    )
    return PlanHandout(known.programme.id, known.variant.id, pdf)


def plan_pdf(
    db: Session, *, owner_id: str, kb: KnowledgeBase, today: date, person_name: str | None = None
) -> bytes:
    """The owner's active plan as a PDF, with their clinician's adjustments."""
    return plan_handout(db, owner_id=owner_id, kb=kb, today=today, person_name=person_name).pdf
