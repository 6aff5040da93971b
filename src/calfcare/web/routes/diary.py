"""The symptom diary in the browser: episodes, training sessions, insights, export, import.

Only signed-in persons have a diary (a clinician reads a linked person's diary through
/clinician). Every record is looked up with the owner's id (services/diary.py), so another
person's id answers 404 exactly like an id that does not exist.

Values are shown and typed in the person's units (metric or imperial, services/units.py) and
stored in SI. Times are entered and shown in the person's time zone (their account's) and
stored in UTC. Handlers are plain `def`: their database
session commits before the redirect is sent (`scope="function"`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from calfcare.engine.insights import DoctorPrompt, Insights
from calfcare.errors import FormError, NotFoundError, RequestError
from calfcare.services import diary
from calfcare.services import units as u
from calfcare.services.accounts import Account, zone_of
from calfcare.services.text import shown
from calfcare.web import auth, charts
from calfcare.web.auth import CurrentUser
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.forms import FormText, fields_of
from calfcare.web.interview import InterviewState

router = APIRouter(prefix="/diary", include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]
PAGE_SIZE = 50
#: The last page of a diary that can be asked for (five million episodes).
MAX_PAGE = 100_000
SESSIONS_SHOWN = 50
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
#: An export holds three files; a zip with many more is not one.
MAX_ZIP_MEMBERS = 10
#: How export writes its zip; other methods (deflate64, encryption...) cannot all be read.
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

NOTICES = {
    "episode_added": "The episode has been added to your diary.",
    "episode_saved": "The episode has been changed.",
    "episode_deleted": "The episode has been deleted.",
    "session_added": "The training session has been added to your diary.",
    "session_saved": "The training session has been changed.",
    "session_deleted": "The training session has been deleted.",
    "assessment_saved": "The result has been saved to your diary.",
    "assessment_deleted": "The saved result has been deleted.",
}

LEG_WORDS = {"left": "Left", "right": "Right", "both": "Both legs"}
LOAD_WORDS = {"": "Not in a training session, or not sure", "less": "Less than usual",
              "usual": "About as usual", "longer": "Longer than usual",
              "harder": "Harder (faster or steeper) than usual"}
ACTIVITY_WORDS = {a: a.replace("_", " ").capitalize() for a in diary.ACTIVITIES}
ACTIVITY_WORDS.update({"racket_sport": "Racket sport", "gym": "Gym or weights",
                       "work": "At work", "other": "Something else"})
FLAG_WORDS = {"longer_or_harder": "Longer or harder session", "heat": "In heat",
              "without_fuel": "Without fuel", "woke_from_sleep": "Woke from sleep",
              "long": "Longer than 10 minutes"}
TIME_OF_DAY_WORDS = {"night": "Night (0–6 h)", "morning": "Morning (6–12 h)",
                     "afternoon": "Afternoon (12–18 h)", "evening": "Evening (18–24 h)"}

#: The episode form's fields, in page order (errors are listed in this order).
EPISODE_FORM = ("occurred_at", "leg", "muscle", "duration", "severity", "activity",
                "session_load", "woke_from_sleep", "temperature", "humidity", "fluid",
                "carbohydrate_g", "helped", "notes")
TRAINING_FORM = ("started_at", "activity", "duration_min", "intensity", "distance", "notes")
#: Field names of the service (SI) -> of the form (the person's units).
SERVICE_TO_FORM = {"duration_s": "duration", "temperature_c": "temperature",
                   "humidity_pct": "humidity", "fluid_l": "fluid", "distance_km": "distance"}
REQUIRED_WORDS = {
    "occurred_at": "Enter the date and time the cramp started",
    "leg": "Select which leg it was",
    "duration": "Enter how long the cramp lasted, for example 90s, 2m or 1m30s",
    "severity": "Enter how bad it was, as a whole number from 0 to 10",
    "activity": "Select what you were doing",
    "started_at": "Enter the date and time the session started",
    "duration_min": "Enter how long the session lasted, in whole minutes",
    "intensity": "Enter how hard the session was, as a whole number from 1 to 10",
}
#: Ranges of the quantities, in SI, as services/diary.py checks them.
RANGES: dict[str, tuple[u.Quantity, float, float, str]] = {
    "temperature": ("temperature", -30, 55, "the air temperature"),
    "fluid": ("volume", 0, 10, "how much you drank"),
    "distance": ("distance", 0, 1000, "the distance"),
}


# --- who may use the diary ------------------------------------------------------------------

def require_person(user: CurrentUser) -> Account:
    """The signed-in person; a clinician has no diary of their own (404)."""
    if user.role != "person":
        raise HTTPException(status_code=404)
    return user


Person = Annotated[Account, Depends(require_person)]


def _page(ctx: WebContext, request: Request, name: str, data: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    return HTMLResponse(ctx.render(request, name, data), status_code=status)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _units(user: Account) -> u.UnitSystem:
    return "imperial" if user.units == "imperial" else "metric"


# --- showing records ------------------------------------------------------------------------

def _number(value: float | None, digits: int) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_quantity(quantity: u.Quantity, si_value: float | None, system: u.UnitSystem) -> str:
    """A stored value as the person types it (no unit), e.g. `86` for 30 °C in imperial."""
    if si_value is None:
        return ""
    return _number(u.to_display(quantity, si_value, system), u.DIGITS[quantity][system])


def when(moment: datetime, tz: tzinfo = UTC) -> str:
    """E.g. `Tue 24 Nov 2026, 07:30 GMT`: in the zone `tz`, labelled with its abbreviation."""
    m = moment.astimezone(tz)
    return f"{m:%a} {m.day} {m:%b %Y, %H:%M} {m.tzname() or 'UTC'}"


def episode_view(e: diary.EpisodeRecord, system: u.UnitSystem,
                 flags: Sequence[str] = (), tz: tzinfo = UTC) -> dict[str, Any]:
    details = [ACTIVITY_WORDS.get(e.activity, e.activity)]
    if e.session_load:
        details.append(LOAD_WORDS[e.session_load].lower().replace("about as usual",
                                                                 "usual session"))
    if e.woke_from_sleep:
        details.append("woke me up")
    if e.temperature_c is not None:
        details.append(u.format_quantity("temperature", e.temperature_c, system)
                       .replace(" ", "\u00a0"))
    return {
        "id": e.id, "when": when(e.occurred_at, tz), "leg": LEG_WORDS.get(e.leg, e.leg),
        "muscle": e.muscle, "duration": u.format_duration(e.duration_s),
        "severity": e.severity, "details": ", ".join(details), "helped": e.helped,
        "notes": e.notes, "flags": [FLAG_WORDS.get(f, f) for f in flags],
    }


def training_view(s: diary.TrainingRecord, system: u.UnitSystem,
                  tz: tzinfo = UTC) -> dict[str, Any]:
    return {"id": s.id, "when": when(s.started_at, tz),
            "activity": ACTIVITY_WORDS.get(s.activity, s.activity),
            "duration": u.format_duration(s.duration_min * 60), "intensity": s.intensity,
            "distance": u.format_quantity("distance", s.distance_km, system)
            .replace(" ", "\u00a0"),
            "notes": s.notes}


def prompt_view(ctx: WebContext, p: DoctorPrompt) -> dict[str, Any]:
    level = ctx.kb.levels[p.level]
    return {"title": p.title, "message": p.message, "criterion": p.criterion,
            "observed": p.observed, "family": level.family, "label": level.label,
            "basis": p.basis, "note": p.note,
            "sources": [diary.citation(ctx.kb, r) for r in p.references]}


def insights_view(ctx: WebContext, ins: Insights, id_prefix: str = "",
                  zone_name: str = "UTC") -> dict[str, Any]:
    """The charts (inline SVG) and their text alternatives."""
    weeks = [charts.Bar(f"{b.start.day} {b.start:%b}", b.count, str(b.count))
             for b in ins.weeks]
    week_total = sum(b.count for b in ins.weeks)
    weekly = charts.columns(
        f"{id_prefix}chart-weeks", "Episodes per week, last 12 weeks",
        f"{week_total} episodes in the last 12 weeks. " + "; ".join(
            f"week of {b.label}: {int(b.value)}" for b in weeks) + ".", weeks, label_every=3)
    tod = [charts.Bar(TIME_OF_DAY_WORDS[c.key].split(" (")[0], c.count, str(c.count))
           for c in ins.time_of_day]
    by_time = charts.rows(
        f"{id_prefix}chart-time", f"Episodes by time of day ({zone_name})",
        "; ".join(f"{b.label}: {int(b.value)}" for b in tod) + ".", tod)
    acts = [charts.Bar(ACTIVITY_WORDS.get(c.key, c.key), c.count, str(c.count))
            for c in ins.activities]
    by_activity = charts.rows(
        f"{id_prefix}chart-activity", "Episodes by activity",
        ("; ".join(f"{b.label}: {int(b.value)}" for b in acts) + ".") if acts
        else "No episodes in the last 12 months.", acts or [charts.Bar("None yet", 0, "0")])
    share_bars = [charts.Bar(s.title.replace("In a longer or harder session than usual",
                                             "Longer or harder"), 100 * s.fraction,
                             f"{s.count} of {s.total}" + (f" ({s.fraction:.0%})"
                                                          if s.total else ""))
                  for s in ins.shares]
    shares = charts.rows(
        f"{id_prefix}chart-shares", "Share of episodes in each circumstance",
        "; ".join(f"{s.title}: {s.count} of {s.total} episodes" for s in ins.shares) + ".",
        share_bars, maximum=100, label_width=130)
    return {
        "total": ins.total, "since": f"{ins.period_start.day} {ins.period_start:%B %Y}",
        "weekly": weekly, "weeks": weeks, "week_total": week_total,
        "by_time": by_time, "times": tod, "by_activity": by_activity, "activities": acts,
        "shares_chart": shares, "shares": ins.shares,
        "median_duration": u.format_duration(round(ins.median_duration_s))
        if ins.median_duration_s is not None else None,
        "median_severity": _number(ins.median_severity, 1)
        if ins.median_severity is not None else None,
        "prompts": [prompt_view(ctx, p) for p in ins.prompts],
    }


def diary_data(ctx: WebContext, request: Request, db: Session, owner_id: str,
               system: u.UnitSystem, page: int, time_zone: str = "UTC") -> dict[str, Any]:
    """What the diary list shows (the person's own page and the clinician's read-only one).

    Times are shown in `time_zone`, the diary owner's.
    """
    tz = zone_of(time_zone)
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    episodes = diary.list_episodes(db, owner_id=owner_id, limit=PAGE_SIZE + 1, offset=offset)
    shown = episodes[:PAGE_SIZE]
    sessions = diary.list_training(db, owner_id=owner_id, limit=SESSIONS_SHOWN)
    ins = diary.insights(db, owner_id=owner_id, now=auth.now(request), tz=tz, kb=ctx.kb)
    flagged = set().union(*(p.episode_ids for p in ins.prompts)) if ins.prompts else set()
    return {
        "episodes": [episode_view(e, system, ("prompt",) if e.id in flagged else (), tz)
                     for e in shown],
        "page": page, "has_next": len(episodes) > PAGE_SIZE, "has_prev": page > 1,
        "sessions": [training_view(s, system, tz) for s in sessions],
        "assessments": [{"id": a.id, "when": when(a.created_at, tz),
                         "level": ctx.kb.levels[a.triage_level].label,
                         "condition": ctx.kb.guides[a.top_condition].common_name
                         if a.top_condition in ctx.kb.guides else a.top_condition}
                        for a in diary.list_assessments(db, owner_id=owner_id, limit=10)],
        "prompts": [prompt_view(ctx, p) for p in ins.prompts],
        "time_zone": time_zone, "insights": ins,
    }


# --- the diary page -------------------------------------------------------------------------

#: A page number of the diary list: 1 to MAX_PAGE, anything else is a 422 naming `page`.
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of the diary, from 1")]


@router.get("", response_class=HTMLResponse)
def diary_page(request: Request, ctx: Ctx, db: Db, user: CurrentUser, page: PageNumber = 1,
               done: str = "") -> Response:
    if user.role == "clinician":
        return _redirect("/clinician")
    data = diary_data(ctx, request, db, user.id, _units(user), page, user.time_zone)
    return _page(ctx, request, "diary.html", {**data, "notice": NOTICES.get(done),
                                              "read_only": False, "base": "/diary"})


@router.get("/insights", response_class=HTMLResponse)
def insights_page(request: Request, ctx: Ctx, db: Db, user: Person) -> HTMLResponse:
    ins = diary.insights(db, owner_id=user.id, now=auth.now(request), tz=user.zone, kb=ctx.kb)
    return _page(ctx, request, "diary_insights.html",
                 {"ins": insights_view(ctx, ins, zone_name=user.time_zone), "who": None,
                  "time_zone": user.time_zone})


# --- reading forms --------------------------------------------------------------------------

def _merge_errors(order: Sequence[str], *groups: Mapping[str, str]) -> dict[str, str]:
    """Errors in page order; a later group wins for the same field."""
    merged: dict[str, str] = {}
    for group in groups:
        merged.update(group)
    return {k: merged[k] for k in sorted(merged, key=lambda k: (
        order.index(k) if k in order else len(order), k))}


def _service_errors(exc: FormError, values: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, message in exc.errors.items():
        name = SERVICE_TO_FORM.get(field, field)
        if not values.get(name, "").strip() and name in REQUIRED_WORDS:
            out[name] = REQUIRED_WORDS[name]
        else:
            out[name] = message.rstrip(".")
    return out


def _quantity(name: str, text: str, system: u.UnitSystem, errors: dict[str, str]
              ) -> float | None:
    if not text.strip():
        return None
    quantity, lo, hi, what = RANGES[name]
    try:
        value = u.parse_quantity(quantity, text, system)
    except ValueError as exc:
        errors[name] = f"Enter {what} as a number: {exc}"
        return None
    if not lo - 1e-9 <= value <= hi + 1e-9:
        low = u.format_quantity(quantity, lo, system, digits=0)
        high = u.format_quantity(quantity, hi, system, digits=0)
        errors[name] = f"Enter {what} from {low} to {high}"
        return None
    return min(max(value, lo), hi)


def _episode_input(values: Mapping[str, str], system: u.UnitSystem
                   ) -> tuple[dict[str, object], dict[str, str]]:
    """The service's SI values from the form, and the errors found on the way."""
    errors: dict[str, str] = {}
    duration: int | None = None
    if values["duration"].strip():
        try:
            duration = u.parse_duration(values["duration"])
        except ValueError as exc:
            errors["duration"] = f"Enter how long it lasted, for example 90s, 2m or 1m30s: {exc}"
        else:
            if not 1 <= duration <= 86_400:
                errors["duration"] = "Enter a duration from 1 second to 24 hours"
                duration = None
    out: dict[str, object] = {
        "occurred_at": values["occurred_at"], "leg": values["leg"], "muscle": values["muscle"],
        "duration_s": duration, "severity": values["severity"], "activity": values["activity"],
        "session_load": values["session_load"],
        "woke_from_sleep": values["woke_from_sleep"] or "no",
        "temperature_c": _quantity("temperature", values["temperature"], system, errors),
        "humidity_pct": values["humidity"], "fluid_l": _quantity("fluid", values["fluid"],
                                                                 system, errors),
        "carbohydrate_g": values["carbohydrate_g"], "helped": values["helped"],
        "notes": values["notes"],
    }
    return out, errors


