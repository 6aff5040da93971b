"""The JSON API, versioned under /api/v1 (case format v1, plus the knowledge base)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from calfcare.engine.rehab import (
    Decision,
    MorningCheck,
    PlanFacts,
    SessionLog,
    TestKind,
    TestResult,
    active_phases,
    decide,
)
from calfcare.errors import NotFoundError, RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Exercise, ExerciseCategory, Phase, Programme, Variant
from calfcare.services import accounts, rehab
from calfcare.services.accounts import Account
from calfcare.services.guides import get_guide, list_guides
from calfcare.web import auth
from calfcare.web.context import WebContext, get_ctx
from calfcare.web.routes.rehab import programme_reference_ids
from calfcare.web.schemas import (
    ConditionDetail,
    ConditionSummary,
    DecisionOut,
    DiagnosisResponse,
    ErrorResponse,
    ExerciseDetail,
    ExerciseSummary,
    FindingOut,
    HealthOut,
    PlanOut,
    ProgrammeDetail,
    ProgrammeSummary,
    ProgressionIn,
    TriageResponse,
    V1Request,
)

router = APIRouter()
Ctx = Annotated[WebContext, Depends(get_ctx)]
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "Invalid request; `field` names the value"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
}


@router.get("/healthz", response_model=HealthOut, tags=["service"])
async def healthz(ctx: Ctx) -> dict[str, Any]:
    """Liveness and readiness: the knowledge base is loaded and the database answers."""
    from calfcare.storage.db import ping

    return {"status": "ok", "database": "ok" if ping(ctx.engine) else "unavailable",
            "kb_version": ctx.kb.content_hash}


# The assessment endpoints return the service's dict as it is: the response models document
# it in /openapi.json (schemathesis checks that they agree) without a second validation pass.
@router.post("/api/v1/diagnosis", response_model=None, tags=["assessment"],
             responses={200: {"model": DiagnosisResponse}, **ERRORS})
async def diagnosis(body: V1Request, ctx: Ctx) -> JSONResponse:
    """The next step of an interview: next question, ranked conditions, should_stop."""
    return JSONResponse(ctx.assessor.diagnose(body.to_request()))


@router.post("/api/v1/triage", response_model=None, tags=["assessment"],
             responses={200: {"model": TriageResponse}, **ERRORS})
async def triage(body: V1Request, ctx: Ctx) -> JSONResponse:
    """The level of care, the serious findings noticed, and what the level means."""
    return JSONResponse(ctx.assessor.triage(body.to_request()))


@router.get("/api/v1/conditions", response_model=list[ConditionSummary], tags=["knowledge"])
async def conditions(ctx: Ctx) -> list[dict[str, Any]]:
    """Every condition, with its usual level of care."""
    return list_guides(ctx.kb)


@router.get("/api/v1/conditions/{condition_id}", response_model=ConditionDetail,
            responses={404: {"model": ErrorResponse}}, tags=["knowledge"])
async def condition(condition_id: str, ctx: Ctx) -> dict[str, Any]:
    """One condition guide with every statement, its evidence level and references."""
    try:
        guide = get_guide(condition_id, ctx.kb)
    except NotFoundError as exc:
        raise HTTPException(status_code=404,
                            detail=f"{exc} GET /api/v1/conditions lists them.") from None
    data = guide.model_dump(mode="json")
    data["references"] = [ctx.kb.references[r].model_dump(mode="json")
                          for r in guide.references if r in ctx.kb.references]
    return data


@router.get("/api/v1/findings", response_model=list[FindingOut], tags=["knowledge"])
async def findings(ctx: Ctx) -> list[dict[str, Any]]:
    """The finding vocabulary: ids, who can answer, plain-language questions."""
    return [f.model_dump(mode="json") for f in ctx.kb.findings.values()]


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Interactive API docs, with every asset served from this server."""
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="calfcare API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/img/favicon.svg",
    )


