"""The episodes of the diary: the form to add or change one, and deleting one.

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
from calfcare.web.diary_views import episode_view, form_view
from calfcare.web.forms import fields_of
from calfcare.web.routes.diary.common import Ctx, Db, own

router = APIRouter(prefix="/diary", include_in_schema=False)
EpisodeForm = Annotated[dict[str, str], Depends(fields_of(diary.EPISODE_FORM))]


def _episode_form(
    ctx: WebContext,
    request: Request,
    user: Account,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    episode_id: str | None,
    status: int = 200,
) -> HTMLResponse:
    action = "/diary/episodes/new" if episode_id is None else f"/diary/episodes/{episode_id}/edit"
    return responses.page(
        ctx,
        request,
        "diary_episode_form.html",
        {
            **form_view("episode", u.system_of(user.units)),
            "values": values,
            "errors": errors,
            "time_zone": user.time_zone,
            "action": action,
            "editing": episode_id is not None,
        },
        status=status,
    )


def _save_episode(
    request: Request,
    ctx: WebContext,
    db: Session,
    user: Account,
    form: Mapping[str, str],
    episode_id: str | None,
) -> Response:
    try:
        own(
            diary.save_episode_form,
            db,
            owner_id=user.id,
            episode_id=episode_id,
            form=form,
            system=u.system_of(user.units),
            now=auth.now(request),
            tz=user.zone,
        )
    except FormError as exc:
        return _episode_form(ctx, request, user, form, exc.errors, episode_id, status=422)
    return responses.redirect(
        "/diary?done=" + ("episode_added" if episode_id is None else "episode_saved")
    )


@router.get("/episodes/new", response_class=HTMLResponse)
def new_episode_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    values = diary.new_episode_form(auth.now(request), user.zone)
    return _episode_form(ctx, request, user, values, {}, None)


@router.post("/episodes/new", response_class=HTMLResponse)
def new_episode(request: Request, ctx: Ctx, db: Db, user: Person, values: EpisodeForm) -> Response:
    return _save_episode(request, ctx, db, user, values, None)


@router.get("/episodes/{episode_id}/edit", response_class=HTMLResponse)
def edit_episode_page(
    request: Request, ctx: Ctx, db: Db, user: Person, episode_id: str
) -> HTMLResponse:
    e = own(diary.get_episode, db, owner_id=user.id, episode_id=episode_id)
    values = diary.episode_form(e, u.system_of(user.units), user.zone)
    return _episode_form(ctx, request, user, values, {}, episode_id)


@router.post("/episodes/{episode_id}/edit", response_class=HTMLResponse)
def edit_episode(
    request: Request, ctx: Ctx, db: Db, user: Person, episode_id: str, values: EpisodeForm
) -> Response:
    return _save_episode(request, ctx, db, user, values, episode_id)


@router.get("/episodes/{episode_id}/delete", response_class=HTMLResponse)
def delete_episode_page(
    request: Request, ctx: Ctx, db: Db, user: Person, episode_id: str
) -> HTMLResponse:
    e = own(diary.get_episode, db, owner_id=user.id, episode_id=episode_id)
    return responses.page(
        ctx,
        request,
        "diary_delete.html",
        {
            "what": "episode",
            "item": episode_view(e, u.system_of(user.units), tz=user.zone),
            "action": f"/diary/episodes/{episode_id}/delete",
        },
    )


@router.post("/episodes/{episode_id}/delete")
def delete_episode(db: Db, user: Person, episode_id: str) -> Response:
    own(diary.delete_episode, db, owner_id=user.id, episode_id=episode_id)
    return responses.redirect("/diary?done=episode_deleted")