def _training_input(values: Mapping[str, str], system: u.UnitSystem
                    ) -> tuple[dict[str, object], dict[str, str]]:
    errors: dict[str, str] = {}
    out: dict[str, object] = {
        "started_at": values["started_at"], "activity": values["activity"],
        "duration_min": values["duration_min"], "intensity": values["intensity"],
        "distance_km": _quantity("distance", values["distance"], system, errors),
        "notes": values["notes"],
    }
    return out, errors


EpisodeForm = Annotated[dict[str, str], Depends(fields_of(EPISODE_FORM))]
TrainingForm = Annotated[dict[str, str], Depends(fields_of(TRAINING_FORM))]


def _local_input(moment: datetime, tz: tzinfo = UTC) -> str:
    """A moment as a datetime-local field shows it, in the zone `tz`."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def episode_values(e: diary.EpisodeRecord, system: u.UnitSystem,
                   tz: tzinfo = UTC) -> dict[str, str]:
    """A stored episode as the form shows it (times in the zone `tz`)."""
    return {
        "occurred_at": _local_input(e.occurred_at, tz), "leg": e.leg, "muscle": e.muscle,
        "duration": u.format_duration(e.duration_s), "severity": str(e.severity),
        "activity": e.activity, "session_load": e.session_load or "",
        "woke_from_sleep": "yes" if e.woke_from_sleep else "no",
        "temperature": shown_quantity("temperature", e.temperature_c, system),
        "humidity": _number(e.humidity_pct, 0),
        "fluid": shown_quantity("volume", e.fluid_l, system),
        "carbohydrate_g": _number(e.carbohydrate_g, 0), "helped": e.helped, "notes": e.notes,
    }


def training_values(s: diary.TrainingRecord, system: u.UnitSystem,
                    tz: tzinfo = UTC) -> dict[str, str]:
    return {"started_at": _local_input(s.started_at, tz), "activity": s.activity,
            "duration_min": str(s.duration_min), "intensity": str(s.intensity),
            "distance": shown_quantity("distance", s.distance_km, system), "notes": s.notes}


def _form_context(kind: str, system: u.UnitSystem) -> dict[str, Any]:
    return {
        "kind": kind, "units": system,
        "temp_unit": u.symbol("temperature", system), "fluid_unit": u.symbol("volume", system),
        "distance_unit": u.symbol("distance", system),
        "legs": list(LEG_WORDS.items()), "loads": list(LOAD_WORDS.items()),
        "activities": [(a, ACTIVITY_WORDS[a]) for a in diary.ACTIVITIES],
        "training_activities": [(a, ACTIVITY_WORDS[a]) for a in diary.TRAINING_ACTIVITIES],
    }


# --- episodes -------------------------------------------------------------------------------

def _episode_form(ctx: WebContext, request: Request, user: Account, values: Mapping[str, str],
                  errors: Mapping[str, str], action: str, editing: bool,
                  status: int = 200) -> HTMLResponse:
    return _page(ctx, request, "diary_episode_form.html", {
        **_form_context("episode", _units(user)), "values": values, "errors": errors,
        "time_zone": user.time_zone,
        "action": action, "editing": editing}, status=status)


@router.get("/episodes/new", response_class=HTMLResponse)
def new_episode_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    values = {"occurred_at": _local_input(auth.now(request), user.zone), "muscle": "calf",
              "woke_from_sleep": "no", "session_load": ""}
    return _episode_form(ctx, request, user, values, {}, "/diary/episodes/new", False)


def _save_episode(request: Request, ctx: WebContext, db: Session, user: Account,
                  values: Mapping[str, str], episode_id: str | None) -> Response:
    system = _units(user)
    clean, errors = _episode_input(values, system)
    given = {k: v for k, v in clean.items() if v is not None}
    service_errors: dict[str, str] = {}
    try:
        diary.check_episode(given, now=auth.now(request), tz=user.zone)
    except FormError as exc:
        service_errors = _service_errors(exc, values)
    if errors or service_errors:
        all_errors = _merge_errors(EPISODE_FORM, service_errors, errors)
        action = "/diary/episodes/new" if episode_id is None else \
            f"/diary/episodes/{episode_id}/edit"
        return _episode_form(ctx, request, user, values, all_errors, action,
                             episode_id is not None, status=422)
    if episode_id is None:
        diary.create_episode(db, owner_id=user.id, values=given, now=auth.now(request),
                             tz=user.zone)
    else:
        full = {k: clean.get(k) for k in diary.EPISODE_FIELDS}
        diary.update_episode(db, owner_id=user.id, episode_id=episode_id, values=full,
                             now=auth.now(request), tz=user.zone)
    return _redirect("/diary?done=" + ("episode_added" if episode_id is None
                                       else "episode_saved"))


@router.post("/episodes/new", response_class=HTMLResponse)
def new_episode(request: Request, ctx: Ctx, db: Db, user: Person,
                values: EpisodeForm) -> Response:
    return _save_episode(request, ctx, db, user, values, None)


@router.get("/episodes/{episode_id}/edit", response_class=HTMLResponse)
def edit_episode_page(request: Request, ctx: Ctx, db: Db, user: Person,
                      episode_id: str) -> HTMLResponse:
    e = _own(diary.get_episode, db, owner_id=user.id, episode_id=episode_id)
    return _episode_form(ctx, request, user, episode_values(e, _units(user), user.zone), {},
                         f"/diary/episodes/{episode_id}/edit", True)


@router.post("/episodes/{episode_id}/edit", response_class=HTMLResponse)
def edit_episode(request: Request, ctx: Ctx, db: Db, user: Person, episode_id: str,
                 values: EpisodeForm) -> Response:
    _own(diary.get_episode, db, owner_id=user.id, episode_id=episode_id)
    return _save_episode(request, ctx, db, user, values, episode_id)


@router.get("/episodes/{episode_id}/delete", response_class=HTMLResponse)
def delete_episode_page(request: Request, ctx: Ctx, db: Db, user: Person,
                        episode_id: str) -> HTMLResponse:
    e = _own(diary.get_episode, db, owner_id=user.id, episode_id=episode_id)
    return _page(ctx, request, "diary_delete.html", {
        "what": "episode", "item": episode_view(e, _units(user), tz=user.zone),
        "action": f"/diary/episodes/{episode_id}/delete"})


@router.post("/episodes/{episode_id}/delete")
def delete_episode(db: Db, user: Person, episode_id: str) -> Response:
    _own(diary.delete_episode, db, owner_id=user.id, episode_id=episode_id)
    return _redirect("/diary?done=episode_deleted")


# --- training sessions ----------------------------------------------------------------------

def _training_form(ctx: WebContext, request: Request, user: Account, values: Mapping[str, str],
                   errors: Mapping[str, str], action: str, editing: bool,
                   status: int = 200) -> HTMLResponse:
    return _page(ctx, request, "diary_session_form.html", {
        **_form_context("session", _units(user)), "values": values, "errors": errors,
        "time_zone": user.time_zone,
        "action": action, "editing": editing}, status=status)


def _save_training(request: Request, ctx: WebContext, db: Session, user: Account,
                   values: Mapping[str, str], training_id: str | None) -> Response:
    clean, errors = _training_input(values, _units(user))
    given = {k: v for k, v in clean.items() if v is not None}
    service_errors: dict[str, str] = {}
    try:
        diary.check_training(given, now=auth.now(request), tz=user.zone)
    except FormError as exc:
        service_errors = _service_errors(exc, values)
    if errors or service_errors:
        all_errors = _merge_errors(TRAINING_FORM, service_errors, errors)
        action = "/diary/sessions/new" if training_id is None else \
            f"/diary/sessions/{training_id}/edit"
        return _training_form(ctx, request, user, values, all_errors, action,
                              training_id is not None, status=422)
    if training_id is None:
        diary.create_training(db, owner_id=user.id, values=given, now=auth.now(request),
                              tz=user.zone)
    else:
        diary.update_training(db, owner_id=user.id, training_id=training_id, values=clean,
                              now=auth.now(request), tz=user.zone)
    return _redirect("/diary?done=" + ("session_added" if training_id is None
                                       else "session_saved"))


@router.get("/sessions/new", response_class=HTMLResponse)
def new_training_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    values = {"started_at": _local_input(auth.now(request), user.zone)}
    return _training_form(ctx, request, user, values, {}, "/diary/sessions/new", False)


@router.post("/sessions/new", response_class=HTMLResponse)
def new_training(request: Request, ctx: Ctx, db: Db, user: Person,
                 values: TrainingForm) -> Response:
    return _save_training(request, ctx, db, user, values, None)


@router.get("/sessions/{training_id}/edit", response_class=HTMLResponse)
def edit_training_page(request: Request, ctx: Ctx, db: Db, user: Person,
                       training_id: str) -> HTMLResponse:
    s = _own(diary.get_training, db, owner_id=user.id, training_id=training_id)
    return _training_form(ctx, request, user, training_values(s, _units(user), user.zone), {},
                          f"/diary/sessions/{training_id}/edit", True)


@router.post("/sessions/{training_id}/edit", response_class=HTMLResponse)
def edit_training(request: Request, ctx: Ctx, db: Db, user: Person, training_id: str,
                  values: TrainingForm) -> Response:
    _own(diary.get_training, db, owner_id=user.id, training_id=training_id)
    return _save_training(request, ctx, db, user, values, training_id)


@router.get("/sessions/{training_id}/delete", response_class=HTMLResponse)
def delete_training_page(request: Request, ctx: Ctx, db: Db, user: Person,
                         training_id: str) -> HTMLResponse:
    s = _own(diary.get_training, db, owner_id=user.id, training_id=training_id)
    return _page(ctx, request, "diary_delete.html", {
        "what": "training session", "item": training_view(s, _units(user), user.zone),
        "action": f"/diary/sessions/{training_id}/delete"})


@router.post("/sessions/{training_id}/delete")
def delete_training(db: Db, user: Person, training_id: str) -> Response:
    _own(diary.delete_training, db, owner_id=user.id, training_id=training_id)
    return _redirect("/diary?done=session_deleted")


# --- saved assessments ----------------------------------------------------------------------

@router.post("/assessments", response_class=HTMLResponse)
def save_assessment(request: Request, ctx: Ctx, db: Db, user: Person,
                    state: FormText = "") -> Response:
    """Keep the result the person is looking at (only when they press the button)."""
    try:
        interview = InterviewState.decode(state)
        if not interview.steps:
            raise RequestError("state", "no answers")
        result = ctx.assessor.assess(interview.request())
        diary.save_assessment(db, owner_id=user.id, request=interview.request(),
                              triage_level=result["triage_level"],
                              top_condition=result["conditions"][0]["id"],
                              kb_version=ctx.kb.content_hash, now=auth.now(request))
    except (RequestError, FormError):
        return _page(ctx, request, "assess_broken.html", {}, status=400)
    return _redirect("/diary?done=assessment_saved")


@router.post("/assessments/{assessment_id}/delete")
def delete_assessment(db: Db, user: Person, assessment_id: str) -> Response:
    _own(diary.delete_assessment, db, owner_id=user.id, assessment_id=assessment_id)
    return _redirect("/diary?done=assessment_deleted")


# --- export and import ----------------------------------------------------------------------

@router.get("/export")
def export(request: Request, db: Db, user: Person, format: str = "json") -> Response:
    stamp = auth.now(request).strftime("%Y%m%d")
    if format == "json":
        text = diary.export_json(db, owner_id=user.id, now=auth.now(request))
        return Response(_utf8(text), media_type="application/json", headers={
            "content-disposition": f'attachment; filename="calfcare-diary-{stamp}.json"'})
    if format == "csv":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in diary.export_csv(db, owner_id=user.id).items():
                zf.writestr(name, _utf8(text))
        return Response(buf.getvalue(), media_type="application/zip", headers={
            "content-disposition": f'attachment; filename="calfcare-diary-{stamp}-csv.zip"'})
    raise HTTPException(status_code=404)


def _utf8(text: str) -> bytes:
    """An export as UTF-8, even if it holds a lone surrogate stored before imports refused them.

    Such a character is written as its escape (`\\ud800`), which is what JSON would use.
    """
    return text.encode("utf-8", "backslashreplace")


def _import_page(ctx: WebContext, request: Request, errors: Mapping[str, str],
                 result: diary.ImportResult | None = None, status: int = 200) -> HTMLResponse:
    return _page(ctx, request, "diary_import.html",
                 {"errors": errors, "result": result}, status=status)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, ctx: Ctx, user: Person) -> HTMLResponse:
    return _import_page(ctx, request, {})


def _csv_kind(name: str, text: str) -> str:
    """The export file name a single CSV stands for (by its name, else by its header)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base in diary.CSV_FILES:
        return base
    header = text.removeprefix("\ufeff").split("\n", 1)[0]
    if "occurred_at" in header:
        return "episodes.csv"
    if "started_at" in header:
        return "training_sessions.csv"
    return "saved_assessments.csv"


