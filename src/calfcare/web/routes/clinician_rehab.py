"""A clinician's view of a linked person's rehabilitation: assign, follow, move and adjust.

Only clinicians come here (anyone else gets 404), and only for a person linked to them: an
unlinked or unknown person id answers 404, so an id reveals nothing. The clinician sees what
the person logs (phase, decision, criteria, adherence, pain and heel-raise trends, the last
sessions with their warning signs) and may start a programme for them, move them to a phase
of their choosing, change the dose of one exercise of one phase, and print the programme as
the person follows it. Days are the person's own calendar days (their time zone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from calfcare.engine.rehab import Action, TestKind, active_phases, prescriptions
from calfcare.errors import FormError, NotFoundError
from calfcare.kb.rehab_schema import CriterionKind
from calfcare.services import accounts, handout, rehab
from calfcare.services.accounts import LinkedAccount
from calfcare.services.diary import citation
from calfcare.web import auth, charts
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.forms import fields_of
from calfcare.web.routes.clinician import Clinician

router = APIRouter(prefix="/clinician/persons/{person_id}/rehab", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]

ASSIGN_FORM = ("programme", "variant", "side", "injury_day", "phase", "notes")
ADJUST_FORM = ("item", "sets", "amount", "load", "note", "removed")
PHASE_FORM = ("phase",)
#: Days of logs shown in the pain and heel-raise trends.
TREND_DAYS = 42
SESSIONS_SHOWN = 10
NOTICES = {
    "assigned": "The programme has been started for this person.",
    "phase": "The phase has been changed. The person sees it on their next visit.",
    "adjusted": "The dose has been saved. The person sees it in today's session.",
}
ACTION_WORDS = {
    Action.progress: "Ready to move on",
    Action.hold: "Stay in this phase",
    Action.step_back: "Go back a phase",
    Action.see_professional: "Stop and see a professional",
    Action.complete: "Programme complete",
}
STATUS_WORDS = {"completed": "Completed", "stopped": "Stopped", "active": "Active"}
STATE_WORDS = {"done": "Done", "current": "Current phase", "upcoming": "Coming up"}
MEASURE_WORDS = {"reps": "reps", "seconds": "seconds", "minutes": "minutes"}


# --- who ------------------------------------------------------------------------------------

def _person(db: Session, clinician_id: str, person_id: str) -> LinkedAccount:
    """The linked person, or 404 (unknown and unlinked look the same)."""
    for p in accounts.linked_persons(db, clinician_id=clinician_id):
        if p.id == person_id:
            return p
    raise HTTPException(status_code=404)


def _today(request: Request, who: LinkedAccount) -> date:
    """Today in the person's own time zone: their plan counts their days."""
    return auth.today(request, who.zone)


def _base(who: LinkedAccount) -> str:
    return f"/clinician/persons/{who.id}/rehab"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


AssignForm = Annotated[dict[str, str], Depends(fields_of(ASSIGN_FORM))]
AdjustForm = Annotated[dict[str, str], Depends(fields_of(ADJUST_FORM))]
PhaseForm = Annotated[dict[str, str], Depends(fields_of(PHASE_FORM))]


# --- what the page shows --------------------------------------------------------------------

def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _short_day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


