"""The words of the printable programme: plain Latin-1 text, doses, evidence and references.

The PDF core fonts cover Latin-1 only, so every text the layout (`pdf.py`) prints goes through
`to_latin1` first; the other helpers say a dose, an evidence level and a reference the same
way wherever the handout (`handout.py`) prints them, and number references as first cited.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from calfcare.engine.rehab import quantity
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import EvidenceLevel
from calfcare.services.guides import EVIDENCE_WORDS
from calfcare.services.references import citation_text
from calfcare.services.rehab.records import DoseItem

MEASURE_WORDS = {
    "reps": ("rep", "reps"),
    "seconds": ("second", "seconds"),
    "minutes": ("minute", "minutes"),
}

# --- text -----------------------------------------------------------------------------------

_PLAIN = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2022": "-",
    "\u2023": "-",
    "\u2043": "-",
    "\u25cf": "-",
    "\u25aa": "-",
    "\u2026": "...",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "not equal to",
    "\u2248": "about ",
    "\u223c": "~",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u2191": "up",
    "\u2193": "down",
    "\u2713": "yes",
    "\u2714": "yes",
    "\u2717": "no",
    "\u2718": "no",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2007": " ",
    "\u200b": "",
    "\u200d": "",
    "\ufeff": "",
    "\u0141": "L",
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
    "\u0152": "OE",
    "\u0153": "oe",
    "\u0126": "H",
    "\u0127": "h",
    "\u2122": "(TM)",
    "\u20ac": "EUR",
    "\u2030": " per thousand",
    "\u00a0": " ",
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
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", ch)
                if ord(c) < 256 and not unicodedata.combining(c)
            )
            out.append(base or "?")
    return "".join(out)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def dose_text(item: DoseItem) -> str:
    """E.g. `3 sets × 15 reps on each leg, twice a day, every day`."""
    one, many = MEASURE_WORDS.get(item.measure, (item.measure, item.measure))
    text = f"{quantity(item.sets, 'set')} \u00d7 {quantity(item.amount, one, many)}"
    if item.exercise.dose.each_side:
        text += " on each leg"
    days = (
        "every day" if item.days_per_week >= 7 else f"{quantity(item.days_per_week, 'day')} a week"
    )
    return f"{text}, {_times(item.per_day)} a day, {days}"


def evidence_words(level: EvidenceLevel) -> str:
    words = EVIDENCE_WORDS.get(level, str(level))
    return words[:1].upper() + words[1:]


# --- references -----------------------------------------------------------------------------


class Citations:
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


def reference_text(kb: KnowledgeBase, ref_id: str) -> str:
    ref = kb.references.get(ref_id)
    return ref_id if ref is None else citation_text(ref)
