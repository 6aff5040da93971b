"""Text, numbers and JSON that both databases can store, checked where input comes in.

PostgreSQL refuses the NUL character in text (SQLite keeps it), and no database, page or
export can hold a lone surrogate (half of a UTF-16 pair, which a JSON `"\\ud800"` escape
produces), because it has no UTF-8. Other control characters are storable but are never typed
by a person and corrupt exports and terminals, so they are refused too, except tab and line
breaks. Every way in (the form readers, the API models, the interview state, the imports) asks
`text_problem`, so such text is refused with a message naming the field before anything is
saved or echoed back.

Numbers are read from ASCII digits only: `str.isdigit()` and `int()` also accept `²` (which
`int()` then refuses) and `٤٠`, and `int()` refuses more than 4,300 digits with a ValueError.
JSON is read by `load_json`, which bounds the nesting (the parser would otherwise exhaust the
stack) and the size of numbers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

#: NUL, the other C0 controls but tab, line feed and carriage return, DEL, and lone surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_WHOLE = re.compile(r"([-+]?)0*([0-9]+)", re.ASCII)
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
#: Digits of the largest whole number read from text: every range calfcare accepts is far
#: smaller, so a longer number is simply out of range.
MAX_DIGITS = 18
#: Characters of the longest decimal number read from text.
MAX_DECIMAL_CHARS = 40
#: The deepest nesting of lists and objects in JSON that calfcare reads (its own documents
#: are at most 6 deep).
MAX_JSON_DEPTH = 32
#: Whole numbers in JSON outside the 64-bit range are refused: no column holds them.
JSON_INT_RANGE = (-(2**63), 2**63 - 1)


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text on both databases, or None when it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "Must not contain NUL characters."
    if "\ud800" <= char <= "\udfff":
        return "Must not contain invalid characters (a lone UTF-16 surrogate)."
    return f"Must not contain control characters (U+{ord(char):04X})."


def storable(value: str) -> str:
    """`value` itself, or ValueError (for pydantic's AfterValidator on every text field)."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem.rstrip(".").replace("Must", "must", 1))
    return value


def shown(value: object, limit: int = 40) -> str:
    """`value` as text safe to put in a message: unstorable characters escaped, cut short."""
    text = value if isinstance(value, str) else _short_repr(value)
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return _UNSTORABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _short_repr(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # a whole number of more than 4,300 digits
        return "a number too long to show"


def whole_number(text: str) -> int | None:
    """The whole number written in `text` with ASCII digits and an optional sign, else None.

    None too when it has more than MAX_DIGITS significant digits: out of every range.
    """
    found = _WHOLE.fullmatch(text)
    if found is None or len(found.group(2)) > MAX_DIGITS:
        return None
    return int(found.group(1) + found.group(2))


def decimal_number(text: str) -> float | None:
    """The finite number written in `text` (ASCII digits, `.` and an exponent), else None."""
    if len(text) > MAX_DECIMAL_CHARS or _DECIMAL.fullmatch(text) is None:
        return None
    number = float(text)
    return number if math.isfinite(number) else None


class JsonError(ValueError):
    """JSON that cannot be read, or that holds what calfcare cannot store; says why."""


def _json_int(text: str) -> int:
    number = whole_number(text)
    if number is None or not JSON_INT_RANGE[0] <= number <= JSON_INT_RANGE[1]:
        raise JsonError(f"the number {shown(text, 24)} is too large")
    return number


def _json_constant(name: str) -> float:
    raise JsonError(f"{name} is not a number JSON allows")


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The value of a JSON document, or JsonError saying what is wrong and where.

    Refuses NaN and Infinity, whole numbers outside 64 bits, and nesting deeper than
    `max_depth`. Text is not checked here: `json_problem` names the place of bad text.
    """
    try:
        value = json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
    except RecursionError:
        raise JsonError(f"nested more than {max_depth} levels deep") from None
    except json.JSONDecodeError as exc:
        raise JsonError(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except UnicodeDecodeError:
        raise JsonError("not UTF-8 text") from None
    if _deeper_than(value, max_depth):
        path = next(path for path, depth, _ in _walk(value) if depth > max_depth)
        raise JsonError(f"nested more than {max_depth} levels deep (at {path})")
    return value


def _deeper_than(value: object, max_depth: int) -> bool:
    """Whether lists and objects nest deeper than `max_depth` (fast: no paths are built)."""
    stack: list[tuple[int, object]] = [(0, value)]
    while stack:
        depth, item = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth + 1 > max_depth and item:
                return True
            stack.extend((depth + 1, child) for child in item)
    return False


def json_problem(value: object, *, max_depth: int = MAX_JSON_DEPTH) -> tuple[str, str] | None:
    """(path, message) of the first thing in a parsed JSON value calfcare cannot store.

    Checks object keys and strings (`text_problem`), numbers (finite, 64-bit whole numbers)
    and the nesting. The path is written like `evidence[2].id`; "" is the value itself.
    """
    for path, depth, item in _walk(value):
        if depth > max_depth:
            return path, f"Must not be nested more than {max_depth} levels deep."
        problem = _scalar_problem(item)
        if problem is not None:
            return path, problem
    return None


def _scalar_problem(item: object) -> str | None:
    if isinstance(item, str):
        return text_problem(item)
    if isinstance(item, float) and not math.isfinite(item):
        return "Must be a finite number."
    if (
        isinstance(item, int)
        and not isinstance(item, bool)
        and not JSON_INT_RANGE[0] <= item <= JSON_INT_RANGE[1]
    ):
        return "Must be a number that fits in 64 bits."
    if item is not None and not isinstance(item, str | int | float | list | tuple | dict):
        return f"Must be a plain JSON value, not {type(item).__name__}."
    return None


def _walk(value: object) -> Iterator[tuple[str, int, object]]:
    """(path, depth, item) of every value inside `value` and of each object key, depth first.

    Iterative, so that depth itself cannot exhaust the stack. A key comes as a string whose
    path is its object's, with the key shown as a field name.
    """
    stack: list[tuple[str, int, object]] = [("", 0, value)]
    while stack:
        path, depth, item = stack.pop()
        yield path, depth, item
        if isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                name = f"{path}.{shown(key)}" if path else shown(key)
                yield name, depth + 1, key if isinstance(key, str) else str(key)
                stack.append((name, depth + 1, child))
        elif isinstance(item, list | tuple):
            stack.extend(
                (f"{path}[{i}]", depth + 1, child) for i, child in reversed(list(enumerate(item)))
            )
