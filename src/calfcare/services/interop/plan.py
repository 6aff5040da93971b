"""Any plan of care as a FHIR CarePlan with its Goals and activities.

A plan reaches FHIR through one small typed input, `PlanInput` (title, goals, activities,
knowledge-base version), so that every kind of plan is exported the same way: the
rehabilitation plan now (`rehab_plan_input`), and any other plan that fills a `PlanInput`.
The Goals are separate resources that the CarePlan references, as FHIR requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from calfcare.kb.loader import KnowledgeBase
from calfcare.services.interop.coding import full_url, kb_version, new_id, validated
from calfcare.services.rehab.catalogue import plan_programme
from calfcare.services.rehab.records import PlanRecord

GoalState = Literal["planned", "active", "completed"]
ActivityState = Literal["not-started", "scheduled", "in-progress", "completed", "stopped"]
PlanState = Literal["active", "completed", "revoked"]
#: A rehabilitation plan's status, as FHIR names a CarePlan's.
PLAN_STATES: dict[str, PlanState] = {
    "active": "active",
    "completed": "completed",
    "stopped": "revoked",
}


@dataclass(frozen=True)
class GoalInput:
    description: str
    state: GoalState


@dataclass(frozen=True)
class ActivityInput:
    description: str
    state: ActivityState = "scheduled"


@dataclass(frozen=True)
class PlanInput:
    """What any plan gives to be exported: its words, goals, activities and knowledge base."""

    title: str
    description: str
    state: PlanState
    start: date
    goals: tuple[GoalInput, ...]
    activities: tuple[ActivityInput, ...]
    kb_version: str


def care_plan(plan: PlanInput, *, subject: str) -> list[tuple[str, dict[str, Any]]]:
    """(full URL, resource) of the CarePlan and of each of its Goals, the CarePlan first."""
    goals = [
        (
            full_url(new_id()),
            validated(
                {
                    "resourceType": "Goal",
                    "lifecycleStatus": "completed" if g.state == "completed" else g.state,
                    "achievementStatus": {"text": "Achieved"} if g.state == "completed" else None,
                    "description": {"text": g.description},
                    "subject": {"reference": subject},
                }
            ),
        )
        for g in plan.goals
    ]
    resource = {
        "resourceType": "CarePlan",
        "extension": [kb_version(plan.kb_version)],
        "status": plan.state,
        "intent": "plan",
        "title": plan.title,
        "description": plan.description,
        "subject": {"reference": subject},
        "period": {"start": plan.start.isoformat()},
        "goal": [{"reference": url} for url, _ in goals] or None,
        "activity": [
            {"detail": {"status": a.state, "description": a.description}} for a in plan.activities
        ]
        or None,
    }
    return [(full_url(new_id()), validated(resource)), *goals]


def rehab_plan_input(kb: KnowledgeBase, plan: PlanRecord) -> PlanInput:
    """A rehabilitation plan: a Goal per phase (done, current, to come) and the exercises of
    the current phase as its activities."""
    prog, var = plan_programme(kb, plan)
    phases = [p for p in prog.phases if p.id not in var.skip_phases]
    ids = [p.id for p in phases]
    current = ids.index(plan.phase) if plan.phase in ids else -1
    finished = plan.status == "completed"

    def state(i: int) -> GoalState:
        if finished or i < current:
            return "completed"
        return "active" if i == current else "planned"

    phase = phases[current] if current >= 0 else None
    return PlanInput(
        title=f"{prog.name} ({var.label})",
        description=f"{prog.summary} Side: {plan.side}. Injured on {plan.injury_day.isoformat()}.",
        state=PLAN_STATES.get(plan.status, "active"),
        start=plan.started_on,
        goals=tuple(GoalInput(f"{p.name}: {p.goal}", state(i)) for i, p in enumerate(phases)),
        activities=tuple(
            ActivityInput(_exercise(kb, x.exercise, x.sets, x.amount), "in-progress")
            for x in (phase.exercises if phase is not None and not finished else [])
        ),
        kb_version=plan.kb_version,
    )


def _exercise(kb: KnowledgeBase, exercise_id: str, sets: int | None, amount: int | None) -> str:
    ex = kb.exercises.get(exercise_id)
    name = ex.name if ex is not None else exercise_id
    if sets and amount:
        return f"{name}: {sets} sets of {amount}"
    return name
