"""Rehabilitation in the browser: the exercise library, the programmes, and a person's plan.

The library (/rehab/exercises) and the programmes (/rehab/programmes) are public. A plan
belongs to one signed-in person: every service call passes the owner's id, so nobody reaches
another person's plan (a clinician works on a linked person's plan under /clinician). Days are
calendar days in the person's own time zone. Handlers are plain `def`, so that their database
session commits before the redirect is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from calfcare.engine.rehab import Action, TestKind
from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Exercise, ExerciseCategory, Phase, Programme
from calfcare.services import rehab
from calfcare.services.accounts import Account
from calfcare.web import auth, charts
from calfcare.web.auth import CurrentUser
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.figures import inline_figure
from calfcare.web.forms import posted_form
from calfcare.web.routes.diary import Person

router = APIRouter(prefix="/rehab", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]
RECENT_SESSIONS = 5

NOTICES = {
    "started": "Your programme has started. Your first session is ready below.",
    "session_logged": "Your session has been logged. Here is what it means for your plan.",
    "morning_logged": "Your morning check has been logged.",
    "test_logged": "Your test result has been logged.",
    "progress": "You have moved on to the next phase.",
    "step_back": "You have gone back a phase. Build up again from here, within the pain limit.",
    "complete": "Well done: you have finished the programme.",
    "stopped": "The programme has been stopped.",
}
CATEGORY_WORDS = {
    "stretch": "Stretches", "mobility": "Mobility", "isometric": "Holds (isometric)",
    "strength": "Strength", "eccentric": "Slow lowering (eccentric)",
    "soft_tissue": "Massage and rolling", "balance": "Balance",
    "plyometric": "Hops and bounces (plyometric)", "running": "Walking and running",
}
EQUIPMENT_WORDS = {
    "none": "nothing", "wall": "a wall", "step": "a step or stair", "chair": "a chair",
    "band": "an exercise band", "weight": "a weight (a backpack or dumbbell)",
    "foam_roller": "a foam roller", "massage_ball": "a massage ball", "towel": "a towel",
    "partner": "a partner", "mat": "a mat", "cushion": "a cushion", "rope": "a skipping rope",
    "tape_measure": "a tape measure",
}
TARGET_WORDS = {
    "gastrocnemius": "gastrocnemius (upper calf)", "soleus": "soleus (deep calf)",
    "achilles": "Achilles tendon", "ankle": "ankle", "foot": "foot", "balance": "balance",
    "power": "power", "running": "running",
}
MEASURE_WORDS = {"reps": "reps", "seconds": "seconds", "minutes": "minutes"}
MEASURE_LABELS = {"reps": "Reps per set", "seconds": "Seconds per set",
                  "minutes": "Minutes per set"}
VERDICT_WORDS = {"helpful": "Helpful", "may_help": "May help", "not_needed": "Not needed",
                 "avoid": "Avoid"}
SIDE_WORDS = {"left": "Left leg", "right": "Right leg"}
STATE_WORDS = {"done": "Done", "current": "You are here", "upcoming": "Still to come"}
SITE_WORDS = {"gastrocnemius": "gastrocnemius strains", "soleus": "soleus strains"}

#: Field labels of the forms, used to name the field in every error message.
LABELS = {
    "programme": "Programme", "variant": "Which kind of injury",
    "side": "Which leg", "injury_day": "Day of the injury", "phase": "Starting phase",
    "notes": "Notes", "day": "Day", "pain_during": "Highest pain during the session",
    "pain_after": "Pain after the session", "flags": "Warning signs",
    "exercises": "Exercises", "pain": "Pain", "kind": "Test", "injured": "Injured side",
    "other": "Other side", "limp": "Limp", "decision": "Decision",
    "sets": "sets done", "amount": "amount per set", "load_kg": "weight added",
}


# --- figures and references ------------------------------------------------------------------

def figure(kb: KnowledgeBase, ex: Exercise) -> Markup | None:
    """The exercise's drawing as inline SVG (None when it has none, or a broken one)."""
    svg = kb.figures.get(ex.id)
    return inline_figure(svg, ex.figure_alt) if svg else None


def reference_ids(*groups: Iterable[str]) -> list[str]:
    """References in first-cited order, each once."""
    return list(dict.fromkeys(r for group in groups for r in group))


def programme_reference_ids(prog: Programme) -> list[str]:
    """Every reference a programme cites, in the order its page shows them."""
    return reference_ids(
        prog.references, (r for v in prog.variants for r in v.references),
        (r for ph in prog.phases for c in ph.exit for r in c.references),
        (r for ph in prog.phases for st in ph.advice for r in st.references),
        (r for ph in prog.phases for k in ph.kit for r in k.references),
        (r for sp in prog.see_professional for r in sp.references),
        (r for st in prog.reinjury_prevention for r in st.references))


