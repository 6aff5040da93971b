"""A saved session plan (prevention) as the typed input of a FHIR CarePlan.

The plan's per-hour targets become its Goals and its checklist its activities, in the words
the person saw on the printed card, so a clinician reading the record sees the same plan.
"""

from __future__ import annotations

from typing import Any

from calfcare.services.interop.plan import ActivityInput, GoalInput, PlanInput
from calfcare.services.prevention import SavedPlan


def prevention_plan_input(saved: SavedPlan) -> PlanInput:
    """Targets per hour as Goals (fluid, sodium, carbohydrate, the loss ceiling) and the
    checklist as activities; the request's sport and length name the plan."""
    plan, request = saved.plan, saved.request
    sport = str(request.get("sport") or "session").strip() or "session"
    minutes = _number(plan.get("duration_min", request.get("duration_min")))
    heat = plan.get("heat_risk") or {}
    goals = [
        GoalInput(text, "active")
        for text in (
            _fluid(plan),
            f"Sodium: about {_number(plan.get('sodium_mg_per_h'))} mg an hour "
            f"({_number(plan.get('sodium_mmol_per_h'))} mmol)",
            f"Carbohydrate: about {_number(plan.get('carbohydrate_g_per_h'))} g an hour",
        )
    ]
    return PlanInput(
        title=f"Session plan: {sport}, {minutes} minutes",
        description=(
            f"Fluid, sodium, fuel and heat for one session. Heat: {heat.get('label', 'unknown')}."
            f" {plan.get('disclaimer', '')}".strip()
        ),
        state="active",
        start=saved.created_at.date(),
        goals=tuple(goals),
        activities=tuple(ActivityInput(str(item)) for item in plan.get("checklist", [])),
        kb_version=saved.kb_version,
    )


def _fluid(plan: dict[str, Any]) -> str:
    if plan.get("fluid_mode") == "thirst":
        return "Fluid: drink to thirst"
    return f"Fluid: about {plan.get('fluid_l_per_h')} L an hour, never more than you sweat"


def _number(value: Any) -> str:
    """A plan's number as written on the card: whole numbers without a decimal point."""
    if isinstance(value, int | float):
        return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:g}"
    return str(value)
