"""The one JSON shape of a sweat test, a session plan, a risk profile and the night routine.

Built once by the services and shown as they are by the API, `calfcare plan --json` and the
pages, so the three never disagree. Numbers are plain; `sources` names the reference ids of
each, and `estimates` lists those that rest on our estimates rather than a source's number.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from calfcare.engine.prevention import Advice, RiskProfile, SessionPlan, SweatTestResult
from calfcare.engine.prevention.night import NightCheck

DISCLAIMER = (
    "calfcare gives information, not a diagnosis or a prescription. Stop and get help if you "
    "feel dizzy, confused or very unwell."
)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class AdviceOut(_Out):
    id: str
    text: str
    evidence: str = Field(description="strong, moderate, weak, expert_opinion or no_evidence")
    sources: list[str] = Field(description="Reference ids (GET /api/v1/references)")

    @staticmethod
    def of(a: Advice) -> AdviceOut:
        return AdviceOut(id=a.id, text=a.text, evidence=a.evidence, sources=list(a.references))


def advice(items: tuple[Advice, ...] | list[Advice]) -> list[AdviceOut]:
    return [AdviceOut.of(a) for a in items]


class SweatTestReport(_Out):
    id: str | None = Field(default=None, description="Set when the test was saved")
    sweat_loss_l: float
    sweat_rate_l_per_h: float
    body_mass_change_percent: float
    formula: str
    sources: list[str]
    advice: list[AdviceOut]
    kb_version: str

    @staticmethod
    def of(r: SweatTestResult, kb_version: str, ident: str | None = None) -> SweatTestReport:
        return SweatTestReport(
            id=ident,
            sweat_loss_l=r.sweat_loss_l,
            sweat_rate_l_per_h=r.sweat_rate_l_per_h,
            body_mass_change_percent=r.body_mass_change_percent,
            formula=r.formula,
            sources=list(r.references),
            advice=advice(r.advice),
            kb_version=kb_version,
        )


class HeatOut(_Out):
    category: str = Field(description="cool, low, moderate, high or extreme")
    label: str
    wbgt_c: float = Field(description="Estimated wet-bulb globe temperature, °C")
    method: str = Field(description="simple (temperature and humidity) or sun_and_wind")
    activity_change: str
    sources: list[str]


class CrampsOut(_Out):
    count: int
    in_heat: int
    without_fuel: int
    longer_or_harder: int
    activities: list[str]


class LoadRatioOut(_Out):
    acute_load: float = Field(description="Minutes x effort over the last 7 days")
    chronic_weekly_load: float = Field(description="Weekly average over the window")
    ratio: float | None
    limits: AdviceOut


class RiskReport(_Out):
    window_days: int
    sessions: int
    longest_min: int | None
    hardest_rpe: int | None
    longer_by_percent: float | None
    harder_by: int | None
    cramps: CrampsOut
    load_ratio: LoadRatioOut
    touches: list[AdviceOut]

    @staticmethod
    def of(r: RiskProfile) -> RiskReport:
        h, lr = r.history, r.load_ratio
        return RiskReport(
            window_days=r.window_days,
            sessions=r.sessions,
            longest_min=r.longest_min,
            hardest_rpe=r.hardest_rpe,
            longer_by_percent=r.longer_by_percent,
            harder_by=r.harder_by,
            cramps=CrampsOut(
                count=h.count,
                in_heat=h.in_heat,
                without_fuel=h.without_fuel,
                longer_or_harder=h.longer_or_harder,
                activities=list(h.activities),
            ),
            load_ratio=LoadRatioOut(
                acute_load=lr.acute_load,
                chronic_weekly_load=lr.chronic_weekly_load,
                ratio=lr.ratio,
                limits=AdviceOut.of(lr.advice),
            ),
            touches=advice(r.touches),
        )


class SessionPlanReport(_Out):
    id: str | None = Field(default=None, description="Set when the plan was saved")
    duration_min: float
    fluid_l_per_h: float
    fluid_mode: str = Field(description="thirst (drink to thirst) or planned")
    sweat_rate_l_per_h: float
    sweat_rate_source: str = Field(description="measured (given or a sweat test) or estimate")
    sweat_test_id: str | None = None
    expected_loss_percent: float
    sodium_mg_per_h: float
    sodium_mmol_per_h: float
    carbohydrate_g_per_h: float
    carbohydrate_range_g_per_h: list[float]
    heat_risk: HeatOut
    sources: dict[str, list[str]] = Field(description="Reference ids of each number")
    estimates: list[str] = Field(description="Numbers that rest on our estimates")
    before: list[AdviceOut]
    during: list[AdviceOut]
    after: list[AdviceOut]
    warnings: list[AdviceOut]
    checklist: list[str]
    totals: dict[str, float]
    risk: RiskReport | None = None
    kb_version: str
    disclaimer: str = DISCLAIMER


def plan_report(
    p: SessionPlan,
    duration_min: float,
    kb_version: str,
    test_id: str | None = None,
    risk: RiskProfile | None = None,
) -> SessionPlanReport:
    figures = {
        "fluid_l_per_h": p.fluid_l_per_h,
        "sweat_rate_l_per_h": p.sweat_rate_l_per_h,
        "expected_loss_percent": p.expected_loss_percent,
        "sodium_mg_per_h": p.sodium_mg_per_h,
        "sodium_mmol_per_h": p.sodium_mmol_per_h,
        "carbohydrate_g_per_h": p.carbohydrate_g_per_h,
    }
    h = p.heat
    return SessionPlanReport(
        duration_min=duration_min,
        **{k: f.value for k, f in figures.items()},
        fluid_mode=p.fluid_mode,
        sweat_rate_source=p.sweat_rate_source,
        sweat_test_id=test_id,
        carbohydrate_range_g_per_h=list(p.carbohydrate_range_g_per_h),
        heat_risk=HeatOut(
            category=h.category,
            label=h.label,
            wbgt_c=h.wbgt_c,
            method=h.method,
            activity_change=h.activity_change,
            sources=list(h.references),
        ),
        sources={
            **{k: list(f.references) for k, f in figures.items()},
            "heat_risk": list(h.references),
        },
        estimates=[k for k, f in figures.items() if f.estimate],
        before=advice(p.before),
        during=advice(p.during),
        after=advice(p.after),
        warnings=advice(p.warnings),
        checklist=list(p.checklist),
        totals=dict(p.totals),
        risk=RiskReport.of(risk) if risk is not None else None,
        kb_version=kb_version,
    )


class ExerciseOut(_Out):
    id: str
    name: str
    summary: str


class NightCheckOut(_Out):
    verdict: str = Field(description="fewer, same, more, not_enough or too_early")
    text: str
    before: int
    after: int
    window_days: int
    started: date
    days_left: int
    sources: list[str]


VERDICTS = {
    "fewer": "Fewer night cramps than in the {d} days before: {b} before, {a} since.",
    "same": "About the same number of night cramps as before: {b} before, {a} since.",
    "more": "More night cramps than before: {b} before, {a} since. See a GP if they keep "
    "waking you.",
    "not_enough": "Not enough to tell: {b} night cramps before and {a} since is too few to "
    "say whether the stretches helped. Cramps come and go by themselves.",
    "too_early": "Too early to tell: come back in {left} days, once you have {d} days of "
    "stretches to compare.",
}


def night_check_out(c: NightCheck) -> NightCheckOut:
    text = VERDICTS[c.verdict].format(d=c.window_days, b=c.before, a=c.after, left=c.days_left)
    return NightCheckOut(
        verdict=c.verdict,
        text=text,
        before=c.before,
        after=c.after,
        window_days=c.window_days,
        started=c.started,
        days_left=c.days_left,
        sources=list(c.references),
    )


class NightReport(_Out):
    routine: list[ExerciseOut]
    holds: str
    check: NightCheckOut | None = None
    evidence: list[AdviceOut]
    kb_version: str
