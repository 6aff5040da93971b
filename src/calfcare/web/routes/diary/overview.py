"""The diary page (the person's episodes, sessions and saved results) and its insights."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from calfcare.services import activity, diary
from calfcare.services import units as u
from calfcare.web import auth, responses
from calfcare.web.activity_views import same_day_view
from calfcare.web.auth import CurrentUser, Person
from calfcare.web.diary_views import diary_view
from calfcare.web.insights_views import insights_view
from calfcare.web.routes.diary.common import NOTICES, Ctx, Db, PageNumber

router = APIRouter(prefix="/diary", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def diary_page(
    request: Request, ctx: Ctx, db: Db, user: CurrentUser, page: PageNumber = 1, done: str = ""
) -> Response:
    if user.role == "clinician":
        return responses.redirect("/clinician")
    got = diary.read_diary(
        db, owner_id=user.id, page=page, now=auth.now(request), tz=user.zone, kb=ctx.kb
    )
    data = diary_view(ctx.kb, got, u.system_of(user.units), user.time_zone)
    beside = activity.sessions_beside(db, owner_id=user.id, episodes=got.episodes, tz=user.zone)
    data["same_day"] = same_day_view(beside, u.system_of(user.units), user.zone)
    return responses.page(
        ctx,
        request,
        "diary.html",
        {**data, "notice": NOTICES.get(done), "read_only": False, "base": "/diary"},
    )


@router.get("/insights", response_class=HTMLResponse)
def insights_page(request: Request, ctx: Ctx, db: Db, user: Person) -> HTMLResponse:
    ins = diary.insights(db, owner_id=user.id, now=auth.now(request), tz=user.zone, kb=ctx.kb)
    return responses.page(
        ctx,
        request,
        "diary_insights.html",
        {
            "ins": insights_view(ctx.kb, ins, zone_name=user.time_zone),
            "who": None,
            "time_zone": user.time_zone,
        },
    )
