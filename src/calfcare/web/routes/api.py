"""The JSON API, versioned under /api/v1 (case format v1, plus the knowledge base)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute

from calfcare.errors import NotFoundError, RequestError
from calfcare.services.audience import refuse_younger
from calfcare.services.guides import get_guide, list_guides
from calfcare.services.requests import parse_request
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


class CaseRoute(APIRoute):
    """A route that takes a case-format v1 request, and refuses one in the Python API's words.

    FastAPI checks the body against `V1Request` first, and pydantic's messages ("Input should
    be a valid dictionary") are not the ones docs/api.md lists. So when that check fails on a
    body that was sent as JSON, the body goes through `services.requests` too: its
    `RequestError` (the first problem, the same field and words as `calfcare.api`) is the
    answer. A body the Python API would accept keeps the schema's own errors, and a body that
    was not JSON at all keeps the app's message about that (`web/app.py`). An age under the
    knowledge base's `min_supported_age` is refused before anything else, valid body or not,
    so that nobody fixes a request only to be told that calfcare does not assess a child.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_case(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                if _decoded_json(exc):
                    ctx: WebContext = request.app.state.ctx
                    try:
                        refuse_younger(exc.body, ctx.kb)
                        parse_request(exc.body, ctx.kb)
                    except RequestError as plain:
                        raise plain from None
                raise

        return handle_case


def _decoded_json(exc: RequestValidationError) -> bool:
    """Whether FastAPI decoded the body as JSON before refusing it (not missing, not sent
    with another content type, not broken JSON). `null` was decoded: its body is None too."""
    if isinstance(exc.body, bytes | bytearray):
        return False
    for err in exc.errors():
        whole = tuple(err.get("loc", ())) == ("body",)
        if err.get("type") == "json_invalid" or (whole and err.get("type") == "missing"):
            return False
    return True


cases = APIRouter(route_class=CaseRoute)


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
@cases.post(
    "/api/v1/diagnosis",
    response_model=None,
    tags=["assessment"],
    responses={200: {"model": DiagnosisResponse}, **ERRORS},
)
async def diagnosis(body: V1Request, ctx: Ctx) -> JSONResponse:
    """The next step of an interview: next question, ranked conditions, should_stop."""
    request = body.to_request()
    refuse_younger(request, ctx.kb)
    return JSONResponse(ctx.assessor.diagnose(request))


@cases.post(
    "/api/v1/triage",
    response_model=None,
    tags=["assessment"],
    responses={200: {"model": TriageResponse}, **ERRORS},
)
async def triage(body: V1Request, ctx: Ctx) -> JSONResponse:
    """The level of care, the serious findings noticed, and what the level means."""
    request = body.to_request()
    refuse_younger(request, ctx.kb)
    return JSONResponse(ctx.assessor.triage(request))


router.include_router(cases)


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
def docs(request: Request, ctx: Ctx) -> HTMLResponse:
    """The API explorer: Swagger UI 5, which reads the OpenAPI 3.1 document FastAPI publishes
    (version 4 cannot). Its files are vendored in static/vendor/swagger-ui and it starts from
    static/js/api-docs.js, so the page needs no other server and no inline script."""
    return HTMLResponse(ctx.render(request, "api_docs.html", {}))


# The rehabilitation endpoints (/api/v1/rehab) are part of that feature.
router.include_router(rehab_api.router)