class _Refs:
    """Numbers the references a page cites, in the order it cites them."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def __call__(self, refs: Sequence[str]) -> list[int]:
        out = []
        for r in refs:
            if r not in self.order:
                self.order.append(r)
            out.append(self.order.index(r) + 1)
        return out


def _assign_context(ctx: WebContext) -> dict[str, Any]:
    programmes = sorted(ctx.kb.programmes.values(), key=lambda p: p.name)
    return {"programmes": [{
        "id": p.id, "name": p.name,
        "variants": [{"id": v.id, "label": v.label,
                      "days": f"{v.expected_days.low}–{v.expected_days.high} days"
                      + (" (estimate)" if v.estimate else "")} for v in p.variants],
        "phases": [{"id": ph.id, "name": ph.name} for ph in p.phases],
    } for p in programmes]}


def _dose(item: rehab.DoseItem) -> str:
    text = f"{item.sets} × {item.amount} {MEASURE_WORDS.get(item.measure, item.measure)}"
    text += f", {item.per_day}× a day, {item.days_per_week} days a week"
    return text


def _plan_view(ctx: WebContext, db: Session, who: LinkedAccount, st: rehab.PlanStatus,
               today: date, clinician_id: str) -> dict[str, Any]:
    kb = ctx.kb
    cite = _Refs()
    phases = active_phases(st.programme, st.variant)
    names = {p.id: p.name for p in phases}
    d = st.decision
    level = kb.levels.get(d.level) if d.level is not None else None
    decision = {
        "action": d.action.value, "words": ACTION_WORDS[d.action],
        "target": d.target.name if d.target else None,
        "reasons": [{"text": r.text, "refs": cite(r.references)} for r in d.reasons],
        "level": level,
    }
    criteria = [{
        "text": c.criterion.text, "met": c.met, "observed": c.observed,
        "threshold": _number(c.threshold), "evidence": c.criterion.evidence,
        "estimate": c.criterion.estimate, "refs": cite(c.criterion.references),
    } for c in d.criteria]
    timeline = [{
        "name": e.phase.name, "id": e.phase.id, "state": e.state,
        "state_words": STATE_WORDS.get(e.state, e.state),
        "started": _day(e.started) if e.started else "",
        "ended": _day(e.ended) if e.ended else "", "min_days": e.min_days,
    } for e in st.timeline]

    # Pain: session pain and morning pain, day by day, over the last TREND_DAYS days.
    since = today - timedelta(days=TREND_DAYS - 1)
    by_day: dict[date, dict[str, Any]] = {}
    ceilings = {p.id: min(p.pain_ceiling, kb.pain_model.during_max) for p in phases}
    for s in st.sessions:
        if s.day >= since:
            row = by_day.setdefault(s.day, {"day": s.day})
            row["during"] = max(row.get("during", 0), s.pain_during)
            if s.pain_during > ceilings.get(s.phase, kb.pain_model.during_max):
                row["over"] = True
            if s.pain_after is not None:
                row["after"] = max(row.get("after", 0), s.pain_after)
    for m in st.mornings:
        if m.day >= since:
            by_day.setdefault(m.day, {"day": m.day})["morning"] = m.pain
    pain_rows = [{**r, "label": _short_day(r["day"])} for _, r in sorted(by_day.items())]
    session_points = [(r["day"], float(r["during"])) for r in pain_rows if "during" in r]
    morning_points = [(r["day"], float(r["morning"])) for r in pain_rows if "morning" in r]
    ceiling = min(st.phase.pain_ceiling, kb.pain_model.during_max)
    pain_chart = charts.over_time(
        "chart-pain", f"Pain over the last {TREND_DAYS} days",
        (f"Highest pain during sessions on {len(session_points)} days and pain on getting up "
         f"on {len(morning_points)} days, 0 to 10; the limit for this phase is {ceiling}. "
         "The table below gives every value.") if pain_rows else "Nothing logged yet.",
        [charts.Series("During the session", session_points),
         charts.Series("Next morning", morning_points, colour=charts.SECOND, marker="square",
                       dashed=True)],
        y_max=10, y_label="Pain (0–10)", limit=ceiling, limit_label=f"Limit {ceiling}")
    change = d.weekly_change
    weekly = None if change is None else {
        "change": f"{change:+.1f}", "rising": change > kb.pain_model.weekly_rise,
        "limit": _number(kb.pain_model.weekly_rise)}

    # Heel raises: the single-leg test, injured side as a % of the other side.
    raises = [t for t in st.tests if t.kind is TestKind.heel_raise]
    lsi_points = [(t.day, t.lsi) for t in raises if t.lsi is not None]
    goal = next((c.value for p in phases for c in p.exit
                 if c.kind is CriterionKind.heel_raise_lsi_min and p.id == st.phase.id), None)
    lsi_chart = charts.over_time(
        "chart-lsi", "Heel-raise test: injured side as a % of the other side",
        (f"{len(lsi_points)} tests; the latest is {lsi_points[-1][1]:.0f}%."
         + (f" The goal in this phase is {goal:.0f}%." if goal is not None else "")
         + " The table below gives every value.") if lsi_points else "No test logged yet.",
        [charts.Series("Injured side (% of other)", [(dd, float(v)) for dd, v in lsi_points])],
        y_max=120, y_label="Percent", limit=goal,
        limit_label=f"Goal {goal:.0f}%" if goal is not None else "")
    lsi_rows = [{"day": _short_day(t.day), "injured": _number(t.injured),
                 "other": _number(t.other), "lsi": f"{t.lsi:.0f}%" if t.lsi is not None
                 else "–"} for t in raises]

    # The latest sessions, newest first, with the exercises and any warning signs.
    sessions = [{
        "day": _day(s.day), "phase": names.get(s.phase, s.phase), "during": s.pain_during,
        "after": s.pain_after, "limit": ceilings.get(s.phase, kb.pain_model.during_max),
        "flags": [kb.pain_model.flags.get(f, f) for f in s.flags], "notes": s.notes,
        "exercises": [{
            "name": kb.exercises[e.exercise].name if e.exercise in kb.exercises else e.exercise,
            "sets": e.sets, "amount": e.amount, "load": _number(e.load_kg), "pain": e.pain,
            "measure": MEASURE_WORDS.get(kb.exercises[e.exercise].dose.measure, "")
            if e.exercise in kb.exercises else "",
        } for e in s.exercises],
    } for s in sorted(st.sessions, key=lambda s: s.day, reverse=True)[:SESSIONS_SHOWN]]

    # Every phase's exercises as this person does them, for the adjust form.
    planned = rehab.plan_items(db, owner_id=who.id, kb=kb)
    doses = []
    for p in phases:
        items = {i.exercise.id: i for i in planned.get(p.id, ())}
        doses.append({"phase": p, "current": p.id == st.phase.id, "items": [{
            "value": f"{p.id}:{rx.exercise}",
            "name": kb.exercises[rx.exercise].name if rx.exercise in kb.exercises
            else rx.exercise,
            "dose": _dose(items[rx.exercise]) if rx.exercise in items else "Left out",
            "load": items[rx.exercise].load if rx.exercise in items else "",
            "note": items[rx.exercise].note if rx.exercise in items else "",
            "adjusted": items[rx.exercise].adjusted if rx.exercise in items else True,
            "removed": rx.exercise not in items,
        } for rx in prescriptions(p, st.variant)]})

    done, planned_n = st.adherence
    low, high = st.expected
    return {
        "st": st, "plan": st.plan, "programme": st.programme, "variant": st.variant,
        "phase": st.phase, "phase_number": st.phase_index + 1, "phase_count": len(phases),
        "days_in_phase": (today - st.plan.phase_started).days,
        "phase_started": _day(st.plan.phase_started), "injury_day": _day(st.plan.injury_day),
        "expected": f"{_day(low)} to {_day(high)}", "expected_estimate": st.variant.estimate,
        "decision": decision, "criteria": criteria, "timeline": timeline,
        "adherence": {"done": done, "planned": planned_n, "days": rehab.ADHERENCE_DAYS},
        "pain_chart": pain_chart, "pain_rows": pain_rows, "ceiling": ceiling,
        "weekly": weekly, "min_trend": kb.pain_model.min_sessions_for_trend,
        "lsi_chart": lsi_chart, "lsi_rows": lsi_rows, "lsi_goal": goal,
        "sessions": sessions, "doses": doses,
        "phase_options": [(p.id, f"{n}. {p.name}") for n, p in enumerate(phases, 1)],
        "phase_choice": d.target.id if d.target is not None else st.phase.id,
        "see_professional": [{"when": sp.when, "label": kb.levels[sp.level].label,
                              "family": kb.levels[sp.level].family,
                              "refs": cite(sp.references)}
                             for sp in st.programme.see_professional],
        "references": [{"n": i + 1, "text": citation(kb, r)} for i, r in enumerate(cite.order)],
        "started_by": "you" if st.plan.assigned_by == clinician_id else
        who.display_name if st.plan.assigned_by is None else "Another clinician",
        "created": _day(st.plan.started_on),
    }


def _page(request: Request, ctx: WebContext, db: Session, clinician_id: str,
          who: LinkedAccount, *, notice: str | None = None,
          forms: Mapping[str, Mapping[str, str]] | None = None,
          errors: Mapping[str, Mapping[str, str]] | None = None,
          status: int = 200) -> HTMLResponse:
    """The person's rehabilitation page, with the values and errors of a form sent back."""
    today = _today(request, who)
    st = rehab.clinician_status(db, clinician_id=clinician_id, person_id=who.id, today=today,
                                kb=ctx.kb)
    data: dict[str, Any] = {
        "who": who, "base": _base(who), "notice": notice, "today": today.isoformat(),
        "forms": forms or {}, "errors": errors or {}, "plan": None,
        "all_errors": {k: v for group in (errors or {}).values() for k, v in group.items()},
    }
    if st is None:
        data.update(_assign_context(ctx))
        data["past"] = [{
            "programme": ctx.kb.programmes[p.programme].name
            if p.programme in ctx.kb.programmes else p.programme,
            "status": STATUS_WORDS.get(p.status, p.status),
            "started": _day(p.started_on),
        } for p in rehab.list_plans(db, owner_id=who.id)]
    else:
        data.update(_plan_view(ctx, db, who, st, today, clinician_id))
    return HTMLResponse(ctx.render(request, "clinician_rehab.html", data), status_code=status)


