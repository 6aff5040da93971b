"""The web application: `create_app(settings)` builds it; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from calfcare.errors import RequestError
from calfcare.settings import Settings, load_settings
from calfcare.version import __version__
from calfcare.web import auth
from calfcare.web.context import WebContext
from calfcare.web.middleware import BodySizeLimit, SecurityHeaders
from calfcare.web.routes import (
    account,
    api,
    assess,
    clinician,
    clinician_rehab,
    diary,
    pages,
    rehab,
)

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(
        title="calfcare",
        version=__version__,
        description="Assessment of calf cramp and calf pain (case format v1). Information, "
                    "not a diagnosis.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=auth.DEPENDENCIES,  # the visitor and CSRF on every route
    )
    app.state.ctx = WebContext.build(settings, HERE / "templates")
    if settings.clock_file is not None:
        app.state.clock = settings.now
    auth.install(app)
    # The import takes a whole export: its file is checked against max_import_bytes by the
    # route (with a message that names it); the body may carry the form fields besides.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       larger={"/diary/import": settings.max_import_bytes
                               + settings.max_body_bytes})
    _outermost(app, SecurityHeaders, production=settings.environment == "production")
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(assess.router)
    app.include_router(account.router)
    app.include_router(diary.router)
    app.include_router(clinician.router)
    app.include_router(rehab.router)
    app.include_router(clinician_rehab.router)
    _install_error_handlers(app)
    _publish_vocabulary(app, sorted(app.state.ctx.kb.findings))
    return app


def _outermost(app: FastAPI, middleware: Any, **options: Any) -> None:
    """Wrap the whole application, outside Starlette's own error handling, so that even a
    500 from an unexpected failure and a 413 from the body limit carry the headers."""
    build = app.build_middleware_stack

    def build_wrapped() -> Any:
        return middleware(build(), **options)

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]


def _publish_vocabulary(app: FastAPI, finding_ids: list[str]) -> None:
    """List the finding ids as an enum in /openapi.json, so clients can validate against it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            prop = schema["components"]["schemas"]["EvidenceIn"]["properties"]["id"]
            prop["enum"] = finding_ids
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestError)
    async def _request_error(request: Request, exc: RequestError) -> JSONResponse:
        loc: list[Any] = ["body", *_field_path(exc.field)]
        return JSONResponse(status_code=422, content={"detail": [
            {"loc": loc, "msg": exc.message, "type": "value_error", "field": exc.field}]})

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail: list[dict[str, Any]] = []
        seen: set[str] = set()
        for err in exc.errors():
            loc = [x for x in err.get("loc", ()) if not _is_union_tag(x)]
            if err.get("type") == "json_invalid":
                loc, err = ["body"], {**err, "msg": "Request body is not valid JSON"}
            field = _field_name(loc[1:])
            if field in seen:
                continue
            seen.add(field)
            detail.append({"loc": loc, "msg": err.get("msg", "invalid"),
                           "type": err.get("type", "value_error"), "field": field})
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 400 and request.url.path.startswith("/api/"):
            return JSONResponse(status_code=422, content={"detail": [
                {"loc": ["body"], "msg": "Request body could not be read as UTF-8 JSON",
                 "type": "json_invalid", "field": "(body)"}]})
        if _wants_html(request) and exc.status_code == 404:
            ctx: WebContext = request.app.state.ctx
            return HTMLResponse(ctx.render(request, "not_found.html", {}), status_code=404)
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail},
                            headers=getattr(exc, "headers", None))


def _field_path(field: str) -> list[Any]:
    """'evidence[2].choice_id' -> ['evidence', 2, 'choice_id']."""
    out: list[Any] = []
    for part in field.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            out.append(name)
        if index.isdigit():
            out.append(int(index))
    return out


def _is_union_tag(part: Any) -> bool:
    """Pydantic adds the union member's name ('constrained-int', 'AgeObject') to a location."""
    return isinstance(part, str) and (not part.isidentifier() or part != part.lower())


def _field_name(loc: list[Any]) -> str:
    """['evidence', 2, 'choice_id'] -> 'evidence[2].choice_id', as RequestError names fields."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(body)"
