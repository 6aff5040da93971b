"""Laying out the printable programme on A4: text, headings, lists and exercise drawings.

`Writer` keeps blocks whole across page breaks and draws each exercise with its drawing on the
left and its dose and key steps on the right; `handout.py` says what goes in the document.
The PDF's own creation date is fixed, so that the same programme renders to the same bytes.
The PDF core fonts cover Latin-1 only, so every text goes through `to_latin1` first (it and
the other words of the handout are in `pdf_text.py`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from fpdf import FPDF
from fpdf.drawing_primitives import Transform
from fpdf.enums import XPos, YPos
from fpdf.svg import SVGObject

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import Statement
from calfcare.services.rehab.pdf_text import Citations, dose_text, evidence_words, to_latin1
from calfcare.services.rehab.records import DoseItem

#: The PDF's creation date: fixed, so that two renders of the same input are identical.
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
FOOTER = (
    "calfcare \u2014 information, not a diagnosis. If your calf is swollen, hot, red or "
    "you are short of breath, get urgent help."
)
#: Width of an exercise drawing on the page, in mm (the drawings are 240 x 200 units).
FIGURE_WIDTH = 35.0
FIGURE_HEIGHT = FIGURE_WIDTH * 200 / 240
#: How many of an exercise's instructions the handout prints.
KEY_STEPS = 3
MARGIN = 15.0
INK = (33, 43, 50)
HEADING = (31, 58, 95)
MUTED = (76, 98, 114)


class _ScreenReaderTags(logging.Filter):
    """fpdf2 logs every SVG tag it skips; the drawings' <title> and <desc> are meant to be."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "<title>" not in message and "<desc>" not in message


logging.getLogger("fpdf.svg").addFilter(_ScreenReaderTags())


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


class Writer:
    """Lays out the handout on an `_Handout`, keeping blocks whole across page breaks."""

    def __init__(self, kb: KnowledgeBase, title: str) -> None:
        self.kb = kb
        self.cite = Citations()
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
            total += line.gap + line.size * 0.5 * len(_wrap(self.pdf, to_latin1(line.text), width))
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

    def heading(self, text: str, level: int = 1, section: bool = True, keep: float = 25) -> None:
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

    def para(
        self,
        text: str,
        size: float = 10,
        style: Literal["", "B", "I", "BI"] = "",
        muted: bool = False,
    ) -> None:
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
        return f"{st.text} ({evidence_words(st.evidence)}) {self.cite(st.references)}"

    # Drawings.
    def figure(self, exercise_id: str, x: float, y: float) -> bool:
        svg = self.kb.figures.get(exercise_id)
        if svg is None:
            return False
        with _DRAWING:  # a parsed drawing is shared between threads: place it under a lock
            drawing = _figure(svg)
            _, _, path = drawing.transform_to_rect_viewport(
                scale=1, width=FIGURE_WIDTH, height=FIGURE_HEIGHT, ignore_svg_top_attrs=True
            )
            placed = path.transform or Transform.identity()
            path.transform = placed @ Transform.translation(x, y)
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
        lines += [
            _Line(f"{n}. {step}", 9, gap=0.8 if n == 1 else 0.2)
            for n, step in enumerate(ex.instructions[:KEY_STEPS], 1)
        ]
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