# --- rehabilitation -------------------------------------------------------------------------

REHAB_TAGS: list[str | Enum] = ["rehabilitation"]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse,
                                                    "description": "No such record"}}


class SvgResponse(Response):
    media_type = "image/svg+xml"


def _resolved(kb: KnowledgeBase, ids: Iterable[str]) -> list[dict[str, Any]]:
    return [kb.references[r].model_dump(mode="json")
            for r in dict.fromkeys(ids) if r in kb.references]


def _figure_url(kb: KnowledgeBase, exercise_id: str) -> str | None:
    return f"/api/v1/rehab/exercises/{exercise_id}/figure.svg" \
        if exercise_id in kb.figures else None


def _phase_ref(phase: Phase) -> dict[str, Any]:
    return {"id": phase.id, "name": phase.name, "pain_ceiling": phase.pain_ceiling}


def decision_out(kb: KnowledgeBase, d: Decision) -> dict[str, Any]:
    """A decision of the progression engine as the API returns it."""
    level = kb.levels[d.level] if d.level is not None else None
    cited = [*(r for reason in d.reasons for r in reason.references),
             *(r for c in d.criteria for r in c.criterion.references)]
    return {
        "action": d.action.value, "phase": _phase_ref(d.phase),
        "target": _phase_ref(d.target) if d.target is not None else None,
        "reasons": [{"code": r.code, "text": r.text, "references": list(r.references)}
                    for r in d.reasons],
        "criteria": [{"kind": c.criterion.kind.value, "text": c.criterion.text, "met": c.met,
                      "observed": c.observed, "threshold": c.threshold,
                      "evidence": c.criterion.evidence.value,
                      "estimate": c.criterion.estimate,
                      "references": list(c.criterion.references)} for c in d.criteria],
        "breaks": [{"day": b.day, "kind": b.kind.value, "detail": b.detail} for b in d.breaks],
        "weekly_change": d.weekly_change,
        "level": None if level is None else {
            "id": level.id.value, "label": level.label, "family": level.family,
            "description": level.description},
        "references": _resolved(kb, cited),
    }


@router.get("/api/v1/rehab/exercises", response_model=list[ExerciseSummary], tags=REHAB_TAGS)
async def rehab_exercises(ctx: Ctx) -> list[dict[str, Any]]:
    """The exercise library: every exercise with its category, targets and drawing."""
    kb = ctx.kb
    return [{"id": ex.id, "name": ex.name, "category": ex.category.value,
             "targets": list(ex.targets), "summary": ex.summary,
             "equipment": list(ex.equipment), "figure_url": _figure_url(kb, ex.id)}
            for ex in sorted(kb.exercises.values(), key=lambda e: (
                list(ExerciseCategory).index(e.category), e.name.lower()))]


def _exercise(kb: KnowledgeBase, exercise_id: str) -> Exercise:
    ex = kb.exercises.get(exercise_id)
    if ex is None:
        raise HTTPException(status_code=404, detail=f"No exercise called '{exercise_id}'.")
    return ex


@router.get("/api/v1/rehab/exercises/{exercise_id}", response_model=ExerciseDetail,
            responses=NOT_FOUND, tags=REHAB_TAGS)
async def rehab_exercise(exercise_id: str, ctx: Ctx) -> dict[str, Any]:
    """One exercise in full: steps, dose, cues, errors, variations, evidence and sources."""
    kb = ctx.kb
    ex = _exercise(kb, exercise_id)
    return {**ex.model_dump(mode="json"), "figure_url": _figure_url(kb, ex.id),
            "references": _resolved(kb, ex.why.references)}


@router.get("/api/v1/rehab/exercises/{exercise_id}/figure.svg", response_class=SvgResponse,
            responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}},
                             "description": "The drawing (SVG, shapes only)"},
                       404: {"description": "No such exercise or drawing", "content": {
                           "application/json": {"schema": {
                               "$ref": "#/components/schemas/ErrorResponse"}}}}},
            tags=REHAB_TAGS)