def _member_text(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> str:
    """One file of an uploaded zip as text; FormError naming `file` if it cannot be read."""
    name = shown(member.filename)
    if member.flag_bits & 0x1:
        raise FormError({"file": f"{name} in the zip file is encrypted; export again without "
                                 "a password."})
    if member.compress_type not in ZIP_METHODS:
        raise FormError({"file": f"{name} in the zip file is compressed in a way calfcare "
                                 "cannot read; zip the files again with ordinary (deflate) "
                                 "compression."})
    try:
        return zf.read(member).decode("utf-8")
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise FormError({"file": f"{name} in the zip file is damaged."}) from None


def _unzip(data: bytes) -> dict[str, str]:
    """The files of an uploaded zip by base name; FormError naming `file` otherwise."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise FormError({"file": f"The zip file holds {len(members)} files; an export "
                                     "holds 3."})
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise FormError({"file": "The zip file is too large once unpacked."})
        files: dict[str, str] = {}
        for m in members:
            base = m.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if base in files:
                raise FormError({"file": f"The zip file holds {shown(base)} twice."})
            files[base] = _member_text(zf, m)
    if not files:
        raise FormError({"file": "The zip file is empty."})
    return files


def _read_upload(name: str, data: bytes) -> tuple[str, str | dict[str, str]]:
    """('json', text) or ('csv', {file name: text}); FormError naming `file` otherwise."""
    try:
        if data[:2] == b"PK":
            return "csv", _unzip(data)
        text = data.decode("utf-8")
    except zipfile.BadZipFile:
        raise FormError({"file": "The file looks like a zip file but cannot be opened."}
                        ) from None
    except UnicodeDecodeError:
        raise FormError({"file": "The file must be UTF-8 text (a calfcare export)."}) from None
    if name.lower().endswith(".json") or text.lstrip().startswith("{"):
        return "json", text
    return "csv", {_csv_kind(name, text): text}


class ImportTooLargeError(FormError):
    """An upload over the import limit (answered 413)."""


def _upload(file: UploadFile | None, limit: int) -> tuple[str, bytes]:
    """The name and bytes of the uploaded file, at most `limit` bytes; FormError otherwise."""
    if file is None or not file.filename:
        raise FormError({"file": "Choose a file to import"})
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ImportTooLargeError({"file": f"The file is larger than {_size(limit)}, the "
                                           "largest import this site accepts"})
    if not data:
        raise FormError({"file": "The file is empty"})
    return file.filename, data


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


@router.post("/import", response_class=HTMLResponse)
def import_diary(request: Request, ctx: Ctx, db: Db, user: Person,
                 file: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    """Import an export (JSON, a CSV file or the zip of CSV files): all of it or nothing."""
    try:
        name, data = _upload(file, ctx.settings.max_import_bytes)
        _, content = _read_upload(name, data)
        if isinstance(content, str):
            result = diary.import_json(db, owner_id=user.id, text=content,
                                       now=auth.now(request), tz=user.zone)
        else:
            result = diary.import_csv(db, owner_id=user.id, files=content,
                                      now=auth.now(request), tz=user.zone)
    except FormError as exc:
        status = 413 if isinstance(exc, ImportTooLargeError) else 422
        return _import_page(ctx, request, exc.errors, status=status)
    return _import_page(ctx, request, {}, result=result)


def _own(action: Any, db: Session, **kwargs: str) -> Any:
    """Run a service call on one of the owner's records; someone else's is a 404."""
    try:
        return action(db, **kwargs)
    except NotFoundError:
        raise HTTPException(status_code=404) from None
