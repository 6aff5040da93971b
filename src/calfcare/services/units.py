"""Metric and imperial units for display and input. Values are always stored in SI.

Stored units: temperature in °C, fluid volume in litres, mass in kilograms, distance in
kilometres, durations in seconds. A person's `units` setting (`metric` or `imperial`) only
changes what they see and what a bare number they type means.

What a person sees and types: °C or °F, millilitres or US fluid ounces, kilograms or pounds,
kilometres or miles. Volumes are shown in millilitres rather than litres because what people
drink is measured that way (a glass is 250 ml, a bottle 500 ml); they are still stored in
litres. A bare volume that looks typed in the other unit (`0.5` where millilitres are
expected) is caught by `volume_slip` before it is stored.

Imperial fluid volumes are US fluid ounces (29.5735 mL). The pound (0.45359237 kg) and the
mile (1.609344 km) are exact by definition.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from calfcare.services.text import shown

UnitSystem = Literal["metric", "imperial"]
Quantity = Literal["temperature", "volume", "mass", "distance"]
UNIT_SYSTEMS: tuple[UnitSystem, ...] = ("metric", "imperial")

ML_PER_US_FL_OZ = 29.5735
ML_PER_L = 1000.0
KG_PER_LB = 0.45359237
KM_PER_MI = 1.609344

SYMBOLS: dict[Quantity, dict[UnitSystem, str]] = {
    "temperature": {"metric": "°C", "imperial": "°F"},
    "volume": {"metric": "ml", "imperial": "fl oz"},
    "mass": {"metric": "kg", "imperial": "lb"},
    "distance": {"metric": "km", "imperial": "mi"},
}
#: Decimals shown for each quantity and system.
DIGITS: dict[Quantity, dict[UnitSystem, int]] = {
    "temperature": {"metric": 1, "imperial": 1},
    "volume": {"metric": 0, "imperial": 1},
    "mass": {"metric": 1, "imperial": 1},
    "distance": {"metric": 2, "imperial": 2},
}


# --- conversions ------------------------------------------------------------------------------


def c_to_f(celsius: float) -> float:
    return celsius * 9.0 / 5.0 + 32.0


def f_to_c(fahrenheit: float) -> float:
    return (fahrenheit - 32.0) * 5.0 / 9.0


def l_to_fl_oz(litres: float) -> float:
    return litres * 1000.0 / ML_PER_US_FL_OZ


def fl_oz_to_l(fl_oz: float) -> float:
    return fl_oz * ML_PER_US_FL_OZ / 1000.0


def kg_to_lb(kg: float) -> float:
    return kg / KG_PER_LB


def lb_to_kg(lb: float) -> float:
    return lb * KG_PER_LB


def km_to_mi(km: float) -> float:
    return km / KM_PER_MI


def mi_to_km(mi: float) -> float:
    return mi * KM_PER_MI


def check_system(system: str) -> UnitSystem:
    if system == "metric":
        return "metric"
    if system == "imperial":
        return "imperial"
    raise ValueError(f"unknown unit system '{system}' (metric or imperial)")


def system_of(setting: str | None) -> UnitSystem:
    """The unit system of a stored account setting: imperial only when it says so.

    Unlike `check_system`, which refuses what a person typed, a stored value that is not
    `imperial` (an old or missing one) reads as metric, so a page always shows something.
    """
    return "imperial" if setting == "imperial" else "metric"


def to_display(quantity: Quantity, si_value: float, system: UnitSystem) -> float:
    """The stored SI value in the person's units (metric volumes in millilitres)."""
    if system == "metric":
        return si_value * ML_PER_L if quantity == "volume" else si_value
    if quantity == "temperature":
        return c_to_f(si_value)
    if quantity == "volume":
        return l_to_fl_oz(si_value)
    if quantity == "mass":
        return kg_to_lb(si_value)
    return km_to_mi(si_value)


def from_input(quantity: Quantity, value: float, system: UnitSystem) -> float:
    """A value typed in the person's units (metric volumes in millilitres), in SI for storage."""
    if system == "metric":
        return value / ML_PER_L if quantity == "volume" else value
    if quantity == "temperature":
        return f_to_c(value)
    if quantity == "volume":
        return fl_oz_to_l(value)
    if quantity == "mass":
        return lb_to_kg(value)
    return mi_to_km(value)


def symbol(quantity: Quantity, system: UnitSystem) -> str:
    return SYMBOLS[quantity][system]


def format_quantity(
    quantity: Quantity, si_value: float | None, system: UnitSystem, digits: int | None = None
) -> str:
    """E.g. `28.0 °C`, `82.4 °F`, `500 ml`, `16.9 fl oz`; an empty string for None."""
    if si_value is None:
        return ""
    shown = to_display(quantity, si_value, system)
    places = DIGITS[quantity][system] if digits is None else digits
    return f"{shown:.{places}f} {symbol(quantity, system)}"


def plain_number(value: float | None, digits: int) -> str:
    """`value` with at most `digits` decimals and no trailing zeros (`2.5`, `30`); "" for None.

    What a form field shows, so that a value saved unchanged reads back the same.
    """
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def typed_value(quantity: Quantity, si_value: float | None, system: UnitSystem) -> str:
    """A stored value as the person would type it (no unit), e.g. `86` for 30 °C in imperial."""
    if si_value is None:
        return ""
    return plain_number(to_display(quantity, si_value, system), DIGITS[quantity][system])


# --- parsing what a person types -----------------------------------------------------------

