"""Accounts in the browser: settings, passwords, clinician links, deleting, resetting.

Signing up, in and out, and the "what next" page after signing up, are in
`routes/account_entry.py`, whose routes this router includes under /account.

Handlers are plain `def` so that password hashing runs in the thread pool, not on the event
loop. Their database session commits before the response is sent (`scope="function"`), so the
page a redirect leads to already sees the change. Handlers that check or set a password do
not take that session: they give the services a unit of work (`ctx.sessions.begin`), so that
the hashing happens between short transactions and never holds a write lock. Passwords are
never written back into a form after an error; every other value is.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict, Unpack

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services import accounts
from calfcare.services.accounts import Account
from calfcare.web import auth
from calfcare.web.auth import CurrentUser, CurrentVisitor
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.forms import FormText
from calfcare.web.responses import page, redirect
from calfcare.web.routes import account_entry
from calfcare.web.routes.account_entry import status_of

router = APIRouter(prefix="/account", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]
Field = FormText  # NUL, control characters and lone surrogates: a 422 naming the field

NOTICES = {
    "units": "Your units have been saved.",
    "time_zone": "Your time zone has been saved.",
    "password": "Your password has been changed. You have been signed out on your other devices.",
    "linked": "The accounts are now linked.",
    "unlinked": "The link has been removed.",
}


# --- the account page -----------------------------------------------------------------------


class Shown(TypedDict, total=False):
    """What the account page shows besides the account: errors, typed values, a notice."""

    errors: dict[str, str]
    values: dict[str, str]
    notice: str | None
    new_code: accounts.IssuedToken | None


def _account_page(
    request: Request,
    ctx: Ctx,
    db: Session,
    user: Account,
    *,
    status: int = 200,
    **shown: Unpack[Shown],
) -> HTMLResponse:
    if user.role == "person":
        linked = accounts.linked_clinicians(db, person_id=user.id)
    else:
        linked = accounts.linked_persons(db, clinician_id=user.id)
    return page(
        ctx,
        request,
        "account.html",
        {
            "user": user,
            "linked": linked,
            "errors": shown.get("errors", {}),
            "values": shown.get("values", {}),
            "notice": shown.get("notice"),
            "new_code": shown.get("new_code"),
            "time_zones": accounts.time_zones(),
        },
        status=status,
    )


@router.get("", response_class=HTMLResponse)
def account(request: Request, ctx: Ctx, db: Db, user: CurrentUser, done: str = "") -> HTMLResponse:
    return _account_page(request, ctx, db, user, notice=NOTICES.get(done))


@router.post("/units", response_class=HTMLResponse)
def units(request: Request, ctx: Ctx, db: Db, user: CurrentUser, units: Field = "") -> Any:
    try:
        accounts.set_units(db, user_id=user.id, units=units)
    except FormError as exc:
        return _account_page(
            request, ctx, db, user, errors=exc.errors, values={"units": units}, status=422
        )
    return redirect("/account?done=units")


@router.post("/time-zone", response_class=HTMLResponse)
def time_zone(request: Request, ctx: Ctx, db: Db, user: CurrentUser, time_zone: Field = "") -> Any:
    try:
        accounts.set_time_zone(db, user_id=user.id, time_zone=time_zone)
    except FormError as exc:
        return _account_page(
            request, ctx, db, user, errors=exc.errors, values={"time_zone": time_zone}, status=422
        )
    return redirect("/account?done=time_zone")


@router.post("/password", response_class=HTMLResponse)
def password(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    visitor: CurrentVisitor,
    current_password: Field = "",
    new_password: Field = "",
) -> Any:
    try:
        accounts.change_password(
            ctx.sessions.begin,
            user_id=user.id,
            current_password=current_password,
            new_password=new_password,
            keep_token=visitor.session_token,
            now=auth.now(request),
        )
    except FormError as exc:
        with ctx.sessions() as db:
            return _account_page(request, ctx, db, user, errors=exc.errors, status=status_of(exc))
    return redirect("/account?done=password")


@router.post("/link-code", response_class=HTMLResponse)
def link_code(request: Request, ctx: Ctx, db: Db, user: CurrentUser) -> HTMLResponse:
    try:
        issued = accounts.create_link_code(db, person_id=user.id, now=auth.now(request))
    except FormError as exc:
        return _account_page(request, ctx, db, user, errors=exc.errors, status=422)
    # Shown on this page only, never in a URL: only its hash is kept.
    return _account_page(request, ctx, db, user, new_code=issued)


@router.post("/link", response_class=HTMLResponse)
def link(request: Request, ctx: Ctx, db: Db, user: CurrentUser, code: Field = "") -> Any:
    try:
        accounts.link_with_code(
            db,
            clinician_id=user.id,
            code=code,
            now=auth.now(request),
            client_key=auth.client_key(request),
        )
    except FormError as exc:
        return _account_page(
            request, ctx, db, user, errors=exc.errors, values={"code": code}, status=status_of(exc)
        )
    return redirect("/account?done=linked")


@router.post("/unlink", response_class=HTMLResponse)
def unlink(request: Request, ctx: Ctx, db: Db, user: CurrentUser, other_id: Field = "") -> Any:
    try:
        accounts.unlink(db, user_id=user.id, other_id=other_id)
    except NotFoundError:
        return _account_page(
            request,
            ctx,
            db,
            user,
            status=404,
            errors={"linked": "That link had already been removed"},
        )
    return redirect("/account?done=unlinked")


# --- deleting the account -------------------------------------------------------------------


@router.get("/delete", response_class=HTMLResponse)
def delete_page(request: Request, ctx: Ctx, user: CurrentUser) -> HTMLResponse:
    return page(ctx, request, "account_delete.html", {"user": user, "errors": {}})


@router.post("/delete", response_class=HTMLResponse)
def delete(request: Request, ctx: Ctx, user: CurrentUser, password: Field = "") -> HTMLResponse:
    try:
        accounts.delete_account(
            ctx.sessions.begin, user_id=user.id, password=password, now=auth.now(request)
        )
    except FormError as exc:
        return page(
            ctx,
            request,
            "account_delete.html",
            {"user": user, "errors": exc.errors},
            status=status_of(exc),
        )
    auth.forget_visitor(request)  # the page that follows is already signed out
    response = page(ctx, request, "account_deleted.html", {})
    auth.clear_session_cookie(request, response)
    return response


# --- resetting a password -------------------------------------------------------------------


@router.get("/reset", response_class=HTMLResponse)
def reset_page(request: Request, ctx: Ctx, token: str = "") -> HTMLResponse:
    return page(
        ctx, request, "account_reset.html", {"errors": {}, "values": {"token": token[:200]}}
    )


@router.post("/reset", response_class=HTMLResponse)
def reset(request: Request, ctx: Ctx, token: Field = "", new_password: Field = "") -> Any:
    try:
        accounts.reset_password(
            ctx.sessions.begin, token=token, new_password=new_password, now=auth.now(request)
        )
    except FormError as exc:
        return page(
            ctx,
            request,
            "account_reset.html",
            {"errors": exc.errors, "values": {"token": token}},
            status=422,
        )
    return redirect("/account/sign-in?done=reset")


router.include_router(account_entry.router)