def _numbered(kb: KnowledgeBase, ids: Sequence[str]) -> dict[str, Any]:
    order = [r for r in ids if r in kb.references]
    return {"order": order, "numbers": {r: i + 1 for i, r in enumerate(order)},
            "references": kb.references}


# --- showing exercises and doses --------------------------------------------------------------

def dose_words(sets: int, amount: int, measure: str, each_side: bool) -> str:
    """E.g. `3 × 15 reps, each leg` or `1 × 20 minutes`."""
    return f"{sets} × {amount} {MEASURE_WORDS.get(measure, measure)}" + (
        ", each leg" if each_side else "")


def how_often(per_day: int, days_per_week: int) -> str:
    times = {1: "once a day", 2: "twice a day"}.get(per_day, f"{per_day} times a day")
    days = "every day" if days_per_week == 7 else \
        f"{days_per_week} day{'s' if days_per_week != 1 else ''} a week"
    return f"{times}, {days}"


def item_view(kb: KnowledgeBase, item: rehab.DoseItem) -> dict[str, Any]:
    ex = item.exercise
    return {"id": ex.id, "name": ex.name, "summary": ex.summary, "figure": figure(kb, ex),
            "dose": dose_words(item.sets, item.amount, item.measure, ex.dose.each_side),
            "often": how_often(item.per_day, item.days_per_week), "load": item.load,
            "note": item.note, "adjusted": item.adjusted, "cues": ex.cues[:2],
            "measure": item.measure, "sets": item.sets, "amount": item.amount}


def prescription_view(kb: KnowledgeBase, phase: Phase) -> list[dict[str, Any]]:
    out = []
    for rx in phase.exercises:
        ex = kb.exercises.get(rx.exercise)
        if ex is None:
            continue
        out.append({
            "id": ex.id, "name": ex.name,
            "dose": dose_words(rx.sets or ex.dose.sets, rx.amount or ex.dose.amount,
                               ex.dose.measure, ex.dose.each_side),
            "often": how_often(rx.per_day or ex.dose.per_day,
                               rx.days_per_week or ex.dose.days_per_week),
            "load": rx.load or "", "note": rx.note or "",
            "only_for": " and ".join(SITE_WORDS[s] for s in rx.sites)})
    return out


def _level(kb: KnowledgeBase, level: Any) -> Any:
    return kb.levels[level] if level is not None else None


# --- the decision -----------------------------------------------------------------------------

def decision_view(kb: KnowledgeBase, st: rehab.PlanStatus) -> dict[str, Any]:
    """The decision in plain words: a headline, the reasons, and whether it can be accepted."""
    d = st.decision
    target = d.target.name if d.target else ""
    headline, button = {
        Action.progress: (f"You are ready to move on to the next phase: {target}",
                          f"Move on to {target}"),
        Action.hold: (f"Stay in this phase for now: {d.phase.name}", ""),
        Action.step_back: (f"Go back to the previous phase for now: {target}",
                           f"Go back to {target}"),
        Action.complete: ("You have met every goal of the last phase",
                          "Finish the programme"),
        Action.see_professional: ("Stop the programme and see a professional", ""),
    }[d.action]
    return {"action": d.action.value, "headline": headline, "button": button,
            "reasons": d.reasons, "level": _level(kb, d.level), "phase": d.phase,
            "target": d.target}


def _decision_references(st: rehab.PlanStatus) -> list[str]:
    d = st.decision
    return reference_ids((r for reason in d.reasons for r in reason.references),
                         (r for c in d.criteria for r in c.criterion.references))


# --- forms ------------------------------------------------------------------------------------

