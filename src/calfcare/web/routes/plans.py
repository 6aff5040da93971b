"""Prevention pages: the sweat test, the session plan (a printable card) and night cramps.

They work signed out on what is typed. Signed in as a person, a sweat test is kept in their
history, a plan uses the test closest to the session and their diary's risk, and is saved with
the knowledge-base version so that the card can be printed again later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from calfcare.errors import RequestError
from calfcare.services import prevention
from calfcare.services.accounts import Account
from calfcare.web import auth, responses
from calfcare.web.auth import CurrentVisitor, Person
from calfcare.web.forms import fields_of
from calfcare.web.routes.diary.common import Ctx, Db, own

router = APIRouter(prefix="/plan", include_in_schema=False)

SWEAT_FIELDS = (
    "body_mass_before_kg",
    "body_mass_after_kg",
    "fluid_drunk_l",
    "urine_l",
    "duration_min",
    "temperature_c",
    "humidity_percent",
    "intensity",
    "sport",
)
SESSION_FIELDS = (
    "duration_min",
    "intensity",
    "temperature_c",
    "humidity_percent",
    "body_mass_kg",
    "sweat_rate_l_per_h",
    "sweat_sodium",
    "sport",
    "start_time",
    "sun",
    "wind_m_per_s",
    "acclimatised",
    "takes_diuretic",
)
FLAGS = ("acclimatised", "takes_diuretic")
TEXTS = ("sweat_sodium", "sport", "start_time", "sun")
SweatForm = Annotated[dict[str, str], Depends(fields_of(SWEAT_FIELDS))]
SessionForm = Annotated[dict[str, str], Depends(fields_of(SESSION_FIELDS))]


def _values(form: Mapping[str, str]) -> dict[str, Any]:
    """Typed text as the service reads JSON: numbers as numbers, ticks as true or false;
    anything else is passed on for the service to name as not a number."""
    out: dict[str, Any] = {}
    for key, text in form.items():
        text = text.strip()
        if key in FLAGS:
            out[key] = text == "yes"
        elif key in TEXTS or text == "":
            out[key] = text or None
        else:
            try:
                out[key] = float(text) if any(c in text for c in ".eE") else int(text)
            except ValueError:
                out[key] = text
    return out


def _person(visitor: Any) -> Account | None:
    user: Account | None = visitor.user
    return user if user is not None and user.role == "person" else None


def _hub(ctx: Ctx, request: Request, db: Db, user: Account | None, **extra: Any) -> HTMLResponse:
    tests = prevention.list_sweat_tests(db, owner_id=user.id) if user else []
    plans = prevention.list_plans(db, owner_id=user.id) if user else []
    data = {
        "tests": tests,
        "plans": plans,
        "signed_in": user is not None,
        "errors": {},
        "values": {},
        "which": None,
        **extra,
    }
    status = 422 if data["errors"] else 200
    return responses.page(ctx, request, "plan.html", data, status=status)


@router.get("", response_class=HTMLResponse)
def plan_page(request: Request, ctx: Ctx, db: Db, visitor: CurrentVisitor) -> HTMLResponse:
    return _hub(ctx, request, db, _person(visitor))


@router.post("/sweat-test", response_class=HTMLResponse)
def sweat_test(
    request: Request, ctx: Ctx, db: Db, visitor: CurrentVisitor, form: SweatForm
) -> HTMLResponse:
    user = _person(visitor)
    try:
        if user is None:
            result = prevention.check_sweat_test(ctx.kb, _values(form))
        else:
            result = prevention.record_sweat_test(
                db, ctx.kb, owner_id=user.id, data=_values(form), now=auth.now(request)
            )
    except RequestError as exc:
        return _hub(
            ctx, request, db, user, errors={exc.field: exc.message}, values=form, which="sweat"
        )
    return _hub(ctx, request, db, user, sweat=result, values=form, which="sweat")


def _session_form(
    ctx: Ctx,
    request: Request,
    user: Account | None,
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> HTMLResponse:
    data = {"values": values, "errors": errors, "signed_in": user is not None}
    return responses.page(ctx, request, "plan_session.html", data, status=422 if errors else 200)


@router.get("/session", response_class=HTMLResponse)
def session_page(request: Request, ctx: Ctx, visitor: CurrentVisitor) -> HTMLResponse:
    return _session_form(ctx, request, _person(visitor), {}, {})


@router.post("/session", response_class=HTMLResponse)
def session_plan(
    request: Request, ctx: Ctx, db: Db, visitor: CurrentVisitor, form: SessionForm
) -> HTMLResponse:
    user = _person(visitor)
    try:
        plan = prevention.plan_session(
            ctx.kb,
            _values(form),
            session=db if user else None,
            owner_id=user.id if user else None,
            now=auth.now(request),
            save=user is not None,
        )
    except RequestError as exc:
        return _session_form(ctx, request, user, form, {exc.field: exc.message})
    return responses.page(ctx, request, "plan_card.html", {"plan": plan, "request_values": form})


@router.get("/saved/{plan_id}", response_class=HTMLResponse)
def saved_plan(request: Request, ctx: Ctx, db: Db, user: Person, plan_id: str) -> HTMLResponse:
    saved = own(prevention.get_plan, db, owner_id=user.id, plan_id=plan_id)
    plan = prevention.SessionPlanReport.model_validate(saved.plan)
    return responses.page(
        ctx, request, "plan_card.html", {"plan": plan, "saved": saved, "request_values": {}}
    )


@router.post("/sweat-tests/{test_id}/delete")
def delete_test(db: Db, user: Person, test_id: str) -> Response:
    own(prevention.delete_sweat_test, db, owner_id=user.id, test_id=test_id)
    return responses.redirect("/plan")


@router.get("/night", response_class=HTMLResponse)
def night_page(
    request: Request, ctx: Ctx, db: Db, visitor: CurrentVisitor, started: date | None = None
) -> HTMLResponse:
    user = _person(visitor)
    report = prevention.night(
        ctx.kb,
        session=db if user else None,
        owner_id=user.id if user else None,
        started=started,
        now=auth.now(request),
    )
    return responses.page(
        ctx, request, "plan_night.html", {"night": report, "signed_in": bool(user)}
    )
