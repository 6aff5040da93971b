"""Starting, stopping and moving a plan: the person's own actions on their programme.

A person has at most one active plan, enforced by the database itself. Every function takes
the owner's id and reports another person's plan exactly like a missing one. Each phase
change is recorded with who made it and why, and stamps the plan with the knowledge-base
version its phase id comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calfcare.engine.rehab import Action, active_phases, choose_version, version_choices
from calfcare.errors import FormError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Phase, Programme, Variant
from calfcare.services.forms import FormReader
from calfcare.services.rehab import store
from calfcare.services.rehab.records import PlanRecord, ProgrammeChangedError, plan_record
from calfcare.services.rehab.status import PlanStatus, build_status
from calfcare.storage import tables as t

ALREADY_FOLLOWING = "You already follow a programme. Stop it before starting another."
ADVICE_CHANGED = (
    "The advice has changed since you opened the page. Read it again before you accept it."
)
SIDES = ("left", "right")
PLAN_FIELDS = ("programme", "variant", "side", "injury_day", "phase", "notes")
#: How far back an injury may lie when a plan starts (older injuries need a professional plan).
MAX_INJURY_AGE = timedelta(days=730)


class AdviceChangedError(FormError):
    """Today's decision is not the one the person accepted: nothing was changed."""

    def __init__(self) -> None:
        super().__init__({"decision": ADVICE_CHANGED})


def active_plan(db: Session, *, owner_id: str) -> PlanRecord | None:
    row = store.active_row(db, owner_id)
    return plan_record(row) if row is not None else None


def list_plans(db: Session, *, owner_id: str) -> list[PlanRecord]:
    rows = db.scalars(
        select(t.RehabPlan)
        .where(t.RehabPlan.user_id == owner_id)
        .order_by(t.RehabPlan.created_at.desc(), t.RehabPlan.id)
    ).all()
    return [plan_record(r) for r in rows]


@dataclass(frozen=True)
class _NewPlan:
    programme: Programme
    variant: Variant
    side: str
    injury_day: date
    phase: Phase
    notes: str


def _variant(f: FormReader, prog: Programme) -> Variant | None:
    """The chosen version; an "I'm not sure which muscle" choice becomes its safe default."""
    ids = [c.id for c in version_choices(prog)]
    vid = f.choice("variant", ids, "one of " + ", ".join(ids), required=len(ids) > 1) or (
        ids[0] if len(ids) == 1 else None
    )
    chosen = choose_version(prog, vid or "")
    return chosen.variant if chosen is not None else None


def _first_phase(f: FormReader, prog: Programme, var: Variant) -> Phase:
    phases = active_phases(prog, var)
    ids = [p.id for p in phases]
    first = f.choice("phase", ids, "one of " + ", ".join(ids), required=False)
    return next((p for p in phases if p.id == first), phases[0])


def _plan_values(kb: KnowledgeBase, values: Mapping[str, object], today: date) -> _NewPlan:
    f = FormReader(values, PLAN_FIELDS)
    pid = f.choice("programme", sorted(kb.programmes), "one of " + ", ".join(sorted(kb.programmes)))
    prog = kb.programmes.get(pid or "")
    var = _variant(f, prog) if prog is not None else None
    side = f.choice("side", SIDES, "left or right") or ""
    injury = f.day("injury_day", latest=today, earliest=today - MAX_INJURY_AGE)
    phase = _first_phase(f, prog, var) if prog is not None and var is not None else None
    notes = f.text("notes", 2000)
    f.done()
    return _NewPlan(
        f.checked("programme", prog),
        f.checked("variant", var),
        side,
        f.checked("injury_day", injury),
        f.checked("phase", phase),
        notes,
    )


def _plan_row(
    kb: KnowledgeBase, new: _NewPlan, owner_id: str, today: date, assigned_by: str | None
) -> t.RehabPlan:
    """The row of a plan that starts today, stamped with the knowledge base it comes from."""
    # The first phase counts from the injury (healing time); a later starting phase, chosen by
    # a clinician for an older injury, counts from today.
    first = new.phase.id == active_phases(new.programme, new.variant)[0].id
    return t.RehabPlan(
        id=store.new_id(),
        user_id=owner_id,
        programme=new.programme.id,
        variant=new.variant.id,
        side=new.side,
        injury_day=new.injury_day,
        started_on=today,
        phase=new.phase.id,
        phase_started=new.injury_day if first else today,
        status="active",
        assigned_by=assigned_by,
        notes=new.notes,
        created_at=store.now(),
        kb_version=kb.content_hash,
    )


