"""A clinician's view of a linked person's rehabilitation: assign, follow, move and adjust.

Only clinicians come here (anyone else gets 404), and only for a person linked to them: an
unlinked or unknown person id answers 404, so an id reveals nothing. The clinician sees what
the person logs (phase, decision, criteria, adherence, pain and heel-raise trends, the last
sessions with their warning signs) and may start a programme for them, move them to a phase
of their choosing, change the dose of one exercise of one phase, and print the programme as
the person follows it. Days are the person's own calendar days (their time zone).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services import accounts, rehab
from calfcare.services.accounts import LinkedAccount
from calfcare.web import auth
from calfcare.web.context import WebContext
from calfcare.web.forms import fields_of
from calfcare.web.responses import redirect
from calfcare.web.routes.clinician import Clinician
from calfcare.web.routes.rehab.clinician_view import clinician_plan_context, day_words
from calfcare.web.routes.rehab.common import Ctx, Db

router = APIRouter(prefix="/clinician/persons/{person_id}/rehab", include_in_schema=False)

ASSIGN_FORM = ("programme", "variant", "side", "injury_day", "phase", "notes")
ADJUST_FORM = ("item", "sets", "amount", "load", "note", "removed")
PHASE_FORM = ("phase",)
NOTICES = {
    "assigned": "The programme has been started for this person.",
    "phase": "The phase has been changed. The person sees it on their next visit.",
    "adjusted": "The dose has been saved. The person sees it in today's session.",
}
STATUS_WORDS = {"completed": "Completed", "stopped": "Stopped", "active": "Active"}
#: The forms' labels, to name the field in each message.
LABELS = {
    "programme": "Programme",
    "variant": "Version",
    "side": "Injured calf",
    "injury_day": "Day of the injury",
    "phase": "Phase",
    "notes": "Notes",
    "item": "Exercise",
    "sets": "Sets",
    "amount": "Per set",
    "load": "Load",
    "note": "Note",
    "removed": "Leave out",
}
REQUIRED_WORDS = {
    "programme": "Select a programme",
    "variant": "Select a version",
    "side": "Select which calf is injured",
    "injury_day": "Enter the day of the injury, for example 2026-11-20",
    "phase": "Select a phase",
    "item": "Select the exercise to change",
}

AssignForm = Annotated[dict[str, str], Depends(fields_of(ASSIGN_FORM))]
AdjustForm = Annotated[dict[str, str], Depends(fields_of(ADJUST_FORM))]
PhaseForm = Annotated[dict[str, str], Depends(fields_of(PHASE_FORM))]


def _person(db: Session, clinician_id: str, person_id: str) -> LinkedAccount:
    """The linked person, or 404 (unknown and unlinked look the same)."""
    for p in accounts.linked_persons(db, clinician_id=clinician_id):
        if p.id == person_id:
            return p
    raise HTTPException(status_code=404)


def _today(request: Request, who: LinkedAccount) -> date:
    """Today in the person's own time zone: their plan counts their days."""
    return auth.today(request, who.zone)


def _base(who: LinkedAccount) -> str:
    return f"/clinician/persons/{who.id}/rehab"


def _assign_context(ctx: WebContext, past: list[rehab.PlanRecord]) -> dict[str, Any]:
    kb = ctx.kb
    return {
        "programmes": [
            {
                "id": p.id,
                "name": p.name,
                "variants": [
                    {
                        "id": v.id,
                        "label": v.label,
                        "days": f"{v.expected_days.low}–{v.expected_days.high} days"
                        + (" (estimate)" if v.estimate else ""),
                    }
                    for v in p.variants
                ],
                "phases": [{"id": ph.id, "name": ph.name} for ph in p.phases],
            }
            for p in sorted(kb.programmes.values(), key=lambda p: p.name)
        ],
        "past": [
            {
                "programme": kb.programmes[p.programme].name
                if p.programme in kb.programmes
                else p.programme,
                "status": STATUS_WORDS.get(p.status, p.status),
                "started": day_words(p.started_on),
            }
            for p in past
        ],
    }


def _changed_context(changed: rehab.ProgrammeChangedError) -> dict[str, Any]:
    """The programme changed under the plan: the clinician chooses the phase."""
    return {
        "changed": changed,
        "phase_choice": "",
        "phase_options": [(pid, f"{n}. {name}") for n, (pid, name) in enumerate(changed.phases, 1)],
    }


@dataclass(frozen=True)
class _Shown:
    """The page shown again: a notice, or one form's values and errors."""

    notice: str | None = None
    forms: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    errors: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    status: int = 200


