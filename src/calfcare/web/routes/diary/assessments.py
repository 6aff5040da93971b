"""Saved results: keeping the result a person is looking at, opening it again, deleting it.

A result is kept only when the person presses a button on the result page. The page posts the
interview's state back (also the result page a person comes back to after signing in or
creating an account from it, `routes/account_entry.py`), and the state is never trusted as it
stands: `carried_result` reads it again and the services assess it again with this server's
knowledge base before storing it.

Opening a saved result shows it as a read-only result page, assessed again from the stored
answers, with the knowledge base it was made with and a clear warning when today's knowledge
base gives a different level of care. A linked clinician opens it the same way, read-only
(`routes/clinician.py` uses `saved_result_page`).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from calfcare.errors import FormError, RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import diary
from calfcare.services.assessment import Assessor
from calfcare.web import auth, responses
from calfcare.web.auth import Person
from calfcare.web.context import WebContext
from calfcare.web.diary_views import when
from calfcare.web.forms import FormText
from calfcare.web.interview import InterviewState
from calfcare.web.routes.diary.common import Ctx, Db, own

router = APIRouter(prefix="/diary", include_in_schema=False)

#: What the saved result's page says after it was saved (its `done` parameter).
SAVED = "The result has been saved to your diary."
ANSWER_WORDS = {"present": "Yes", "absent": "No", "unknown": "I don't know"}


def carried_state(token: str) -> InterviewState:
    """The interview state a result page carried back; RequestError unless it holds answers.

    Whether the answers make a valid request is checked by whoever uses them next.
    """
    interview = InterviewState.decode(token)
    if not interview.steps:
        raise RequestError("state", "no answers")
    return interview


def carried_result(assessor: Assessor, token: str) -> diary.PreparedResult:
    """The result a page carried as interview state, assessed again here.

    RequestError when the state cannot be read, holds no answers or no longer makes a valid
    request: the state comes from the browser, so only the answers in it are used and the
    level, the causes and the knowledge-base version are always this server's own.
    """
    return diary.prepare_result(carried_state(token).request(), assessor)


def saved_path(assessment_id: str) -> str:
    """Where a person reads a result they have just saved."""
    return f"/diary/assessments/{assessment_id}?done=saved"


def broken(ctx: WebContext, request: Request) -> HTMLResponse:
    """The page for a result that cannot be read: start the assessment again."""
    return responses.page(ctx, request, "assess_broken.html", {}, status=400)


@router.post("/assessments", response_class=HTMLResponse)
def save_assessment(
    request: Request, ctx: Ctx, db: Db, user: Person, state: FormText = ""
) -> Response:
    """Keep the result the person is looking at (only when they press the button)."""
    try:
        prepared = carried_result(ctx.assessor, state)
        saved = diary.keep_result(db, owner_id=user.id, prepared=prepared, now=auth.now(request))
    except (RequestError, FormError):
        return broken(ctx, request)
    return responses.redirect(saved_path(saved.id))


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def open_assessment(
    request: Request, ctx: Ctx, db: Db, user: Person, assessment_id: str, done: str = ""
) -> HTMLResponse:
    """One of the person's saved results, as a result page they can read again."""
    reopened = own(
        diary.open_result, db, owner_id=user.id, assessment_id=assessment_id, assessor=ctx.assessor
    )
    return saved_result_page(
        ctx,
        request,
        reopened,
        tz=user.zone,
        back="/diary#saved",
        notice=SAVED if done == "saved" else None,
    )


@router.post("/assessments/{assessment_id}/delete")
def delete_assessment(db: Db, user: Person, assessment_id: str) -> Response:
    own(diary.delete_assessment, db, owner_id=user.id, assessment_id=assessment_id)
    return responses.redirect("/diary?done=assessment_deleted")


def saved_result_page(
    ctx: WebContext,
    request: Request,
    reopened: diary.ReopenedResult,
    *,
    tz: tzinfo,
    back: str,
    notice: str | None = None,
    owner_name: str | None = None,
) -> HTMLResponse:
    """The read-only page of a saved result; `owner_name` when a clinician reads it."""
    data = saved_result_view(ctx.kb, reopened, tz)
    data.update(back=back, notice=notice, owner_name=owner_name)
    return responses.page(ctx, request, "diary_assessment.html", data)


def saved_result_view(
    kb: KnowledgeBase, reopened: diary.ReopenedResult, tz: tzinfo
) -> dict[str, Any]:
    """What the saved result's page shows: then and now, and today's full result if any."""
    saved = reopened.saved
    result = reopened.result
    data: dict[str, Any] = {
        "id": saved.id,
        "when": when(saved.created_at, tz),
        "saved_level": kb.levels[saved.triage_level].label,
        "saved_condition": _condition_name(kb, saved.top_condition),
        "reopened": reopened,
        "answered": _answers(kb, saved.request),
        "result": result,
    }
    if result is not None:
        data["guides"] = {c["id"]: kb.guides[c["id"]] for c in result["conditions"]}
        data["lead"] = kb.guides[result["conditions"][0]["id"]]
        data["references"] = kb.references
        data["level_now"] = result["label"]
    return data


def _condition_name(kb: KnowledgeBase, condition_id: str) -> str:
    guide = kb.guides.get(condition_id)
    return guide.common_name if guide is not None else condition_id


def _answers(kb: KnowledgeBase, request: Any) -> list[tuple[str, str]]:
    """(question, answer) for each stored answer; ids today's knowledge base lacks as they are."""
    evidence = request.get("evidence") if isinstance(request, dict) else None
    out = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            continue
        fid, choice = str(item.get("id", "")), str(item.get("choice_id", ""))
        finding = kb.findings.get(fid)
        out.append((finding.name if finding else fid, ANSWER_WORDS.get(choice, choice)))
    return out
