"""Accounts in the browser: sign up, sign in and out, settings, passwords, clinician links.

Handlers are plain `def` so that password hashing runs in the thread pool, not on the event
loop. Their database session commits before the response is sent (`scope="function"`), so the
page a redirect leads to already sees the change. Handlers that check or set a password do
not take that session: they give the services a unit of work (`ctx.sessions.begin`), so that
the hashing happens between short transactions and never holds a write lock. Passwords are
never written back into a form after an error; every other value is.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict, Unpack

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import AfterValidator, BaseModel
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services import accounts
from calfcare.services.accounts import Account, TooManyAttemptsError
from calfcare.services.text import storable
from calfcare.web import auth
from calfcare.web.auth import CurrentUser, CurrentVisitor
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.forms import FormText
from calfcare.web.responses import page, redirect

router = APIRouter(prefix="/account", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]
Field = FormText  # NUL, control characters and lone surrogates: a 422 naming the field

NOTICES = {
    "created": "Your account has been created. You are signed in.",
    "units": "Your units have been saved.",
    "time_zone": "Your time zone has been saved.",
    "password": "Your password has been changed. You have been signed out on your other devices.",
    "linked": "The accounts are now linked.",
    "unlinked": "The link has been removed.",
    "signed_out": "You have signed out.",
    "reset": "Your password has been changed. Sign in with your new password.",
}


def _status(exc: FormError) -> int:
    return 429 if isinstance(exc, TooManyAttemptsError) else 422


def _signed_in(
    request: Request, db: Session, visitor: auth.Visitor, user_id: str, target: str
) -> RedirectResponse:
    """A new session for this browser (never the one it had), and the cookie for it."""
    if visitor.session_token:
        accounts.end_session(db, token=visitor.session_token)
    new = accounts.create_session(db, user_id=user_id, now=auth.now(request))
    response = redirect(target)
    auth.set_session_cookie(request, response, new.token)
    return response


# --- sign up, sign in, sign out -------------------------------------------------------------


@router.get("/sign-up", response_class=HTMLResponse)
def sign_up_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return page(
        ctx,
        request,
        "account_sign_up.html",
        {
            "errors": {},
            "values": {"units": "metric", "time_zone": "UTC"},
            "time_zones": accounts.time_zones(),
        },
    )


class SignUpFields(BaseModel):
    """The sign-up form as posted; every text is checked for what no database can store."""

    display_name: Annotated[str, AfterValidator(storable)] = ""
    email: Annotated[str, AfterValidator(storable)] = ""
    password: Annotated[str, AfterValidator(storable)] = ""
    role: Annotated[str, AfterValidator(storable)] = ""
    units: Annotated[str, AfterValidator(storable)] = ""
    time_zone: Annotated[str, AfterValidator(storable)] = "UTC"


@router.post("/sign-up", response_class=HTMLResponse)
def sign_up(
    request: Request, ctx: Ctx, visitor: CurrentVisitor, fields: Annotated[SignUpFields, Form()]
) -> Any:
    form = accounts.SignUpForm(**fields.model_dump())  # type: ignore[typeddict-item]
    try:
        accounts.check_sign_up(**form)
        hashed = accounts.hash_password(fields.password)  # before the transaction
        with ctx.sessions.begin() as db:
            limit = accounts.SignUpLimit(
                auth.client_key(request), ctx.settings.max_sign_ups_per_hour
            )
            user = accounts.sign_up(
                db, **form, now=auth.now(request), password_hash=hashed, limit=limit
            )
            return _signed_in(request, db, visitor, user.id, "/account?done=created")
    except FormError as exc:
        values = fields.model_dump(exclude={"password"})
        return page(
            ctx,
            request,
            "account_sign_up.html",
            {"errors": exc.errors, "values": values, "time_zones": accounts.time_zones()},
            status=_status(exc),
        )


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request, ctx: Ctx, visitor: CurrentVisitor, next: str = "", done: str = ""
) -> Any:
    target = auth.safe_next(next)
    if visitor.signed_in:
        return redirect(target)
    return page(
        ctx,
        request,
        "account_sign_in.html",
        {"errors": {}, "values": {}, "next": target, "notice": NOTICES.get(done)},
    )


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    ctx: Ctx,
    visitor: CurrentVisitor,
    email: Field = "",
    password: Field = "",
    next: Field = "",
) -> Any:
    target = auth.safe_next(next)
    try:
        missing = {
            **({"email": "Enter your email address"} if not email.strip() else {}),
            **({"password": "Enter your password"} if not password else {}),
        }
        if missing:
            raise FormError(missing)
        user = accounts.sign_in(
            ctx.sessions.begin,
            email=email,
            password=password,
            client_key=auth.client_key(request),
            now=auth.now(request),
        )
    except FormError as exc:
        return page(
            ctx,
            request,
            "account_sign_in.html",
            {"errors": exc.errors, "values": {"email": email}, "next": target, "notice": None},
            status=_status(exc),
        )
    with ctx.sessions.begin() as db:
        return _signed_in(request, db, visitor, user.id, target)


@router.post("/sign-out")
def sign_out(request: Request, db: Db, visitor: CurrentVisitor) -> RedirectResponse:
    if visitor.session_token:
        accounts.end_session(db, token=visitor.session_token)
    response = redirect("/account/sign-in?done=signed_out")
    auth.clear_session_cookie(request, response)
    return response


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
            return _account_page(request, ctx, db, user, errors=exc.errors, status=_status(exc))
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
            request, ctx, db, user, errors=exc.errors, values={"code": code}, status=_status(exc)
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
            status=_status(exc),
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
