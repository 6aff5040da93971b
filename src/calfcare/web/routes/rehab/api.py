"""The rehabilitation endpoints of the JSON API (/api/v1/rehab), included by `routes/api.py`.

The library and the programmes are the knowledge base as it is. The progression decision
(stateless) and the signed-in person's plan are the services' `DecisionReport` and
`PlanReport`, the shape the command line and the pages show too.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from calfcare.engine.rehab import MorningCheck, TestKind, TestResult
from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Exercise, ExerciseCategory
from calfcare.services import accounts, rehab
from calfcare.services.accounts import Account
from calfcare.web import auth
from calfcare.web.context import WebContext
from calfcare.web.routes.rehab.common import Ctx, programme_reference_ids
from calfcare.web.schemas import ErrorResponse
from calfcare.web.schemas_rehab import (
    DecisionReport,
    ExerciseDetail,
    ExerciseSummary,
    PlanReport,
    ProgrammeDetail,
    ProgrammeSummary,
    ProgressionIn,
)

router = APIRouter()
TAGS: list[str | Enum] = ["rehabilitation"]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No such record"}
}
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "Invalid request; `field` names the value"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
}


class SvgResponse(Response):
    media_type = "image/svg+xml"


def _resolved(kb: KnowledgeBase, ids: Iterable[str]) -> list[dict[str, Any]]:
    return [
        kb.references[r].model_dump(mode="json") for r in dict.fromkeys(ids) if r in kb.references
    ]


def _figure_url(kb: KnowledgeBase, exercise_id: str) -> str | None:
    return (
        f"/api/v1/rehab/exercises/{exercise_id}/figure.svg" if exercise_id in kb.figures else None
    )


@router.get("/api/v1/rehab/exercises", response_model=list[ExerciseSummary], tags=TAGS)
async def rehab_exercises(ctx: Ctx) -> list[dict[str, Any]]:
    """The exercise library: every exercise with its category, targets and drawing."""
    kb = ctx.kb
    return [
        {
            "id": ex.id,
            "name": ex.name,
            "category": ex.category.value,
            "targets": list(ex.targets),
            "summary": ex.summary,
            "equipment": list(ex.equipment),
            "figure_url": _figure_url(kb, ex.id),
        }
        for ex in sorted(
            kb.exercises.values(),
            key=lambda e: (list(ExerciseCategory).index(e.category), e.name.lower()),
        )
    ]


def _exercise(kb: KnowledgeBase, exercise_id: str) -> Exercise:
    ex = kb.exercises.get(exercise_id)
    if ex is None:
        raise HTTPException(status_code=404, detail=f"No exercise called '{exercise_id}'.")
    return ex


@router.get(
    "/api/v1/rehab/exercises/{exercise_id}",
    response_model=ExerciseDetail,
    responses=NOT_FOUND,
    tags=TAGS,
)
async def rehab_exercise(exercise_id: str, ctx: Ctx) -> dict[str, Any]:
    """One exercise in full: steps, dose, cues, errors, variations, evidence and sources."""
    kb = ctx.kb
    ex = _exercise(kb, exercise_id)
    return {
        **ex.model_dump(mode="json"),
        "figure_url": _figure_url(kb, ex.id),
        "references": _resolved(kb, ex.why.references),
    }


@router.get(
    "/api/v1/rehab/exercises/{exercise_id}/figure.svg",
    response_class=SvgResponse,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "The drawing (SVG, shapes only)",
        },
        404: {
            "description": "No such exercise or drawing",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
            },
        },
    },
    tags=TAGS,
)
async def rehab_figure(exercise_id: str, ctx: Ctx) -> Response:
    """The exercise's drawing: start position pale, end position solid, an arrow between."""
    kb = ctx.kb
    ex = _exercise(kb, exercise_id)
    svg = kb.figures.get(ex.id)
    if svg is None:
        raise HTTPException(status_code=404, detail=f"Exercise '{ex.id}' has no drawing.")
    return SvgResponse(
        svg.encode(),
        headers={"cache-control": "public, max-age=86400", "etag": f'"{kb.content_hash}-{ex.id}"'},
    )


