"""The tests a person does between sessions: how to do each one, and logging the result.

The protocols (steps, evidence, the values to log and their labels) are the knowledge
base's `rehab/tests.yaml`, as the command line and the services read them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import rehab
from calfcare.services.accounts import Account
from calfcare.web.auth import Person
from calfcare.web.context import WebContext
from calfcare.web.responses import page, redirect
from calfcare.web.routes.rehab.common import (
    FIRST,
    NOTICES,
    Ctx,
    Db,
    Posted,
    Shown,
    decision_view,
    form_text,
    named_errors,
    numbered,
    reference_ids,
    today_of,
)

router = APIRouter(prefix="/rehab", include_in_schema=False)


def _test_refs(kb: KnowledgeBase) -> list[str]:
    return reference_ids(
        r for t in kb.rehab_tests.values() for st in t.evidence for r in st.references
    )


def measurements_page_for(
    ctx: WebContext,
    request: Request,
    db: Session,
    user: Account,
    *,
    kind: str = "",
    shown: Shown = FIRST,
) -> Response:
    today = today_of(request, user)
    try:
        report = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb).report
    except (NotFoundError, rehab.ProgrammeChangedError):
        return redirect("/rehab")
    tests = list(ctx.kb.rehab_tests.values())
    latest = rehab.latest_tests(report)
    day = {"day": today.isoformat()}
    return page(
        ctx,
        request,
        "rehab_tests.html",
        {
            "tests": tests,
            "errors": shown.errors,
            "notice": shown.notice,
            "today": today.isoformat(),
            "results": [
                {"title": t.title, "test": latest[t.kind.value]}
                for t in tests
                if t.kind.value in latest
            ],
            "forms": {
                t.kind.value: {**day, **shown.values} if t.kind.value == kind else day
                for t in tests
            },
            "earliest": report.injury_day.isoformat(),
            "decision": decision_view(ctx.kb, report.decision),
            "phase": report.phase,
            **numbered(ctx.kb, _test_refs(ctx.kb)),
        },
        status=shown.status,
    )


@router.get("/tests", response_class=HTMLResponse)
def measurements_page(request: Request, ctx: Ctx, db: Db, user: Person, done: str = "") -> Response:
    return measurements_page_for(ctx, request, db, user, shown=Shown(notice=NOTICES.get(done)))


@router.post("/tests", response_class=HTMLResponse)
def log_test(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    kind = form_text(form, "kind")
    protocol = ctx.kb.rehab_tests.get(kind)
    names = ["day", *(f.name for f in protocol.fields)] if protocol else ["day"]
    values = {name: form_text(form, name) for name in names}
    given: dict[str, object] = {"kind": kind, **{k: v for k, v in values.items() if v}}
    given.setdefault("day", "")
    try:
        rehab.log_test(db, owner_id=user.id, values=given, today=today_of(request, user), kb=ctx.kb)
    except NotFoundError:
        return redirect("/rehab")
    except FormError as exc:
        labels: dict[str, str] = {f.name: f.label for f in protocol.fields} if protocol else {}
        labels["day"] = "Day of the test"
        ids = (
            {name: f"{kind}-{name}" for name in exc.errors}
            if protocol
            else {"kind": "tests-heading"}
        )
        return measurements_page_for(
            ctx,
            request,
            db,
            user,
            kind=kind,
            shown=Shown(values, named_errors(exc.errors, ids, labels), status=422),
        )
    return redirect("/rehab/tests?done=test_logged")
