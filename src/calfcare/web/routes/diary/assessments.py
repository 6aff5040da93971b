"""Saved results: keeping the assessment result a person is looking at, and deleting one.

A result is kept only when the person presses the button on the result page: the page posts
the interview's state back, and the service assesses it again before storing it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from calfcare.errors import FormError, RequestError
from calfcare.services import diary
from calfcare.web import auth, responses
from calfcare.web.auth import Person
from calfcare.web.forms import FormText
from calfcare.web.interview import InterviewState
from calfcare.web.routes.diary.common import Ctx, Db, own

router = APIRouter(prefix="/diary", include_in_schema=False)


@router.post("/assessments", response_class=HTMLResponse)
def save_assessment(
    request: Request, ctx: Ctx, db: Db, user: Person, state: FormText = ""
) -> Response:
    """Keep the result the person is looking at (only when they press the button)."""
    try:
        interview = InterviewState.decode(state)
        if not interview.steps:
            raise RequestError("state", "no answers")
        diary.save_result(
            db,
            owner_id=user.id,
            request=interview.request(),
            assessor=ctx.assessor,
            now=auth.now(request),
        )
    except (RequestError, FormError):
        return responses.page(ctx, request, "assess_broken.html", {}, status=400)
    return responses.redirect("/diary?done=assessment_saved")


@router.post("/assessments/{assessment_id}/delete")
def delete_assessment(db: Db, user: Person, assessment_id: str) -> Response:
    own(diary.delete_assessment, db, owner_id=user.id, assessment_id=assessment_id)
    return responses.redirect("/diary?done=assessment_deleted")
