"""A clinician's view: the persons linked to them, and each one's diary, read-only.

Only accounts with the clinician role may come here (anyone else gets 404), and a person's
diary is shown only while that person is linked to the clinician: an unlinked or unknown
person id answers 404, so an id reveals nothing. Nothing here writes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from calfcare.services import accounts, diary
from calfcare.services.accounts import Account
from calfcare.services.units import UnitSystem
from calfcare.web import auth
from calfcare.web.auth import CurrentUser
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.routes.diary import (
    FLAG_WORDS,
    PageNumber,
    diary_data,
    episode_view,
    insights_view,
    prompt_view,
)

router = APIRouter(prefix="/clinician", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db)]


def require_clinician(user: CurrentUser) -> Account:
    if user.role != "clinician":
        raise HTTPException(status_code=404)
    return user


Clinician = Annotated[Account, Depends(require_clinician)]


def _units(user: Account) -> UnitSystem:
    return "imperial" if user.units == "imperial" else "metric"


@router.get("", response_class=HTMLResponse)
def patients(request: Request, ctx: Ctx, db: Db, user: Clinician) -> HTMLResponse:
    linked = accounts.linked_persons(db, clinician_id=user.id)
    overview = diary.clinician_overview(db, person_ids=[p.id for p in linked],
                                        now=auth.now(request), kb=ctx.kb)
    zones = {p.id: p.zone for p in linked}  # each person's times in their own zone
    people = [{
        "id": p.person_id, "name": p.display_name, "recent_days": p.recent_days,
        "recent_count": p.recent_count,
        "prompts": [prompt_view(ctx, pr) for pr in p.prompts],
        "latest": [episode_view(f.episode, _units(user), f.flags, zones[p.person_id])
                   for f in p.latest],
    } for p in overview]
    return HTMLResponse(ctx.render(request, "clinician.html",
                                   {"people": people, "flag_words": FLAG_WORDS}))


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person(request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str,
           page: PageNumber = 1) -> HTMLResponse:
    linked = {p.id: p for p in accounts.linked_persons(db, clinician_id=user.id)}
    who = linked.get(person_id)
    if who is None:
        raise HTTPException(status_code=404)
    data = diary_data(ctx, request, db, who.id, _units(user), page, who.time_zone)
    return HTMLResponse(ctx.render(request, "clinician_person.html", {
        **data, "who": who, "read_only": True, "base": f"/clinician/persons/{who.id}",
        "ins": insights_view(ctx, data["insights"], zone_name=who.time_zone)}))
