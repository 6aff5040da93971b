"""The assessment in the browser: one question per page, works with JavaScript off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from calfcare.errors import RequestError
from calfcare.kb.schema import TriageLevel
from calfcare.services.requests import MAX_AGE, MIN_AGE, parse_request
from calfcare.services.text import whole_number
from calfcare.web.context import WebContext, get_ctx
from calfcare.web.forms import posted_form
from calfcare.web.interview import InterviewState, answers_from_form
from calfcare.web.responses import page

router = APIRouter(prefix="/assess", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
EMERGENCY = TriageLevel.emergency.rank
RANK = {lv.value: lv.rank for lv in TriageLevel}
TYPICAL_QUESTIONS = 8


async def _form(request: Request) -> dict[str, list[str]]:
    form = await posted_form(request)
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        out.setdefault(key, []).append(str(value))
    return out


@router.get("", response_class=HTMLResponse)
async def about(request: Request, ctx: Ctx) -> HTMLResponse:
    return page(ctx, request, "assess_about.html", {"errors": {}, "values": {}})


@router.post("/about", response_class=HTMLResponse)
async def about_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    form = await _form(request)
    age_raw = (form.get("age") or [""])[0].strip()
    sex = (form.get("sex") or [""])[0]
    errors: dict[str, str] = {}
    age = whole_number(age_raw)  # ASCII digits only: "²".isdigit() is true, int("²") fails
    if age is None or not MIN_AGE <= age <= MAX_AGE:
        errors["age"] = f"Enter your age in years, as a whole number from {MIN_AGE} to {MAX_AGE}"
    if sex not in ("female", "male"):
        errors["sex"] = "Select female or male"
    if age is None or errors:
        return page(
            ctx,
            request,
            "assess_about.html",
            {"errors": errors, "values": {"age": age_raw, "sex": sex}},
            status=422,
        )
    state = InterviewState(age=age, sex=sex)
    return _start_page(ctx, request, state, {})


def _start_page(
    ctx: WebContext,
    request: Request,
    state: InterviewState,
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return page(
        ctx,
        request,
        "assess_start.html",
        {"state": state.encode(), "options": ctx.kb.start_options, "errors": errors},
        status=status,
    )


@router.post("/start", response_class=HTMLResponse)
async def start_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    form, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    numbers = [whole_number(p) for p in form.get("start", [])]
    picks = [n for n in numbers if n is not None and 0 <= n < len(ctx.kb.start_options)]
    if not picks:
        return _start_page(
            ctx, request, state, {"start": "Select at least one thing that brings you here"}, 422
        )
    findings: list[str] = []
    for p in picks:
        for f in ctx.kb.start_options[p].findings:
            if f not in findings:
                findings.append(f)
    state.steps = [[{"id": f, "choice_id": "present", "source": "initial"} for f in findings]]
    return _next(ctx, request, state)


@router.post("/answer", response_class=HTMLResponse)
async def answer_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    form, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    items = [i for i in (form.get("items") or [""])[0].split(",") if i]
    qtype = (form.get("qtype") or ["group_multiple"])[0]
    try:
        answers = answers_from_form(form, items, qtype)
        ctx.assessor.evaluate({**state.request(), "evidence": [*state.evidence(), *answers]})
    except RequestError as exc:
        if exc.field in ("choice", "present"):
            return _next(ctx, request, state, error=exc.message)
        return _broken(ctx, request)
    state.steps.append(answers)
    return _next(ctx, request, state)


@router.post("/back", response_class=HTMLResponse)
async def back_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    _, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    if len(state.steps) <= 1:
        state.steps = []
        state.acknowledged = ""
        return _start_page(ctx, request, state, {})
    state.steps.pop()
    state.acknowledged = ""
    return _next(ctx, request, state)


@router.post("/continue", response_class=HTMLResponse)
async def continue_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    _, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    state.acknowledged = ctx.assessor.triage(state.request())["triage_level"]
    return _next(ctx, request, state)


@router.post("/summary", response_class=HTMLResponse)
async def summary_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    _, state = await _submitted(request)
    if state is None or not state.steps:
        return _broken(ctx, request)
    result = ctx.assessor.assess(state.request())
    answered = [(ctx.kb.findings[e["id"]].name, e["choice_id"]) for e in state.evidence()]
    return page(
        ctx, request, "summary.html", {"result": result, "state": state, "answered": answered}
    )


async def _submitted(request: Request) -> tuple[dict[str, list[str]], InterviewState | None]:
    """The posted form and the interview state it carries (None when it cannot be read)."""
    form = await _form(request)
    ctx: WebContext = request.app.state.ctx
    return form, _state(ctx, form)


def _state(ctx: WebContext, form: dict[str, list[str]]) -> InterviewState | None:
    """The state the page carried, if it reads and makes a valid request (as the API checks)."""
    try:
        state = InterviewState.decode((form.get("state") or [""])[0])
        parse_request(state.request(), ctx.kb)
    except RequestError:
        return None
    return state


def _broken(ctx: WebContext, request: Request) -> HTMLResponse:
    return page(ctx, request, "assess_broken.html", {}, status=400)


def _next(
    ctx: WebContext, request: Request, state: InterviewState, error: str | None = None
) -> HTMLResponse:
    try:
        out, tri = ctx.assessor.interview_step(state.request())
    except RequestError:
        return _broken(ctx, request)
    level = tri["triage_level"]
    if RANK[level] >= EMERGENCY and RANK.get(state.acknowledged, -1) < RANK[level]:
        return page(ctx, request, "emergency.html", {"triage": tri, "state": state.encode()})
    if out["should_stop"]:
        result = ctx.assessor.assess(state.request())
        guides = {c["id"]: ctx.kb.guides[c["id"]] for c in result["conditions"]}
        lead = ctx.kb.guides[result["conditions"][0]["id"]]
        return page(
            ctx,
            request,
            "result.html",
            {
                "result": result,
                "state": state.encode(),
                "lead": lead,
                "guides": guides,
                "references": ctx.kb.references,
            },
        )
    asked = out["extras"]["questions_asked"]
    progress = min(95, round(100 * (asked + 0.5) / (asked + max(2, TYPICAL_QUESTIONS - asked))))
    return page(
        ctx,
        request,
        "question.html",
        {
            "question": out["question"],
            "state": state.encode(),
            "number": asked + 1,
            "progress": progress,
            "error": error,
        },
        status=422 if error else 200,
    )
