"""Metric and imperial units: known values, round trips (hypothesis), parsing typed input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calfcare.services import units
from calfcare.services.units import Quantity, UnitSystem

QUANTITIES: tuple[Quantity, ...] = ("temperature", "volume", "mass", "distance")
SYSTEMS: tuple[UnitSystem, ...] = ("metric", "imperial")
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_known_values() -> None:
    assert units.c_to_f(0) == 32
    assert units.c_to_f(100) == 212
    assert close(units.c_to_f(-40), -40)
    assert close(units.f_to_c(98.6), 37.0)
    assert close(units.fl_oz_to_l(1), 0.0295735)
    assert math.isclose(units.l_to_fl_oz(1), 33.814056, rel_tol=1e-7)  # 1000 / 29.5735
    assert close(units.lb_to_kg(1), 0.45359237)
    assert close(units.kg_to_lb(1), 2.2046226218487757)
    assert close(units.mi_to_km(1), 1.609344)
    assert math.isclose(units.km_to_mi(42.195), 26.2187575, rel_tol=1e-7)


@given(value=finite)
def test_conversions_round_trip(value: float) -> None:
    assert close(units.f_to_c(units.c_to_f(value)), value)
    assert close(units.c_to_f(units.f_to_c(value)), value)
    assert close(units.fl_oz_to_l(units.l_to_fl_oz(value)), value)
    assert close(units.l_to_fl_oz(units.fl_oz_to_l(value)), value)
    assert close(units.lb_to_kg(units.kg_to_lb(value)), value)
    assert close(units.mi_to_km(units.km_to_mi(value)), value)


@given(value=finite, quantity=st.sampled_from(QUANTITIES), system=st.sampled_from(SYSTEMS))
def test_display_and_input_round_trip(value: float, quantity: Quantity, system: UnitSystem) -> None:
    shown = units.to_display(quantity, value, system)
    assert close(units.from_input(quantity, shown, system), value)
    if system == "metric":  # metric is SI, but volumes are shown and typed in millilitres
        assert shown == (value * 1000 if quantity == "volume" else value)


@given(
    value=st.floats(min_value=-1000, max_value=1000, allow_nan=False),
    quantity=st.sampled_from(QUANTITIES),
    system=st.sampled_from(SYSTEMS),
)
def test_what_is_shown_reads_back_within_its_rounding(
    value: float, quantity: Quantity, system: UnitSystem
) -> None:
    text = units.format_quantity(quantity, value, system)
    back = units.parse_quantity(
        quantity, text, "metric" if system == "imperial" else "imperial"
    )  # the symbol decides, not the default
    digits = units.DIGITS[quantity][system]
    step = 10.0**-digits / 2 + 1e-9
    assert (
        abs(units.to_display(quantity, back, system) - units.to_display(quantity, value, system))
        <= step
    )


@given(seconds=st.integers(min_value=1, max_value=86_400))
def test_durations_round_trip(seconds: int) -> None:
    assert units.parse_duration(units.format_duration(seconds)) == seconds
    assert units.parse_duration(str(seconds)) == seconds
    m, s = divmod(seconds, 60)
    assert units.parse_duration(f"{m}:{s:02d}") == seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("2m", 120),
        ("2 min", 120),
        ("1m30s", 90),
        ("1.5m", 90),
        ("1h", 3600),
        ("1 h 5 min", 3900),
        ("2:30", 150),
        ("1:02:03", 3723),
        ("2 minutes 3 seconds", 123),
        ("10M", 600),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert units.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "2x", "x2m", "2m x", "1:75", "1.5s", "-5"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|seconds|below 60"):
        units.parse_duration(text)


def test_parse_quantity_units_and_defaults() -> None:
    assert units.parse_quantity("temperature", "30", "metric") == 30
    assert close(units.parse_quantity("temperature", "86", "imperial"), 30)
    assert close(units.parse_quantity("temperature", "86F", "metric"), 30)
    assert close(units.parse_quantity("temperature", "30 °C", "imperial"), 30)
    assert close(units.parse_quantity("volume", "500 ml", "imperial"), 0.5)
    assert close(units.parse_quantity("volume", "500", "metric"), 0.5)  # millilitres
    assert close(units.parse_quantity("volume", "0.5 L", "metric"), 0.5)
    assert close(units.parse_quantity("volume", "1.5 litres", "imperial"), 1.5)
    assert close(units.parse_quantity("volume", "25cl", "metric"), 0.25)
    assert close(units.parse_quantity("volume", "16 fl oz", "metric"), 0.473176)
    assert close(units.parse_quantity("volume", "16", "imperial"), 0.473176)
    assert close(units.parse_quantity("mass", "150 lb", "metric"), 68.0388555)
    assert close(units.parse_quantity("distance", "13.1 mi", "metric"), 21.0824064)
    with pytest.raises(ValueError, match="unknown unit 'K'"):
        units.parse_quantity("temperature", "300 K", "metric")
    with pytest.raises(ValueError, match="not a number"):
        units.parse_quantity("volume", "lots", "metric")


def test_format_quantity() -> None:
    assert units.format_quantity("temperature", 28.0, "metric") == "28.0 °C"
    assert units.format_quantity("temperature", 28.0, "imperial") == "82.4 °F"
    assert units.format_quantity("volume", 0.5, "imperial") == "16.9 fl oz"
    assert units.format_quantity("volume", 0.5, "metric") == "500 ml"
    assert units.typed_value("volume", 0.75, "metric") == "750"
    assert units.symbol("volume", "metric") == "ml"
    assert units.format_quantity("volume", None, "metric") == ""
    assert units.check_system("imperial") == "imperial"
    with pytest.raises(ValueError, match="unknown unit system 'nautical'"):
        units.check_system("nautical")


@pytest.mark.parametrize(
    ("text", "system", "slip"),
    [
        ("0.5", "metric", "0.5 ml is hardly a sip; for 0.5 litres type 500 (or 0.5 L)"),
        ("2", "metric", "2 ml is hardly a sip; for 2 litres type 2000 (or 2 L)"),
        (
            "500",
            "imperial",
            "500 fl oz is more than 10 litres; if you meant millilitres, type 500 ml",
        ),
        ("500", "metric", None),  # millilitres, as expected
        ("10", "metric", None),
        ("0", "metric", None),  # nothing drunk is a real answer
        ("5 ml", "metric", None),  # a unit typed with the number is taken as typed
        ("0.5 L", "metric", None),
        ("16", "imperial", None),
        ("338", "imperial", None),  # 10 litres is the most, and allowed
        ("20000", "imperial", None),  # too much in any unit: the range check says so
        ("lots", "metric", None),
    ],
)
def test_a_bare_volume_in_the_wrong_unit_is_caught(
    text: str, system: UnitSystem, slip: str | None
) -> None:
    assert units.volume_slip(text, system, 10) == slip
