"""Typed records of `kb/data/prevention/`: the numbers behind sweat tests and session plans.

Every number a plan shows is a `Sourced` value: the number, whether the source gives it
(`study`) or it is ours (`estimate`, with a note saying why), its evidence level and its
references. The formulas that use them live in `engine/prevention/formulas.py`; keeping the
numbers here lets a clinician review and change them without reading code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from calfcare.kb.schema import EvidenceLevel, Slug, Statement, Strict, Text

Basis = Literal["study", "estimate"]
SweatSodium = Literal["low", "typical", "salty"]
Sun = Literal["shade", "cloud", "full"]


class Sourced(Strict):
    """One number with where it comes from; an estimate must say why in `note`."""

    value: float
    basis: Basis
    evidence: EvidenceLevel
    references: list[Slug] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _estimate_explained(self) -> Sourced:
        if self.basis == "estimate" and not (self.note or "").strip():
            raise ValueError("an estimate needs a note saying where the number comes from")
        return self


class SweatLimits(Strict):
    """What a sweat test and a session may be: beyond these, the input is a typing mistake."""

    body_mass_kg: tuple[float, float]
    fluid_l: float = Field(gt=0)
    urine_l: float = Field(gt=0)
    duration_min: tuple[int, int]
    session_max_min: int = Field(gt=0)
    temperature_c: tuple[float, float]
    max_sweat_rate: Sourced
    max_mass_change_percent: Sourced


class SweatRateBand(Strict):
    """The sweat rate assumed, when none was measured, up to an effort of `max_rpe`."""

    max_rpe: int = Field(ge=1, le=10)
    rate: Sourced


class Fluid(Strict):
    """Fluid: drink to thirst in short sessions, a planned amount below sweat losses beyond."""

    thirst_below_min: Sourced
    loss_ceiling_percent: Sourced
    loss_upper_percent: Sourced
    long_slow_min: Sourced
    slow_max_rpe: Sourced
    estimated_sweat_rates: list[SweatRateBand] = Field(min_length=1)
    before_4h_ml_per_kg: tuple[Sourced, Sourced]
    before_2h_ml_per_kg: tuple[Sourced, Sourced]
    after_l_per_kg_lost: Sourced
    statements: dict[Slug, Statement]


class Sodium(Strict):
    """Sweat sodium by the person's saltiness category, in mmol per litre of sweat."""

    mmol_per_l: dict[SweatSodium, Sourced]
    statements: dict[Slug, Statement]


class FuelBand(Strict):
    """Carbohydrate per hour for sessions from `from_min` up to `to_min` minutes.

    The target rises from `low` to `high` across the band (to `ramp_to_min` in the last,
    open band), so a longer session never gets less.
    """

    from_min: int = Field(ge=0)
    to_min: int | None = None
    ramp_to_min: int | None = None
    low: Sourced
    high: Sourced
    advice: Text

    @model_validator(mode="after")
    def _ordered(self) -> FuelBand:
        if self.low.value > self.high.value:
            raise ValueError("low must not be above high")
        end = self.to_min if self.to_min is not None else self.ramp_to_min
        if end is None or end <= self.from_min:
            raise ValueError("a band needs to_min (or ramp_to_min) after from_min")
        return self


class Fuel(Strict):
    bands: list[FuelBand] = Field(min_length=1)
    multiple_transportable_above_g: Sourced
    before_g_per_kg: tuple[Sourced, Sourced]
    before_for_longer_than_min: int = Field(ge=0)
    after_g_per_kg_per_h: tuple[Sourced, Sourced]
    statements: dict[Slug, Statement]


class HeatCategory(Strict):
    """One band of estimated WBGT (°C) and the activity changes of the heat guidance."""

    id: Slug
    label: Text
    from_wbgt_c: Sourced | None
    acclimatised: Text
    not_acclimatised: Text
    warns: bool
    references: list[Slug] = Field(min_length=1)


class Heat(Strict):
    categories: list[HeatCategory] = Field(min_length=1)
    radiant_offset_c: dict[Sun, Sourced]
    default_wind_m_per_s: Sourced
    statements: dict[Slug, Statement]


class Risk(Strict):
    """How a planned session is compared with the person's own diary."""

    window_days: Sourced
    longer_margin_percent: Sourced
    harder_margin_rpe: Sourced
    cramp_history_days: Sourced
    acute_days: int = Field(ge=1)
    statements: dict[Slug, Statement]


class NightCheck(Strict):
    window_days: Sourced
    min_total: Sourced
    min_change_fraction: Sourced


class Night(Strict):
    routine: list[Slug] = Field(min_length=1)
    holds: Text
    check: NightCheck
    statements: dict[Slug, Statement]


class Prevention(Strict):
    """All of `kb/data/prevention/`, as one record."""

    limits: SweatLimits
    fluid: Fluid
    sodium: Sodium
    fuel: Fuel
    heat: Heat
    risk: Risk
    night: Night
    medicines: dict[Slug, Statement]