#: The forms' labels, to name the field in each message.
LABELS = {"programme": "Programme", "variant": "Version", "side": "Injured calf",
          "injury_day": "Day of the injury", "phase": "Phase", "notes": "Notes",
          "item": "Exercise", "sets": "Sets", "amount": "Per set", "load": "Load",
          "note": "Note", "removed": "Leave out"}
REQUIRED_WORDS = {"programme": "Select a programme", "variant": "Select a version",
                  "side": "Select which calf is injured",
                  "injury_day": "Enter the day of the injury, for example 2026-11-20",
                  "phase": "Select a phase", "item": "Select the exercise to change"}


def _errors(exc: FormError, rename: Mapping[str, str] | None = None) -> dict[str, str]:
    """The service's messages, keyed by the form's fields and naming them."""
    out: dict[str, str] = {}
    for field, message in exc.errors.items():
        name = (rename or {}).get(field, field)
        text = message.rstrip(".")
        if text.startswith("Required") and name in REQUIRED_WORDS:
            text = REQUIRED_WORDS[name]
        elif name in LABELS and not text.startswith(LABELS[name]):
            text = f"{LABELS[name]}: {text[:1].lower()}{text[1:]}"
        out.setdefault(name, text)
    return out


# --- routes ---------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
def rehab_page(request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str,
               done: str = "") -> HTMLResponse:
    who = _person(db, user.id, person_id)
    return _page(request, ctx, db, user.id, who, notice=NOTICES.get(done))


