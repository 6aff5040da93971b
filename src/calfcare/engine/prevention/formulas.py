"""Every formula of the prevention plans, in one module, each with the guidance it comes from.

The numbers (ceilings, bands, categories) are knowledge-base data passed in by the caller; what
is here is only arithmetic. Body mass lost is taken as the same number of litres of sweat
(1 kg ≈ 1 L), as field sweat tests do (ACSM 2007, NATA 2017).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from thermofeel import thermofeel as tf

from calfcare.engine.prevention.types import Advice, SweatTestInput, SweatTestResult
from calfcare.kb.prevention_schema import Fluid, FuelBand, Heat, HeatCategory, Sourced

#: Milligrams of sodium in one millimole (its molar mass, 22.99 g/mol): chemistry.
MG_PER_MMOL_SODIUM = 22.99
KELVIN = 273.15
SWEAT_FORMULA = (
    "sweat rate (L/h) = (mass before - mass after + fluid drunk - urine) / hours; "
    "body-mass change (%) = (mass after - mass before) / mass before x 100"
)
SWEAT_REFERENCES = ("sawka2007", "mcdermott2017", "baker2017")


def floor_to(value: float, places: int = 2) -> float:
    """Round down, so that a rounded amount to drink never exceeds the unrounded one."""
    scale = 10**places
    return float(math.floor(value * scale + 1e-9) / scale)


def ceil_to(value: float, places: int = 2) -> float:
    """Round up, so that a rounded amount to drink keeps the loss under its ceiling."""
    scale = 10**places
    return float(math.ceil(value * scale - 1e-9) / scale)


def sweat_test(test: SweatTestInput, fluid: Fluid) -> SweatTestResult:
    """Sweat loss, sweat rate and body-mass change of one test (ACSM 2007; NATA 2017)."""
    loss = test.body_mass_before_kg - test.body_mass_after_kg + test.fluid_drunk_l - test.urine_l
    hours = test.duration_min / 60
    change = (test.body_mass_after_kg - test.body_mass_before_kg) / test.body_mass_before_kg
    advice = [Advice.of("sweat_test", fluid.statements["sweat_test"])]
    if change > 0:
        advice.append(Advice.of("never_above_sweat", fluid.statements["never_above_sweat"]))
    elif -change * 100 > fluid.loss_ceiling_percent.value:
        advice.append(Advice.of("ceiling", fluid.statements["ceiling"]))
    return SweatTestResult(
        sweat_loss_l=round(loss, 3),
        sweat_rate_l_per_h=round(loss / hours, 2),
        body_mass_change_percent=round(change * 100, 2),
        formula=SWEAT_FORMULA,
        references=SWEAT_REFERENCES,
        advice=tuple(advice),
    )


def estimated_sweat_rate(intensity: int, fluid: Fluid) -> Sourced:
    """A cautious sweat rate for an effort of 1-10 when none was measured."""
    for band in fluid.estimated_sweat_rates:
        if intensity <= band.max_rpe:
            return band.rate
    return fluid.estimated_sweat_rates[-1].rate


def fluid_per_hour(sweat_rate: float, duration_min: float, mass_kg: float, fluid: Fluid) -> float:
    """Litres an hour to drink: enough that the loss stays under the ceiling (ACSM: 2 % of
    body mass), never more than the sweat rate, so a plan never gains mass (IMMDA, EAH
    consensus), and nothing planned when thirst alone keeps the loss under the ceiling."""
    hours = duration_min / 60
    allowed_l = fluid.loss_ceiling_percent.value / 100 * mass_kg
    needed = ceil_to(max(sweat_rate - allowed_l / hours, 0.0))
    return min(needed, floor_to(sweat_rate))


def expected_loss_percent(
    sweat_rate: float, drink: float, duration_min: float, mass_kg: float
) -> float:
    """Body mass lost by the end of the session, as a share of the starting mass."""
    return round((sweat_rate - drink) * duration_min / 60 / mass_kg * 100, 2)


def sodium_per_hour(drink_l_per_h: float, mmol_per_l: float) -> tuple[float, float]:
    """(mg, mmol) an hour: the sodium of the planned fluid at the saltiness of one's sweat."""
    mmol = drink_l_per_h * mmol_per_l
    return round(mmol * MG_PER_MMOL_SODIUM), round(mmol, 1)


