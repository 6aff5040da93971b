"""A printable PDF of a rehabilitation programme, for the fridge door or the gym bag.

`programme_pdf` lays out one programme as one variant follows it: the plan in brief, the pain
rules, then each phase with its exercises (drawing, dose and key steps) and the checks that
end it, the kit advice, when to see a professional, how to avoid another injury, and the
references. A clinician's adjustments replace the programme's doses when given.

The output depends only on its input: no date is printed and the PDF's own creation date is
fixed, so that the same programme renders to the same bytes. The PDF core fonts cover
Latin-1 only, so every text goes through `to_latin1` first.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.svg import SVGObject
from sqlalchemy.orm import Session

from calfcare.engine.rehab import active_phases, threshold
from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Phase, Programme, Variant
from calfcare.kb.schema import EvidenceLevel, Statement
from calfcare.services import rehab
from calfcare.services.guides import EVIDENCE_WORDS
from calfcare.services.rehab import DoseItem

#: The PDF's creation date: fixed, so that two renders of the same input are identical.
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
FOOTER = ("calfcare \u2014 information, not a diagnosis. If your calf is swollen, hot, red or "
          "you are short of breath, get urgent help.")
#: Width of an exercise drawing on the page, in mm (the drawings are 240 x 200 units).
FIGURE_WIDTH = 35.0
FIGURE_HEIGHT = FIGURE_WIDTH * 200 / 240
#: How many of an exercise's instructions the handout prints.
KEY_STEPS = 3
MARGIN = 15.0
INK = (33, 43, 50)
HEADING = (31, 58, 95)
MUTED = (76, 98, 114)
VERDICT_WORDS = {"helpful": "Helpful", "may_help": "May help", "not_needed": "Not needed",
                 "avoid": "Avoid"}
MEASURE_WORDS = {"reps": ("rep", "reps"), "seconds": ("second", "seconds"),
                 "minutes": ("minute", "minutes")}



class _ScreenReaderTags(logging.Filter):
    """fpdf2 logs every SVG tag it skips; the drawings' <title> and <desc> are meant to be."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "<title>" not in message and "<desc>" not in message


logging.getLogger("fpdf.svg").addFilter(_ScreenReaderTags())

# --- text -----------------------------------------------------------------------------------

_PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u2022": "-", "\u2023": "-", "\u2043": "-", "\u25cf": "-", "\u25aa": "-",
    "\u2026": "...", "\u2264": "<=", "\u2265": ">=", "\u2260": "not equal to",
    "\u2248": "about ", "\u223c": "~", "\u2192": "->", "\u2190": "<-", "\u2194": "<->",
    "\u21d2": "=>", "\u2191": "up", "\u2193": "down", "\u2713": "yes", "\u2714": "yes",
    "\u2717": "no", "\u2718": "no", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    "\u2002": " ", "\u2003": " ", "\u2007": " ", "\u200b": "", "\u200d": "", "\ufeff": "",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i",
    "\u0152": "OE", "\u0153": "oe", "\u0126": "H", "\u0127": "h",
    "\u2122": "(TM)", "\u20ac": "EUR", "\u2030": " per thousand", "\u00a0": " ",
}


def to_latin1(text: str) -> str:
    """`text` with every character outside Latin-1 replaced by a plain equivalent.

    Typographic quotes and dashes become ' " and -, a bullet becomes -, ≤ and ≥ become <= and
    >=, an arrow becomes ->; accented letters outside Latin-1 lose their accent (ő -> o), and
    anything else left becomes ?.
    """
    out: list[str] = []
    for ch in text:
        if ch in _PLAIN:
            out.append(_PLAIN[ch])
        elif ord(ch) < 256:
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if ord(c) < 256 and not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def dose_text(item: DoseItem) -> str:
    """E.g. `3 sets × 15 reps on each leg, twice a day, every day`."""
    one, many = MEASURE_WORDS.get(item.measure, (item.measure, item.measure))
    text = (f"{item.sets} {'set' if item.sets == 1 else 'sets'} \u00d7 {item.amount} "
            f"{one if item.amount == 1 else many}")
    if item.exercise.dose.each_side:
        text += " on each leg"
    days = "every day" if item.days_per_week >= 7 else (
        f"{item.days_per_week} {'day' if item.days_per_week == 1 else 'days'} a week")
    return f"{text}, {_times(item.per_day)} a day, {days}"


def _evidence(level: EvidenceLevel) -> str:
    words = EVIDENCE_WORDS.get(level, str(level))
    return words[:1].upper() + words[1:]


# --- references -----------------------------------------------------------------------------

