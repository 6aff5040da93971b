"""Moving stored plans to renamed programme, variant, phase and exercise ids.

When a clinician renames or removes an id in the programme files, `rehab/renames.yaml` says
where its plans go (`calfcare kb check` makes sure it does). `apply_renames` rewrites the
stored plans, their sessions, doses and phase history to the new ids and stamps each plan it
changes with the knowledge-base version. It runs with `calfcare db upgrade` and when
`calfcare serve` starts (`upgrade_stored_plans`). A plan whose phase is gone with no mapping
is left as it is and reported: its page then asks the person or their clinician to choose the
phase; nothing ever falls back to the first phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_ids import IdMap
from calfcare.services.rehab.catalogue import id_map
from calfcare.storage import tables as t


@dataclass(frozen=True)
class RenameReport:
    """What `apply_renames` did: one line per plan moved, one per plan it could not move."""

    moved: tuple[str, ...]
    unresolved: tuple[str, ...]


def _phase(ids: IdMap, programme_id: str, phase_id: str) -> str:
    return ids.phase(programme_id, phase_id) or phase_id


def _exercise(ids: IdMap, exercise_id: str) -> str:
    return ids.exercise(exercise_id) or exercise_id


def _move_logs(db: Session, ids: IdMap, row: t.RehabPlan) -> bool:
    """The plan's sessions, doses and history moved to the new ids; True if any changed."""
    old = row.programme
    changed = False
    for s in db.scalars(select(t.RehabSession).where(t.RehabSession.plan_id == row.id)):
        exercises: list[dict[str, Any]] = [
            {**e, "exercise": _exercise(ids, e["exercise"])} for e in s.exercises
        ]
        phase = _phase(ids, old, s.phase)
        if (phase, exercises) != (s.phase, s.exercises):
            s.phase, s.exercises, changed = phase, exercises, True
    for a in db.scalars(select(t.RehabAdjustment).where(t.RehabAdjustment.plan_id == row.id)):
        moved = (_phase(ids, old, a.phase), _exercise(ids, a.exercise))
        if moved != (a.phase, a.exercise):
            a.phase, a.exercise = moved
            changed = True
    for h in db.scalars(select(t.RehabPhaseChange).where(t.RehabPhaseChange.plan_id == row.id)):
        moved_from = _phase(ids, old, h.from_phase) if h.from_phase else None
        moved_to = _phase(ids, old, h.to_phase)
        if (moved_from, moved_to) != (h.from_phase, h.to_phase):
            h.from_phase, h.to_phase, changed = moved_from, moved_to, True
    return changed


def _move_plan(db: Session, kb: KnowledgeBase, ids: IdMap, row: t.RehabPlan) -> str | None:
    """The plan moved to the new ids; a line saying what moved, or None if nothing did."""
    programme = ids.programme(row.programme) or row.programme
    variant = ids.variant(row.programme, row.variant) or row.variant
    phase = _phase(ids, row.programme, row.phase)
    before = (row.programme, row.variant, row.phase)
    logs = _move_logs(db, ids, row)
    if (programme, variant, phase) == before and not logs:
        return None
    row.programme, row.variant, row.phase = programme, variant, phase
    row.kb_version = kb.content_hash
    return f"plan {row.id}: {'/'.join(before)} -> {programme}/{variant}/{phase}"


def _unresolved(ids: IdMap, row: t.RehabPlan) -> str | None:
    if ids.programme(row.programme) is None or ids.variant(row.programme, row.variant) is None:
        return (
            f"plan {row.id} ({row.status}): programme '{row.programme}', version "
            f"'{row.variant}' no longer exists and is not mapped in renames.yaml"
        )
    if ids.phase(row.programme, row.phase) is None:
        return (
            f"plan {row.id} ({row.status}): phase '{row.phase}' of '{row.programme}' no "
            "longer exists and is not mapped in renames.yaml; the person or their "
            "clinician will be asked to choose the phase"
        )
    return None


def apply_renames(db: Session, *, kb: KnowledgeBase) -> RenameReport:
    """Move every stored plan to the ids of `kb`, as `kb.rehab_ids.renames` says.

    Flushes but does not commit: the caller owns the transaction.
    """
    ids = id_map(kb)
    moved: list[str] = []
    unresolved: list[str] = []
    for row in db.scalars(
        select(t.RehabPlan).order_by(t.RehabPlan.created_at, t.RehabPlan.id)
    ).all():
        problem = _unresolved(ids, row)
        if problem is not None:
            unresolved.append(problem)
        line = _move_plan(db, kb, ids, row)
        if line is not None:
            moved.append(line)
    db.flush()
    return RenameReport(tuple(moved), tuple(unresolved))


def upgrade_stored_plans(url: str, *, kb: KnowledgeBase) -> RenameReport:
    """`apply_renames` on the database at `url`, in one transaction (after the schema is
    upgraded)."""
    from calfcare.storage.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as db, db.begin():
            return apply_renames(db, kb=kb)
    finally:
        engine.dispose()