def fuel_band(duration_min: float, bands: Sequence[FuelBand]) -> FuelBand:
    """The carbohydrate band of a session's length (IOC 2011, Jeukendrup 2014)."""
    for band in bands:
        if band.to_min is None or duration_min < band.to_min:
            return band
    return bands[-1]


def carbohydrate_per_hour(duration_min: float, band: FuelBand) -> float:
    """Grams an hour, rising across the band from its low to its high figure, so a longer
    session never gets less."""
    end = band.to_min if band.to_min is not None else band.ramp_to_min
    end = end if end is not None else band.from_min + 1  # the schema insists on one of them
    share = min(max((duration_min - band.from_min) / (end - band.from_min), 0.0), 1.0)
    return float(round(band.low.value + (band.high.value - band.low.value) * share))


def wbgt(
    temperature_c: float,
    humidity_percent: float,
    heat: Heat,
    sun: str | None = None,
    wind_m_per_s: float | None = None,
) -> tuple[float, str]:
    """Estimated WBGT (°C) with thermofeel, and the method used.

    From temperature and humidity alone: the simple (Bureau of Meteorology) estimate, which
    assumes moderate sun and light wind. With sun or wind: thermofeel's WBGT from the wet-bulb
    and globe temperatures, the surroundings taken as warmer than the air by the knowledge
    base's estimate for the sun given.
    """
    t_k = np.float64(temperature_c + KELVIN)
    rh = np.float64(min(max(humidity_percent, 1.0), 100.0))
    if sun is None and wind_m_per_s is None:
        return round(float(tf.calculate_wbgt_simple(t_k, rh)) - KELVIN, 1), "simple"
    offset = heat.radiant_offset_c[sun if sun in heat.radiant_offset_c else "shade"]
    wind = heat.default_wind_m_per_s.value if wind_m_per_s is None else wind_m_per_s
    mrt = t_k + np.float64(offset.value)
    td = tf.calculate_dew_point_from_relative_humidity(rh, t_k)
    value = tf.calculate_wbgt(t_k, mrt, np.float64(wind), td)
    return round(float(value) - KELVIN, 1), "sun_and_wind"


def heat_category(wbgt_c: float, heat: Heat) -> HeatCategory:
    """The heat guidance's band for a WBGT (ACSM 2007)."""
    chosen = heat.categories[0]
    for cat in heat.categories[1:]:
        if cat.from_wbgt_c is not None and round(wbgt_c, 1) >= cat.from_wbgt_c.value:
            chosen = cat
    return chosen


def condition_distance(
    test: SweatTestInput,
    temperature_c: float,
    humidity_percent: float,
    intensity: int,
    sport: str | None,
) -> float:
    """How far a sweat test's conditions are from a planned session's (0 = the same).

    5 °C, 20 points of humidity, 2 points of effort and another sport each count one; a
    condition the test did not record counts one. The weights are ours: they only rank tests.
    """
    d = 0.0
    d += 1.0 if test.temperature_c is None else abs(test.temperature_c - temperature_c) / 5
    d += (
        1.0 if test.humidity_percent is None else abs(test.humidity_percent - humidity_percent) / 20
    )
    d += 1.0 if test.intensity is None else abs(test.intensity - intensity) / 2
    if sport is not None and (test.sport or "").lower() != sport.lower():
        d += 1.0
    return d


def closest_test(
    tests: Sequence[SweatTestInput],
    temperature_c: float,
    humidity_percent: float,
    intensity: int,
    sport: str | None = None,
) -> int | None:
    """Index of the test whose conditions are closest to the planned session; the earliest
    in `tests` wins a tie, so callers list the newest first."""
    best: tuple[float, int] | None = None
    for i, test in enumerate(tests):
        d = condition_distance(test, temperature_c, humidity_percent, intensity, sport)
        if best is None or d < best[0] - 1e-12:
            best = (d, i)
    return None if best is None else best[1]
