"""Signing up, in and out, a result carried through them, and what a new account does next.

Handlers are plain `def` so that password hashing runs in the thread pool, not on the event
loop; those that hash give the services a unit of work (`ctx.sessions.begin`), so that the
hashing happens between short transactions and never holds a write lock. Passwords are never
written back into a form after an error; every other value is.

A signed-out person on a result page may sign in or create an account to save that result.
The result travels as the interview state in a hidden `result` field of the sign-in and
sign-up forms, the same way the interview itself travels (`web/interview.py`): never in a
URL, where logs and the browser's history would keep a person's answers, and never in server
memory, so any number of processes agree. The state comes from the browser: it is read and
checked as a request before anything else happens (`_carried`), so a changed field gives a
clear error page and no account. Once signed in, the answer to the form is the result page
itself, worked out again from the answers (`routes/assess.result_page`), where the person
presses "Save this result to my diary": nothing is kept without that press. Signing up
without a result lands on the "what next" page (`/account/welcome`).

`router` has no prefix of its own: `routes/account.py` includes it under /account.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import AfterValidator, BaseModel
from sqlalchemy.orm import Session

from calfcare.errors import FormError, RequestError
from calfcare.services import accounts
from calfcare.services.accounts import Account, NewSession, TooManyAttemptsError
from calfcare.services.requests import parse_request
from calfcare.services.text import storable
from calfcare.web import auth
from calfcare.web.auth import CurrentUser, CurrentVisitor
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.forms import FormText
from calfcare.web.interview import InterviewState
from calfcare.web.responses import page, redirect
from calfcare.web.routes.assess import result_page
from calfcare.web.routes.diary.assessments import broken, carried_state

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]
Field = FormText  # NUL, control characters and lone surrogates: a 422 naming the field

NOTICES = {
    "created": "Your account has been created. You are signed in.",
    "signed_out": "You have signed out.",
    "reset": "Your password has been changed. Sign in with your new password.",
}
SIGN_UP_DEFAULTS = {"units": "metric", "time_zone": "UTC"}
WELCOME = "/account/welcome?done=created"
UNIT_WORDS = {
    "metric": "metric (°C, millilitres, kilometres)",
    "imperial": "imperial (°F, fluid ounces, miles)",
}


def status_of(exc: FormError) -> int:
    """429 when a rate limit refused the form, else 422 (a form to correct)."""
    return 429 if isinstance(exc, TooManyAttemptsError) else 422


def _new_session(request: Request, db: Session, visitor: auth.Visitor, user_id: str) -> NewSession:
    """A new session for this browser (never the one it had)."""
    if visitor.session_token:
        accounts.end_session(db, token=visitor.session_token)
    return accounts.create_session(db, user_id=user_id, now=auth.now(request))


def _landing(
    ctx: WebContext,
    request: Request,
    signed: tuple[Account, NewSession],
    target: str,
    carried: InterviewState | None,
    arrived: str,
) -> Response:
    """Where signing in or up leads, with the new session's cookie.

    With a carried result: that result page, already signed in (so that its forms have the
    new session's CSRF token), saying how the person arrived (`arrived`). Else `target`.
    """
    user, session = signed
    response: Response
    if carried is None:
        response = redirect(target)
    else:
        auth.adopt_visitor(request, user, session)
        response = result_page(ctx, request, carried, {"arrived": arrived})
    auth.set_session_cookie(request, response, session.token)
    return response


# --- a result carried through signing in or up ----------------------------------------------


def _carried(ctx: WebContext, token: str) -> InterviewState | None:
    """The result a form carried, checked as a request; None when it carried none.

    RequestError when it cannot be read, holds no answers or makes no valid request.
    """
    if not token:
        return None
    state = carried_state(token)
    parse_request(state.request(), ctx.kb)
    return state


def _sign_in_form(
    ctx: WebContext,
    request: Request,
    *,
    target: str,
    result: str = "",
    errors: dict[str, str] | None = None,
    email: str = "",
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    data = {
        "errors": errors or {},
        "values": {"email": email},
        "next": target,
        "notice": notice,
        "result": result,
    }
    return page(ctx, request, "account_sign_in.html", data, status=status)


def _sign_up_form(
    ctx: WebContext,
    request: Request,
    *,
    values: dict[str, Any],
    result: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    data = {
        "errors": errors or {},
        "values": values,
        "time_zones": accounts.time_zones(),
        "result": result,
    }
    return page(ctx, request, "account_sign_up.html", data, status=status)


@router.post("/save-result", response_class=HTMLResponse)
def save_result(
    request: Request, ctx: Ctx, visitor: CurrentVisitor, state: Field = "", then: Field = ""
) -> HTMLResponse:
    """From a result page: the sign-in (or, `then=sign-up`, sign-up) form, carrying it.

    A visitor already signed in (in another tab, say) gets the result page back, where the
    save button now is.
    """
    try:
        carried = _carried(ctx, state)
    except RequestError:
        carried = None
    if carried is None:
        return broken(ctx, request)
    if visitor.signed_in:
        return result_page(ctx, request, carried)
    if then == "sign-up":
        return _sign_up_form(ctx, request, values=SIGN_UP_DEFAULTS, result=state)
    return _sign_in_form(ctx, request, target="/account", result=state)


# --- sign up, sign in, sign out -------------------------------------------------------------


@router.get("/sign-up", response_class=HTMLResponse)
def sign_up_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return _sign_up_form(ctx, request, values=SIGN_UP_DEFAULTS)


class SignUpFields(BaseModel):
    """The sign-up form as posted; every text is checked for what no database can store."""

    display_name: Annotated[str, AfterValidator(storable)] = ""
    email: Annotated[str, AfterValidator(storable)] = ""
    password: Annotated[str, AfterValidator(storable)] = ""
    role: Annotated[str, AfterValidator(storable)] = ""
    units: Annotated[str, AfterValidator(storable)] = ""
    time_zone: Annotated[str, AfterValidator(storable)] = "UTC"
    result: Annotated[str, AfterValidator(storable)] = ""


@router.post("/sign-up", response_class=HTMLResponse)
def sign_up(
    request: Request, ctx: Ctx, visitor: CurrentVisitor, fields: Annotated[SignUpFields, Form()]
) -> Any:
    """A new account, signed in: on the "what next" page, or back on the result it carried."""
    try:
        carried = _carried(ctx, fields.result)
    except RequestError:
        return broken(ctx, request)
    form = accounts.SignUpForm(**fields.model_dump(exclude={"result"}))  # type: ignore[typeddict-item]
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
            session = _new_session(request, db, visitor, user.id)
    except FormError as exc:
        values = fields.model_dump(exclude={"password", "result"})
        return _sign_up_form(
            ctx,
            request,
            values=values,
            result=fields.result,
            errors=exc.errors,
            status=status_of(exc),
        )
    return _landing(ctx, request, (user, session), WELCOME, carried, "created")


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request, ctx: Ctx, visitor: CurrentVisitor, next: str = "", done: str = ""
) -> Any:
    target = auth.safe_next(next)
    if visitor.signed_in:
        return redirect(target)
    return _sign_in_form(ctx, request, target=target, notice=NOTICES.get(done))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    ctx: Ctx,
    visitor: CurrentVisitor,
    email: Field = "",
    password: Field = "",
    next: Field = "",
    result: Field = "",
) -> Any:
    """Sign in: to `next`, or back on the result the form carried."""
    target = auth.safe_next(next)
    try:
        carried = _carried(ctx, result)
    except RequestError:
        return broken(ctx, request)
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
        return _sign_in_form(
            ctx,
            request,
            target=target,
            result=result,
            errors=exc.errors,
            email=email,
            status=status_of(exc),
        )
    with ctx.sessions.begin() as db:
        session = _new_session(request, db, visitor, user.id)
    return _landing(ctx, request, (user, session), target, carried, "signed_in")


@router.post("/sign-out")
def sign_out(request: Request, db: Db, visitor: CurrentVisitor) -> RedirectResponse:
    if visitor.session_token:
        accounts.end_session(db, token=visitor.session_token)
    response = redirect("/account/sign-in?done=signed_out")
    auth.clear_session_cookie(request, response)
    return response


# --- what next ------------------------------------------------------------------------------


@router.get("/welcome", response_class=HTMLResponse)
def welcome(request: Request, ctx: Ctx, user: CurrentUser, done: str = "") -> HTMLResponse:
    """What a new account can do next: where signing up lands, instead of the settings."""
    data = {
        "user": user,
        "units": UNIT_WORDS.get(user.units, user.units),
        "notice": NOTICES.get(done),
    }
    return page(ctx, request, "account_welcome.html", data)