class _Citations:
    """Numbers references in the order the handout first cites them."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}

    def __call__(self, refs: Sequence[str]) -> str:
        numbers = []
        for ref in refs:
            if ref not in self.order:
                self.order[ref] = len(self.order) + 1
            numbers.append(self.order[ref])
        return "[" + ", ".join(str(n) for n in numbers) + "]" if numbers else ""


def _reference_text(kb: KnowledgeBase, ref_id: str) -> str:
    ref = kb.references.get(ref_id)
    if ref is None:
        return ref_id
    where = (f"doi:{ref.doi}" if ref.doi else f"PMID {ref.pmid}" if ref.pmid
             else ref.pmcid if ref.pmcid else ref.url or "")
    return f"{ref.authors} ({ref.year}). {ref.title}. {ref.journal}." + \
        (f" {where}" if where else "")


# --- drawings -------------------------------------------------------------------------------

_DRAWING = threading.Lock()


@lru_cache(maxsize=128)
def _figure(svg: str) -> SVGObject:
    """A drawing parsed once per process (parsing costs far more than drawing)."""
    return SVGObject(svg.encode())


# --- the document ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    text: str
    size: float = 10
    style: Literal["", "B", "I", "BI"] = ""
    gap: float = 0.0  # space above, mm
    muted: bool = False


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` broken into lines that fit `width` mm in the current font.

    fpdf2's own line breaking measures each line again for every character, which is far too
    slow for a long handout; with the core fonts a line's width is the sum of its characters'
    widths, read here from the font's table.
    """
    widths: Mapping[str, float] = getattr(pdf.current_font, "cw")  # noqa: B009 (1/1000 em)
    scale = pdf.font_size_pt * 0.001 / pdf.k

    def measure(word: str) -> float:
        return sum(widths.get(c, 500) for c in word) * scale

    room = width - 2 * pdf.c_margin
    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            w = measure(word)
            while w > room:  # a word longer than the line (a long address): cut it
                cut = len(word)
                while cut > 1 and measure(word[:cut]) > room:
                    cut -= 1
                if line:
                    lines.append(line)
                lines.append(word[:cut])
                line, used = "", 0.0
                word = word[cut:]
                w = measure(word)
            if line and used + space + w > room:
                lines.append(line)
                line, used = "", 0.0
            line, used = (f"{line} {word}", used + space + w) if line else (word, w)
        lines.append(line)
    return lines


class _Handout(FPDF):
    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("helvetica", "", 7.5)
        self.set_text_color(*MUTED)
        for line in _wrap(self, to_latin1(FOOTER), self.epw):
            self.cell(0, 3.4, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 3.6, f"Page {self.page_no()} of {{nb}}", align="C")


