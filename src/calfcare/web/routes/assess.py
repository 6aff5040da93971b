"""The assessment in the browser: one question per page, works with JavaScript off.

A long tick-box question is shown in parts that each fit a phone screen
(`web/question_parts.py`); the pages themselves are built in `web/assess_views.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from calfcare.errors import RequestError
from calfcare.kb.schema import TriageLevel
from calfcare.services.requests import MAX_AGE, MIN_AGE, parse_request
from calfcare.services.text import whole_number
from calfcare.web.assess_views import (
    about_page,
    back_one_part,
    emergency_page,
    question_page,
    start_page,
    too_young_page,
)
from calfcare.web.context import WebContext, get_ctx
from calfcare.web.forms import posted_form
from calfcare.web.interview import InterviewState, answers_from_form
from calfcare.web.question_parts import check_pending
from calfcare.web.responses import page

router = APIRouter(prefix="/assess", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
EMERGENCY = TriageLevel.emergency.rank
RANK = {lv.value: lv.rank for lv in TriageLevel}


async def _form(request: Request) -> dict[str, list[str]]:
    form = await posted_form(request)
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        out.setdefault(key, []).append(str(value))
    return out


def _first(form: dict[str, list[str]], key: str, default: str = "") -> str:
    return (form.get(key) or [default])[0]


@router.get("", response_class=HTMLResponse)
async def about(request: Request, ctx: Ctx) -> HTMLResponse:
    return about_page(ctx, request, {})


@router.post("/about", response_class=HTMLResponse)
async def about_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    form = await _form(request)
    age_raw = _first(form, "age").strip()
    sex = _first(form, "sex")
    errors: dict[str, str] = {}
    age = whole_number(age_raw)  # ASCII digits only: "²".isdigit() is true, int("²") fails
    if age is None or not MIN_AGE <= age <= MAX_AGE:
        errors["age"] = f"Enter your age in years, as a whole number from {MIN_AGE} to {MAX_AGE}"
    if sex not in ("female", "male"):
        errors["sex"] = "Select female or male"
    if age is None or errors:
        return about_page(ctx, request, {"age": age_raw, "sex": sex}, errors, status=422)
    state = InterviewState(age=age, sex=sex)
    if age < ctx.kb.min_supported_age:
        return too_young_page(ctx, request, state)
    return start_page(ctx, request, state)


@router.post("/start", response_class=HTMLResponse)
async def start_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    form, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    numbers = [whole_number(p) for p in form.get("start", [])]
    picks = [n for n in numbers if n is not None and 0 <= n < len(ctx.kb.start_options)]
    if not picks:
        errors = {"start": "Select at least one thing that brings you here"}
        return start_page(ctx, request, state, errors, 422)
    findings: list[str] = []
    for p in picks:
        for f in ctx.kb.start_options[p].findings:
            if f not in findings:
                findings.append(f)
    state.steps = [[{"id": f, "choice_id": "present", "source": "initial"} for f in findings]]
    return _next(ctx, request, state)


@router.post("/answer", response_class=HTMLResponse)
async def answer_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    """One part of a question answered: the next part, or the answers of all its parts
    together as one step of the interview."""
    form, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    items = [i for i in _first(form, "items").split(",") if i]
    qtype = _first(form, "qtype", "group_multiple")
    try:
        out, _ = ctx.assessor.interview_step(state.request())
        whole = [i["id"] for i in out["question"]["items"]] if out["question"] else items
        check_pending(state.pending, whole)
    except RequestError:
        return _broken(ctx, request)
    try:
        answers = [*state.pending, *answers_from_form(form, items, qtype)]
        ctx.assessor.evaluate({**state.request(), "evidence": [*state.evidence(), *answers]})
    except RequestError as exc:
        if exc.field in ("choice", "present") and out["question"]:
            return question_page(ctx, request, state, out, error=exc.message)
        return _broken(ctx, request)
    state.pending = answers
    if _more_to_ask(ctx, state, whole):
        return question_page(ctx, request, state, out)
    state.steps.append(answers)
    state.pending = []
    return _next(ctx, request, state)


def _more_to_ask(ctx: WebContext, state: InterviewState, whole: Sequence[str]) -> bool:
    """Whether the question has parts left to show. An answer that calls for an emergency
    ends it at once: the emergency page comes before the rest of the question."""
    answered = {a["id"] for a in state.pending}
    if all(f in answered for f in whole):
        return False
    evidence = [*state.evidence(), *state.pending]
    level = ctx.assessor.triage({**state.request(), "evidence": evidence})["triage_level"]
    return not (RANK[level] >= EMERGENCY and RANK.get(state.acknowledged, -1) < RANK[level])


@router.post("/back", response_class=HTMLResponse)
async def back_submit(request: Request, ctx: Ctx) -> HTMLResponse:
    """One page back, with the answers given there filled in again."""
    _, state = await _submitted(request)
    if state is None:
        return _broken(ctx, request)
    if state.pending:
        return _back_one_part(ctx, request, state)
    state.acknowledged = ""
    if not state.steps:
        return about_page(ctx, request, {"age": str(state.age), "sex": state.sex})
    popped = state.steps.pop()
    if not state.steps:
        return start_page(ctx, request, state, picked=popped)
    return _next(ctx, request, state, prefill=popped)


def _back_one_part(ctx: WebContext, request: Request, state: InterviewState) -> HTMLResponse:
    try:
        out, _ = ctx.assessor.interview_step(state.request())
        question = out["question"]
        check_pending(state.pending, [i["id"] for i in question["items"]] if question else [])
    except RequestError:
        return _broken(ctx, request)
    prefill = back_one_part(state, question)
    return question_page(ctx, request, state, out, prefill=prefill)


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
    if state.age < ctx.kb.min_supported_age:
        return too_young_page(ctx, request, state)
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


def result_page(
    ctx: WebContext, request: Request, state: InterviewState, extra: Mapping[str, Any] | None = None
) -> HTMLResponse:
    """The result page of a finished interview.

    Also the page a person comes back to after signing in or up from it
    (`routes/account_entry.py`), with `extra` saying how they arrived.
    RequestError when the state makes no valid request.
    """
    result = ctx.assessor.assess(state.request())
    data = {
        "result": result,
        "state": state.encode(),
        "lead": ctx.kb.guides[result["conditions"][0]["id"]],
        "guides": {c["id"]: ctx.kb.guides[c["id"]] for c in result["conditions"]},
        "references": ctx.kb.references,
    }
    return page(ctx, request, "result.html", {**data, **(extra or {})})


def _next(
    ctx: WebContext, request: Request, state: InterviewState, prefill: Sequence[dict[str, str]] = ()
) -> HTMLResponse:
    """The page after the answers so far: too young, emergency, result or the next question."""
    if state.age < ctx.kb.min_supported_age:
        return too_young_page(ctx, request, state)
    try:
        out, tri = ctx.assessor.interview_step(state.request())
    except RequestError:
        return _broken(ctx, request)
    level = tri["triage_level"]
    if RANK[level] >= EMERGENCY and RANK.get(state.acknowledged, -1) < RANK[level]:
        return emergency_page(ctx, request, state, tri)
    if out["should_stop"]:
        return result_page(ctx, request, state)
    return question_page(ctx, request, state, out, prefill=prefill)
