"""Prevention arithmetic: the worked examples of the guidance, and properties over random
sessions (never drink more than you sweat, never less carbohydrate for a longer session, bad
input refused with the field named)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calfcare.engine.episodes import EpisodeFacts
from calfcare.engine.prevention import (
    PlanInput,
    SweatTestInput,
    TrainingFacts,
    closest_test,
    night_check,
    risk_profile,
    session_plan,
    sweat_test,
)
from calfcare.engine.prevention import formulas as f
from calfcare.engine.prevention.risk import PlannedSession
from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services.prevention.validation import plan_input, sweat_test_input

KB = load_kb()
P = KB.prevention
NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)


def test_worked_example_of_the_brief() -> None:
    r = sweat_test(SweatTestInput(70.0, 69.0, 0.5, 0.0, 60), P.fluid)
    assert (r.sweat_rate_l_per_h, r.body_mass_change_percent) == (1.5, -1.43)


def test_worked_example_of_the_sports_nutrition_calculators() -> None:
    """70.0 to 68.9 kg, 0.75 L drunk, 0.2 L urine, 1.5 h: 1.10 L/h and -1.6 % (ACSM/NATA)."""
    r = sweat_test(SweatTestInput(70.0, 68.9, 0.75, 0.2, 90), P.fluid)
    assert r.sweat_rate_l_per_h == 1.1
    assert round(r.body_mass_change_percent, 1) == -1.6


def test_a_gain_in_mass_is_named_as_drinking_too_much() -> None:
    r = sweat_test(SweatTestInput(70.0, 70.3, 1.5, 0.0, 60), P.fluid)
    assert "never_above_sweat" in {a.id for a in r.advice}


@pytest.mark.parametrize(
    ("t", "rh", "wbgt", "category"),
    [
        (20, 50, 19.9, "low"),
        (25, 70, 26.8, "low"),
        (28, 60, 28.7, "moderate"),
        (30, 50, 29.3, "moderate"),
        (30, 70, 32.6, "extreme"),
        (35, 60, 37.0, "extreme"),
        (10, 50, 12.0, "cool"),
    ],
)
def test_wbgt_from_temperature_and_humidity(
    t: float, rh: float, wbgt: float, category: str
) -> None:
    """The Bureau of Meteorology estimate through thermofeel, and ACSM 2007's bands."""
    value, method = f.wbgt(t, rh, P.heat)
    assert (value, method) == (wbgt, "simple")
    assert f.heat_category(value, P.heat).id == category


def test_full_sun_is_hotter_than_shade() -> None:
    shade, _ = f.wbgt(30, 50, P.heat, "shade", 2)
    sun, method = f.wbgt(30, 50, P.heat, "full", 2)
    assert method == "sun_and_wind"
    assert sun > shade


def test_sodium_is_the_sodium_of_the_fluid_at_the_sweat_s_saltiness() -> None:
    assert f.sodium_per_hour(1.0, 36) == (828, 36.0)


def test_the_closest_sweat_test_is_chosen_by_conditions() -> None:
    cool = SweatTestInput(70, 69.2, 0.3, 0, 60, temperature_c=12, humidity_percent=60, intensity=6)
    hot = SweatTestInput(70, 68.8, 0.5, 0, 60, temperature_c=29, humidity_percent=65, intensity=6)
    assert closest_test([cool, hot], 30, 60, 6) == 1
    assert closest_test([cool, hot], 10, 60, 6) == 0
    assert closest_test([], 10, 60, 6) is None


def _plan(**kw: Any) -> PlanInput:
    base: dict[str, Any] = {
        "duration_min": 120,
        "intensity": 6,
        "temperature_c": 20,
        "humidity_percent": 50,
        "body_mass_kg": 70,
    }
    return PlanInput(**{**base, **kw})


def test_short_sessions_drink_to_thirst() -> None:
    plan = session_plan(_plan(duration_min=45, sweat_rate_l_per_h=1.0), P)
    assert plan.fluid_mode == "thirst"
    assert plan.fluid_l_per_h.value == 0


def test_warnings_for_over_drinking_a_long_slow_event_heat_and_a_diuretic() -> None:
    plan = session_plan(
        _plan(
            duration_min=300,
            intensity=3,
            temperature_c=31,
            humidity_percent=60,
            sweat_rate_l_per_h=0.6,
            intended_fluid_l_per_h=1.0,
            takes_diuretic=True,
        ),
        P,
    )
    ids = {w.id for w in plan.warnings}
    assert {"hyponatraemia", "long_and_slow", "heat_high", "diuretic"} <= ids


def test_above_60_g_the_plan_says_multiple_transportable_carbohydrates() -> None:
    plan = session_plan(_plan(duration_min=240, sweat_rate_l_per_h=1.0), P)
    assert plan.carbohydrate_g_per_h.value == 90
    assert "multiple_transportable" in {a.id for a in plan.during}


@settings(max_examples=300, deadline=None)
@given(
    minutes=st.floats(1, 1440),
    rate=st.floats(0.1, 6.0),
    mass=st.floats(20, 300),
    rpe=st.integers(1, 10),
    temp=st.floats(-30, 55),
    rh=st.floats(0, 100),
)
def test_the_plan_never_drinks_more_than_the_sweat_rate(
    minutes: float, rate: float, mass: float, rpe: int, temp: float, rh: float
) -> None:
    plan = session_plan(PlanInput(minutes, rpe, temp, rh, mass, sweat_rate_l_per_h=rate), P)
    assert 0 <= plan.fluid_l_per_h.value <= rate
    assert plan.expected_loss_percent.value >= 0  # never a planned gain
    assert plan.expected_loss_percent.value <= P.fluid.loss_ceiling_percent.value + 0.01


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0, 1440), b=st.floats(0, 1440))
def test_carbohydrate_never_falls_as_the_session_gets_longer(a: float, b: float) -> None:
    short, long = sorted((a, b))
    g = [f.carbohydrate_per_hour(m, f.fuel_band(m, P.fuel.bands)) for m in (short, long)]
    assert g[0] <= g[1]


