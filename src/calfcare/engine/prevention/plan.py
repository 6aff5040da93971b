"""A session plan: fluid, sodium, carbohydrate and heat per hour, what to take before and
after, the warnings that apply and a checklist, all from `formulas.py` and the knowledge base."""

from __future__ import annotations

from calfcare.engine.prevention import formulas as f
from calfcare.engine.prevention.types import Advice, Figure, HeatRisk, PlanInput, SessionPlan
from calfcare.kb.prevention_schema import Prevention, Sourced


def _sweat(p: PlanInput, kb: Prevention) -> tuple[float, Sourced | None]:
    if p.sweat_rate_l_per_h is not None:
        return p.sweat_rate_l_per_h, None
    est = f.estimated_sweat_rate(p.intensity, kb.fluid)
    return est.value, est


def _heat(p: PlanInput, kb: Prevention) -> HeatRisk:
    value, method = f.wbgt(p.temperature_c, p.humidity_percent, kb.heat, p.sun, p.wind_m_per_s)
    cat = f.heat_category(value, kb.heat)
    refs = [*(cat.from_wbgt_c.references if cat.from_wbgt_c else cat.references), "brimicombe2022"]
    change = cat.acclimatised if p.acclimatised else cat.not_acclimatised
    return HeatRisk(cat.id, cat.label, value, method, change, tuple(dict.fromkeys(refs)))


def _warnings(p: PlanInput, kb: Prevention, heat: HeatRisk, sweat: float) -> list[Advice]:
    fl, out = kb.fluid, []
    st = fl.statements["never_above_sweat"]
    if p.intended_fluid_l_per_h is not None and p.intended_fluid_l_per_h > sweat:
        out.append(
            Advice.of(
                "hyponatraemia",
                st,
                f"You mean to drink {p.intended_fluid_l_per_h:g} "
                f"L an hour, more than you sweat ({sweat:g} L an hour). {st.text}",
            )
        )
    if p.sweat_test_gained_mass:
        out.append(
            Advice.of(
                "gained_mass",
                st,
                "You weighed more after your sweat test than "
                f"before it: you drank more than you sweated. {st.text}",
            )
        )
    if p.duration_min >= fl.long_slow_min.value and p.intensity <= fl.slow_max_rpe.value:
        out.append(
            Advice.of(
                "long_and_slow",
                st,
                "A long, slow session leaves time to drink more "
                f"than you sweat. Drink to thirst and weigh yourself. {st.text}",
            )
        )
    return [*out, *_heat_and_medicines(p, kb, heat)]


def _heat_and_medicines(p: PlanInput, kb: Prevention, heat: HeatRisk) -> list[Advice]:
    out: list[Advice] = []
    if heat.category in {c.id for c in kb.heat.categories if c.warns}:
        ill = kb.heat.statements["heat_illness"]
        out.append(
            Advice(
                f"heat_{heat.category}",
                f"Heat stress is {heat.label.lower()} "
                f"(estimated WBGT {heat.wbgt_c:g} °C): {heat.activity_change} {ill.text}",
                ill.evidence.value,
                tuple(dict.fromkeys([*heat.references, *ill.references])),
            )
        )
    if p.takes_diuretic:
        out.append(Advice.of("diuretic", kb.medicines["diuretic"]))
    return out


def _before(p: PlanInput, kb: Prevention) -> list[Advice]:
    fl, fu, m = kb.fluid, kb.fuel, p.body_mass_kg
    a4, b4 = (round(x.value * m / 10) * 10 for x in fl.before_4h_ml_per_kg)
    a2, b2 = (round(x.value * m / 10) * 10 for x in fl.before_2h_ml_per_kg)
    refs = tuple(fl.before_4h_ml_per_kg[0].references)
    before = [
        Advice(
            "fluid_before",
            f"About 4 hours before, drink {a4}-{b4} mL. If you pass no "
            f"urine or it is dark, drink another {a2}-{b2} mL about 2 hours before.",
            fl.before_4h_ml_per_kg[0].evidence.value,
            refs,
        )
    ]
    if p.duration_min > fu.before_for_longer_than_min:
        lo, hi = (round(x.value * m) for x in fu.before_g_per_kg)
        before.append(
            Advice(
                "carbohydrate_before",
                f"Eat {lo}-{hi} g of carbohydrate in the 1 to "
                "4 hours before (the more, the earlier).",
                fu.before_g_per_kg[0].evidence.value,
                tuple(fu.before_g_per_kg[0].references),
            )
        )
    return before


def _after(p: PlanInput, kb: Prevention, loss_kg: float) -> list[Advice]:
    fl, fu, m = kb.fluid, kb.fuel, p.body_mass_kg
    rep = fl.after_l_per_kg_lost
    after = [
        Advice(
            "fluid_after",
            f"You should lose about {loss_kg:.1f} kg. To recover quickly, "
            f"drink about {round(loss_kg * rep.value, 1):g} L over the next hours with "
            "salty food; otherwise normal meals and drinks will do.",
            rep.evidence.value,
            tuple(rep.references),
        )
    ]
    lo, hi = (round(x.value * m) for x in fu.after_g_per_kg_per_h)
    after.append(
        Advice(
            "carbohydrate_after",
            f"If you train hard again within a day, eat {lo}-{hi}"
            " g of carbohydrate an hour for the first 4 hours.",
            fu.after_g_per_kg_per_h[0].evidence.value,
            tuple(fu.after_g_per_kg_per_h[0].references),
        )
    )
    return after


