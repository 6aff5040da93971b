"""One way to say a count with its noun, everywhere in rehab text: `1 day`, `2 days`."""

from __future__ import annotations

import pytest

from calfcare.engine.rehab import quantity
from calfcare.engine.rehab.words import number, plural
from tests.rehab_words import test_the_check_finds_what_it_should  # noqa: F401  (run here too)


@pytest.mark.parametrize(
    ("n", "noun", "said"),
    [
        (1, "day", "1 day"),
        (2, "day", "2 days"),
        (0, "day", "0 days"),
        (1.0, "minute", "1 minute"),
        (2.5, "minute", "2.5 minutes"),
        (1, "set", "1 set"),
        (10, "rep", "10 reps"),
        (1, "full session", "1 full session"),
        (3, "full session", "3 full sessions"),
        (2, "box", "2 boxes"),
        (2, "match", "2 matches"),
        (21, "day", "21 days"),
    ],
)
def test_a_count_agrees_with_its_noun(n: float, noun: str, said: str) -> None:
    assert quantity(n, noun) == said


def test_an_irregular_plural_can_be_given() -> None:
    assert quantity(1, "person", "people") == "1 person"
    assert quantity(4, "person", "people") == "4 people"


def test_whole_numbers_have_no_decimal_point() -> None:
    assert (number(3), number(3.0), number(2.5)) == ("3", "3", "2.5")
    assert plural("heel raise") == "heel raises"