@router.post("/assign", response_class=HTMLResponse)
def assign(request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str,
           values: AssignForm) -> Response:
    who = _person(db, user.id, person_id)
    given = {k: v for k, v in values.items() if v.strip()}
    try:
        rehab.clinician_assign(db, clinician_id=user.id, person_id=who.id, values=given,
                               today=_today(request, who), kb=ctx.kb)
    except FormError as exc:
        errors = _errors(exc)
        if "programme" in errors and "already" in errors["programme"]:
            errors["programme"] = (f"Programme: {who.display_name} already follows one. It "
                                   "must be stopped before another one starts")
        return _page(request, ctx, db, user.id, who, forms={"assign": values},
                     errors={"assign": errors}, status=422)
    return _redirect(_base(who) + "?done=assigned")


@router.post("/phase", response_class=HTMLResponse)
def set_phase(request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str,
              values: PhaseForm) -> Response:
    who = _person(db, user.id, person_id)
    try:
        rehab.clinician_set_phase(db, clinician_id=user.id, person_id=who.id,
                                  phase=values["phase"], today=_today(request, who), kb=ctx.kb)
    except NotFoundError:  # no programme to move (stopped meanwhile): show the page again
        return _redirect(_base(who))
    except FormError as exc:
        return _page(request, ctx, db, user.id, who, forms={"phase": values},
                     errors={"phase": _errors(exc)}, status=422)
    return _redirect(_base(who) + "?done=phase")


@router.post("/adjust", response_class=HTMLResponse)
def adjust(request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str,
           values: AdjustForm) -> Response:
    who = _person(db, user.id, person_id)
    phase, _, exercise = values["item"].partition(":")
    given: dict[str, object] = {
        "phase": phase, "exercise": exercise, "sets": values["sets"],
        "amount": values["amount"], "load": values["load"], "note": values["note"],
        "removed": "true" if values["removed"] else "false"}
    try:
        if not values["item"]:
            raise FormError({"item": "Required: an exercise of the programme."})
        rehab.clinician_adjust(db, clinician_id=user.id, person_id=who.id, values=given,
                               kb=ctx.kb)
    except NotFoundError:
        return _redirect(_base(who))
    except FormError as exc:
        return _page(request, ctx, db, user.id, who, forms={"adjust": values},
                     errors={"adjust": _errors(exc, {"phase": "item", "exercise": "item"})},
                     status=422)
    return _redirect(_base(who) + "?done=adjusted")


@router.get("/handout.pdf")
def handout_pdf(ctx: Ctx, db: Db, user: Clinician, person_id: str) -> Response:
    who = _person(db, user.id, person_id)
    plan = rehab.active_plan(db, owner_id=who.id)
    if plan is None:
        raise HTTPException(status_code=404)
    pdf = handout.plan_pdf(db, owner_id=who.id, kb=ctx.kb, person_name=who.display_name)
    name = f"calfcare-{plan.programme.replace('_', '-')}-{plan.variant.replace('_', '-')}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
