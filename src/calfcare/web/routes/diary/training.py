"""The training sessions of the diary: the form to add or change one, and deleting one.

The form is typed in the person's units and time zone; `services.diary` checks it and stores
it in SI and UTC. A form with mistakes comes back (422) with what was typed and what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from calfcare.errors import FormError
from calfcare.services import diary
from calfcare.services import units as u
from calfcare.services.accounts import Account
from calfcare.web import auth, responses
from calfcare.web.auth import Person
from calfcare.web.context import WebContext
from calfcare.web.diary_views import form_view, training_view
from calfcare.web.forms import fields_of
from calfcare.web.routes.diary.common import Ctx, Db, own

router = APIRouter(prefix="/diary", include_in_schema=False)
TrainingForm = Annotated[dict[str, str], Depends(fields_of(diary.TRAINING_FORM))]


def _training_form(
    ctx: WebContext,
    request: Request,
    user: Account,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    training_id: str | None,
    status: int = 200,
) -> HTMLResponse:
    action = "/diary/sessions/new" if training_id is None else f"/diary/sessions/{training_id}/edit"
    return responses.page(
        ctx,
        request,
        "diary_session_form.html",
        {
            **form_view("session", u.system_of(user.units)),
            "values": values,
            "errors": errors,
            "time_zone": user.time_zone,
            "action": action,
            "editing": training_id is not None,
        },
        status=status,
    )


def _save_training(
    request: Request,
    ctx: WebContext,
    db: Session,
    user: Account,
    form: Mapping[str, str],
    training_id: str | None,
) -> Response:
    try:
        own(
            diary.save_training_form,
            db,
            owner_id=user.id,
            training_id=training_id,
            form=form,
            system=u.system_of(user.units),
            now=auth.now(request),
            tz=user.zone,
        )
    except FormError as exc:
        return _training_form(ctx, request, user, form, exc.errors, training_id, status=422)
    return responses.redirect(
        "/diary?done=" + ("session_added" if training_id is None else "session_saved")
    )


@router.get("/sessions/new", response_class=HTMLResponse)
def new_training_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    values = diary.new_training_form(auth.now(request), user.zone)
    return _training_form(ctx, request, user, values, {}, None)


@router.post("/sessions/new", response_class=HTMLResponse)
def new_training(
    request: Request, ctx: Ctx, db: Db, user: Person, values: TrainingForm
) -> Response:
    return _save_training(request, ctx, db, user, values, None)


@router.get("/sessions/{training_id}/edit", response_class=HTMLResponse)
def edit_training_page(
    request: Request, ctx: Ctx, db: Db, user: Person, training_id: str
) -> HTMLResponse:
    s = own(diary.get_training, db, owner_id=user.id, training_id=training_id)
    values = diary.training_form(s, u.system_of(user.units), user.zone)
    return _training_form(ctx, request, user, values, {}, training_id)


@router.post("/sessions/{training_id}/edit", response_class=HTMLResponse)
def edit_training(
    request: Request, ctx: Ctx, db: Db, user: Person, training_id: str, values: TrainingForm
) -> Response:
    return _save_training(request, ctx, db, user, values, training_id)


@router.get("/sessions/{training_id}/delete", response_class=HTMLResponse)
def delete_training_page(
    request: Request, ctx: Ctx, db: Db, user: Person, training_id: str
) -> HTMLResponse:
    s = own(diary.get_training, db, owner_id=user.id, training_id=training_id)
    return responses.page(
        ctx,
        request,
        "diary_delete.html",
        {
            "what": "training session",
            "item": training_view(s, u.system_of(user.units), user.zone),
            "action": f"/diary/sessions/{training_id}/delete",
        },
    )


@router.post("/sessions/{training_id}/delete")
def delete_training(db: Db, user: Person, training_id: str) -> Response:
    own(diary.delete_training, db, owner_id=user.id, training_id=training_id)
    return responses.redirect("/diary?done=session_deleted")
