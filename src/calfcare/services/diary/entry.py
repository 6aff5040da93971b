"""Entering records as a person types them: in their own units and time zone, with messages
that name the field they typed in.

The pages' forms and the command line (`command.py`) take durations (`1m30s`), temperatures,
volumes and distances in the person's units (`86`, `30C`, `500`, `16oz`); the records are
stored in SI. Reading them here, rather than in each shell, keeps one set of rules and one
error shape: a `FormError` whose `errors` map each field, by the name the person saw, to its
message.

A form's fields are named as on the page (`duration`, `temperature`); the command line's by
the record's field (`duration_s`, `temperature_c`), which the command maps to its options.

Dates and times come from the browser's own date and time picker (`datetime-local`), which
sends `2026-11-25T07:30` whatever it shows the person (`25/11/2026, 07:30`,
`11/25/2026, 7:30 AM`); a browser without the picker shows a text box holding the same
text, and a space may stand for the `T`. The time is in the person's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo

from sqlalchemy.orm import Session

from calfcare.errors import FormError
from calfcare.services import units as u
from calfcare.services.diary.crud import (
    create_episode,
    create_training,
    own_episode,
    own_training,
    update_episode,
    update_training,
)
from calfcare.services.diary.records import EpisodeRecord, TrainingRecord, aware_now
from calfcare.services.diary.validation import episode_values, training_values
from calfcare.services.forms import EARLIEST, MAX_FUTURE

#: The episode form's fields, in page order (errors are listed in this order).
EPISODE_FORM = (
    "occurred_at",
    "leg",
    "muscle",
    "duration",
    "severity",
    "activity",
    "session_load",
    "woke_from_sleep",
    "temperature",
    "humidity",
    "fluid",
    "carbohydrate_g",
    "helped",
    "notes",
)
TRAINING_FORM = ("started_at", "activity", "duration_min", "intensity", "distance", "notes")
#: Field names of the records (SI) -> of the forms (the person's units).
RECORD_TO_FORM = {
    "duration_s": "duration",
    "temperature_c": "temperature",
    "humidity_pct": "humidity",
    "fluid_l": "fluid",
    "distance_km": "distance",
}
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
#: Ranges of the quantities, in SI, as `validation.py` checks them.
RANGES: dict[str, tuple[u.Quantity, float, float, str]] = {
    "temperature": ("temperature", -30, 55, "the air temperature"),
    "fluid": ("volume", 0, 10, "how much you drank"),
    "distance": ("distance", 0, 1000, "the distance"),
}
#: The unit a bare volume is in, by unit system.
VOLUME_WORDS: dict[u.UnitSystem, str] = {"metric": "millilitres", "imperial": "US fluid ounces"}
#: What each date and time field of the forms is about, for its messages.
MOMENT_WORDS = {"occurred_at": "the cramp started", "started_at": "the session started"}
#: What a `datetime-local` field sends (seconds are optional), or a space for the `T`.
_LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?", re.ASCII)


# --- the forms of the pages -----------------------------------------------------------------


def volume_slip(text: str, system: u.UnitSystem) -> str | None:
    """The message for a bare fluid volume that looks typed in the other unit, or None."""
    slip = u.volume_slip(text, system, RANGES["fluid"][2])
    return f"Enter how much you drank in {VOLUME_WORDS[system]}: {slip}" if slip else None


def _quantity(name: str, text: str, system: u.UnitSystem, errors: dict[str, str]) -> float | None:
    """A typed quantity in SI, or None (empty, or its error added to `errors`)."""
    if not text.strip():
        return None
    quantity, lo, hi, what = RANGES[name]
    slip = volume_slip(text, system) if quantity == "volume" else None
    if slip:
        errors[name] = slip
        return None
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


def form_moment(
    name: str, text: str, *, now: datetime, tz: tzinfo, errors: dict[str, str]
) -> datetime | None:
    """The moment a date and time field holds (local to `tz`), in UTC.

    None when it is empty (the record's check then says it is needed) or when it cannot be
    read, with a message naming the field added to `errors`.
    """
    raw = text.strip()
    if not raw:
        return None
    what = MOMENT_WORDS.get(name, "it started")
    try:
        if not _LOCAL_MOMENT.fullmatch(raw):
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw.replace(" ", "T")).replace(tzinfo=tz).astimezone(UTC)
    except (ValueError, OverflowError):
        errors[name] = (
            f"Enter a real date and time for when {what}: pick it, or type it as "
            "year-month-day and hours:minutes, such as 2026-11-25 07:30"
        )
        return None
    if moment < EARLIEST:
        errors[name] = f"Enter a date in 1900 or later for when {what}"
        return None
    if moment > aware_now(now) + MAX_FUTURE:
        errors[name] = f"Enter a date and time in the past for when {what}"
        return None
    return moment


def _form_duration(text: str, errors: dict[str, str]) -> int | None:
    if not text.strip():
        return None
    try:
        duration = u.parse_duration(text)
    except ValueError as exc:
        errors["duration"] = f"Enter how long it lasted, for example 90s, 2m or 1m30s: {exc}"
        return None
    if not 1 <= duration <= 86_400:
        errors["duration"] = "Enter a duration from 1 second to 24 hours"
        return None
    return duration


def _episode_form_input(
    form: Mapping[str, str], system: u.UnitSystem, now: datetime, tz: tzinfo
) -> tuple[dict[str, object], dict[str, str]]:
    """The record's SI values from the form, and the errors found on the way."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "occurred_at": form_moment(
            "occurred_at", form["occurred_at"], now=now, tz=tz, errors=errors
        ),
        "leg": form["leg"],
        "muscle": form["muscle"],
        "duration_s": _form_duration(form["duration"], errors),
        "severity": form["severity"],
        "activity": form["activity"],
        "session_load": form["session_load"],
        "woke_from_sleep": form["woke_from_sleep"] or "no",
        "temperature_c": _quantity("temperature", form["temperature"], system, errors),
        "humidity_pct": form["humidity"],
        "fluid_l": _quantity("fluid", form["fluid"], system, errors),
        "carbohydrate_g": form["carbohydrate_g"],
        "helped": form["helped"],
        "notes": form["notes"],
    }
    return values, errors