def _page(ctx: WebContext, request: Request, name: str, data: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    return HTMLResponse(ctx.render(request, name, data), status_code=status)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def today_of(request: Request, user: Account) -> date:
    """Today in the person's own time zone, by the web layer's clock."""
    return auth.today(request, user.zone)


def message(label: str, text: str) -> str:
    """A service message with the field it is about, e.g. `Day: cannot be after ...`."""
    text = text.strip().rstrip(".")
    if text.startswith("Required: "):
        return f"{label}: this is required ({text.removeprefix('Required: ')})"
    return f"{label}: {text[:1].lower()}{text[1:]}"


async def _posted(request: Request) -> FormData:
    return await posted_form(request)


#: The posted form, read before the handler (which is plain `def`) runs.
Posted = Annotated[FormData, Depends(_posted)]


def _form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _named_errors(errors: Mapping[str, str], ids: Mapping[str, str] | None = None,
                  labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Service errors keyed by the id of the field on the page, each naming its field."""
    out: dict[str, str] = {}
    for field, text in errors.items():
        fid = (ids or {}).get(field, field)
        label = (labels or {}).get(field) or LABELS.get(field, field.replace("_", " "))
        out[fid] = message(label[:1].upper() + label[1:], text)
    return out


# --- public pages: the library ----------------------------------------------------------------

@router.get("/exercises", response_class=HTMLResponse)
def exercises_page(request: Request, ctx: Ctx) -> HTMLResponse:
    kb = ctx.kb
    groups = []
    for category in ExerciseCategory:
        items = sorted((ex for ex in kb.exercises.values() if ex.category is category),
                       key=lambda ex: ex.name.lower())
        if items:
            groups.append({"id": category.value, "title": CATEGORY_WORDS[category.value],
                           "exercises": [{"ex": ex, "figure": figure(kb, ex)} for ex in items]})
    return _page(ctx, request, "rehab_exercises.html",
                 {"groups": groups, "count": len(kb.exercises)})


def _used_in(kb: KnowledgeBase, exercise_id: str) -> list[dict[str, str]]:
    out = []
    for prog in sorted(kb.programmes.values(), key=lambda p: p.name):
        phases = [ph.name for ph in prog.phases
                  if any(rx.exercise == exercise_id for rx in ph.exercises)]
        if phases:
            out.append({"id": prog.id, "name": prog.name, "phases": ", ".join(phases)})
    return out


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise_page(request: Request, ctx: Ctx, exercise_id: str) -> HTMLResponse:
    kb = ctx.kb
    ex = kb.exercises.get(exercise_id)
    if ex is None:
        raise HTTPException(status_code=404)
    variations = []
    for title, var in (("Easier", ex.easier), ("Harder", ex.harder)):
        if var is not None:
            other = kb.exercises.get(var.exercise) if var.exercise else None
            variations.append({"title": title, "text": var.text, "exercise": other})
    return _page(ctx, request, "rehab_exercise.html", {
        "ex": ex, "figure": figure(kb, ex), "variations": variations,
        "category": CATEGORY_WORDS[ex.category.value],
        "targets": [TARGET_WORDS.get(t, t) for t in ex.targets],
        "equipment": [EQUIPMENT_WORDS.get(e, e) for e in ex.equipment],
        "dose": dose_words(ex.dose.sets, ex.dose.amount, ex.dose.measure, ex.dose.each_side),
        "often": how_often(ex.dose.per_day, ex.dose.days_per_week),
        "used_in": _used_in(kb, ex.id), **_numbered(kb, ex.why.references)})


# --- public pages: the programmes -------------------------------------------------------------

@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(request: Request, ctx: Ctx) -> HTMLResponse:
    progs = sorted(ctx.kb.programmes.values(), key=lambda p: p.name.lower())
    return _page(ctx, request, "rehab_programmes.html", {"programmes": progs})


def _skipped_by(prog: Programme) -> dict[str, list[str]]:
    """Phase id -> labels of the variants that leave it out."""
    out: dict[str, list[str]] = {}
    for v in prog.variants:
        for pid in v.skip_phases:
            out.setdefault(pid, []).append(v.label)
    return out


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def programme_page(request: Request, ctx: Ctx, programme_id: str) -> HTMLResponse:
    kb = ctx.kb
    prog = kb.programmes.get(programme_id)
    if prog is None:
        raise HTTPException(status_code=404)
    ids = reference_ids(programme_reference_ids(prog),
                        (r for st in kb.pain_model.statements for r in st.references))
    return _page(ctx, request, "rehab_programme.html", {
        "prog": prog, "pain_model": kb.pain_model, "products": kb.products,
        "phases": [{"phase": ph, "exercises": prescription_view(kb, ph),
                    "skipped_by": _skipped_by(prog).get(ph.id, []),
                    "min_days": [(v.label, v.min_days[ph.id]) for v in prog.variants
                                 if ph.id in v.min_days]}
                   for ph in prog.phases],
        "verdicts": VERDICT_WORDS, **_numbered(kb, ids)})


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{filename}"'})


@router.get("/programmes/{programme_id}/handout.pdf")
def programme_handout(ctx: Ctx, programme_id: str, variant: str = "") -> Response:
    """The printable programme for one variant (the first when none is named)."""
    from calfcare.services import handout

    prog = ctx.kb.programmes.get(programme_id)
    if prog is None:
        raise HTTPException(status_code=404)
    var = next((v for v in prog.variants if v.id == variant), None) if variant \
        else prog.variants[0]
    if var is None:
        raise HTTPException(status_code=404)
    return _pdf(handout.programme_pdf(ctx.kb, prog.id, var.id),
                f"calfcare-{prog.id}-{var.id}.pdf")


# --- the person's plan: starting --------------------------------------------------------------

START_FIELDS = ("programme", "variant", "side", "injury_day")


def _start_page(ctx: WebContext, request: Request, db: Session, user: Account, *,
                chosen: str = "", values: Mapping[str, str] | None = None,
                errors: Mapping[str, str] | None = None, notice: str | None = None,
                status: int = 200) -> HTMLResponse:
    kb = ctx.kb
    prog = kb.programmes.get(chosen)
    today = today_of(request, user)
    past = [{"programme": kb.programmes[p.programme].name if p.programme in kb.programmes
             else p.programme, "status": p.status, "started": p.started_on}
            for p in rehab.list_plans(db, owner_id=user.id)]
    data: dict[str, Any] = {
        "programmes": sorted(kb.programmes.values(), key=lambda p: p.name.lower()),
        "prog": prog, "values": {"injury_day": today.isoformat(), **(values or {})},
        "errors": errors or {}, "notice": notice, "today": today.isoformat(),
        "earliest": (today - rehab.MAX_INJURY_AGE).isoformat(), "sides": SIDE_WORDS,
        "past": past,
    }
    if prog is not None:
        data.update(_numbered(kb, reference_ids(
            r for sp in prog.see_professional for r in sp.references)))
    return _page(ctx, request, "rehab_start.html", data, status=status)


@router.post("/start", response_class=HTMLResponse)
def start(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    values = {name: _form_text(form, name) for name in START_FIELDS}
    prog = ctx.kb.programmes.get(values["programme"])
    given = {k: v for k, v in values.items() if not (k == "variant" and prog is not None
                                                    and len(prog.variants) == 1 and not v)}
    try:
        rehab.start_plan(db, owner_id=user.id, values=given, today=today_of(request, user),
                         kb=ctx.kb)
    except FormError as exc:
        return _start_page(ctx, request, db, user, chosen=values["programme"], values=values,
                           errors=_named_errors(exc.errors), status=422)
    return _redirect("/rehab/today?done=started")


# --- the person's plan: the overview ----------------------------------------------------------

def _chart_views(st: rehab.PlanStatus) -> dict[str, Any]:
    heel = [t for t in st.tests if t.kind is TestKind.heel_raise
            and t.injured is not None and t.other is not None]
    heel_rows = [{"day": t.day, "injured": t.injured, "other": t.other, "lsi": t.lsi}
                 for t in heel]
    heel_chart = charts.over_time(
        "chart-heel-raises", "Single-leg heel raises, injured and other leg",
        "; ".join(f"{t.day.isoformat()}: injured {t.injured:.0f}, other {t.other:.0f}"
                  for t in heel if t.injured is not None and t.other is not None) + ".",
        [charts.Series("Injured leg", [(t.day, t.injured or 0.0) for t in heel]),
         charts.Series("Other leg", [(t.day, t.other or 0.0) for t in heel], charts.SECOND,
                       "square", dashed=True)],
        y_max=30, y_label="Raises") if heel else None
    by_day: dict[date, int] = {}
    for s in st.sessions:
        by_day[s.day] = max(by_day.get(s.day, 0), s.pain_during)
    days = sorted(set(by_day) | {m.day for m in st.mornings})
    mornings = {m.day: m.pain for m in st.mornings}
    pain_rows = [{"day": d, "session": by_day.get(d), "morning": mornings.get(d)} for d in days]
    described = []
    for d in days:
        parts = [f"session {by_day[d]}" if d in by_day else "",
                 f"morning {mornings[d]}" if d in mornings else ""]
        described.append(f"{d.isoformat()}: " + ", ".join(p for p in parts if p))
    ceiling = st.phase.pain_ceiling
    pain_chart = charts.over_time(
        "chart-pain", "Pain during sessions and in the morning (0 to 10)",
        "; ".join(described) + f". The limit in this phase is {ceiling} out of 10.",
        [charts.Series("Session pain", sorted((d, float(p)) for d, p in by_day.items())),
         charts.Series("Morning pain", [(m.day, float(m.pain)) for m in st.mornings],
                       charts.SECOND, "square", dashed=True)],
        y_max=10, y_label="Pain (0 to 10)", limit=ceiling,
        limit_label=f"Limit now: {ceiling}") if days else None
    return {"heel_chart": heel_chart, "heel_rows": heel_rows, "pain_chart": pain_chart,
            "pain_rows": pain_rows}


def _session_view(kb: KnowledgeBase, s: rehab.SessionRecord) -> dict[str, Any]:
    return {"day": s.day, "pain_during": s.pain_during, "pain_after": s.pain_after,
            "flags": [kb.pain_model.flags.get(f, f) for f in s.flags], "notes": s.notes,
            "exercises": [{"name": kb.exercises[e.exercise].name if e.exercise in kb.exercises
                           else e.exercise, "sets": e.sets, "amount": e.amount,
                           "measure": MEASURE_WORDS.get(kb.exercises[e.exercise].dose.measure, "")
                           if e.exercise in kb.exercises else "",
                           "load_kg": e.load_kg, "pain": e.pain} for e in s.exercises]}


def plan_data(ctx: WebContext, st: rehab.PlanStatus) -> dict[str, Any]:
    """Everything the plan page shows about a plan as of `st.as_of`."""
    kb = ctx.kb
    started = st.history[0].day if st.history else st.plan.phase_started
    window = min(rehab.ADHERENCE_DAYS, (st.as_of - started).days + 1)
    ids = reference_ids(
        _decision_references(st), (r for k in st.phase.kit for r in k.references),
        (r for a in st.phase.advice for r in a.references), st.variant.references,
        (r for sp in st.programme.see_professional for r in sp.references),
        (r for s in kb.pain_model.statements for r in s.references))
    return {
        "st": st, "plan": st.plan, "prog": st.programme, "variant": st.variant,
        "phase": st.phase, "decision": decision_view(kb, st), "criteria": st.decision.criteria,
        "timeline": st.timeline, "state_words": STATE_WORDS, "side": SIDE_WORDS[st.plan.side],
        "adherence": {"done": st.adherence[0], "planned": st.adherence[1], "days": window},
        "expected": st.expected, "products": kb.products, "verdicts": VERDICT_WORDS,
        "pain_model": kb.pain_model,
        "sessions": [_session_view(kb, s) for s in reversed(st.sessions[-RECENT_SESSIONS:])],
        "morning_today": any(m.day == st.as_of for m in st.mornings),
        **_chart_views(st), **_numbered(kb, ids)}


def _plan_page(ctx: WebContext, request: Request, db: Session, user: Account, *,
               notice: str | None = None, errors: Mapping[str, str] | None = None,
               morning: Mapping[str, str] | None = None, status: int = 200) -> Response:
    today = today_of(request, user)
    if rehab.active_plan(db, owner_id=user.id) is None:
        return _start_page(ctx, request, db, user, notice=notice,
                           errors=errors if status != 200 else None, status=status)
    st = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb)
    logged = {m.day: str(m.pain) for m in st.mornings}
    return _page(ctx, request, "rehab_plan.html", {
        **plan_data(ctx, st), "notice": notice, "errors": errors or {},
        "morning": {"day": today.isoformat(), "pain": logged.get(today, ""), **(morning or {})},
        "today": today.isoformat()}, status=status)


@router.get("", response_class=HTMLResponse)
def plan_page(request: Request, ctx: Ctx, db: Db, user: CurrentUser, done: str = "",
              programme: str = "") -> Response:
    if user.role == "clinician":
        return _redirect("/clinician")
    if rehab.active_plan(db, owner_id=user.id) is None:
        return _start_page(ctx, request, db, user, chosen=programme.strip()[:64],
                           notice=NOTICES.get(done))
    return _plan_page(ctx, request, db, user, notice=NOTICES.get(done))


@router.post("/apply", response_class=HTMLResponse)
def apply(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    seen = _form_text(form, "action")
    today = today_of(request, user)
    if rehab.active_plan(db, owner_id=user.id) is None:
        return _redirect("/rehab")
    current = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb).decision.action
    if seen and seen != current.value:
        return _plan_page(ctx, request, db, user, status=409, errors={
            "decision": "The advice has changed since you opened the page. Read it again "
                        "before you accept it."})
    try:
        done = rehab.apply_decision(db, owner_id=user.id, today=today, by_user=user.id,
                                    kb=ctx.kb)
    except FormError as exc:
        return _plan_page(ctx, request, db, user, status=409,
                          errors=_named_errors(exc.errors))
    return _redirect(f"/rehab?done={done.history[-1].action if done.history else 'progress'}")


@router.get("/stop", response_class=HTMLResponse)
def stop_page(request: Request, ctx: Ctx, db: Db, user: Person) -> Response:
    plan = rehab.active_plan(db, owner_id=user.id)
    if plan is None:
        return _redirect("/rehab")
    prog = ctx.kb.programmes.get(plan.programme)
    return _page(ctx, request, "rehab_stop.html",
                 {"name": prog.name if prog else plan.programme})


@router.post("/stop")
def stop(request: Request, db: Db, user: Person) -> Response:
    try:
        rehab.stop_plan(db, owner_id=user.id, today=today_of(request, user))
    except NotFoundError:
        return _redirect("/rehab")
    return _redirect("/rehab?done=stopped")


@router.post("/mornings", response_class=HTMLResponse)
def morning(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    values = {"day": _form_text(form, "day"), "pain": _form_text(form, "pain")}
    try:
        rehab.log_morning(db, owner_id=user.id, values=values, today=today_of(request, user))
    except NotFoundError:
        return _redirect("/rehab")
    except FormError as exc:
        errors = _named_errors(exc.errors, {"day": "morning-day", "pain": "morning-pain"},
                               {"day": "Day of the morning check",
                                "pain": "Pain on getting up"})
        return _plan_page(ctx, request, db, user, errors=errors, morning=values, status=422)
    return _redirect("/rehab?done=morning_logged")


# --- today's session ----------------------------------------------------------------------------

def _today_page(ctx: WebContext, request: Request, db: Session, user: Account, *,
                values: Mapping[str, Any] | None = None,
                errors: Mapping[str, str] | None = None, notice: str | None = None,
                status: int = 200) -> Response:
    today = today_of(request, user)
    try:
        session = rehab.today_session(db, owner_id=user.id, today=today, kb=ctx.kb)
        st = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb)
    except NotFoundError:
        return _redirect("/rehab")
    items = [item_view(ctx.kb, i) for i in session.items]
    defaults: dict[str, Any] = {"day": today.isoformat(), "flags": []}
    for i, item in enumerate(items):
        defaults[f"exercises[{i}].sets"] = str(item["sets"])
        defaults[f"exercises[{i}].amount"] = str(item["amount"])
    shown = dict(values) if values is not None else defaults
    decision = decision_view(ctx.kb, st)
    return _page(ctx, request, "rehab_today.html", {
        "session": session, "phase": session.phase, "items": items, "values": shown,
        "errors": errors or {}, "notice": notice, "today": today.isoformat(),
        "earliest": session.plan.injury_day.isoformat(), "flags": ctx.kb.pain_model.flags,
        "decision": decision, "measure_labels": MEASURE_LABELS,
        **_numbered(ctx.kb, reference_ids(r for reason in st.decision.reasons
                                          for r in reason.references))}, status=status)


@router.get("/today", response_class=HTMLResponse)
def today_page(request: Request, ctx: Ctx, db: Db, user: Person, done: str = "") -> Response:
    return _today_page(ctx, request, db, user, notice=NOTICES.get(done))


@dataclass(frozen=True)
class SessionForm:
    values: dict[str, Any]
    session: dict[str, object]
    rows: list[dict[str, object]]
    row_index: list[int]  # the form's row number of each row sent to the service


SESSION_TEXT = ("day", "pain_during", "pain_after", "notes")
ROW_FIELDS = ("sets", "amount", "load_kg", "pain")


def read_session_form(form: FormData) -> SessionForm:
    """The session form as the page shows it again, and as the service reads it.

    Exercise rows left wholly blank are not sent (the exercise was not done).
    """
    values: dict[str, Any] = {name: _form_text(form, name) for name in SESSION_TEXT}
    flags = [f for f in form.getlist("flags") if isinstance(f, str)]
    values["flags"] = flags
    rows: list[dict[str, object]] = []
    index: list[int] = []
    for i in range(rehab.MAX_EXERCISES_PER_SESSION):
        key = f"exercises[{i}]."
        if key + "exercise" not in form:
            break
        row = {name: _form_text(form, key + name) for name in ("exercise", *ROW_FIELDS)}
        for name, text in row.items():
            values[key + name] = text
        if any(row[name].strip() for name in ROW_FIELDS):
            rows.append(dict(row))
            index.append(i)
    session: dict[str, object] = {k: values[k] for k in SESSION_TEXT}
    session["flags"] = flags
    return SessionForm(values, session, rows, index)




_ROW_ERROR = re.compile(r"^exercises\[(\d+)\]\.(\w+)$")


def _session_errors(kb: KnowledgeBase, errors: Mapping[str, str], parsed: SessionForm
                    ) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, text in errors.items():
        m = _ROW_ERROR.match(field)
        if m is None:
            out.update(_named_errors({field: text}))
            continue
        sent, name = int(m.group(1)), m.group(2)
        row = parsed.row_index[sent] if sent < len(parsed.row_index) else sent
        exercise = str(parsed.values.get(f"exercises[{row}].exercise", ""))
        title = kb.exercises[exercise].name if exercise in kb.exercises else "Exercise"
        fid = f"exercises[{row}].{name}"
        out[fid] = message(f"{title}, {LABELS.get(name, name)}", text)
    return out


@router.post("/sessions", response_class=HTMLResponse)
def log_session(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    parsed = read_session_form(form)
    try:
        rehab.log_session(db, owner_id=user.id, values=parsed.session, exercises=parsed.rows,
                          today=today_of(request, user), kb=ctx.kb)
    except NotFoundError:
        return _redirect("/rehab")
    except FormError as exc:
        return _today_page(ctx, request, db, user, values=parsed.values,
                           errors=_session_errors(ctx.kb, exc.errors, parsed), status=422)
    return _redirect("/rehab?done=session_logged")


# --- tests --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeasureField:
    name: str
    label: str
    hint: str = ""
    kind: str = "number"  # number | checkbox


@dataclass(frozen=True)
class MeasureInfo:
    kind: TestKind
    title: str
    steps: tuple[str, ...]
    statements: tuple[tuple[str, str, tuple[str, ...]], ...]  # text, evidence, references
    fields: tuple[MeasureField, ...]


_OPTIONAL_PAIN = MeasureField("pain", "Highest pain during the test, if any (0 to 10)",
                           "Leave empty if it did not hurt at all")
TESTS: tuple[MeasureInfo, ...] = (
    MeasureInfo(
        TestKind.heel_raise, "Single-leg heel-raise test",
        ("Warm up with a few minutes of walking. Test your other leg first, then the "
         "injured one.",
         "Stand on one leg on a flat floor. Rest your fingertips on a wall for balance only, "
         "not to help you push up.",
         "Keep your knee straight. Rise onto the ball of your foot as high as you can, then "
         "lower your heel back to the floor.",
         "Keep a steady pace: one second up, one second down, about 30 raises a minute. A "
         "metronome set to 60 beats a minute helps: up on one beat, down on the next.",
         "Count each full raise. Stop when you can no longer rise as high, when you lose the "
         "pace, or when pain goes above the limit for your phase.",
         "Write down the count for each leg."),
        (("Before a return to sport, calf injury experts look for at least 30 raises on the "
          "injured leg, and for it to manage at least 90% of the count of the other leg.",
          "expert_opinion", ("green2022",)),
         ("In a study of 566 healthy adults tested this way on a slight slope, the middle "
          "count was 24 for men and 21 for women, and counts fell with age.",
          "moderate", ("hebertlosier2017",))),
        (MeasureField("injured", "Injured leg: number of raises"),
         MeasureField("other", "Other leg: number of raises"), _OPTIONAL_PAIN)),
    MeasureInfo(
        TestKind.hop, "Hop test",
        ("Do this test only once hopping is part of your exercises, in the power phase or "
         "later. Warm up first, and test your other leg first.",
         "Stand on one leg with your toes behind a line. Hop forwards as far as you can and "
         "land on the same leg. Hold the landing still for 2 seconds.",
         "Measure from the line to the back of your heel, in centimetres. Keep the best of 3 "
         "hops that you landed well.",
         "No room? Count how many hops on the spot you can do on one leg in 30 seconds "
         "instead. Use the same test for both legs."),
        (("Experts ask for the injured leg to reach at least 90% of the other leg in hop and "
          "power tests before a return to sport. The 90% goal comes mostly from knee injury "
          "research and has not been tested in calf injuries.",
          "expert_opinion", ("green2022",)),
         ("Even in healthy people the two legs are rarely exactly equal, so small "
          "differences are normal.", "moderate", ("madsen2020",))),
        (MeasureField("injured", "Injured leg: centimetres (or hops)"),
         MeasureField("other", "Other leg: centimetres (or hops)"), _OPTIONAL_PAIN)),
    MeasureInfo(
        TestKind.lunge, "Knee-to-wall test",
        ("Take off your shoes. Face a wall with the foot you are testing in front and your "
         "toes pointing at the wall.",
         "Keep your heel down and bend your knee forwards until it touches the wall. Keep "
         "your knee in line with your second toe.",
         "If your knee touches easily, move your foot back a little and try again. Find the "
         "farthest spot from which your knee still touches the wall with your heel down.",
         "Measure from your big toe to the wall in centimetres. Do the same on the other "
         "side."),
        (("Healthy adults reach about 12 cm on average, and in most people the two sides "
          "differ by less than 1.5 cm.", "moderate", ("hoch2011",)),
         ("The test is reliable, but a change smaller than about 2 cm may just be "
          "measurement error.", "moderate", ("powden2015",)),
         ("Before a return to sport, experts look for the injured side to reach at least 90% "
          "of the other side.", "expert_opinion", ("green2022",))),
        (MeasureField("injured", "Injured side: centimetres from toe to wall"),
         MeasureField("other", "Other side: centimetres from toe to wall"), _OPTIONAL_PAIN)),
    MeasureInfo(
        TestKind.walking, "Walking check",
        ("Walk briskly on a flat surface for about 10 minutes, as if you were late for a "
         "bus.",
         "Notice the highest pain during the walk, from 0 (none) to 10 (the worst you can "
         "imagine).",
         "Notice whether you limp. Ask someone to watch, or listen for an uneven rhythm of "
         "footsteps."),
        (("Walking normally with little or no pain is the first goal after a calf strain.",
          "expert_opinion", ("green2022",)),),
        (MeasureField("pain", "Highest pain while walking (0 to 10)"),
         MeasureField("limp", "I limped", kind="checkbox"))),
    MeasureInfo(
        TestKind.symptoms, "Symptom check",
        ("Sit with your leg relaxed. Notice any pain, tightness or cramp-like feeling in the "
         "calf.",
         "Then press firmly with your fingers along the sore area.",
         "Give the worst of these a number from 0 (nothing at all) to 10."),
        (("Before a full return to sport, experts look for no pain, tightness or cramp feeling "
          "at rest or when the calf is pressed.", "expert_opinion", ("green2022",)),),
        (MeasureField("pain", "Worst pain, tightness or cramp feeling (0 to 10)"),)),
    MeasureInfo(
        TestKind.run, "Run check",
        ("Do this only in the running phase, or when your programme asks for it.",
         "Run at an easy pace on a flat, even surface in your usual shoes.",
         "Stop if pain goes above the limit for your phase.",
         "Write down how many minutes you ran and the highest pain."),
        (("Experts advise building running up in short intervals, with a rest day between "
          "runs, and not making runs longer and faster at the same time.",
          "expert_opinion", ("green2022",)),),
        (MeasureField("injured", "Minutes you ran"),
         MeasureField("pain", "Highest pain during the run (0 to 10)"))),
    MeasureInfo(
        TestKind.training, "Full training session",
        ("Do this only in the last phase of the programme.",
         "Take part in one full training session of your sport.",
         "Write down the highest pain, tightness or cramp feeling in your calf during it. "
         "0 means none at all."),
        (("Experts agree on at least one full training session without symptoms before you "
          "go back to matches or races.", "expert_opinion", ("green2022",)),),
        (MeasureField("pain", "Highest pain, tightness or cramp feeling (0 to 10)"),)),
)
TEST_TITLES = {t.kind.value: t.title for t in TESTS}


def _test_refs() -> list[str]:
    return reference_ids(r for t in TESTS for _, _, refs in t.statements for r in refs)


def _measurements_page(ctx: WebContext, request: Request, db: Session, user: Account, *,
                kind: str = "", values: Mapping[str, str] | None = None,
                errors: Mapping[str, str] | None = None, notice: str | None = None,
                status: int = 200) -> Response:
    today = today_of(request, user)
    try:
        st = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb)
    except NotFoundError:
        return _redirect("/rehab")
    latest: dict[TestKind, rehab.TestRecord] = {}
    for t in st.tests:
        if t.day <= today:
            latest[t.kind] = t  # ordered by day: the last one wins
    results = [{"title": info.title, "test": latest[info.kind]}
               for info in TESTS if info.kind in latest]
    forms = {info.kind.value: ({"day": today.isoformat(), **(values or {})}
                               if info.kind.value == kind else {"day": today.isoformat()})
             for info in TESTS}
    return _page(ctx, request, "rehab_tests.html", {
        "tests": TESTS, "results": results, "forms": forms, "errors": errors or {},
        "notice": notice, "today": today.isoformat(),
        "earliest": st.plan.injury_day.isoformat(), "decision": decision_view(ctx.kb, st),
        "phase": st.phase, **_numbered(ctx.kb, _test_refs())}, status=status)


@router.get("/tests", response_class=HTMLResponse)
def measurements_page(request: Request, ctx: Ctx, db: Db, user: Person, done: str = "") -> Response:
    return _measurements_page(ctx, request, db, user, notice=NOTICES.get(done))


@router.post("/tests", response_class=HTMLResponse)
def log_test(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    kind = _form_text(form, "kind")
    info = next((t for t in TESTS if t.kind.value == kind), None)
    names = ["day", *(f.name for f in info.fields)] if info else ["day"]
    values = {name: _form_text(form, name) for name in names}
    given: dict[str, object] = {"kind": kind, **{k: v for k, v in values.items() if v}}
    given.setdefault("day", "")
    try:
        rehab.log_test(db, owner_id=user.id, values=given, today=today_of(request, user))
    except NotFoundError:
        return _redirect("/rehab")
    except FormError as exc:
        labels = {f.name: f.label for f in info.fields} if info else {}
        labels["day"] = "Day of the test"
        ids = {name: f"{kind}-{name}" for name in exc.errors} if info else {}
        if info is None:
            ids = {"kind": "tests-heading"}
        return _measurements_page(ctx, request, db, user, kind=kind, values=values,
                           errors=_named_errors(exc.errors, ids, labels), status=422)
    return _redirect("/rehab/tests?done=test_logged")


# --- the handout --------------------------------------------------------------------------------

@router.get("/handout.pdf")
def handout_pdf(request: Request, ctx: Ctx, db: Db, user: Person) -> Response:
    """The person's own programme, with their clinician's changes to the doses."""
    from calfcare.services import handout

    try:
        session = rehab.today_session(db, owner_id=user.id, today=today_of(request, user),
                                      kb=ctx.kb)
    except NotFoundError:
        return _redirect("/rehab")
    plan = session.plan
    data = handout.programme_pdf(
        ctx.kb, plan.programme, plan.variant, person_name=user.display_name,
        adjustments=rehab.plan_items(db, owner_id=user.id, kb=ctx.kb))
    return _pdf(data, f"calfcare-{plan.programme}-{plan.variant}.pdf")
