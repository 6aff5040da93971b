"""Numbers in words: a count with its noun agreeing (1 day, 2 days), for every rehab text.

The engine's reasons, the services' handout, the web pages (the `quantity` template filter)
and the command line all say a count this one way, so that no text reads "1 days".
"""

from __future__ import annotations


def plural(noun: str) -> str:
    """The plural of `noun` (its last word, so `full session` -> `full sessions`)."""
    head, _, last = noun.rpartition(" ")
    word = last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{head} {word}" if head else word


def number(n: float) -> str:
    """`3`, `2.5`: whole numbers without a decimal point."""
    return f"{n:.0f}" if float(n).is_integer() else f"{n:.1f}"


def quantity(n: float, noun: str, many: str | None = None) -> str:
    """`n` followed by `noun`, singular for exactly one and plural otherwise.

    `quantity(1, "day")` is `1 day`, `quantity(0, "day")` `0 days`, `quantity(2.5, "minute")`
    `2.5 minutes`; `many` gives a plural the rule would get wrong.
    """
    return f"{number(n)} {noun if n == 1 else (many or plural(noun))}"
