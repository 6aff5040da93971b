"""Exporting the diary to a file, and importing such a file back (all of it or nothing).

An upload is read only up to the import limit (`max_import_bytes`): a larger file is refused
with a 413 that names the limit, so that a person knows why rather than meeting a bare error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from calfcare.errors import FormError
from calfcare.services import diary
from calfcare.web import auth, responses
from calfcare.web.auth import Person
from calfcare.web.context import WebContext
from calfcare.web.routes.diary.common import Ctx, Db

router = APIRouter(prefix="/diary", include_in_schema=False)


@router.get("/export")
def export(request: Request, db: Db, user: Person, format: str = "json") -> Response:
    try:
        got = diary.export_file(db, owner_id=user.id, kind=format, now=auth.now(request))
    except ValueError:
        raise HTTPException(status_code=404) from None
    return Response(
        got.data,
        media_type=got.media_type,
        headers={"content-disposition": f'attachment; filename="{got.name}"'},
    )


class ImportTooLargeError(FormError):
    """An upload over the import limit (answered 413)."""


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def _upload(file: UploadFile | None, limit: int) -> tuple[str, bytes]:
    """The name and bytes of the uploaded file, at most `limit` bytes; FormError otherwise."""
    if file is None or not file.filename:
        raise FormError({"file": "Choose a file to import"})
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ImportTooLargeError(
            {
                "file": f"The file is larger than {_size(limit)}, the "
                "largest import this site accepts"
            }
        )
    if not data:
        raise FormError({"file": "The file is empty"})
    return file.filename, data


def _import_page(
    ctx: WebContext,
    request: Request,
    errors: Mapping[str, str],
    result: diary.ImportResult | None = None,
    status: int = 200,
) -> HTMLResponse:
    return responses.page(
        ctx, request, "diary_import.html", {"errors": errors, "result": result}, status=status
    )


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    return _import_page(ctx, request, {})


@router.post("/import", response_class=HTMLResponse)
def import_diary(
    request: Request,
    ctx: Ctx,
    db: Db,
    user: Person,
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Import an export (JSON, a CSV file or the zip of CSV files): all of it or nothing."""
    try:
        name, data = _upload(file, ctx.settings.max_import_bytes)
        result = diary.import_file(
            db, owner_id=user.id, name=name, data=data, now=auth.now(request), tz=user.zone
        )
    except FormError as exc:
        status = 413 if isinstance(exc, ImportTooLargeError) else 422
        return _import_page(ctx, request, exc.errors, status=status)
    return _import_page(ctx, request, {}, result=result)