def start_plan(
    db: Session,
    *,
    owner_id: str,
    values: Mapping[str, object],
    today: date,
    kb: KnowledgeBase,
    assigned_by: str | None = None,
) -> PlanRecord:
    """Start a programme. A person has one active plan: stop the current one first."""
    new = _plan_values(kb, values, today)
    if store.active_row(db, owner_id) is not None:
        raise FormError({"programme": ALREADY_FOLLOWING})
    row = _plan_row(kb, new, owner_id, today, assigned_by)
    try:
        # The partial unique index refuses a second active plan, even from a parallel request
        # that passed the check above at the same moment.
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise FormError({"programme": ALREADY_FOLLOWING}) from None
    store.log_change(
        db,
        row,
        today,
        None,
        new.phase.id,
        "start",
        ("The programme started.",),
        assigned_by or owner_id,
    )
    return plan_record(row)


def stop_plan(db: Session, *, owner_id: str, today: date, completed: bool = False) -> PlanRecord:
    """Stop (or complete) the active plan. Every active plan of the person stops, so that no
    plan made active by an earlier fault can linger."""
    row = store.require_active(db, owner_id)
    status = "completed" if completed else "stopped"
    for plan in db.scalars(
        select(t.RehabPlan).where(t.RehabPlan.user_id == owner_id, t.RehabPlan.status == "active")
    ).all():
        plan.status = status if plan.id == row.id else "stopped"
        store.log_change(db, plan, today, plan.phase, plan.phase, plan.status, (), owner_id)
    db.flush()
    return plan_record(row)


def apply_decision(
    db: Session,
    *,
    owner_id: str,
    today: date,
    kb: KnowledgeBase,
    by_user: str | None = None,
    expected: str | None = None,
) -> PlanStatus:
    """Accept today's decision: move to the next phase, step back, or finish the programme.

    `expected` is the action the person saw: when today's decision is another one, nothing
    changes and AdviceChangedError says so.
    """
    row = store.require_active(db, owner_id)
    decision = build_status(db, kb, row, today).decision
    if expected and expected != decision.action.value:
        raise AdviceChangedError
    reasons = tuple(r.text for r in decision.reasons)
    if decision.action is Action.complete:
        row.status = "completed"
        store.log_change(
            db, row, today, row.phase, row.phase, "complete", reasons, by_user or owner_id
        )
    elif decision.action in (Action.progress, Action.step_back) and decision.target:
        store.move_to_phase(
            db,
            row,
            kb,
            day=today,
            phase=decision.target.id,
            action=decision.action.value,
            reasons=reasons,
            by_user=by_user or owner_id,
        )
    else:
        raise FormError(
            {
                "decision": "There is no phase change to apply today: "
                + (reasons[0] if reasons else "keep going.")
            }
        )
    db.flush()
    return build_status(db, kb, row, today)


def choose_phase(
    db: Session, *, owner_id: str, phase: str, today: date, kb: KnowledgeBase
) -> PlanRecord:
    """Put a plan whose phase is gone from the programme in a phase the person chooses.

    Only for such a plan: a plan whose phase still exists moves by its decisions (or by a
    clinician), so this raises FormError for it.
    """
    row = store.require_active(db, owner_id)
    try:
        build_status(db, kb, row, today)
    except ProgrammeChangedError as changed:
        ids = [pid for pid, _ in changed.phases]
        if not ids:
            raise FormError(
                {"phase": "This programme is no longer offered: stop it and start another."}
            ) from None
        f = FormReader({"phase": phase}, ("phase",))
        f.choice("phase", ids, "one of " + ", ".join(ids))
        f.done()
        store.move_to_phase(
            db,
            row,
            kb,
            day=today,
            phase=phase,
            action="chosen",
            reasons=("The programme changed; the phase was chosen again.",),
            by_user=owner_id,
        )
        return plan_record(row)
    raise FormError(
        {"phase": "Your phase is still part of the programme: it changes by the progression rules."}
    )
