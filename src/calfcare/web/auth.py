"""Who is visiting, and CSRF protection for every form of the site.

Nothing is kept in process memory: a signed-in browser holds the random token of a row in
`sessions` (cookie `calfcare_session`), and CSRF tokens live in that row or in a cookie.

* `load_visitor` (an app-wide dependency) resolves the session cookie once per request.
* `check_csrf` (an app-wide dependency) refuses every POST (PUT, PATCH, DELETE) outside the
  stateless JSON API unless its `csrf_token` form field is right: the session's CSRF token for
  a signed-in visitor, otherwise the value of the `calfcare_csrf` cookie (double submit; the
  cookie is random, HttpOnly and SameSite=Strict). A refused form gets a 403 page.
* Templates call `{{ csrf_input() }}` inside every `<form method="post">`, and
  `current_user()` to know who is signed in. Both are Jinja globals installed by `install`.
* `QueuedCookies` (middleware) adds the cookies decided while rendering (the anonymous CSRF
  cookie, clearing a dead session cookie) to whatever response the handler returns.

The clock of the web layer is `now(request)`: `app.state.clock` when a test sets it.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from calfcare.services import accounts
from calfcare.services.accounts import Account
from calfcare.web.context import WebContext

SESSION_COOKIE = "calfcare_session"
CSRF_COOKIE = "calfcare_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Paths outside the browser pages: the JSON API is stateless and takes no cookies.
STATELESS_PREFIXES = ("/api/", "/static/", "/healthz", "/openapi.json", "/docs", "/cds-services")
#: Forms that may be sent by a signed-out browser without a token because they change nothing
#: then (signing out of a session that has already ended).
HARMLESS_WHEN_SIGNED_OUT = frozenset({"/account/sign-out"})
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_STATE_VISITOR = "calfcare_visitor"
_STATE_CSRF = "calfcare_csrf"
_STATE_COOKIES = "calfcare_cookies"


@dataclass(frozen=True)
class Visitor:
    """The person behind a request: `user` is None when signed out."""

    user: Account | None = None
    session_token: str | None = None
    csrf_token: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None


ANONYMOUS = Visitor()


class CsrfError(Exception):
    """A form arrived without the right CSRF token."""


class SignInRequiredError(Exception):
    """A page that needs an account was asked for by a signed-out visitor."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


# --- time and settings ----------------------------------------------------------------------


def now(request: Request) -> datetime:
    """The current time: the web layer owns the clock (tests replace `app.state.clock`)."""
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def today(request: Request, zone: tzinfo) -> date:
    """Today's calendar day in a person's own time zone, by the web layer's clock."""
    return now(request).astimezone(zone).date()


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def _secure(request: Request) -> bool:
    return _ctx(request).settings.environment == "production"


def client_key(request: Request) -> str:
    """What the sign-in rate limit counts per client: the browser's address."""
    return request.client.host if request.client else "unknown"


def _stateless(path: str) -> bool:
    return path.startswith(STATELESS_PREFIXES)


# --- cookies --------------------------------------------------------------------------------


def _cookie_header(
    name: str, value: str, *, max_age: int | None, samesite: Literal["lax", "strict"], secure: bool
) -> str:
    holder = Response()
    holder.set_cookie(
        name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite=samesite
    )
    return next(v.decode("latin-1") for k, v in holder.raw_headers if k == b"set-cookie")


