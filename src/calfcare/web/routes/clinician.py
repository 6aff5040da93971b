"""A clinician's view: the persons linked to them, and each one's diary and saved results,
read-only.

Only accounts with the clinician role may come here (anyone else gets 404), and a person's
diary is shown only while that person is linked to the clinician: an unlinked or unknown
person id answers 404, so an id reveals nothing. Nothing here writes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from calfcare.errors import NotFoundError
from calfcare.services import diary
from calfcare.services.accounts import Account, zone_of
from calfcare.services.units import system_of
from calfcare.web import auth, responses
from calfcare.web.auth import CurrentUser
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.diary_views import FLAG_WORDS, diary_view, episode_view, prompt_view
from calfcare.web.insights_views import insights_view
from calfcare.web.routes.diary import PageNumber
from calfcare.web.routes.diary.assessments import saved_result_page

router = APIRouter(prefix="/clinician", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db)]


def require_clinician(user: CurrentUser) -> Account:
    if user.role != "clinician":
        raise HTTPException(status_code=404)
    return user


Clinician = Annotated[Account, Depends(require_clinician)]


@router.get("", response_class=HTMLResponse)
def patients(request: Request, ctx: Ctx, db: Db, user: Clinician) -> HTMLResponse:
    overview = diary.linked_overview(db, clinician_id=user.id, now=auth.now(request), kb=ctx.kb)
    system = system_of(user.units)
    people = [
        {
            "id": p.person_id,
            "name": p.display_name,
            "recent_days": p.recent_days,
            "recent_count": p.recent_count,
            "prompts": [prompt_view(ctx.kb, pr) for pr in p.prompts],
            # each person's times in their own zone
            "latest": [
                episode_view(f.episode, system, f.flags, zone_of(p.time_zone)) for f in p.latest
            ],
        }
        for p in overview
    ]
    return responses.page(
        ctx, request, "clinician.html", {"people": people, "flag_words": FLAG_WORDS}
    )


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person(
    request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str, page: PageNumber = 1
) -> HTMLResponse:
    try:
        who, got = diary.linked_diary(
            db,
            clinician_id=user.id,
            person_id=person_id,
            page=page,
            now=auth.now(request),
            kb=ctx.kb,
        )
    except NotFoundError:
        raise HTTPException(status_code=404) from None
    data = diary_view(ctx.kb, got, system_of(user.units), who.time_zone)
    return responses.page(
        ctx,
        request,
        "clinician_person.html",
        {
            **data,
            "who": who,
            "read_only": True,
            "base": f"/clinician/persons/{who.id}",
            "ins": insights_view(ctx.kb, got.insights, zone_name=who.time_zone),
        },
    )


@router.get("/persons/{person_id}/assessments/{assessment_id}", response_class=HTMLResponse)
def person_assessment(
    request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str, assessment_id: str
) -> HTMLResponse:
    """A linked person's saved result, read-only; 404 unless linked and theirs."""
    try:
        who, reopened = diary.linked_result(
            db,
            clinician_id=user.id,
            person_id=person_id,
            assessment_id=assessment_id,
            assessor=ctx.assessor,
        )
    except NotFoundError:
        raise HTTPException(status_code=404) from None
    return saved_result_page(
        ctx,
        request,
        reopened,
        tz=who.zone,
        back=f"/clinician/persons/{who.id}#saved",
        owner_name=who.display_name,
    )
