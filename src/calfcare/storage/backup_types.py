"""How each column type travels in a backup file, chosen from the SQLAlchemy column type.

A value leaves the database through `encode` as plain JSON and comes back through `decode`,
which also refuses anything that SQLite or PostgreSQL could not store, so that a file taken
from either database restores into the other. A column whose type has no codec here makes
the backup fail loudly instead of writing something a restore would get wrong.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import types as sa


class BackupError(Exception):
    """The backup cannot be written, or the file cannot be restored into this database."""


class BadValueError(ValueError):
    """A value that cannot go into its column; the message says why, for a person."""


@dataclass(frozen=True)
class Codec:
    """Turns one column's values into JSON and back (`decode` validates as it goes)."""

    encode: Callable[[Any, Any], Any]
    decode: Callable[[Any, Any], Any]


def check_text(value: str) -> str:
    """Refuse text that one of the two databases cannot store."""
    if "\x00" in value:
        at = value.index("\x00")
        raise BadValueError(
            f"contains a NUL character (U+0000) at position {at + 1}, which PostgreSQL cannot store"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadValueError(
            f"contains a lone surrogate (U+{ord(value[exc.start]):04X}) at "
            f"position {exc.start + 1}, which is not valid Unicode"
        ) from None
    return value


def _expect(value: Any, kinds: type | tuple[type, ...], what: str) -> None:
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise BadValueError(f"must be {what}, not {value!r}")
    if not isinstance(value, kinds):
        raise BadValueError(f"must be {what}, not {type(value).__name__} {value!r:.40}")


def _same(value: Any, _type: Any) -> Any:
    return value


def _decode_text(value: Any, type_: sa.String) -> str:
    _expect(value, str, "text")
    if type_.length is not None and len(value) > type_.length:
        raise BadValueError(f"has {len(value)} characters; the column holds at most {type_.length}")
    return check_text(value)


def _decode_integer(value: Any, type_: sa.Integer) -> int:
    _expect(value, int, "a whole number")
    bits = (
        16 if isinstance(type_, sa.SmallInteger) else 64 if isinstance(type_, sa.BigInteger) else 32
    )
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        shown = value if value.bit_length() < 128 else "the number"
        raise BadValueError(f"{shown} does not fit in a {bits}-bit integer column")
    return int(value)


def _decode_boolean(value: Any, _type: Any) -> bool:
    _expect(value, bool, "true or false")
    return bool(value)


def _encode_float(value: Any, _type: Any) -> Any:
    return float(value) if isinstance(value, int | float | Decimal) else value


def _decode_float(value: Any, _type: Any) -> float:
    _expect(value, (int, float), "a number")
    try:
        number = float(value)
    except OverflowError:
        raise BadValueError("is too large for a floating-point column") from None
    if not math.isfinite(number):
        raise BadValueError(f"{value} is not a finite number; SQLite cannot store it")
    return number


def _encode_decimal(value: Any, _type: Any) -> Any:
    return str(value) if isinstance(value, Decimal | int | float) else value


def _decode_decimal(value: Any, _type: Any) -> Decimal:
    _expect(value, str, "a decimal number written as text")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValueError(f"{value!r:.40} is not a decimal number") from None
    if not number.is_finite():
        raise BadValueError(f"{value} is not a finite number")
    return number


def _encode_datetime(value: Any, type_: sa.DateTime) -> Any:
    """ISO 8601. Zoned columns are written in UTC; a naive value read from SQLite is UTC."""
    if not isinstance(value, datetime):
        return value
    if type_.timezone:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat()


def _decode_datetime(value: Any, type_: sa.DateTime) -> datetime:
    _expect(value, str, "a date and time (ISO 8601)")
    try:
        moment = datetime.fromisoformat(value)
        if type_.timezone:
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadValueError(f"{value!r:.40} is not a date and time (ISO 8601)") from None
    if moment.tzinfo is not None:
        raise BadValueError(f"{value!r} has a time zone, but the column stores times without one")
    return moment


def _iso(value: Any, _type: Any) -> Any:
    return value.isoformat() if isinstance(value, date | time) else value


def _decode_date(value: Any, _type: Any) -> date:
    _expect(value, str, "a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValueError(f"{value!r:.40} is not a date (YYYY-MM-DD)") from None


def _decode_time(value: Any, _type: Any) -> time:
    _expect(value, str, "a time of day (HH:MM:SS)")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise BadValueError(f"{value!r:.40} is not a time of day (HH:MM:SS)") from None


def check_json(value: Any, where: str = "") -> Any:
    """Refuse JSON that either database would reject: NUL, lone surrogates, NaN, odd types."""
    at = f"at {where}: " if where else ""
    if isinstance(value, str):
        try:
            return check_text(value)
        except BadValueError as exc:
            raise BadValueError(f"{at}{exc}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValueError(f"{at}{value} is not a number JSON can hold")
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        return [check_json(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        for key in value:
            _expect(key, str, "text as the name of a JSON field")
            check_json(key, f"{where} (a field name)")
        return {key: check_json(item, f"{where}.{key}") for key, item in value.items()}
    raise BadValueError(f"{at}a {type(value).__name__} is not JSON")


def _decode_json(value: Any, _type: Any) -> Any:
    return check_json(value)


def _encode_bytes(value: Any, _type: Any) -> Any:
    return base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value


def _decode_bytes(value: Any, _type: Any) -> bytes:
    _expect(value, str, "bytes written in base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadValueError("is not valid base64") from None


#: Most specific first: Boolean before Integer, Float before Numeric, JSON before String.
CODECS: tuple[tuple[type[sa.TypeEngine[Any]], Codec], ...] = (
    (sa.Boolean, Codec(_same, _decode_boolean)),
    (sa.Integer, Codec(_same, _decode_integer)),
    (sa.Float, Codec(_encode_float, _decode_float)),
    (sa.Numeric, Codec(_encode_decimal, _decode_decimal)),
    (sa.DateTime, Codec(_encode_datetime, _decode_datetime)),
    (sa.Date, Codec(_iso, _decode_date)),
    (sa.Time, Codec(_iso, _decode_time)),
    (sa.JSON, Codec(_same, _decode_json)),
    (sa.String, Codec(_same, _decode_text)),
    (sa.LargeBinary, Codec(_encode_bytes, _decode_bytes)),
)


def codec_for(type_: sa.TypeEngine[Any], where: str) -> Codec:
    """The codec of a column type; BackupError for a type no codec carries faithfully."""
    for kind, codec in CODECS:
        if isinstance(type_, kind):
            return codec
    raise BackupError(
        f"{where}: the backup cannot carry columns of type {type_!r}; "
        "teach calfcare.storage.backup_types about it"
    )
