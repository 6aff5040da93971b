"""Reading and writing a plan's rows: the one place the rehabilitation services touch tables.

Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from calfcare.engine.rehab import MorningCheck
from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.rehab.records import (
    PhaseChange,
    SessionRecord,
    TestRecord,
    result_record,
    session_record,
)
from calfcare.storage import tables as t

NO_PLAN = "No active rehabilitation plan. Start one first."


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def table(model: type[t.Base]) -> Table:
    return t.Base.metadata.tables[str(model.__tablename__)]


def active_row(db: Session, owner_id: str) -> t.RehabPlan | None:
    return db.scalars(
        select(t.RehabPlan).where(t.RehabPlan.user_id == owner_id, t.RehabPlan.status == "active")
    ).first()


def require_active(db: Session, owner_id: str) -> t.RehabPlan:
    row = active_row(db, owner_id)
    if row is None:
        raise NotFoundError(NO_PLAN)
    return row


def adjustments(db: Session, plan_id: str) -> list[t.RehabAdjustment]:
    return list(
        db.scalars(select(t.RehabAdjustment).where(t.RehabAdjustment.plan_id == plan_id)).all()
    )


def history(db: Session, plan_id: str) -> list[PhaseChange]:
    rows = db.scalars(
        select(t.RehabPhaseChange)
        .where(t.RehabPhaseChange.plan_id == plan_id)
        .order_by(t.RehabPhaseChange.created_at, t.RehabPhaseChange.id)
    ).all()
    return [
        PhaseChange(
            day=r.day,
            from_phase=r.from_phase,
            to_phase=r.to_phase,
            action=r.action,
            reasons=tuple(r.reasons),
            by_user=r.by_user,
        )
        for r in rows
    ]


def sessions(db: Session, plan_id: str) -> list[SessionRecord]:
    return [
        session_record(s)
        for s in db.scalars(
            select(t.RehabSession)
            .where(t.RehabSession.plan_id == plan_id)
            .order_by(t.RehabSession.day, t.RehabSession.created_at)
        ).all()
    ]


def mornings(db: Session, plan_id: str) -> list[MorningCheck]:
    return [
        MorningCheck(day=m.day, pain=m.pain)
        for m in db.scalars(
            select(t.RehabMorning)
            .where(t.RehabMorning.plan_id == plan_id)
            .order_by(t.RehabMorning.day)
        ).all()
    ]


def results(db: Session, plan_id: str) -> list[TestRecord]:
    return [
        result_record(x)
        for x in db.scalars(
            select(t.RehabTest)
            .where(t.RehabTest.plan_id == plan_id)
            .order_by(t.RehabTest.day, t.RehabTest.created_at)
        ).all()
    ]


def log_change(
    db: Session,
    row: t.RehabPlan,
    day: date,
    from_phase: str | None,
    to_phase: str,
    action: str,
    reasons: Sequence[str],
    by_user: str | None,
) -> None:
    db.add(
        t.RehabPhaseChange(
            id=new_id(),
            plan_id=row.id,
            day=day,
            from_phase=from_phase,
            to_phase=to_phase,
            action=action,
            reasons=list(reasons),
            by_user=by_user,
            created_at=now(),
        )
    )
    db.flush()


def move_to_phase(
    db: Session,
    row: t.RehabPlan,
    kb: KnowledgeBase,
    *,
    day: date,
    phase: str,
    action: str,
    reasons: Sequence[str],
    by_user: str | None,
) -> None:
    """Record a phase change and put the plan in the phase from `day`, against this `kb`."""
    log_change(db, row, day, row.phase, phase, action, reasons, by_user)
    row.phase = phase
    row.phase_started = day
    row.kb_version = kb.content_hash
    db.flush()