def _training_form_input(
    form: Mapping[str, str], system: u.UnitSystem, now: datetime, tz: tzinfo
) -> tuple[dict[str, object], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "started_at": form_moment("started_at", form["started_at"], now=now, tz=tz, errors=errors),
        "activity": form["activity"],
        "duration_min": form["duration_min"],
        "intensity": form["intensity"],
        "distance_km": _quantity("distance", form["distance"], system, errors),
        "notes": form["notes"],
    }
    return values, errors


def _form_errors(exc: FormError, form: Mapping[str, str]) -> dict[str, str]:
    """A record's errors by the names of the form, in its words for a field left empty."""
    out: dict[str, str] = {}
    for field, message in exc.errors.items():
        name = RECORD_TO_FORM.get(field, field)
        if not form.get(name, "").strip() and name in REQUIRED_WORDS:
            out[name] = REQUIRED_WORDS[name]
        else:
            out[name] = message.rstrip(".")
    return out


def _raised(check: Callable[[], object]) -> FormError | None:
    """The FormError that `check` raises, if any: a form shows it with its own errors."""
    try:
        check()
    except FormError as exc:
        return exc
    return None


def _refuse_if_bad(
    order: Sequence[str],
    checked: FormError | None,
    unread: Mapping[str, str],
    form: Mapping[str, str],
) -> None:
    """FormError with every error, in page order.

    `unread` holds the errors of what could not be read in the person's units; each wins over
    the record's error for the same field, which would only say that the field is missing.
    """
    errors = {**(_form_errors(checked, form) if checked else {}), **unread}
    if errors:
        raise FormError(
            {
                k: errors[k]
                for k in sorted(
                    errors, key=lambda k: (order.index(k) if k in order else len(order), k)
                )
            }
        )


