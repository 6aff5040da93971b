"""A person's own plan: choosing and starting a programme, the plan page, accepting the
decision, the morning check, stopping, and the printable plan.

A plan belongs to one signed-in person: every service call passes the owner's id, so nobody
reaches another person's plan (a clinician works on a linked person's plan under
/clinician). Handlers are plain `def`, so that their database session commits before the
redirect is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services import rehab
from calfcare.services.accounts import Account
from calfcare.web.auth import CurrentUser, Person
from calfcare.web.context import WebContext
from calfcare.web.responses import page, redirect
from calfcare.web.routes.rehab.common import (
    FIRST,
    NOTICES,
    SIDE_WORDS,
    Ctx,
    Db,
    Posted,
    Shown,
    choice_reference_ids,
    form_text,
    named_errors,
    numbered,
    reference_ids,
    today_of,
)
from calfcare.web.routes.rehab.library import pdf_response
from calfcare.web.routes.rehab.plan_view import plan_context

router = APIRouter(prefix="/rehab", include_in_schema=False)
START_FIELDS = ("programme", "variant", "side", "injury_day")


# --- choosing and starting a programme --------------------------------------------------------


def start_page(
    ctx: WebContext,
    request: Request,
    db: Session,
    user: Account,
    *,
    chosen: str = "",
    shown: Shown = FIRST,
) -> HTMLResponse:
    kb = ctx.kb
    prog = kb.programmes.get(chosen)
    today = today_of(request, user)
    past = [
        {
            "programme": kb.programmes[p.programme].name
            if p.programme in kb.programmes
            else p.programme,
            "status": p.status,
            "started": p.started_on,
        }
        for p in rehab.list_plans(db, owner_id=user.id)
    ]
    data: dict[str, Any] = {
        "programmes": sorted(kb.programmes.values(), key=lambda p: p.name.lower()),
        "prog": prog,
        "values": {"injury_day": today.isoformat(), **shown.values},
        "errors": shown.errors,
        "notice": shown.notice,
        "today": today.isoformat(),
        "earliest": (today - rehab.MAX_INJURY_AGE).isoformat(),
        "sides": SIDE_WORDS,
        "past": past,
    }
    if prog is not None:
        data["choices"] = rehab.version_choices(prog)
        data.update(
            numbered(
                kb,
                reference_ids(
                    (r for sp in prog.see_professional for r in sp.references),
                    choice_reference_ids(prog),
                ),
            )
        )
    return page(ctx, request, "rehab_start.html", data, status=shown.status)


@router.post("/start", response_class=HTMLResponse)
def start(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    values = {name: form_text(form, name) for name in START_FIELDS}
    prog = ctx.kb.programmes.get(values["programme"])
    given = {
        k: v
        for k, v in values.items()
        if not (k == "variant" and prog is not None and len(prog.variants) == 1 and not v)
    }
    try:
        rehab.start_plan(
            db, owner_id=user.id, values=given, today=today_of(request, user), kb=ctx.kb
        )
    except FormError as exc:
        return start_page(
            ctx,
            request,
            db,
            user,
            chosen=values["programme"],
            shown=Shown(values, named_errors(exc.errors), status=422),
        )
    chosen = rehab.choose_version(prog, values["variant"].lower()) if prog is not None else None
    done = "started_not_sure" if chosen is not None and chosen.why else "started"
    return redirect(f"/rehab/today?done={done}")


# --- the plan page ------------------------------------------------------------------------------


def _changed_page(
    ctx: WebContext,
    request: Request,
    changed: rehab.ProgrammeChangedError,
    *,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The programme changed under the plan: say so and ask the person to choose the phase."""
    return page(
        ctx,
        request,
        "rehab_changed.html",
        {
            "changed": changed,
            "plan": changed.plan,
            "errors": errors or {},
            "phase_options": [
                (pid, f"{n}. {name}") for n, (pid, name) in enumerate(changed.phases, 1)
            ],
        },
        status=status,
    )