BAD_SWEAT = [
    ("body_mass_before_kg", -70),
    ("body_mass_after_kg", "heavy"),
    ("fluid_drunk_l", -1),
    ("urine_l", 50),
    ("duration_min", 0),
    ("humidity_percent", 101),
    ("intensity", 11),
]
SWEAT = {
    "body_mass_before_kg": 70,
    "body_mass_after_kg": 69,
    "fluid_drunk_l": 0.5,
    "urine_l": 0,
    "duration_min": 60,
}
SESSION = {
    "duration_min": 90,
    "intensity": 5,
    "temperature_c": 20,
    "humidity_percent": 50,
    "body_mass_kg": 70,
}


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from([*sorted(SESSION), "sweat_rate_l_per_h", "sweat_sodium", "sun"]),
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=5),
        st.booleans(),
        st.integers(-(10**6), 10**6),
    ),
)
def test_bad_session_input_is_refused_naming_the_field(key: str, value: object) -> None:
    problem: RequestError | None = None
    try:
        plan_input({**SESSION, key: value}, P)
    except RequestError as exc:
        problem = exc
    if problem is not None:
        assert problem.field == key
        assert key in problem.message


@pytest.mark.parametrize(("key", "value"), BAD_SWEAT)
def test_bad_sweat_test_input_is_refused_naming_the_field(key: str, value: object) -> None:
    with pytest.raises(RequestError) as exc:
        sweat_test_input({**SWEAT, key: value}, P)
    assert exc.value.field == key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"humidity_percent": 120}, "humidity_percent"),
        ({"duration_min": 2400}, "duration_min"),
        ({"sweat_rate_l_per_h": 10}, "sweat_rate_l_per_h"),
        ({"body_mass_kg": -5}, "body_mass_kg"),
    ],
)
def test_the_brief_s_bad_sessions(change: dict[str, object], field: str) -> None:
    with pytest.raises(RequestError) as exc:
        plan_input({**SESSION, **change}, P)
    assert exc.value.field == field


def test_an_impossible_sweat_rate_is_refused() -> None:
    with pytest.raises(RequestError, match="sweat rate above"):
        sweat_test_input({**SWEAT, "body_mass_after_kg": 63, "duration_min": 10}, P)


def _session(days_ago: float, minutes: int, rpe: int) -> TrainingFacts:
    return TrainingFacts(NOW - timedelta(days=days_ago), "running", minutes, rpe)


def test_the_risk_profile_compares_with_the_last_four_weeks() -> None:
    sessions = [_session(3, 60, 5), _session(10, 90, 6), _session(40, 200, 9)]
    cramp = EpisodeFacts(
        "e1", NOW - timedelta(days=20), 60, 5, "running", "longer", temperature_c=29
    )
    prof = risk_profile(
        PlannedSession(135, 8, "running", True, True), sessions, [cramp], NOW, P, KB.diary_rules
    )
    assert (prof.sessions, prof.longest_min, prof.hardest_rpe) == (2, 90, 6)
    assert prof.longer_by_percent == 50.0
    assert prof.harder_by == 2
    ids = {a.id for a in prof.touches}
    assert {
        "longer",
        "harder",
        "previous_cramps",
        "heat",
        "cramped_in_heat",
        "fuel",
        "sodium",
        "stretching",
    } <= ids
    assert prof.load_ratio.ratio is not None


def test_no_sessions_means_nothing_to_compare() -> None:
    prof = risk_profile(PlannedSession(60, 5, None, False, False), [], [], NOW, P, KB.diary_rules)
    assert prof.longest_min is None
    assert "nothing_to_compare" in {a.id for a in prof.touches}
    assert prof.load_ratio.ratio is None


def _nights(days_ago: list[int]) -> list[EpisodeFacts]:
    return [
        EpisodeFacts(f"n{i}", NOW - timedelta(days=d), 60, 5, "sleeping", woke_from_sleep=True)
        for i, d in enumerate(days_ago)
    ]


def test_few_night_cramps_are_not_enough_to_tell() -> None:
    check = night_check(_nights([20, 3]), (NOW - timedelta(days=14)).date(), NOW, P.night)
    assert check.verdict == "not_enough"


def test_fewer_night_cramps_after_the_routine() -> None:
    check = night_check(
        _nights([27, 25, 22, 20, 18, 16, 15, 5]), (NOW - timedelta(days=14)).date(), NOW, P.night
    )
    assert (check.before, check.after, check.verdict) == (7, 1, "fewer")


def test_it_is_too_early_before_two_weeks() -> None:
    check = night_check(_nights([20, 18, 16, 2]), (NOW - timedelta(days=5)).date(), NOW, P.night)
    assert (check.verdict, check.days_left) == ("too_early", 9)


def test_the_bedtime_routine_is_drawn_from_the_exercise_library(kb: KnowledgeBase) -> None:
    assert all(e in kb.exercises and e in kb.figures for e in kb.prevention.night.routine)