async def rehab_figure(exercise_id: str, ctx: Ctx) -> Response:
    """The exercise's drawing: start position pale, end position solid, an arrow between."""
    kb = ctx.kb
    ex = _exercise(kb, exercise_id)
    svg = kb.figures.get(ex.id)
    if svg is None:
        raise HTTPException(status_code=404, detail=f"Exercise '{ex.id}' has no drawing.")
    return SvgResponse(svg.encode(), headers={
        "cache-control": "public, max-age=86400", "etag": f'"{kb.content_hash}-{ex.id}"'})


@router.get("/api/v1/rehab/programmes", response_model=list[ProgrammeSummary],
            tags=REHAB_TAGS)
async def rehab_programmes(ctx: Ctx) -> list[dict[str, Any]]:
    """Every programme with its versions (variants), their usual time range and phases."""
    return [{"id": p.id, "name": p.name, "summary": p.summary,
             "for_conditions": list(p.for_conditions), "audience": p.audience,
             "variants": [{"id": v.id, "label": v.label, "grade": v.grade, "site": v.site,
                           "expected_days": v.expected_days.model_dump(),
                           "estimate": v.estimate} for v in p.variants],
             "phases": [{"id": ph.id, "name": ph.name} for ph in p.phases]}
            for p in sorted(ctx.kb.programmes.values(), key=lambda p: p.id)]


@router.get("/api/v1/rehab/programmes/{programme_id}", response_model=ProgrammeDetail,
            responses=NOT_FOUND, tags=REHAB_TAGS)
async def rehab_programme(programme_id: str, ctx: Ctx) -> dict[str, Any]:
    """One programme in full: phases, exit criteria, pain limits, kit, when to get help.

    `references` lists every source the programme cites anywhere, resolved.
    """
    prog = ctx.kb.programmes.get(programme_id)
    if prog is None:
        raise HTTPException(status_code=404, detail=f"No programme called '{programme_id}'.")
    data = prog.model_dump(mode="json")
    data["references"] = _resolved(ctx.kb, programme_reference_ids(prog))
    return data


def _progression_facts(kb: KnowledgeBase, body: ProgressionIn
                       ) -> tuple[Programme, Variant, PlanFacts]:
    prog = kb.programmes.get(body.programme)
    if prog is None:
        raise RequestError("programme", "unknown programme; use one of: "
                           + ", ".join(sorted(kb.programmes)))
    var = next((v for v in prog.variants if v.id == body.variant), None)
    if var is None:
        raise RequestError("variant", f"not a variant of '{prog.id}'; use one of: "
                           + ", ".join(v.id for v in prog.variants))
    ids = [ph.id for ph in active_phases(prog, var)]
    if body.phase not in ids:
        raise RequestError("phase", f"not a phase of '{prog.id}' for '{var.id}'; use one of: "
                           + ", ".join(ids))
    for i, s in enumerate(body.sessions):
        for j, flag in enumerate(s.flags):
            if flag not in kb.pain_model.flags:
                raise RequestError(f"sessions[{i}].flags[{j}]", "unknown warning sign; use "
                                   "one of: " + ", ".join(sorted(kb.pain_model.flags)))
    facts = PlanFacts(
        phase_index=ids.index(body.phase), phase_started=body.phase_started, as_of=body.as_of,
        sessions=tuple(SessionLog(day=s.day, pain_during=s.pain_during, pain_after=s.pain_after,
                                  flags=frozenset(s.flags)) for s in body.sessions),
        mornings=tuple(MorningCheck(day=m.day, pain=m.pain) for m in body.mornings),
        tests=tuple(TestResult(day=x.day, kind=TestKind(x.kind), injured=x.injured,
                               other=x.other, pain=x.pain, limp=x.limp) for x in body.tests))
    return prog, var, facts