def plan_page_for(
    ctx: WebContext,
    request: Request,
    db: Session,
    user: Account,
    shown: Shown = FIRST,
    *,
    morning: Mapping[str, str] | None = None,
    chosen: str = "",
) -> Response:
    """The plan page; the start page when the person follows no programme (with `chosen`
    programme open), or the page that asks for the phase when the programme changed."""
    today = today_of(request, user)
    try:
        st = rehab.status(db, owner_id=user.id, today=today, kb=ctx.kb)
    except NotFoundError:
        return start_page(
            ctx,
            request,
            db,
            user,
            chosen=chosen,
            shown=Shown(
                errors=shown.errors if shown.status != 200 else {},
                notice=shown.notice,
                status=shown.status,
            ),
        )
    except rehab.ProgrammeChangedError as changed:
        return _changed_page(ctx, request, changed, errors=shown.errors, status=shown.status)
    logged = {m.day: str(m.pain) for m in st.mornings}
    return page(
        ctx,
        request,
        "rehab_plan.html",
        {
            **plan_context(ctx.kb, st),
            "notice": shown.notice,
            "errors": shown.errors,
            "morning": {"day": today.isoformat(), "pain": logged.get(today, ""), **(morning or {})},
            "today": today.isoformat(),
        },
        status=shown.status,
    )


@router.get("", response_class=HTMLResponse)
def plan_page(
    request: Request, ctx: Ctx, db: Db, user: CurrentUser, done: str = "", programme: str = ""
) -> Response:
    if user.role == "clinician":
        return redirect("/clinician")
    return plan_page_for(
        ctx, request, db, user, Shown(notice=NOTICES.get(done)), chosen=programme.strip()[:64]
    )


@router.post("/apply", response_class=HTMLResponse)
def apply(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    try:
        done = rehab.apply_decision(
            db,
            owner_id=user.id,
            today=today_of(request, user),
            by_user=user.id,
            kb=ctx.kb,
            expected=form_text(form, "action") or None,
        )
    except (NotFoundError, rehab.ProgrammeChangedError):
        return redirect("/rehab")
    except rehab.AdviceChangedError as exc:
        return plan_page_for(ctx, request, db, user, Shown(errors=exc.errors, status=409))
    except FormError as exc:
        return plan_page_for(
            ctx, request, db, user, Shown(errors=named_errors(exc.errors), status=409)
        )
    return redirect(f"/rehab?done={done.history[-1].action if done.history else 'progress'}")


@router.post("/phase", response_class=HTMLResponse)
def choose_phase(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    """After the programme changed: the phase the person continues in."""
    try:
        rehab.choose_phase(
            db,
            owner_id=user.id,
            phase=form_text(form, "phase"),
            today=today_of(request, user),
            kb=ctx.kb,
        )
    except NotFoundError:
        return redirect("/rehab")
    except FormError as exc:
        return plan_page_for(
            ctx,
            request,
            db,
            user,
            Shown(errors=named_errors(exc.errors, labels={"phase": "Phase"}), status=422),
        )
    return redirect("/rehab?done=chosen")


# --- stopping, the morning check, the printable plan --------------------------------------------


@router.get("/stop", response_class=HTMLResponse)
def stop_page(request: Request, ctx: Ctx, db: Db, user: Person) -> Response:
    plan = rehab.active_plan(db, owner_id=user.id)
    if plan is None:
        return redirect("/rehab")
    prog = ctx.kb.programmes.get(plan.programme)
    return page(ctx, request, "rehab_stop.html", {"name": prog.name if prog else plan.programme})


@router.post("/stop")
def stop(request: Request, db: Db, user: Person) -> Response:
    try:
        rehab.stop_plan(db, owner_id=user.id, today=today_of(request, user))
    except NotFoundError:
        return redirect("/rehab")
    return redirect("/rehab?done=stopped")


@router.post("/mornings", response_class=HTMLResponse)
def morning(request: Request, ctx: Ctx, db: Db, user: Person, form: Posted) -> Response:
    values = {"day": form_text(form, "day"), "pain": form_text(form, "pain")}
    try:
        rehab.log_morning(db, owner_id=user.id, values=values, today=today_of(request, user))
    except NotFoundError:
        return redirect("/rehab")
    except FormError as exc:
        errors = named_errors(
            exc.errors,
            {"day": "morning-day", "pain": "morning-pain"},
            {"day": "Day of the morning check", "pain": "Pain on getting up"},
        )
        return plan_page_for(
            ctx, request, db, user, Shown(errors=errors, status=422), morning=values
        )
    return redirect("/rehab?done=morning_logged")


@router.get("/handout.pdf")
def handout_pdf(request: Request, ctx: Ctx, db: Db, user: Person) -> Response:
    """The person's own programme, with their clinician's changes to the doses, dated with the
    person's today."""
    from calfcare.services.rehab import handout

    try:
        got = handout.plan_handout(
            db,
            owner_id=user.id,
            kb=ctx.kb,
            today=today_of(request, user),
            person_name=user.display_name,
        )
    except (NotFoundError, rehab.ProgrammeChangedError):
        return redirect("/rehab")
    return pdf_response(got.pdf, f"calfcare-{got.programme}-{got.variant}.pdf")
