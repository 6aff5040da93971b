"""Checks of a sweat test or a planned session, whatever it came from (API, CLI, page).

One place for every limit, so the three shells refuse the same things with the same words.
Each problem is a `RequestError` naming its field; the limits are the knowledge base's
(`prevention/fluid.yaml`), beyond which a value is a typing mistake, not a body.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from calfcare.engine.prevention import PlanInput, SweatTestInput
from calfcare.errors import RequestError
from calfcare.kb.prevention_schema import Prevention

SODIUM = ("low", "typical", "salty")
SUN = ("shade", "cloud", "full")
MAX_TEXT = 40


def _number(
    data: Mapping[str, Any],
    key: str,
    lo: float,
    hi: float,
    *,
    required: bool = True,
    what: str = "",
) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise RequestError(key, f"{key} is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RequestError(key, f"{key} must be a number.")
    if not lo <= value <= hi:
        raise RequestError(key, f"{key} must be between {lo:g} and {hi:g}{what}.")
    return float(value)


def _req(data: Mapping[str, Any], key: str, lo: float, hi: float, what: str = "") -> float:
    """A number that must be given."""
    value = _number(data, key, lo, hi, what=what)
    if value is None:  # pragma: no cover - _number raises for a missing required value
        raise RequestError(key, f"{key} is required.")
    return value


def _whole(data: Mapping[str, Any], key: str, lo: int, hi: int, required: bool) -> int | None:
    value = _number(data, key, lo, hi, required=required)
    if value is not None and value != int(value):
        raise RequestError(key, f"{key} must be a whole number.")
    return None if value is None else int(value)


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or not value.isprintable():
        raise RequestError(key, f"{key} must be a short text of at most {MAX_TEXT} characters.")
    return value.strip()


def _choice(
    data: Mapping[str, Any], key: str, choices: tuple[str, ...], default: str | None
) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return default
    if value not in choices:
        raise RequestError(key, f"{key} must be one of: {', '.join(choices)}.")
    return str(value)


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise RequestError(key, f"{key} must be true or false.")
    return value


def _conditions(data: Mapping[str, Any], kb: Prevention) -> dict[str, Any]:
    lim = kb.limits
    return {
        "temperature_c": _number(data, "temperature_c", *lim.temperature_c, required=False),
        "humidity_percent": _number(data, "humidity_percent", 0, 100, required=False),
        "intensity": _whole(data, "intensity", 1, 10, required=False),
        "sport": _text(data, "sport"),
    }


def sweat_test_input(data: Mapping[str, Any], kb: Prevention) -> SweatTestInput:
    """A sweat test from a dict of JSON values; a RequestError names the first bad field."""
    lim, m = kb.limits, kb.limits.body_mass_kg
    before = _req(data, "body_mass_before_kg", *m, what=" kg")
    after = _req(data, "body_mass_after_kg", *m, what=" kg")
    drunk = _req(data, "fluid_drunk_l", 0, lim.fluid_l, what=" L")
    urine = _req(data, "urine_l", 0, lim.urine_l, what=" L")
    minutes = _req(data, "duration_min", *lim.duration_min, what=" minutes")
    change = abs(after - before) / before * 100
    if change > lim.max_mass_change_percent.value:
        raise RequestError(
            "body_mass_after_kg",
            "body_mass_after_kg differs from "
            f"body_mass_before_kg by more than {lim.max_mass_change_percent.value:g}"
            " %: check both masses.",
        )
    loss = before - after + drunk - urine
    if loss <= 0:
        raise RequestError(
            "body_mass_after_kg",
            "These numbers give no sweat at all (mass lost "
            "plus fluid drunk, less urine, is zero or less): check them.",
        )
    if loss / (minutes / 60) > lim.max_sweat_rate.value:
        raise RequestError(
            "duration_min",
            "These numbers give a sweat rate above "
            f"{lim.max_sweat_rate.value:g} L an hour, more than anyone has been "
            "measured to sweat: check the masses and the duration.",
        )
    return SweatTestInput(before, after, drunk, urine, minutes, **_conditions(data, kb))


def plan_input(data: Mapping[str, Any], kb: Prevention) -> PlanInput:
    """A planned session from a dict of JSON values; a RequestError names the first bad field."""
    lim = kb.limits
    minutes = _req(data, "duration_min", 1, lim.session_max_min, what=" minutes")
    rpe = _whole(data, "intensity", 1, 10, required=True) or 1
    temp = _req(data, "temperature_c", *lim.temperature_c, what=" °C")
    humid = _req(data, "humidity_percent", 0, 100, what=" %")
    mass = _req(data, "body_mass_kg", *lim.body_mass_kg, what=" kg")
    sweat = _number(
        data, "sweat_rate_l_per_h", 0.1, lim.max_sweat_rate.value, required=False, what=" L an hour"
    )
    return PlanInput(
        duration_min=minutes,
        intensity=rpe,
        temperature_c=temp,
        humidity_percent=humid,
        body_mass_kg=mass,
        sweat_rate_l_per_h=sweat,
        sweat_sodium=_choice(data, "sweat_sodium", SODIUM, "typical") or "typical",
        sport=_text(data, "sport"),
        start_time=_text(data, "start_time"),
        sun=_choice(data, "sun", SUN, None),
        wind_m_per_s=_number(data, "wind_m_per_s", 0, 40, required=False, what=" m/s"),
        acclimatised=_flag(data, "acclimatised"),
        takes_diuretic=_flag(data, "takes_diuretic"),
        intended_fluid_l_per_h=_number(
            data, "intended_fluid_l_per_h", 0, 5, required=False, what=" L an hour"
        ),
    )