#: Unit words accepted after a number: the system they belong to, and the factor to the unit
#: that system shows (millilitres for metric volumes, so `l` is 1000 of them).
_SUFFIXES: dict[Quantity, dict[str, tuple[UnitSystem, float]]] = {
    "temperature": {
        "c": ("metric", 1.0),
        "°c": ("metric", 1.0),
        "f": ("imperial", 1.0),
        "°f": ("imperial", 1.0),
    },
    "volume": {
        "ml": ("metric", 1.0),
        "l": ("metric", 1000.0),
        "litre": ("metric", 1000.0),
        "litres": ("metric", 1000.0),
        "liter": ("metric", 1000.0),
        "liters": ("metric", 1000.0),
        "dl": ("metric", 100.0),
        "cl": ("metric", 10.0),
        "oz": ("imperial", 1.0),
        "floz": ("imperial", 1.0),
        "fl oz": ("imperial", 1.0),
    },
    "mass": {
        "kg": ("metric", 1.0),
        "g": ("metric", 0.001),
        "lb": ("imperial", 1.0),
        "lbs": ("imperial", 1.0),
    },
    "distance": {"km": ("metric", 1.0), "m": ("metric", 0.001), "mi": ("imperial", 1.0)},
}
#: ASCII digits only (`\d` would also take `٤٠`), and at most 40 of them.
_NUMBER = re.compile(r"^\s*([-+]?(?:\d{1,40}(?:\.\d{0,40})?|\.\d{1,40}))\s*(.*?)\s*$", re.ASCII)


def parse_quantity(quantity: Quantity, text: str, system: UnitSystem) -> float:
    """A typed value (`30`, `86F`, `500 ml`, `16 fl oz`) in SI; a bare number is in `system`.

    Raises ValueError with a sentence a person can act on.
    """
    match = _NUMBER.match(text)
    units = ", ".join(_SUFFIXES[quantity])
    if not match:
        raise ValueError(
            f"'{shown(text)}' is not a number (optionally followed by one of: {units})"
        )
    value = float(match.group(1))
    suffix = match.group(2).lower()
    if not suffix:
        return from_input(quantity, value, system)
    if suffix[0].isascii() and suffix[0].isdigit():
        raise ValueError(f"'{shown(text)}' has too many digits")
    if suffix not in _SUFFIXES[quantity]:
        raise ValueError(f"unknown unit '{shown(match.group(2))}' (use one of: {units})")
    unit_system, factor = _SUFFIXES[quantity][suffix]
    return from_input(quantity, value * factor, unit_system)


def bare_number(text: str) -> float | None:
    """The number typed, when no unit follows it; None for a number with a unit or no number."""
    match = _NUMBER.match(text)
    if not match or match.group(2):
        return None
    return float(match.group(1))


#: Where millilitres are expected, a bare number below this is hardly a sip: almost surely the
#: person meant litres (0.5, 1.5, 2).
ML_SLIP_BELOW = 10.0


def volume_slip(text: str, system: UnitSystem, most_l: float) -> str | None:
    """Why a bare volume looks typed in the other unit, and what to type instead; else None.

    Metric volumes are typed in millilitres, so a bare `0.5` would be half a millilitre: the
    person almost surely meant litres. Imperial ones are in fluid ounces, so a bare `500`
    (more than `most_l` litres) was most likely millilitres. A number typed with its unit
    (`5 ml`, `0.5 L`) is taken as typed, so a real small or large value can still be entered.
    """
    value = bare_number(text)
    if value is None or value <= 0:
        return None
    typed = plain_number(value, 3)
    if system == "metric" and value < ML_SLIP_BELOW:
        ml = plain_number(value * ML_PER_L, 0)
        return f"{typed} ml is hardly a sip; for {typed} litres type {ml} (or {typed} L)"
    if system == "imperial" and l_to_fl_oz(most_l) < value <= most_l * ML_PER_L:
        return (
            f"{typed} fl oz is more than {most_l:g} litres; "
            f"if you meant millilitres, type {typed} ml"
        )
    return None


_DURATION_PART = re.compile(
    r"(\d{1,18}(?:\.\d{1,18})?)\s*"
    r"(hours?|h|minutes?|mins?|m|seconds?|secs?|s)",
    re.IGNORECASE | re.ASCII,
)


def parse_duration(text: str) -> int:
    """Seconds from `90`, `90s`, `2m`, `2 min`, `1m30s`, `1h`, `2:30` (m:ss) or `1:02:03`."""
    raw = text.strip().lower()
    if not raw:
        raise ValueError("give a duration such as 90 (seconds), 2m or 1m30s")
    if re.fullmatch(r"\d{1,18}", raw, re.ASCII):
        return int(raw)
    if re.fullmatch(r"\d{1,18}(:\d{1,2}){1,2}", raw, re.ASCII):
        parts = [int(p) for p in raw.split(":")]
        if any(p >= 60 for p in parts[1:]):
            raise ValueError(f"'{shown(text)}': minutes and seconds after ':' must be below 60")
        total = 0
        for p in parts:
            total = total * 60 + p
        return total
    pos = 0
    seconds = 0.0
    for m in _DURATION_PART.finditer(raw):
        if raw[pos : m.start()].strip():
            break
        unit = m.group(2)[0]
        seconds += float(m.group(1)) * {"h": 3600, "m": 60, "s": 1}[unit]
        pos = m.end()
    if pos == 0 or raw[pos:].strip():
        raise ValueError(f"'{shown(text)}' is not a duration (e.g. 90, 90s, 2m, 1m30s, 2:30)")
    if not math.isfinite(seconds) or seconds != int(seconds):
        raise ValueError(f"'{shown(text)}' is not a whole number of seconds")
    return int(seconds)


def format_duration(seconds: int) -> str:
    """E.g. `45 s`, `2 min`, `2 min 30 s`, `1 h 5 min`."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} h" if h else "", f"{m} min" if m else "", f"{s} s" if s else ""]
    return " ".join(p for p in parts if p) or "0 s"
