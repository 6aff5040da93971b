"""A long tick-box question shown over a few screens, so that Continue is always in sight.

On a 390 x 844 phone a question of seven danger signs fills two screens: a person would have
to scroll to find Continue, and might press it before reading the last signs. So the page
shows the question in parts that each fit one phone screen, the heading repeated with "part 1
of 2". It stays one question for the interview: the answers of the parts already seen
travel in the interview state (`InterviewState.pending`) and reach the assessment together,
so the order of questions and their count are unchanged. Only a danger sign that calls for
an emergency ends a question early (`routes/assess.py`).

How much fits is measured in lines of text as the phone shows them (about 33 characters a
line in a choice, 20 in the heading); the numbers were set by measuring the pages at 390 x 844
and are checked there by `tests/browser/test_phone.py`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from calfcare.errors import RequestError

#: Characters in one line of a choice's label, and of the heading, on a 390 px screen.
CHOICE_LINE_CHARS = 33
HEADING_LINE_CHARS = 20
HINT_LINE_CHARS = 38
#: The lines a phone screen has for a question after the header, the Back link, the
#: progress bar, the "I don't know" box and Continue; a choice's box costs about one more.
SCREEN_LINES = 18.0
CHOICE_BOX_LINES = 1.3
HEADING_LINE_COST = 1.4
CHOICES = ("present", "absent", "unknown")
UNREADABLE = "the answers on this page could not be read; please start again"


def _lines(text: str, per_line: int) -> int:
    return max(1, math.ceil(len(text) / per_line))


def split_items(question: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The question's items in parts that each fit one phone screen, in their order.

    Parts are kept about the same size (3 and 4 rather than 6 and 1), so that no screen
    holds a lone leftover sign. A single (Yes/No) question is one part.
    """
    items: list[dict[str, Any]] = list(question["items"])
    if question["type"] == "single" or len(items) < 2:
        return [items]
    room = SCREEN_LINES - HEADING_LINE_COST * _lines(question["text"], HEADING_LINE_CHARS)
    room -= _lines(question.get("help") or "", HINT_LINE_CHARS)
    costs = [_lines(i["question"], CHOICE_LINE_CHARS) + CHOICE_BOX_LINES for i in items]
    count = max(1, math.ceil(sum(costs) / max(room, 1.0)))
    while True:
        parts = _greedy(items, costs, sum(costs) / count, room)
        if len(parts) <= count or count >= len(items):
            return parts
        count += 1


def _greedy(
    items: Sequence[dict[str, Any]], costs: Sequence[float], target: float, room: float
) -> list[list[dict[str, Any]]]:
    """Fill parts up to about `target` lines each, never past `room`."""
    parts: list[list[dict[str, Any]]] = [[]]
    used = 0.0
    for item, cost in zip(items, costs, strict=True):
        over_target = used + cost / 2 > target
        if parts[-1] and (over_target or used + cost > room):
            parts.append([])
            used = 0.0
        parts[-1].append(item)
        used += cost
    return parts


def check_pending(pending: Sequence[dict[str, str]], allowed: Sequence[str]) -> None:
    """A `RequestError` on `state` unless the answers carried from earlier parts are each
    for an item of the current question, once, with a known answer."""
    seen: set[str] = set()
    for answer in pending:
        fid = answer.get("id", "")
        if fid not in allowed or answer.get("choice_id") not in CHOICES or fid in seen:
            raise RequestError("state", UNREADABLE)
        seen.add(fid)