def _during(p: PlanInput, kb: Prevention, mode: str, carbs: float) -> list[Advice]:
    fl, fu = kb.fluid, kb.fuel
    out = [
        Advice.of(
            "thirst" if mode == "thirst" else "ceiling",
            fl.statements[mode if mode == "thirst" else "ceiling"],
        ),
        Advice.of("never_above_sweat", fl.statements["never_above_sweat"]),
    ]
    if carbs > fu.multiple_transportable_above_g.value:
        out.append(Advice.of("multiple_transportable", fu.statements["multiple_transportable"]))
    if p.intensity <= 3 and carbs > 0:
        out.append(Advice.of("low_intensity", fu.statements["low_intensity"]))
    out.append(Advice.of("sodium_not_a_cure", kb.sodium.statements["not_a_cure"]))
    if kb.heat.statements:
        out.append(Advice.of("heat_estimate", kb.heat.statements["estimate_only"]))
    return out


def _checklist(
    plan_hours: float,
    drink: float,
    sodium_mg: float,
    carbs: float,
    loss_kg: float,
    heat: HeatRisk,
    mass: float,
) -> list[str]:
    items = ["Weigh yourself before, in dry light clothes, after the toilet."]
    if drink > 0:
        items.append(
            f"Carry {round(drink * plan_hours, 1):g} L of drink with about "
            f"{round(sodium_mg * plan_hours):g} mg of sodium in all."
        )
    else:
        items.append("Take a drink with you and drink when you are thirsty.")
    if carbs > 0:
        items.append(
            f"Carry {round(carbs * plan_hours):g} g of carbohydrate; start in the first half hour."
        )
    items.append(
        f"Check the heat on the day: the plan expects '{heat.label}' (WBGT {heat.wbgt_c:g} °C)."
    )
    items.append(
        f"Weigh yourself after: aim to lose no more than {loss_kg:.1f} kg and never to "
        f"weigh more than {mass:g} kg."
    )
    items.append("If a cramp starts: slow down or stop, and stretch the calf gently.")
    return items


def session_plan(p: PlanInput, kb: Prevention) -> SessionPlan:
    """The whole plan for one session; every number carries its references."""
    fl = kb.fluid
    sweat, est = _sweat(p, kb)
    mode = "thirst" if p.duration_min < fl.thirst_below_min.value else "planned"
    drink = f.fluid_per_hour(sweat, p.duration_min, p.body_mass_kg, fl)
    loss = f.expected_loss_percent(sweat, drink, p.duration_min, p.body_mass_kg)
    conc = kb.sodium.mmol_per_l[p.sweat_sodium]  # type: ignore[index]
    mg, mmol = f.sodium_per_hour(drink, conc.value)
    band = f.fuel_band(p.duration_min, kb.fuel.bands)
    carbs = f.carbohydrate_per_hour(p.duration_min, band)
    heat = _heat(p, kb)
    loss_kg = round((sweat - drink) * p.duration_min / 60, 2)
    fluid_srcs = [fl.loss_ceiling_percent, fl.thirst_below_min, *([est] if est else [])]
    hours = p.duration_min / 60
    return SessionPlan(
        fluid_l_per_h=Figure.of(drink, "L/h", *fluid_srcs),
        fluid_mode=mode,
        sweat_rate_l_per_h=(
            Figure.of(sweat, "L/h", est) if est else Figure(sweat, "L/h", f.SWEAT_REFERENCES)
        ),
        sweat_rate_source="estimate" if est else "measured",
        expected_loss_percent=Figure.of(loss, "%", fl.loss_ceiling_percent),
        sodium_mg_per_h=Figure.of(mg, "mg/h", conc),
        sodium_mmol_per_h=Figure.of(mmol, "mmol/h", conc),
        carbohydrate_g_per_h=Figure.of(carbs, "g/h", band.low, band.high),
        carbohydrate_range_g_per_h=(band.low.value, band.high.value),
        heat=heat,
        before=tuple(_before(p, kb)),
        during=(
            *_during(p, kb, mode, carbs),
            Advice("fuel_band", band.advice, band.high.evidence.value, tuple(band.high.references)),
        ),
        after=tuple(_after(p, kb, loss_kg)),
        warnings=tuple(_warnings(p, kb, heat, sweat)),
        checklist=tuple(_checklist(hours, drink, mg, carbs, loss_kg, heat, p.body_mass_kg)),
        totals=_totals(hours, drink, mg, carbs, loss_kg),
    )


def _totals(
    hours: float, drink: float, mg: float, carbs: float, loss_kg: float
) -> dict[str, float]:
    """What to carry for the whole session, and the loss to expect."""
    return {
        "fluid_l": round(drink * hours, 2),
        "sodium_mg": round(mg * hours),
        "carbohydrate_g": round(carbs * hours),
        "expected_loss_kg": loss_kg,
    }
