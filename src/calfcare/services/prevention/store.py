"""A person's sweat tests and saved plans in the database, always filtered by the owner.

Functions flush but never commit (the caller owns the transaction); another person's record
is `NotFoundError`, exactly like one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calfcare.engine.prevention import SweatTestInput, SweatTestResult
from calfcare.errors import NotFoundError
from calfcare.services.diary.crud import storable_id
from calfcare.services.diary.records import as_utc, aware_now
from calfcare.storage import tables as t

MISSING_TEST = "No such sweat test in your records."
MISSING_PLAN = "No such saved plan in your records."


@dataclass(frozen=True)
class SavedTest:
    id: str
    measured_at: datetime
    test: SweatTestInput
    sweat_rate_l_per_h: float
    body_mass_change_percent: float
    kb_version: str


@dataclass(frozen=True)
class SavedPlan:
    id: str
    created_at: datetime
    request: dict[str, Any]
    plan: dict[str, Any]
    kb_version: str


def _test(row: t.SweatTest) -> SavedTest:
    test = SweatTestInput(
        row.body_mass_before_kg,
        row.body_mass_after_kg,
        row.fluid_drunk_l,
        row.urine_l,
        row.duration_min,
        row.temperature_c,
        row.humidity_pct,
        row.intensity,
        row.sport,
    )
    return SavedTest(
        row.id,
        as_utc(row.measured_at),
        test,
        row.sweat_rate_l_per_h,
        row.body_mass_change_pct,
        row.kb_version,
    )


def save_sweat_test(
    session: Session,
    *,
    owner_id: str,
    test: SweatTestInput,
    result: SweatTestResult,
    kb_version: str,
    now: datetime | None = None,
) -> SavedTest:
    row = t.SweatTest(
        id=uuid.uuid4().hex,
        user_id=owner_id,
        measured_at=aware_now(now),
        body_mass_before_kg=test.body_mass_before_kg,
        body_mass_after_kg=test.body_mass_after_kg,
        fluid_drunk_l=test.fluid_drunk_l,
        urine_l=test.urine_l,
        duration_min=test.duration_min,
        temperature_c=test.temperature_c,
        humidity_pct=test.humidity_percent,
        intensity=test.intensity,
        sport=test.sport,
        sweat_rate_l_per_h=result.sweat_rate_l_per_h,
        body_mass_change_pct=result.body_mass_change_percent,
        kb_version=kb_version,
    )
    session.add(row)
    session.flush()
    return _test(row)


def list_sweat_tests(session: Session, *, owner_id: str, limit: int = 200) -> list[SavedTest]:
    """The owner's sweat tests, newest first."""
    rows = session.scalars(
        select(t.SweatTest)
        .where(t.SweatTest.user_id == owner_id)
        .order_by(t.SweatTest.measured_at.desc(), t.SweatTest.id)
        .limit(limit)
    )
    return [_test(r) for r in rows]


def delete_sweat_test(session: Session, *, owner_id: str, test_id: str) -> None:
    test_id = storable_id(test_id, MISSING_TEST)
    row = session.scalars(
        select(t.SweatTest).where(t.SweatTest.id == test_id, t.SweatTest.user_id == owner_id)
    ).first()
    if row is None:
        raise NotFoundError(MISSING_TEST)
    session.delete(row)
    session.flush()


def save_plan(
    session: Session,
    *,
    owner_id: str,
    request: dict[str, Any],
    plan: dict[str, Any],
    kb_version: str,
    now: datetime | None = None,
) -> SavedPlan:
    row = t.PreventionPlan(
        id=uuid.uuid4().hex,
        user_id=owner_id,
        created_at=aware_now(now),
        request=request,
        plan=plan,
        kb_version=kb_version,
    )
    session.add(row)
    session.flush()
    return SavedPlan(row.id, as_utc(row.created_at), request, plan, kb_version)


def get_plan(session: Session, *, owner_id: str, plan_id: str) -> SavedPlan:
    plan_id = storable_id(plan_id, MISSING_PLAN)
    row = session.scalars(
        select(t.PreventionPlan).where(
            t.PreventionPlan.id == plan_id, t.PreventionPlan.user_id == owner_id
        )
    ).first()
    if row is None:
        raise NotFoundError(MISSING_PLAN)
    return SavedPlan(
        row.id, as_utc(row.created_at), dict(row.request), dict(row.plan), row.kb_version
    )


def list_plans(session: Session, *, owner_id: str, limit: int = 20) -> list[SavedPlan]:
    rows = session.scalars(
        select(t.PreventionPlan)
        .where(t.PreventionPlan.user_id == owner_id)
        .order_by(t.PreventionPlan.created_at.desc(), t.PreventionPlan.id)
        .limit(limit)
    )
    return [
        SavedPlan(r.id, as_utc(r.created_at), dict(r.request), dict(r.plan), r.kb_version)
        for r in rows
    ]
