"""The JSON API, versioned under /api/v1 (case format v1, plus the knowledge base)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse

from calfcare.errors import NotFoundError
from calfcare.services.guides import get_guide, list_guides
from calfcare.web.context import WebContext, get_ctx
from calfcare.web.routes.rehab import api as rehab_api
from calfcare.web.schemas import (
    ConditionDetail,
    ConditionSummary,
    DiagnosisResponse,
    ErrorResponse,
    FindingOut,
    HealthOut,
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

    return {
        "status": "ok",
        "database": "ok" if ping(ctx.engine) else "unavailable",
        "kb_version": ctx.kb.content_hash,
    }


# The assessment endpoints return the service's dict as it is: the response models document
# it in /openapi.json (schemathesis checks that they agree) without a second validation pass.
@router.post(
    "/api/v1/diagnosis",
    response_model=None,
    tags=["assessment"],
    responses={200: {"model": DiagnosisResponse}, **ERRORS},
)
async def diagnosis(body: V1Request, ctx: Ctx) -> JSONResponse:
    """The next step of an interview: next question, ranked conditions, should_stop."""
    return JSONResponse(ctx.assessor.diagnose(body.to_request()))


@router.post(
    "/api/v1/triage",
    response_model=None,
    tags=["assessment"],
    responses={200: {"model": TriageResponse}, **ERRORS},
)
async def triage(body: V1Request, ctx: Ctx) -> JSONResponse:
    """The level of care, the serious findings noticed, and what the level means."""
    return JSONResponse(ctx.assessor.triage(body.to_request()))


@router.get("/api/v1/conditions", response_model=list[ConditionSummary], tags=["knowledge"])
async def conditions(ctx: Ctx) -> list[dict[str, Any]]:
    """Every condition, with its usual level of care."""
    return list_guides(ctx.kb)


@router.get(
    "/api/v1/conditions/{condition_id}",
    response_model=ConditionDetail,
    responses={404: {"model": ErrorResponse}},
    tags=["knowledge"],
)
async def condition(condition_id: str, ctx: Ctx) -> dict[str, Any]:
    """One condition guide with every statement, its evidence level and references."""
    try:
        guide = get_guide(condition_id, ctx.kb)
    except NotFoundError as exc:
        raise HTTPException(
            status_code=404, detail=f"{exc} GET /api/v1/conditions lists them."
        ) from None
    data = guide.model_dump(mode="json")
    data["references"] = [
        ctx.kb.references[r].model_dump(mode="json")
        for r in guide.references
        if r in ctx.kb.references
    ]
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
        openapi_url="/openapi.json",
        title="calfcare API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/img/favicon.svg",
    )


# The rehabilitation endpoints (/api/v1/rehab) are part of that feature.
router.include_router(rehab_api.router)
