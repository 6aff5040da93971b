"""Reading submitted values (a web form, a CSV row, a JSON record, CLI options) field by field.

`FormReader` collects one message per bad field instead of stopping at the first, so a person
sees everything to fix at once, and `done()` raises `FormError` naming each field. Values may be
Python values or the strings of a form ("7", "true", "" for empty).

Text that no database could store (NUL, lone surrogates, control characters: see
`services/text.py`) is refused in every field, whatever the field's type, and values are
shown in messages with such characters escaped, so that a message can always be rendered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TypeVar

from calfcare.errors import FormError
from calfcare.services.text import decimal_number, shown, text_problem, whole_number

MAX_FUTURE = timedelta(hours=1)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)

T = TypeVar("T")

SLUG = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)


class FormReader:
    """Reads one record's fields, collecting a message for each bad one."""

    def __init__(
        self,
        values: Mapping[str, object],
        allowed: Iterable[str],
        key: Callable[[str], str] = lambda name: name,
    ) -> None:
        self.values = values
        self.key = key
        self.errors: dict[str, str] = {}
        self._refused: set[str] = set()
        allowed_set = set(allowed)
        for name, value in values.items():
            if name not in allowed_set:
                self.errors[key(shown(str(name)))] = "Unknown field."
            elif isinstance(value, str) and (problem := text_problem(value)) is not None:
                self.errors[key(name)] = problem
                self._refused.add(name)

    def _raw(self, name: str) -> object | None:
        if name in self._refused:
            return None  # its error is already recorded
        value = self.values.get(name)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def _error(self, name: str, message: str) -> None:
        """Record a field's error; the first one stands (refused text is reported first)."""
        self.errors.setdefault(self.key(name), message)

    def _fail(self, name: str, rule: str, value: object | None) -> None:
        if value is None:
            self._error(name, f"Required: {rule}.")
        else:
            self._error(name, f"Must be {rule} (got '{shown(value)}').")

    def integer(
        self, name: str, lo: int, hi: int, rule: str, *, required: bool = True
    ) -> int | None:
        value = self._raw(name)
        if value is None and not required:
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            number = whole_number(value)
        if number is None or not lo <= number <= hi:
            self._fail(name, rule, value)
            return None
        return number

    def number(
        self, name: str, lo: float, hi: float, rule: str, *, required: bool = False
    ) -> float | None:
        value = self._raw(name)
        if value is None and not required:
            return None
        number: float | None = None
        if isinstance(value, float):
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            number = float(value) if abs(value) <= 2**63 else None
        elif isinstance(value, str):
            number = decimal_number(value)
        if number is None or not math.isfinite(number) or not lo <= number <= hi:
            self._fail(name, rule, value)
            return None
        return number

    def choice(
        self, name: str, options: Sequence[str], rule: str, *, required: bool = True
    ) -> str | None:
        value = self._raw(name)
        if value is None and not required:
            return None
        if isinstance(value, str) and value.lower() in options:
            return value.lower()
        self._fail(name, rule, value)
        return None

    def text(self, name: str, max_len: int, *, default: str = "") -> str:
        value = self._raw(name)
        if value is None:
            return default
        if not isinstance(value, str):
            self._fail(name, f"text of at most {max_len} characters", value)
            return default
        if len(value) > max_len:
            self._error(name, f"Must be at most {max_len} characters (got {len(value)}).")
        return value

    def slug(self, name: str, max_len: int, rule: str, pattern: re.Pattern[str] = SLUG) -> str:
        value = self._raw(name)
        if isinstance(value, str) and len(value) <= max_len and pattern.fullmatch(value):
            return value
        self._fail(name, rule, value)
        return ""

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "yes", "y", "1", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "no", "n", "0", "off"):
            return False
        self._fail(name, "yes or no (true or false)", value)
        return default

    def moment(
        self, name: str, *, now: datetime, tz: tzinfo, required: bool = True
    ) -> datetime | None:
        value = self._raw(name)
        if value is None and not required:
            return None
        rule = "a date and time such as 2026-11-25T07:30 or 2026-11-25T07:30+01:00"
        moment: datetime | None = None
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
        if moment is None:
            self._fail(name, rule, value)
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        try:
            moment = moment.astimezone(UTC)
        except (OverflowError, ValueError):
            self._fail(name, rule, value)
            return None
        if moment < EARLIEST:
            self._error(name, "Must be in 1900 or later.")
            return None
        if moment > now + MAX_FUTURE:
            self._error(name, "Cannot be more than 1 hour in the future.")
            return None
        return moment

    def day(
        self, name: str, *, latest: date, earliest: date | None = None, required: bool = True
    ) -> date | None:
        """A calendar day (2026-11-25), not after `latest` nor before `earliest`."""
        value = self._raw(name)
        if value is None and not required:
            return None
        found: date | None = None
        if isinstance(value, datetime):
            found = value.date()
        elif isinstance(value, date):
            found = value
        elif isinstance(value, str):
            try:
                found = date.fromisoformat(value)
            except ValueError:
                found = None
        if found is None:
            self._fail(name, "a date such as 2026-11-25", value)
            return None
        if found > latest:
            self._error(name, f"Cannot be after {latest.isoformat()}.")
            return None
        if earliest is not None and found < earliest:
            self._error(name, f"Cannot be before {earliest.isoformat()}.")
            return None
        return found

    def done(self) -> None:
        if self.errors:
            raise FormError(self.errors)

    def checked(self, name: str, value: T | None) -> T:
        """A value read as required, after `done()`: the reader has already refused a missing
        or bad one, so this only narrows the type, and it still names the field (rather than
        an `assert`, which `python -O` removes) should a reading ever come back empty."""
        if value is None:
            raise FormError({self.key(name): "Required."})
        return value
