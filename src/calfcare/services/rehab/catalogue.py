"""The knowledge a stored plan stands for: its programme, variant, phases and doses.

A plan stores ids. They are looked up through `kb.rehab_ids` (`IdMap`), so a programme,
variant or phase renamed in the knowledge base still finds its plans; an id that is gone with
no mapping raises `ProgrammeChangedError` rather than falling back to a phase nobody chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from calfcare.engine.rehab import active_phases, prescriptions
from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_ids import IdMap
from calfcare.kb.rehab_schema import Phase, Programme, Variant
from calfcare.services.rehab.records import DoseItem, PlanRecord, ProgrammeChangedError, plan_record
from calfcare.storage import tables as t


def programme(kb: KnowledgeBase, programme_id: str) -> Programme:
    try:
        return kb.programmes[programme_id]
    except KeyError:
        raise NotFoundError(f"No programme called '{programme_id}'.") from None


def variant(prog: Programme, variant_id: str) -> Variant:
    for v in prog.variants:
        if v.id == variant_id:
            return v
    raise NotFoundError(f"Programme '{prog.id}' has no variant '{variant_id}'.")


def id_map(kb: KnowledgeBase) -> IdMap:
    return IdMap(kb.programmes, kb.exercises, kb.rehab_ids.renames)


@dataclass(frozen=True)
class PlanKnowledge:
    """A plan's programme and variant, the phases it goes through and the one it is in."""

    programme: Programme
    variant: Variant
    phases: tuple[Phase, ...]
    index: int

    @property
    def phase(self) -> Phase:
        return self.phases[self.index]


def plan_programme(kb: KnowledgeBase, plan: PlanRecord) -> tuple[Programme, Variant]:
    """The plan's programme and variant, through any rename; ProgrammeChangedError if gone."""
    ids = id_map(kb)
    pid = ids.programme(plan.programme)
    vid = ids.variant(plan.programme, plan.variant)
    if pid is None or vid is None:
        name = kb.programmes[pid].name if pid is not None else plan.programme
        raise ProgrammeChangedError(plan, name, ())
    prog = kb.programmes[pid]
    return prog, variant(prog, vid)


def plan_knowledge(kb: KnowledgeBase, row: t.RehabPlan) -> PlanKnowledge:
    """Everything the knowledge base says about the stored plan; ProgrammeChangedError if its
    phase (or programme, or variant) is gone and nothing maps it."""
    plan = plan_record(row)
    prog, var = plan_programme(kb, plan)
    phases = active_phases(prog, var)
    phase_id = id_map(kb).phase(plan.programme, plan.phase)
    index = next((i for i, p in enumerate(phases) if p.id == phase_id), None)
    if index is None:
        raise ProgrammeChangedError(plan, prog.name, tuple((p.id, p.name) for p in phases))
    return PlanKnowledge(prog, var, phases, index)


def dose_items(
    kb: KnowledgeBase, phase: Phase, var: Variant, adjustments: Sequence[t.RehabAdjustment] = ()
) -> tuple[DoseItem, ...]:
    """The phase's exercises for this variant, with a clinician's adjustments applied."""
    by_exercise = {a.exercise: a for a in adjustments if a.phase == phase.id}
    items: list[DoseItem] = []
    for rx in prescriptions(phase, var):
        ex = kb.exercises[rx.exercise]
        adj = by_exercise.get(rx.exercise)
        if adj is not None and adj.removed:
            continue
        items.append(
            DoseItem(
                exercise=ex,
                sets=(adj.sets if adj and adj.sets else None) or rx.sets or ex.dose.sets,
                amount=(adj.amount if adj and adj.amount else None) or rx.amount or ex.dose.amount,
                per_day=rx.per_day or ex.dose.per_day,
                days_per_week=rx.days_per_week or ex.dose.days_per_week,
                load=(adj.load if adj and adj.load else None) or rx.load or "",
                note=(adj.note if adj and adj.note else None) or rx.note or "",
                adjusted=adj is not None,
            )
        )
    return tuple(items)