def _queue_cookie(request: Request, name: str, header: str) -> None:
    queued: dict[str, str] = request.scope.setdefault("state", {}).setdefault(_STATE_COOKIES, {})
    queued[name] = header


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure in production, 14 days."""
    max_age = int(accounts.SESSION_LIFETIME.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )


class QueuedCookies:
    """Add the cookies queued on `request.state` during a request to its response.

    A cookie the response sets itself (signing in, signing out) wins over a queued one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_with_cookies(message: Message) -> None:
            queued: dict[str, str] = state.get(_STATE_COOKIES) or {}
            if message["type"] == "http.response.start" and queued:
                headers: list[Any] = list(message.get("headers", []))
                present = {
                    bytes(v).split(b"=", 1)[0].strip()
                    for k, v in headers
                    if bytes(k).lower() == b"set-cookie"
                }
                for name, header in queued.items():
                    if name.encode() not in present:
                        headers.append((b"set-cookie", header.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookies)


# --- the visitor ----------------------------------------------------------------------------


def load_visitor(request: Request) -> Visitor:
    """The visitor of this request, from the session cookie; resolved once, then cached.

    A cookie that names no live session (ended, expired, or never issued) counts for nothing
    and is cleared.
    """
    cached: Visitor | None = getattr(request.state, _STATE_VISITOR, None)
    if cached is not None:
        return cached
    visitor = ANONYMOUS
    token = request.cookies.get(SESSION_COOKIE)
    if token and not _stateless(request.url.path):
        with _ctx(request).sessions() as db:
            signed = accounts.resolve_session(db, token=token, now=now(request))
        if signed is not None:
            visitor = Visitor(user=signed.user, session_token=token, csrf_token=signed.csrf_token)
        else:
            _queue_cookie(
                request,
                SESSION_COOKIE,
                _cookie_header(
                    SESSION_COOKIE, "", max_age=0, samesite="lax", secure=_secure(request)
                ),
            )
    setattr(request.state, _STATE_VISITOR, visitor)
    return visitor


CurrentVisitor = Annotated[Visitor, Depends(load_visitor)]


def forget_visitor(request: Request) -> None:
    """Treat the rest of this request as signed out (after deleting the account)."""
    setattr(request.state, _STATE_VISITOR, ANONYMOUS)


def adopt_visitor(request: Request, user: Account, session: accounts.NewSession) -> None:
    """Treat the rest of this request as signed in with a session just created.

    For a page rendered in the same response as signing in (the result a person signed in
    from): its forms need the new session's CSRF token, not the signed-out one.
    """
    visitor = Visitor(user=user, session_token=session.token, csrf_token=session.csrf_token)
    setattr(request.state, _STATE_VISITOR, visitor)


def require_user(request: Request, visitor: CurrentVisitor) -> Account:
    """The signed-in account, or a redirect to the sign-in page."""
    if visitor.user is None:
        path = request.url.path if request.method in SAFE_METHODS else "/account"
        raise SignInRequiredError(path)
    return visitor.user


CurrentUser = Annotated[Account, Depends(require_user)]


def require_person(user: CurrentUser) -> Account:
    """The signed-in person; a clinician has no diary or plan of their own (404)."""
    if user.role != "person":
        raise HTTPException(status_code=404)
    return user


#: The signed-in account of a person's own pages (diary, rehabilitation).
Person = Annotated[Account, Depends(require_person)]


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms (and, when signed out, in the cookie)."""
    visitor = load_visitor(request)
    if visitor.csrf_token:
        return visitor.csrf_token
    token: str | None = getattr(request.state, _STATE_CSRF, None)
    if token:
        return token
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if _TOKEN.match(cookie):
        token = cookie
    else:
        token = secrets.token_urlsafe(32)
        _queue_cookie(
            request,
            CSRF_COOKIE,
            _cookie_header(
                CSRF_COOKIE, token, max_age=None, samesite="strict", secure=_secure(request)
            ),
        )
    setattr(request.state, _STATE_CSRF, token)
    return token


async def check_csrf(request: Request, visitor: CurrentVisitor) -> None:
    """Refuse a form without the right CSRF token (raises `CsrfError`, answered with a 403)."""
    if request.method in SAFE_METHODS or _stateless(request.url.path):
        return
    if not visitor.signed_in and request.url.path in HARMLESS_WHEN_SIGNED_OUT:
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = visitor.csrf_token if visitor.signed_in else request.cookies.get(CSRF_COOKIE)
    if (
        not isinstance(sent, str)
        or not sent
        or not expected
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfError


#: Give these to `FastAPI(dependencies=...)` so that every route is covered.
DEPENDENCIES = [Depends(check_csrf)]


def safe_next(target: str | None, default: str = "/account") -> str:
    """A local path to go to after signing in; anything else becomes `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\n" in target or "\r" in target:
        return default
    return target


# --- templates and error pages --------------------------------------------------------------


@pass_context
def _csrf_input(context: Context) -> Markup:
    token = csrf_token(context["request"])
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)


@pass_context
def _current_user(context: Context) -> Account | None:
    return load_visitor(context["request"]).user


def _referer_path(request: Request) -> str | None:
    """The page the refused form came from, if it can be fetched again (GET) on this site."""
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.url.netloc:
        return None
    scope = {"type": "http", "path": parts.path, "root_path": "", "method": "GET"}
    if not any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
        return None  # a page that was the answer to a form, such as a question
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), "") or None


def install(app: FastAPI) -> None:
    """Jinja globals, the cookie middleware and the 403 and sign-in error pages."""
    ctx: WebContext = app.state.ctx
    ctx.templates.globals.update(csrf_input=_csrf_input, current_user=_current_user)
    app.add_middleware(QueuedCookies)

    @app.exception_handler(CsrfError)
    async def _csrf_failed(request: Request, exc: CsrfError) -> HTMLResponse:
        data = {
            "back": _referer_path(request),
            "no_cookie": not load_visitor(request).signed_in and CSRF_COOKIE not in request.cookies,
        }
        csrf_token(request)  # a fresh cookie if there was none, so that trying again works
        return HTMLResponse(ctx.render(request, "csrf_failed.html", data), status_code=403)

    @app.exception_handler(SignInRequiredError)
    async def _sign_in_first(request: Request, exc: SignInRequiredError) -> RedirectResponse:
        return RedirectResponse(
            f"/account/sign-in?next={quote(exc.next_path, safe='/')}", status_code=303
        )