def save_episode_form(
    session: Session,
    *,
    owner_id: str,
    episode_id: str | None,
    form: Mapping[str, str],
    system: u.UnitSystem,
    now: datetime,
    tz: tzinfo,
) -> EpisodeRecord:
    """Add (`episode_id` None) or change an episode from the page's form.

    NotFoundError first for someone else's episode; then FormError naming every bad field
    by its name on the page, before anything is saved.
    """
    if episode_id is not None:
        own_episode(session, owner_id, episode_id)
    values, errors = _episode_form_input(form, system, now, tz)
    given = {k: v for k, v in values.items() if v is not None}
    checked = _raised(lambda: episode_values(given, now=aware_now(now), tz=tz))
    _refuse_if_bad(EPISODE_FORM, checked, errors, form)
    if episode_id is None:
        return create_episode(session, owner_id=owner_id, values=given, now=now, tz=tz)
    return update_episode(
        session, owner_id=owner_id, episode_id=episode_id, values=values, now=now, tz=tz
    )


def save_training_form(
    session: Session,
    *,
    owner_id: str,
    training_id: str | None,
    form: Mapping[str, str],
    system: u.UnitSystem,
    now: datetime,
    tz: tzinfo,
) -> TrainingRecord:
    """Add (`training_id` None) or change a training session from the page's form."""
    if training_id is not None:
        own_training(session, owner_id, training_id)
    values, errors = _training_form_input(form, system, now, tz)
    given = {k: v for k, v in values.items() if v is not None}
    checked = _raised(lambda: training_values(given, now=aware_now(now), tz=tz))
    _refuse_if_bad(TRAINING_FORM, checked, errors, form)
    if training_id is None:
        return create_training(session, owner_id=owner_id, values=given, now=now, tz=tz)
    return update_training(
        session, owner_id=owner_id, training_id=training_id, values=values, now=now, tz=tz
    )


def local_input(moment: datetime, tz: tzinfo) -> str:
    """A moment as a datetime-local field holds it, in the zone `tz` (`2026-11-25T07:30`)."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def new_episode_form(now: datetime, tz: tzinfo) -> dict[str, str]:
    """What an empty episode form starts with: now, the calf, not woken, no session."""
    return {
        "occurred_at": local_input(now, tz),
        "muscle": "calf",
        "woke_from_sleep": "no",
        "session_load": "",
    }


def new_training_form(now: datetime, tz: tzinfo) -> dict[str, str]:
    return {"started_at": local_input(now, tz)}


def typed_fluid(litres: float | None, system: u.UnitSystem) -> str:
    """A stored volume as its field shows it: a bare number in the person's unit, or with the
    unit when the bare number would look typed in the other unit (`5 ml`), so that a form
    saved unchanged is never refused."""
    text = u.typed_value("volume", litres, system)
    return f"{text} {u.symbol('volume', system)}" if volume_slip(text, system) else text


def episode_form(e: EpisodeRecord, system: u.UnitSystem, tz: tzinfo) -> dict[str, str]:
    """A stored episode as its form shows it (times in the zone `tz`)."""
    return {
        "occurred_at": local_input(e.occurred_at, tz),
        "leg": e.leg,
        "muscle": e.muscle,
        "duration": u.format_duration(e.duration_s),
        "severity": str(e.severity),
        "activity": e.activity,
        "session_load": e.session_load or "",
        "woke_from_sleep": "yes" if e.woke_from_sleep else "no",
        "temperature": u.typed_value("temperature", e.temperature_c, system),
        "humidity": u.plain_number(e.humidity_pct, 0),
        "fluid": typed_fluid(e.fluid_l, system),
        "carbohydrate_g": u.plain_number(e.carbohydrate_g, 0),
        "helped": e.helped,
        "notes": e.notes,
    }


def training_form(s: TrainingRecord, system: u.UnitSystem, tz: tzinfo) -> dict[str, str]:
    """A stored training session as its form shows it (times in the zone `tz`)."""
    return {
        "started_at": local_input(s.started_at, tz),
        "activity": s.activity,
        "duration_min": str(s.duration_min),
        "intensity": str(s.intensity),
        "distance": u.typed_value("distance", s.distance_km, system),
        "notes": s.notes,
    }
