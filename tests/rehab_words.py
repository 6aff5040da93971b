"""A check that counts agree with their nouns in rehab text: "1 day" and "2 days", never
"1 days" or "3 day". The PDF, page and command-line tests run it on everything they render."""

from __future__ import annotations

import html
import re

#: The nouns rehab text counts.
NOUNS = (
    "day",
    "week",
    "month",
    "hour",
    "minute",
    "second",
    "session",
    "full session",
    "set",
    "rep",
    "raise",
    "hop",
    "run",
    "phase",
    "stage",
    "version",
    "exercise",
    "test",
    "point",
    "time",
    "hold",
    "step",
)
_NOUN = "|".join(sorted(NOUNS, key=len, reverse=True))
#: "1 days": a lone 1 (not 0.1, 2.1 or 21) before a plural.
ONE_WITH_PLURAL = re.compile(rf"(?<![\d.,])\b1 (?:{_NOUN})s\b")
#: "3 day": another whole number before a singular (not "3-day", not "3 days").
MANY_WITH_SINGULAR = re.compile(rf"(?<![\d.,])\b(?:0|[2-9]|[1-9]\d+) (?:{_NOUN})\b(?![-\w])")


def visible_text(page: str) -> str:
    """The words a reader sees on an HTML page: no tags, scripts or styles, entities read."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page)).strip()


def agreement_errors(text: str) -> list[str]:
    """Every count that disagrees with its noun, marked [like this] in a little of the text
    around it, in the order found."""
    flat = re.sub(r"\s+", " ", text)
    found = [m for pattern in (ONE_WITH_PLURAL, MANY_WITH_SINGULAR) for m in pattern.finditer(flat)]
    return [
        f"{flat[max(0, m.start() - 30) : m.start()]}[{m.group(0)}]{flat[m.end() : m.end() + 15]}"
        for m in sorted(found, key=lambda m: m.start())
    ]


def test_the_check_finds_what_it_should() -> None:
    found = agreement_errors("at least 1 days. 1 sessions, and 3\nday left")
    assert [e[e.index("[") + 1 : e.index("]")] for e in found] == ["1 days", "1 sessions", "3 day"]
    assert found[0] == "at least [1 days]. 1 sessions, a"
    fine = (
        "1 day, 2 days, 0 days, 21 days, 1 full session, 3 full sessions, 2.5 minutes, "
        "1 to 3 weeks, 1 of your last 3 sessions, a 3-day plan, Phase 1 of 6, 1 minute, "
        "1 set × 1 rep, 2 sets × 12 reps"
    )
    assert agreement_errors(fine) == []
    assert visible_text("<p>1 <b>day</b><script>var x = '1 days'</script> &amp; more</p>") == (
        "1 day & more"
    )
