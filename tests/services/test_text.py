"""What both databases can store, numbers from text, and JSON read within bounds."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calfcare.errors import FormError
from calfcare.services.forms import FormReader
from calfcare.services.text import (
    JsonError,
    decimal_number,
    json_problem,
    load_json,
    shown,
    storable,
    text_problem,
    whole_number,
)

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "text", ["", "plain", "tab\there", "two\nlines\r\n", "émoji 🦵", "٤٠", "\u00a0", "\u0085"]
)
def test_text_people_type_is_storable(text: str) -> None:
    assert text_problem(text) is None
    assert storable(text) == text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a\x00b", "NUL"),
        ("\ud800", "surrogate"),
        ("x\udfff", "surrogate"),
        ("\x1b[31m", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x0b", "U+000B"),
    ],
)
def test_text_no_database_can_store_is_refused(text: str, words: str) -> None:
    problem = text_problem(text)
    assert problem is not None
    assert words in problem
    with pytest.raises(ValueError, match=re.escape(words)):
        storable(text)


def test_shown_text_can_always_be_written_as_utf8() -> None:
    assert shown("a\x00b\ud800") == "a\\x00b\\ud800"
    assert shown("x" * 100) == "x" * 37 + "..."
    assert shown(10**5000) == "a number too long to show"
    shown("\ud800" * 100).encode("utf-8")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("40", 40),
        ("-7", -7),
        ("+7", 7),
        ("007", 7),
        ("0" * 5000 + "1", 1),
        ("999999999999999999", 999_999_999_999_999_999),
    ],
)
def test_whole_numbers_from_ascii_digits(text: str, number: int) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["²", "٤٠", "४", "1_0", " 1", "1.0", "0x10", "", "-", HUGE, "9999999999999999999", "1e3"],
)
def test_anything_else_is_not_a_whole_number(text: str) -> None:
    assert whole_number(text) is None


@pytest.mark.parametrize(
    ("text", "number"), [("1", 1.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0)]
)
def test_decimal_numbers(text: str, number: float) -> None:
    assert decimal_number(text) == number


@pytest.mark.parametrize("text", ["nan", "inf", "1e999", "٤٠", "1_0", HUGE, "1,5", "", "."])
def test_not_decimal_numbers(text: str) -> None:
    assert decimal_number(text) is None


@given(st.text())
def test_number_readers_never_raise(text: str) -> None:
    whole_number(text)
    decimal_number(text)
    text_problem(text)
    shown(text)


def test_load_json_reads_what_export_writes() -> None:
    doc = {"format": "x", "episodes": [{"severity": 6, "temperature_c": 21.5, "notes": "a\nb"}]}
    assert load_json(json.dumps(doc)) == doc
    assert load_json(json.dumps(doc).encode()) == doc


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "Expecting"),
        ('{"a": ' + HUGE + "}", "too large"),
        ('{"a": 9223372036854775808}', "too large"),
        ("[NaN]", "NaN"),
        ("[Infinity]", "Infinity"),
        ("[" * 50 + "]" * 50, "nested"),
        ("[" * 100_000 + "]" * 100_000, "nested"),
        (b"\xff\xfe\x00", ""),
    ],
)
def test_load_json_refuses_what_cannot_be_read_or_stored(text: str | bytes, words: str) -> None:
    with pytest.raises(JsonError, match=re.escape(words) if words else None):
        load_json(text)


def test_json_problem_names_the_place() -> None:
    assert json_problem({"evidence": [{"id": "calf_pain"}]}) is None
    assert json_problem({"evidence": [{"id": "calf\x00pain"}]}) == (
        "evidence[0].id",
        "Must not contain NUL characters.",
    )
    path, message = json_problem({"a": {"\ud800": 1}}) or ("", "")
    assert path == "a.\\ud800"
    assert "surrogate" in message
    assert json_problem({"a": float("nan")}) == ("a", "Must be a finite number.")
    assert json_problem([2**64]) == ("[0]", "Must be a number that fits in 64 bits.")
    deep: object = []
    for _ in range(40):
        deep = [deep]
    assert "nested" in (json_problem(deep) or ("", ""))[1]


# --- the form reader ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٤٠", HUGE, "-" + HUGE, "1_0", "1.5", "", True, 1.5])
def test_form_integers_are_ascii_digits_in_range(value: object) -> None:
    f = FormReader({"n": value}, ["n"])
    assert f.integer("n", 0, 100, "a whole number from 0 to 100") is None
    assert set(f.errors) == {"n"}


@pytest.mark.parametrize("value", ["٤٠", HUGE, "1_0", "nan", "1e999", 10**400, "inf"])
def test_form_numbers_are_ascii_and_finite(value: object) -> None:
    f = FormReader({"x": value}, ["x"])
    assert f.number("x", -1e9, 1e9, "a number") is None
    assert set(f.errors) == {"x"}


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\x01"])
@pytest.mark.parametrize("read", ["text", "integer", "choice", "moment"])
def test_unstorable_text_is_refused_in_every_kind_of_field(value: str, read: str) -> None:
    from datetime import UTC, datetime

    f = FormReader({"field": value}, ["field"], key=lambda n: f"row 2, {n}")
    {
        "text": lambda: f.text("field", 100),
        "integer": lambda: f.integer("field", 0, 10, "0 to 10"),
        "choice": lambda: f.choice("field", ["a"], "a"),
        "moment": lambda: f.moment("field", now=datetime.now(UTC), tz=UTC),
    }[read]()
    assert f.errors["row 2, field"].startswith("Must not contain")
    with pytest.raises(FormError) as info:
        f.done()
    str(info.value).encode("utf-8")


def test_unknown_field_names_are_shown_escaped() -> None:
    f = FormReader({"\ud800": 1, "a\x00": 2}, ["known"])
    assert set(f.errors) == {"\\ud800", "a\\x00"}


def test_messages_show_bad_values_escaped_and_short() -> None:
    f = FormReader({"leg": "\ud800" * 3, "n": HUGE}, ["leg", "n"])
    f.text("leg", 10)
    f.integer("n", 0, 10, "0 to 10")
    assert "surrogate" in f.errors["leg"]
    assert f.errors["n"] == "Must be 0 to 10 (got '" + "9" * 37 + "...')."
