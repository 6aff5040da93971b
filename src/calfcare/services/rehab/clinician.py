"""A clinician's work on a linked person's plan: see it, assign one, move it, adjust doses.

Every function checks the link first and answers an unlinked or unknown person exactly like a
missing one (NotFoundError), so a person id reveals nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from calfcare.engine.rehab import active_phases, prescriptions
from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Phase, Variant
from calfcare.services import accounts
from calfcare.services.forms import FormReader
from calfcare.services.rehab import store
from calfcare.services.rehab.catalogue import dose_items, plan_programme
from calfcare.services.rehab.plans import list_plans, start_plan
from calfcare.services.rehab.records import DoseItem, PlanRecord, ProgrammeChangedError, plan_record
from calfcare.services.rehab.status import PlanStatus, build_status
from calfcare.storage import tables as t

ADJUST_FIELDS = ("phase", "exercise", "sets", "amount", "load", "note", "removed")


def _linked(db: Session, clinician_id: str, person_id: str) -> None:
    if not accounts.is_linked(db, person_id=person_id, clinician_id=clinician_id):
        raise NotFoundError("No such person.")


def plan_items(db: Session, *, owner_id: str, kb: KnowledgeBase) -> dict[str, tuple[DoseItem, ...]]:
    """Every phase's exercises of the owner's active plan, with the clinician's adjustments."""
    row = store.require_active(db, owner_id)
    prog, var = plan_programme(kb, plan_record(row))
    adjustments = store.adjustments(db, row.id)
    return {p.id: dose_items(kb, p, var, adjustments) for p in active_phases(prog, var)}


def clinician_status(
    db: Session, *, clinician_id: str, person_id: str, today: date, kb: KnowledgeBase
) -> PlanStatus | None:
    """A linked person's active plan, or None when they follow none."""
    _linked(db, clinician_id, person_id)
    row = store.active_row(db, person_id)
    return build_status(db, kb, row, today) if row is not None else None


@dataclass(frozen=True)
class ClinicianView:
    """What the clinician's page of a linked person shows, gathered in one call.

    `status` is None when the person follows no plan, or when its phase is gone from the
    programme (`changed` then says so, and the clinician chooses the phase).
    """

    status: PlanStatus | None
    changed: ProgrammeChangedError | None
    doses: dict[str, tuple[DoseItem, ...]]
    past: list[PlanRecord]


def clinician_view(
    db: Session, *, clinician_id: str, person_id: str, today: date, kb: KnowledgeBase
) -> ClinicianView:
    try:
        st = clinician_status(
            db, clinician_id=clinician_id, person_id=person_id, today=today, kb=kb
        )
    except ProgrammeChangedError as changed:
        return ClinicianView(None, changed, {}, list_plans(db, owner_id=person_id))
    doses = plan_items(db, owner_id=person_id, kb=kb) if st is not None else {}
    return ClinicianView(st, None, doses, list_plans(db, owner_id=person_id))


def clinician_assign(
    db: Session,
    *,
    clinician_id: str,
    person_id: str,
    values: Mapping[str, object],
    today: date,
    kb: KnowledgeBase,
) -> PlanRecord:
    """Start a programme for a linked person (who must not already follow one)."""
    _linked(db, clinician_id, person_id)
    return start_plan(
        db, owner_id=person_id, values=values, today=today, assigned_by=clinician_id, kb=kb
    )


def clinician_set_phase(
    db: Session, *, clinician_id: str, person_id: str, phase: str, today: date, kb: KnowledgeBase
) -> PlanRecord:
    """Move a linked person's plan to a phase of the clinician's choosing."""
    _linked(db, clinician_id, person_id)
    row = store.require_active(db, person_id)
    prog, var = plan_programme(kb, plan_record(row))
    ids = [p.id for p in active_phases(prog, var)]
    if phase not in ids:
        raise FormError({"phase": "Must be one of " + ", ".join(ids) + "."})
    if phase != row.phase:
        store.move_to_phase(
            db,
            row,
            kb,
            day=today,
            phase=phase,
            action="clinician",
            reasons=(),
            by_user=clinician_id,
        )
    return plan_record(row)


@dataclass(frozen=True)
class _Dose:
    phase: str
    exercise: str
    sets: int | None
    amount: int | None
    load: str
    note: str
    removed: bool

    @property
    def empty(self) -> bool:
        return not (self.sets or self.amount or self.load or self.note or self.removed)


def _dose_values(values: Mapping[str, object], phases: Mapping[str, Phase], var: Variant) -> _Dose:
    f = FormReader(values, ADJUST_FIELDS)
    pid = f.choice("phase", list(phases), "one of " + ", ".join(phases))
    exercise = f.slug("exercise", 64, "an exercise of this phase")
    sets = f.integer("sets", 1, 10, "a whole number from 1 to 10", required=False)
    amount = f.integer("amount", 1, 600, "a whole number from 1 to 600", required=False)
    load = f.text("load", 200)
    note = f.text("note", 400)
    removed = f.boolean("removed")
    if (
        pid is not None
        and exercise
        and exercise not in {rx.exercise for rx in prescriptions(phases[pid], var)}
    ):
        f.errors["exercise"] = "Must be one of this phase's exercises."
    f.done()
    return _Dose(f.checked("phase", pid), exercise or "", sets, amount, load, note, removed)


def clinician_adjust(
    db: Session,
    *,
    clinician_id: str,
    person_id: str,
    values: Mapping[str, object],
    kb: KnowledgeBase,
) -> list[DoseItem]:
    """Set a linked person's dose for one exercise of one phase (or remove the exercise)."""
    _linked(db, clinician_id, person_id)
    row = store.require_active(db, person_id)
    prog, var = plan_programme(kb, plan_record(row))
    phases = {p.id: p for p in active_phases(prog, var)}
    dose = _dose_values(values, phases, var)
    existing = db.scalars(
        select(t.RehabAdjustment).where(
            t.RehabAdjustment.plan_id == row.id,
            t.RehabAdjustment.phase == dose.phase,
            t.RehabAdjustment.exercise == dose.exercise,
        )
    ).first()
    if dose.empty:
        # An empty adjustment gives the exercise back its programme dose.
        if existing is not None:
            db.delete(existing)
            db.flush()
    else:
        if existing is None:
            existing = t.RehabAdjustment(
                id=store.new_id(),
                plan_id=row.id,
                phase=dose.phase,
                exercise=dose.exercise,
                created_at=store.now(),
            )
            db.add(existing)
        existing.sets, existing.amount, existing.load = dose.sets, dose.amount, dose.load
        existing.note, existing.removed, existing.by_user = dose.note, dose.removed, clinician_id
        db.flush()
    return list(dose_items(kb, phases[dose.phase], var, store.adjustments(db, row.id)))
