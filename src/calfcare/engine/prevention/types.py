"""What the prevention arithmetic takes and gives: frozen values, every number with its sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from calfcare.kb.prevention_schema import Sourced
from calfcare.kb.schema import Statement


@dataclass(frozen=True)
class Figure:
    """A number of a plan with its unit and where it comes from (reference ids)."""

    value: float
    unit: str
    references: tuple[str, ...]
    estimate: bool = False

    @staticmethod
    def of(value: float, unit: str, *sources: Sourced) -> Figure:
        refs = tuple(dict.fromkeys(r for s in sources for r in s.references))
        return Figure(value, unit, refs, any(s.basis == "estimate" for s in sources))


@dataclass(frozen=True)
class Advice:
    """One piece of advice or one warning, graded and sourced."""

    id: str
    text: str
    evidence: str
    references: tuple[str, ...]

    @staticmethod
    def of(ident: str, st: Statement, text: str | None = None) -> Advice:
        return Advice(ident, text or st.text, st.evidence.value, tuple(st.references))


@dataclass(frozen=True)
class SweatTestInput:
    """A sweat test as measured; the conditions help choose it for a later plan."""

    body_mass_before_kg: float
    body_mass_after_kg: float
    fluid_drunk_l: float
    urine_l: float
    duration_min: float
    temperature_c: float | None = None
    humidity_percent: float | None = None
    intensity: int | None = None  # effort, 1-10
    sport: str | None = None


@dataclass(frozen=True)
class SweatTestResult:
    sweat_loss_l: float
    sweat_rate_l_per_h: float
    body_mass_change_percent: float
    formula: str
    references: tuple[str, ...]
    advice: tuple[Advice, ...]


@dataclass(frozen=True)
class PlanInput:
    """A planned session. Without a measured sweat rate the plan uses a cautious estimate."""

    duration_min: float
    intensity: int  # effort, 1-10 (the diary's scale)
    temperature_c: float
    humidity_percent: float
    body_mass_kg: float
    sweat_rate_l_per_h: float | None = None
    sweat_sodium: str = "typical"
    sport: str | None = None
    start_time: str | None = None
    sun: str | None = None
    wind_m_per_s: float | None = None
    acclimatised: bool = False
    takes_diuretic: bool = False
    intended_fluid_l_per_h: float | None = None
    sweat_test_gained_mass: bool = False


@dataclass(frozen=True)
class HeatRisk:
    category: str
    label: str
    wbgt_c: float
    method: str
    activity_change: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class SessionPlan:
    fluid_l_per_h: Figure
    fluid_mode: str  # "thirst" or "planned"
    sweat_rate_l_per_h: Figure
    sweat_rate_source: str  # "measured" or "estimate"
    expected_loss_percent: Figure
    sodium_mg_per_h: Figure
    sodium_mmol_per_h: Figure
    carbohydrate_g_per_h: Figure
    carbohydrate_range_g_per_h: tuple[float, float]
    heat: HeatRisk
    before: tuple[Advice, ...]
    during: tuple[Advice, ...]
    after: tuple[Advice, ...]
    warnings: tuple[Advice, ...]
    checklist: tuple[str, ...]
    totals: dict[str, float] = field(default_factory=dict)
