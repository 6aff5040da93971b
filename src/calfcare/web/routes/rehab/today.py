"""Today's session: each exercise with its drawing and dose, and the form to log it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import rehab
from calfcare.services.accounts import Account
from calfcare.web.auth import Person
from calfcare.web.context import WebContext
from calfcare.web.responses import page, redirect
from calfcare.web.routes.rehab.common import (
    LABELS,
    MEASURE_LABELS,
    NOTICES,
    Ctx,
    Db,
    Posted,
    decision_view,
    form_text,
    item_view,
    message,
    named_errors,
    numbered,
    reference_ids,
    today_of,
)

router = APIRouter(prefix="/rehab", include_in_schema=False)
SESSION_TEXT = ("day", "pain_during", "pain_after", "notes")
ROW_FIELDS = ("sets", "amount", "load_kg", "pain")
_ROW_ERROR = re.compile(r"^exercises\[(\d+)\]\.(\w+)$")


def _defaults(day: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The form as first shown: today, and each exercise's planned dose."""
    out: dict[str, Any] = {"day": day, "flags": []}
    for i, item in enumerate(items):
        out[f"exercises[{i}].sets"] = str(item["sets"])
        out[f"exercises[{i}].amount"] = str(item["amount"])
    return out


def today_page_for(
    ctx: WebContext,
    request: Request,
    db: Session,
    user: Account,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    today = today_of(request, user)
    try:
        session = rehab.today_session(db, owner_id=user.id, today=today, kb=ctx.kb)
        decision = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb).report.decision
    except (NotFoundError, rehab.ProgrammeChangedError):
        return redirect("/rehab")
    items = [item_view(ctx.kb, i) for i in session.items]
    return page(
        ctx,
        request,
        "rehab_today.html",
        {
            "session": session,
            "phase": session.phase,
            "items": items,
            "values": dict(values) if values is not None else _defaults(today.isoformat(), items),
            "errors": errors or {},
            "notice": notice,
            "today": today.isoformat(),
            "earliest": session.plan.injury_day.isoformat(),
            "flags": ctx.kb.pain_model.flags,
            "decision": decision_view(ctx.kb, decision),
            "measure_labels": MEASURE_LABELS,
            **numbered(
                ctx.kb, reference_ids(r for reason in decision.reasons for r in reason.references)
            ),
        },
        status=status,
    )


@router.get("/today", response_class=HTMLResponse)
def today_page(request: Request, ctx: Ctx, db: Db, user: Person, done: str = "") -> Response:
    return today_page_for(ctx, request, db, user, notice=NOTICES.get(done))


@dataclass(frozen=True)
class SessionForm:
    values: dict[str, Any]
    session: dict[str, object]
    rows: list[dict[str, object]]
    row_index: list[int]  # the form's row number of each row sent to the service


def read_session_form(form: FormData) -> SessionForm:
    """The session form as the page shows it again, and as the service reads it.

    Exercise rows left wholly blank are not sent (the exercise was not done).
    """
    values: dict[str, Any] = {name: form_text(form, name) for name in SESSION_TEXT}
    flags = [f for f in form.getlist("flags") if isinstance(f, str)]
    values["flags"] = flags
    rows: list[dict[str, object]] = []
    index: list[int] = []
    for i in range(rehab.MAX_EXERCISES_PER_SESSION):
        key = f"exercises[{i}]."
        if key + "exercise" not in form:
            break
        row = {name: form_text(form, key + name) for name in ("exercise", *ROW_FIELDS)}
        for name, text in row.items():
            values[key + name] = text
        if any(row[name].strip() for name in ROW_FIELDS):
            rows.append(dict(row))
            index.append(i)
    session: dict[str, object] = {k: values[k] for k in SESSION_TEXT}
    session["flags"] = flags
    return SessionForm(values, session, rows, index)


def _session_errors(
    kb: KnowledgeBase, errors: Mapping[str, str], parsed: SessionForm
) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, text in errors.items():
        m = _ROW_ERROR.match(field)
        if m is None:
            out.update(named_errors({field: text}))
            continue
        sent, name = int(m.group(1)), m.group(2)
        row = parsed.row_index[sent] if sent < len(parsed.row_index) else sent
        exercise = str(parsed.values.get(f"exercises[{row}].exercise", ""))
        title = kb.exercises[exercise].name if exercise in kb.exercises else "Exercise"
        out[f"exercises[{row}].{name}"] = message(f"{title}, {LABELS.get(name, name)}", text)
    return out


@router.post("/sessions", response_class=HTMLResponse)
def log_session(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    parsed = read_session_form(form)
    try:
        rehab.log_session(
            db,
            owner_id=user.id,
            values=parsed.session,
            exercises=parsed.rows,
            today=today_of(request, user),
            kb=ctx.kb,
        )
    except NotFoundError:
        return redirect("/rehab")
    except FormError as exc:
        return today_page_for(
            ctx,
            request,
            db,
            user,
            values=parsed.values,
            errors=_session_errors(ctx.kb, exc.errors, parsed),
            status=422,
        )
    return redirect("/rehab?done=session_logged")