class _Writer:
    """Lays out the handout on an `_Handout`, keeping blocks whole across page breaks."""

    def __init__(self, kb: KnowledgeBase, title: str) -> None:
        self.kb = kb
        self.cite = _Citations()
        pdf = _Handout(orientation="portrait", unit="mm", format="A4")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=20)
        pdf.set_creation_date(CREATED)
        pdf.set_title(to_latin1(title))
        pdf.set_author("calfcare")
        pdf.set_subject("A rehabilitation programme")
        pdf.set_creator("calfcare")
        pdf.set_lang("en")
        pdf.add_page()
        self.pdf = pdf

    # Text.
    def _font(self, line: _Line) -> None:
        self.pdf.set_font("helvetica", line.style, line.size)
        self.pdf.set_text_color(*(MUTED if line.muted else INK))

    def _height(self, lines: Sequence[_Line], width: float) -> float:
        total = 0.0
        for line in lines:
            self._font(line)
            total += line.gap + line.size * 0.5 * len(
                _wrap(self.pdf, to_latin1(line.text), width))
        return total

    def _draw(self, lines: Sequence[_Line], x: float, width: float) -> None:
        for line in lines:
            self._font(line)
            self.pdf.set_y(self.pdf.get_y() + line.gap)
            for text in _wrap(self.pdf, to_latin1(line.text), width):
                if self.pdf.get_y() + line.size * 0.5 > self.pdf.page_break_trigger:
                    self.pdf.add_page()
                    self._font(line)
                self.pdf.set_x(x)
                self.pdf.cell(width, line.size * 0.5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def room(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.pdf.get_y() + height > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def heading(self, text: str, level: int = 1, section: bool = True,
                keep: float = 25) -> None:
        """A heading, on a new page unless `keep` mm of what follows fit under it."""
        size = {0: 18.0, 1: 14.0, 2: 11.5}[level]
        self.room(size * 0.5 + 5 + keep)
        self.pdf.set_y(self.pdf.get_y() + (0 if level == 0 else 3 if level == 2 else 5))
        if section:
            self.pdf.start_section(to_latin1(text), level=max(0, level - 1))
        self.pdf.set_font("helvetica", "B", size)
        self.pdf.set_text_color(*HEADING)
        for line in _wrap(self.pdf, to_latin1(text), self.pdf.epw):
            self.pdf.cell(0, size * 0.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_y(self.pdf.get_y() + 1)

    def para(self, text: str, size: float = 10, style: Literal["", "B", "I", "BI"] = "",
             muted: bool = False) -> None:
        self._draw([_Line(text, size, style, muted=muted)], self.pdf.l_margin, self.pdf.epw)
        self.pdf.set_y(self.pdf.get_y() + 1.5)

    def bullets(self, items: Sequence[str], numbered: bool = False, size: float = 10) -> None:
        indent = 6.0
        for n, text in enumerate(items, 1):
            lines = [_Line(text, size)]
            self.room(min(self._height(lines, self.pdf.epw - indent), 40))
            y = self.pdf.get_y()
            self.pdf.set_font("helvetica", "", size)
            self.pdf.set_text_color(*INK)
            self.pdf.set_xy(self.pdf.l_margin, y)
            self.pdf.cell(indent, size * 0.5, f"{n}." if numbered else "-")
            self.pdf.set_xy(self.pdf.l_margin + indent, y)
            self._draw(lines, self.pdf.l_margin + indent, self.pdf.epw - indent)
            self.pdf.set_y(self.pdf.get_y() + 1.2)

    def statement(self, st: Statement) -> str:
        return f"{st.text} ({_evidence(st.evidence)}) {self.cite(st.references)}"

    # Drawings.
    def figure(self, exercise_id: str, x: float, y: float) -> bool:
        svg = self.kb.figures.get(exercise_id)
        if svg is None:
            return False
        with _DRAWING:  # a parsed drawing is shared between threads: place it under a lock
            drawing = _figure(svg)
            _, _, path = drawing.transform_to_rect_viewport(
                scale=1, width=FIGURE_WIDTH, height=FIGURE_HEIGHT, ignore_svg_top_attrs=True)
            assert path.transform is not None
            path.transform = path.transform @ type(path.transform).translation(x, y)
            old = (self.pdf.x, self.pdf.y)
            self.pdf.set_xy(0, 0)
            self.pdf.draw_path(path, copy=False)
            self.pdf.set_xy(*old)
        return True

    def _exercise_layout(self, item: DoseItem) -> tuple[list[_Line], bool, float, float]:
        """The exercise's lines, whether it has a drawing, and its text column (x, width)."""
        ex = item.exercise
        lines = [_Line(ex.name, 11, "B"), _Line(dose_text(item), 10)]
        if item.load:
            lines.append(_Line(f"Load: {item.load}", 10))
        if item.note:
            lines.append(_Line(item.note, 9, "I", gap=0.5))
        if item.adjusted:
            lines.append(_Line("Adjusted by your clinician.", 9, "B", gap=0.5))
        lines += [_Line(f"{n}. {step}", 9, gap=0.8 if n == 1 else 0.2)
                  for n, step in enumerate(ex.instructions[:KEY_STEPS], 1)]
        has_figure = ex.id in self.kb.figures
        indent = FIGURE_WIDTH + 5 if has_figure else 0
        return lines, has_figure, self.pdf.l_margin + indent, self.pdf.epw - indent

    def exercise_height(self, item: DoseItem) -> float:
        lines, has_figure, _, width = self._exercise_layout(item)
        return max(self._height(lines, width), FIGURE_HEIGHT if has_figure else 0) + 2

    def exercise(self, item: DoseItem) -> None:
        """One exercise: its drawing on the left, the words on the right, never split."""
        lines, has_figure, x, width = self._exercise_layout(item)
        self.room(self.exercise_height(item))
        top = self.pdf.get_y()
        if has_figure:
            self.figure(item.exercise.id, self.pdf.l_margin, top)
        self.pdf.set_y(top)
        self._draw(lines, x, width)
        self.pdf.set_y(max(self.pdf.get_y(), top + (FIGURE_HEIGHT if has_figure else 0)) + 4)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _criteria(w: _Writer, phase: Phase, var: Variant) -> list[str]:
    out = []
    for c in phase.exit:
        need = threshold(c, phase, var)
        text = c.text
        if need != c.value:
            text += f" For your plan: at least {need:.0f} days."
        marks = _evidence(c.evidence) + ("; estimate" if c.estimate else "")
        out.append(f"{text} ({marks}) {w.cite(c.references)}")
    return out


def _write(w: _Writer, prog: Programme, var: Variant, person_name: str | None,
           adjustments: Mapping[str, Sequence[DoseItem]]) -> None:
    kb = w.kb
    phases = active_phases(prog, var)
    w.heading(prog.name, level=0)
    w.para(var.label, 12, "B", muted=True)
    if person_name:
        w.para(f"Prepared for: {person_name}", 11)
    w.para(prog.summary)
    w.para(f"Who it is for: {prog.audience}", 9.5, muted=True)

    w.heading("How long it usually takes")
    low, high = var.expected_days.low, var.expected_days.high
    w.para(f"Most people are back to full activity {low} to {high} days after the injury"
           + (" (estimate)." if var.estimate else "."), 10, "B")
    w.para(f"{var.expected_note} {w.cite(var.references)}", 9.5)
    w.para("You move on by passing the checks at the end of each phase, not by the calendar. "
           f"This plan has {len(phases)} phases.", 9.5)

    w.heading("Pain rules")
    w.bullets([w.statement(st) for st in kb.pain_model.statements])
    limit = kb.levels[kb.pain_model.flag_level].label if \
        kb.pain_model.flag_level in kb.levels else ""
    w.para("Stop the programme and have your calf checked if you notice any of these"
           + (f" ({limit})" if limit else "") + ":", 10, "B")
    w.bullets(list(kb.pain_model.flags.values()))

    for n, phase in enumerate(phases, 1):
        w.heading(f"Phase {n} of {len(phases)}: {phase.name}")
        w.para(f"Goal: {phase.goal}")
        w.para(f"Pain limit during exercise: {phase.pain_ceiling} out of 10. Pain should "
               "settle by the next morning.", 10, "B")
        items = adjustments.get(phase.id)
        if items is None:
            items = rehab.dose_items(kb, phase, var)
        w.heading("Exercises", level=2, section=False,
                  keep=w.exercise_height(items[0]) if items else 25)
        for item in items:
            w.exercise(item)
        if not items:
            w.para("No exercises in this phase.", muted=True)
        w.heading("Move on when" if n < len(phases) else "You have finished when",
                  level=2, section=False)
        w.bullets(_criteria(w, phase, var))

    if any(p.kit for p in phases):
        w.heading("Kit, phase by phase")
        w.para("Neutral advice on what may help. You do not need to buy anything to follow "
               "this plan.", 9.5, muted=True)
        for phase in phases:
            if not phase.kit:
                continue
            w.heading(phase.name, level=2, section=False)
            w.bullets([
                f"{kb.products[k.product].name if k.product in kb.products else k.product}: "
                f"{VERDICT_WORDS[k.verdict]}. {k.text} ({_evidence(k.evidence)}) "
                f"{w.cite(k.references)}" for k in phase.kit])

    w.heading("When to see a professional")
    w.bullets([
        f"{kb.levels[sp.level].label if sp.level in kb.levels else sp.level}: {sp.when} "
        f"{w.cite(sp.references)}" for sp in prog.see_professional])

    w.heading("Avoiding another injury")
    w.bullets([w.statement(st) for st in prog.reinjury_prevention])

    w.heading("References")
    w.bullets([_reference_text(kb, ref) for ref in w.cite.order], numbered=True, size=8.5)
    w.para("Evidence levels: strong (systematic reviews or several good trials), moderate (one "
           "good trial or consistent studies), weak (small, laboratory or conflicting studies), "
           "expert opinion (guidelines and consensus without trials). \"Estimate\" marks a "
           "number that is our interim target, not a published value.", 8, muted=True)


def programme_pdf(kb: KnowledgeBase, programme_id: str, variant_id: str, *,
                  person_name: str | None = None,
                  adjustments: Mapping[str, Sequence[DoseItem]] | None = None) -> bytes:
    """The programme as a printable PDF (A4), for one variant.

    `adjustments` maps a phase id to the exercises and doses to print for that phase (a
    clinician's changes, e.g. from `rehab.plan_items`); other phases print the programme's own.
    Raises `NotFoundError` for an unknown programme or variant.
    """
    prog = rehab.programme(kb, programme_id)
    var = rehab.variant(prog, variant_id)
    w = _Writer(kb, f"{prog.name}: {var.label}")
    _write(w, prog, var, person_name, adjustments or {})
    return w.output()


def plan_pdf(db: Session, *, owner_id: str, kb: KnowledgeBase,
             person_name: str | None = None) -> bytes:
    """The owner's active plan as a PDF, with their clinician's adjustments."""
    plan = rehab.active_plan(db, owner_id=owner_id)
    if plan is None:
        raise NotFoundError("No active rehabilitation plan. Start one first.")
    return programme_pdf(kb, plan.programme, plan.variant, person_name=person_name,
                         adjustments=rehab.plan_items(db, owner_id=owner_id, kb=kb))


__all__ = ["FIGURE_WIDTH", "FOOTER", "dose_text", "plan_pdf", "programme_pdf",
           "to_latin1"]