@router.post("/api/v1/rehab/progression", response_model=DecisionOut, tags=REHAB_TAGS,
             responses=ERRORS)
async def rehab_progression(body: ProgressionIn, ctx: Ctx) -> dict[str, Any]:
    """Judge one day of a plan from what was logged; stateless, nothing is stored.

    The rules, in order: a warning sign in the last 7 days means see a professional; pain
    breaking the pain-monitoring rules holds or steps back; moving on waits for the morning
    after the latest session; then every exit criterion of the phase must be met.
    """
    prog, var, facts = _progression_facts(ctx.kb, body)
    return decision_out(ctx.kb, decide(prog, var, ctx.kb.pain_model, facts))


def _cookie_user(request: Request, ctx: WebContext) -> Account:
    """The account of the browser session cookie, for the one API route that reads it."""
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    signed = None
    if token:
        with ctx.sessions() as db:
            signed = accounts.resolve_session(db, token=token, now=auth.now(request))
    if signed is None:
        raise HTTPException(status_code=401, detail="Sign in first: this needs the session "
                            "cookie of a signed-in browser.")
    return signed.user


def plan_out(kb: KnowledgeBase, st: rehab.PlanStatus) -> dict[str, Any]:
    started = st.history[0].day if st.history else st.plan.phase_started
    return {
        "id": st.plan.id, "programme": {"id": st.programme.id, "name": st.programme.name},
        "variant": {"id": st.variant.id, "name": st.variant.label}, "side": st.plan.side,
        "injury_day": st.plan.injury_day, "phase": _phase_ref(st.phase),
        "phase_started": st.plan.phase_started, "status": st.plan.status, "as_of": st.as_of,
        "expected": {"earliest": st.expected[0], "latest": st.expected[1],
                     "estimate": st.variant.estimate, "note": st.variant.expected_note},
        "adherence": {"done": st.adherence[0], "planned": st.adherence[1],
                      "days": min(rehab.ADHERENCE_DAYS, (st.as_of - started).days + 1)},
        "decision": decision_out(kb, st.decision),
        "timeline": [{"phase": _phase_ref(e.phase), "state": e.state, "started": e.started,
                      "ended": e.ended, "min_days": e.min_days} for e in st.timeline],
        "sessions": [{"day": s.day, "phase": s.phase, "pain_during": s.pain_during,
                      "pain_after": s.pain_after, "flags": list(s.flags),
                      "exercises": [{"exercise": e.exercise, "sets": e.sets,
                                     "amount": e.amount, "load_kg": e.load_kg, "pain": e.pain}
                                    for e in s.exercises], "notes": s.notes}
                     for s in st.sessions],
        "mornings": [{"day": m.day, "pain": m.pain} for m in st.mornings],
        "tests": [{"day": x.day, "kind": x.kind.value, "injured": x.injured, "other": x.other,
                   "pain": x.pain, "limp": x.limp, "lsi": x.lsi} for x in st.tests],
    }


@router.get("/api/v1/rehab/plan", response_model=PlanOut, tags=REHAB_TAGS, responses={
    401: {"model": ErrorResponse, "description": "Not signed in"},
    404: {"model": ErrorResponse, "description": "No active plan"}})
def rehab_plan(request: Request, ctx: Ctx) -> dict[str, Any]:
    """The signed-in person's active plan and today's decision (in their time zone).

    Unlike the rest of the API this reads the `calfcare_session` cookie of a browser signed
    in to calfcare; without it the answer is 401.
    """
    user = _cookie_user(request, ctx)
    today = auth.today(request, user.zone)
    with ctx.sessions() as db:
        try:
            st = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb)
        except NotFoundError:  # the service's words may suit a terminal, not an API client
            raise HTTPException(status_code=404, detail="No active rehabilitation plan. "
                                "Start one on the My rehab page.") from None
    return plan_out(ctx.kb, st)
