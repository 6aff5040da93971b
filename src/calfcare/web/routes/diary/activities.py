"""Importing activity files (GPX, TCX, FIT) from a watch or an app, several at once.

Each file becomes a training session or nothing: the page lists what was imported, what was
already in the diary, and every file that could not be read with its reason. The upload is
limited in total (the body limit of this route) and per file (`activity.MAX_FILE_BYTES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from calfcare.errors import FormError
from calfcare.services import activity
from calfcare.web import auth, responses
from calfcare.web.activity_views import import_view
from calfcare.web.auth import Person
from calfcare.web.context import WebContext
from calfcare.web.routes.diary.common import Ctx, Db

router = APIRouter(prefix="/diary", include_in_schema=False)


def _page(
    ctx: WebContext,
    request: Request,
    errors: Mapping[str, str],
    got: activity.ActivityImport | None = None,
    intensity: str = "",
    status: int = 200,
) -> HTMLResponse:
    return responses.page(
        ctx,
        request,
        "diary_activities.html",
        {
            "errors": errors,
            "result": import_view(got),
            "done": got is not None,
            "intensity": intensity,
        },
        status=status,
    )


@router.get("/activities", response_class=HTMLResponse)
def activities_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    return _page(ctx, request, {})


def _files(uploads: list[UploadFile] | None) -> list[activity.ActivityFile]:
    files = []
    for up in uploads or []:
        if not up.filename:
            continue
        data = up.file.read(activity.MAX_FILE_BYTES + 1)
        files.append(activity.ActivityFile(up.filename, data))
    return files


@router.post("/activities", response_class=HTMLResponse)
def import_activities(
    request: Request,
    ctx: Ctx,
    db: Db,
    user: Person,
    files: Annotated[list[UploadFile] | None, File()] = None,
    intensity: Annotated[str, Form()] = "",
) -> HTMLResponse:
    try:
        got = activity.import_activities(
            db, owner_id=user.id, files=_files(files), intensity=intensity, now=auth.now(request)
        )
    except FormError as exc:
        return _page(ctx, request, exc.errors, intensity=intensity, status=422)
    return _page(ctx, request, {}, got, intensity=intensity)
