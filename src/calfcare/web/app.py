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

from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.settings import Settings, load_settings
from calfcare.version import __version__
from calfcare.web import auth, vocabulary
from calfcare.web.context import WebContext
from calfcare.web.middleware import BodySizeLimit, SecurityHeaders
from calfcare.web.routes import (
    account,
    api,
    assess,
    clinician,
    diary,
    interop,
    pages,
    plans,
    plans_api,
    rehab,
)
from calfcare.web.routes.rehab import clinician as rehab_clinician

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
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, larger=_larger_bodies(settings)
    )
    _outermost(app, SecurityHeaders, production=settings.environment == "production")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(assess.router)
    app.include_router(account.router)
    app.include_router(diary.router)
    app.include_router(clinician.router)
    app.include_router(rehab.router)
    app.include_router(rehab_clinician.router)
    app.include_router(plans.router)
    app.include_router(plans_api.router)
    app.include_router(interop.router)
    _install_error_handlers(app)
    _publish_vocabulary(app, app.state.ctx.kb)
    return app


def _larger_bodies(settings: Settings) -> dict[str, int]:
    """The routes that take more than an ordinary body. The import takes a whole export: its
    file is checked against max_import_bytes by the route (with a message that names it); the
    body may carry the form fields besides. Several activity files at once may take four times
    that; a FHIR QuestionnaireResponse or a CDS Hooks request with its prefetch, four bodies."""
    return {
        "/diary/import": settings.max_import_bytes + settings.max_body_bytes,
        "/diary/activities": 4 * settings.max_import_bytes + settings.max_body_bytes,
        interop.ASSESS_PATH: 4 * settings.max_body_bytes,
        interop.CDS_SERVICE_PATH: 4 * settings.max_body_bytes,
    }


def _outermost(app: FastAPI, middleware: Any, **options: Any) -> None:
    """Wrap the whole application, outside Starlette's own error handling, so that even a
    500 from an unexpected failure and a 413 from the body limit carry the headers."""
    build = app.build_middleware_stack

    def build_wrapped() -> Any:
        return middleware(build(), **options)

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]


def _publish_vocabulary(app: FastAPI, kb: KnowledgeBase) -> None:
    """/openapi.json with the ids of this app's knowledge base (`web/vocabulary.py`)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = vocabulary.publish(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                ),
                kb,
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the shape its client reads: one JSON 422 format for the API
    (from a service's `RequestError` as from FastAPI's own validation), a page for a browser's
    404."""
    app.exception_handler(RequestError)(_request_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(StarletteHTTPException)(_http_error)


async def _request_error(request: Request, exc: RequestError) -> JSONResponse:
    """The Python API's field and words; its `(request)`, the whole body, is `(body)` here as
    in every other error about the body. Text from the request that no JSON encoder can
    write (a lone surrogate in an unknown key) is escaped."""
    whole = exc.field == "(request)"
    field = "(body)" if whole else _printable(exc.field)
    loc: list[Any] = ["body"] if whole else ["body", *_field_path(field)]
    msg = _printable(exc.message)
    return JSONResponse(
        status_code=422,
        content={"detail": [{"loc": loc, "msg": msg, "type": "value_error", "field": field}]},
    )


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": _validation_detail(request, exc)})


#: What the API says when the body could not be taken as JSON at all (listed in docs/api.md).
#: Still a 422, like every other bad request, so that a client reads one kind of error.
BODY_MISSING = "Request body is missing: send a JSON object with Content-Type: application/json"
BODY_NOT_JSON_TYPE = (
    "Request body must be a JSON object sent with Content-Type: application/json ({sent})"
)
BODY_NOT_JSON = "Request body is not valid JSON ({error} at character {at})"
BODY_NOT_OBJECT = "Request body must be a JSON object, not {kind}"


def _body_message(request: Request, exc: RequestValidationError, err: Any) -> str | None:
    """A plain message for an error about the body as a whole, where pydantic would say
    "Input should be a valid dictionary or object to extract fields from" or "Field
    required": FastAPI reads a body as JSON only when its Content-Type says so."""
    loc = tuple(err.get("loc", ()))
    if err.get("type") == "json_invalid":
        where = loc[1] if len(loc) > 1 else 0
        return BODY_NOT_JSON.format(error=err.get("ctx", {}).get("error", "invalid"), at=where)
    if loc != ("body",):
        return None
    if err.get("type") == "missing":
        return BODY_MISSING
    if isinstance(exc.body, bytes | bytearray):
        media = request.headers.get("content-type", "").split(";")[0].strip()[:100]
        sent = f"it was sent as {_printable(media)}" if media else "no Content-Type was sent"
        return BODY_NOT_JSON_TYPE.format(sent=sent)
    if not isinstance(exc.body, dict):
        return BODY_NOT_OBJECT.format(kind=_json_kind(exc.body))
    return None


def _json_kind(value: Any) -> str:
    """What a decoded JSON value is, in words: `null`, a list, text, true or false, a number."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    kinds = {list: "a list", str: "text"}
    return next((w for t, w in kinds.items() if isinstance(value, t)), "a number")


def _validation_detail(request: Request, exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's errors, one per field (the first), each naming its field as `RequestError`
    does, without pydantic's union member names in the location."""
    detail: list[dict[str, Any]] = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = [x for x in err.get("loc", ()) if not _is_union_tag(x)]
        message = _body_message(request, exc, err)
        if message is not None:
            loc, err = ["body"], {**err, "msg": message}
        field = _field_name(loc[1:])
        if field in seen:
            continue
        seen.add(field)
        detail.append(
            {
                "loc": loc,
                "msg": err.get("msg", "invalid"),
                "type": err.get("type", "value_error"),
                "field": field,
            }
        )
    return detail


#: The API's answer to a body that could not even be decoded (FastAPI raises a bare 400).
_UNREADABLE_BODY = {
    "loc": ["body"],
    "msg": "Request body could not be read as UTF-8 JSON",
    "type": "json_invalid",
    "field": "(body)",
}


async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
    if exc.status_code == 400 and request.url.path.startswith("/api/"):
        return JSONResponse(status_code=422, content={"detail": [_UNREADABLE_BODY]})
    if _wants_html(request) and exc.status_code == 404:
        ctx: WebContext = request.app.state.ctx
        return HTMLResponse(ctx.render(request, "not_found.html", {}), status_code=404)
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": exc.detail},
        headers=getattr(exc, "headers", None),
    )


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