@router.get("/api/v1/rehab/programmes", response_model=list[ProgrammeSummary], tags=TAGS)
async def rehab_programmes(ctx: Ctx) -> list[dict[str, Any]]:
    """Every programme with its versions (variants), their usual time range and phases, and
    the plain words for the versions' muscles (with how to tell them) and grades."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "summary": p.summary,
            "for_conditions": list(p.for_conditions),
            "audience": p.audience,
            "variants": [
                {
                    "id": v.id,
                    "label": v.label,
                    "grade": v.grade,
                    "site": v.site,
                    "expected_days": v.expected_days.model_dump(),
                    "estimate": v.estimate,
                }
                for v in p.variants
            ],
            "muscles": [m.model_dump(mode="json") for m in p.muscles],
            "grades": [g.model_dump(mode="json") for g in p.grades],
            "not_sure": p.not_sure.model_dump(mode="json") if p.not_sure else None,
            "phases": [{"id": ph.id, "name": ph.name} for ph in p.phases],
        }
        for p in sorted(ctx.kb.programmes.values(), key=lambda p: p.id)
    ]


@router.get(
    "/api/v1/rehab/programmes/{programme_id}",
    response_model=ProgrammeDetail,
    responses=NOT_FOUND,
    tags=TAGS,
)
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


def _query(body: ProgressionIn) -> rehab.ProgressionQuery:
    return rehab.ProgressionQuery(
        programme=body.programme,
        variant=body.variant,
        phase=body.phase,
        phase_started=body.phase_started,
        as_of=body.as_of,
        sessions=tuple(
            rehab.QuerySession(
                day=s.day, pain_during=s.pain_during, pain_after=s.pain_after, flags=tuple(s.flags)
            )
            for s in body.sessions
        ),
        mornings=tuple(MorningCheck(day=m.day, pain=m.pain) for m in body.mornings),
        tests=tuple(
            TestResult(
                day=x.day,
                kind=TestKind(x.kind),
                injured=x.injured,
                other=x.other,
                pain=x.pain,
                limp=x.limp,
            )
            for x in body.tests
        ),
    )


@router.post(
    "/api/v1/rehab/progression", response_model=DecisionReport, tags=TAGS, responses=ERRORS
)
async def rehab_progression(body: ProgressionIn, ctx: Ctx) -> DecisionReport:
    """Judge one day of a plan from what was logged; stateless, nothing is stored.

    The rules, in order: a warning sign in the last days of the pain model's `flag_days`
    means see a professional; pain breaking the pain-monitoring rules holds or steps back;
    moving on waits for the morning after the latest session; then every exit criterion of
    the phase must be met.
    """
    return rehab.judge(ctx.kb, _query(body))


def _cookie_user(request: Request, ctx: WebContext) -> Account:
    """The account of the browser session cookie, for the one API route that reads it."""
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    signed = None
    if token:
        with ctx.sessions() as db:
            signed = accounts.resolve_session(db, token=token, now=auth.now(request))
    if signed is None:
        raise HTTPException(
            status_code=401,
            detail="Sign in first: this needs the session cookie of a signed-in browser.",
        )
    return signed.user


@router.get(
    "/api/v1/rehab/plan",
    response_model=PlanReport,
    tags=TAGS,
    responses={
        401: {"model": ErrorResponse, "description": "Not signed in"},
        404: {"model": ErrorResponse, "description": "No active plan"},
        409: {"model": ErrorResponse, "description": "The programme changed: choose the phase"},
    },
)
def rehab_plan(request: Request, ctx: Ctx) -> PlanReport:
    """The signed-in person's active plan and today's decision (in their time zone).

    Unlike the rest of the API this reads the `calfcare_session` cookie of a browser signed
    in to calfcare; without it the answer is 401.
    """
    user = _cookie_user(request, ctx)
    today = auth.today(request, user.zone)
    with ctx.sessions() as db:
        try:
            return rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb).report
        except NotFoundError:  # the service's words may suit a terminal, not an API client
            raise HTTPException(
                status_code=404,
                detail="No active rehabilitation plan. Start one on the My rehab page.",
            ) from None
        except rehab.ProgrammeChangedError as changed:
            raise HTTPException(
                status_code=409,
                detail=f"{changed} Choose the phase to continue in on the My rehab page.",
            ) from None