def _page(
    request: Request,
    ctx: WebContext,
    db: Session,
    clinician_id: str,
    who: LinkedAccount,
    shown: _Shown | None = None,
) -> HTMLResponse:
    """The person's rehabilitation page, with the values and errors of a form sent back."""
    shown = shown or _Shown()
    today = _today(request, who)
    view = rehab.clinician_view(
        db, clinician_id=clinician_id, person_id=who.id, today=today, kb=ctx.kb
    )
    data: dict[str, Any] = {
        "who": who,
        "base": _base(who),
        "notice": shown.notice,
        "today": today.isoformat(),
        "forms": shown.forms,
        "errors": shown.errors,
        "status": None,
        "changed": None,
        "all_errors": {k: v for group in shown.errors.values() for k, v in group.items()},
    }
    if view.changed is not None:
        data.update(_changed_context(view.changed))
    elif view.status is None:
        data.update(_assign_context(ctx, view.past))
    else:
        data.update(clinician_plan_context(ctx.kb, view, view.status, who, today, clinician_id))
    return HTMLResponse(ctx.render(request, "clinician_rehab.html", data), status_code=shown.status)


def _errors(exc: FormError, rename: Mapping[str, str] | None = None) -> dict[str, str]:
    """The service's messages, keyed by the form's fields and naming them."""
    out: dict[str, str] = {}
    for field, message in exc.errors.items():
        name = (rename or {}).get(field, field)
        text = message.rstrip(".")
        if text.startswith("Required") and name in REQUIRED_WORDS:
            text = REQUIRED_WORDS[name]
        elif name in LABELS and not text.startswith(LABELS[name]):
            text = f"{LABELS[name]}: {text[:1].lower()}{text[1:]}"
        out.setdefault(name, text)
    return out


# --- routes ---------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def rehab_page(
    request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str, done: str = ""
) -> HTMLResponse:
    who = _person(db, user.id, person_id)
    return _page(request, ctx, db, user.id, who, _Shown(notice=NOTICES.get(done)))


@router.post("/assign", response_class=HTMLResponse)
def assign(
    request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str, values: AssignForm
) -> Response:
    who = _person(db, user.id, person_id)
    given = {k: v for k, v in values.items() if v.strip()}
    try:
        rehab.clinician_assign(
            db,
            clinician_id=user.id,
            person_id=who.id,
            values=given,
            today=_today(request, who),
            kb=ctx.kb,
        )
    except FormError as exc:
        errors = _errors(exc)
        if "programme" in errors and "already" in errors["programme"]:
            errors["programme"] = (
                f"Programme: {who.display_name} already follows one. It "
                "must be stopped before another one starts"
            )
        return _page(
            request,
            ctx,
            db,
            user.id,
            who,
            _Shown(forms={"assign": values}, errors={"assign": errors}, status=422),
        )
    return redirect(_base(who) + "?done=assigned")


@router.post("/phase", response_class=HTMLResponse)
def set_phase(
    request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str, values: PhaseForm
) -> Response:
    who = _person(db, user.id, person_id)
    try:
        rehab.clinician_set_phase(
            db,
            clinician_id=user.id,
            person_id=who.id,
            phase=values["phase"],
            today=_today(request, who),
            kb=ctx.kb,
        )
    except NotFoundError:  # no programme to move (stopped meanwhile): show the page again
        return redirect(_base(who))
    except FormError as exc:
        return _page(
            request,
            ctx,
            db,
            user.id,
            who,
            _Shown(forms={"phase": values}, errors={"phase": _errors(exc)}, status=422),
        )
    return redirect(_base(who) + "?done=phase")


@router.post("/adjust", response_class=HTMLResponse)
def adjust(
    request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str, values: AdjustForm
) -> Response:
    who = _person(db, user.id, person_id)
    phase, _, exercise = values["item"].partition(":")
    given: dict[str, object] = {
        "phase": phase,
        "exercise": exercise,
        "sets": values["sets"],
        "amount": values["amount"],
        "load": values["load"],
        "note": values["note"],
        "removed": "true" if values["removed"] else "false",
    }
    try:
        if not values["item"]:
            raise FormError({"item": "Required: an exercise of the programme."})
        rehab.clinician_adjust(db, clinician_id=user.id, person_id=who.id, values=given, kb=ctx.kb)
    except (NotFoundError, rehab.ProgrammeChangedError):
        return redirect(_base(who))
    except FormError as exc:
        return _page(
            request,
            ctx,
            db,
            user.id,
            who,
            _Shown(
                forms={"adjust": values},
                status=422,
                errors={"adjust": _errors(exc, {"phase": "item", "exercise": "item"})},
            ),
        )
    return redirect(_base(who) + "?done=adjusted")


@router.get("/handout.pdf")
def handout_pdf(request: Request, ctx: Ctx, db: Db, user: Clinician, person_id: str) -> Response:
    """The person's programme with the clinician's doses, dated with the person's today."""
    from calfcare.services.rehab import handout

    who = _person(db, user.id, person_id)
    try:
        got = handout.plan_handout(
            db, owner_id=who.id, kb=ctx.kb, today=_today(request, who), person_name=who.display_name
        )
    except (NotFoundError, rehab.ProgrammeChangedError):
        raise HTTPException(status_code=404) from None
    name = f"calfcare-{got.programme.replace('_', '-')}-{got.variant.replace('_', '-')}.pdf"
    return Response(
        got.pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
