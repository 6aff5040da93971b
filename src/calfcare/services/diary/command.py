"""Adding an episode from the command line (`calfcare diary add`), typed in the person's units.

The options are keyed by the record's fields (`duration_s`, `fluid_l`); durations,
temperatures and volumes are read as on the pages' forms (`entry.py`): a bare number in the
person's units (millilitres or US fluid ounces for a volume), or a number with its unit
(`0.5L`, `16oz`). A time is ISO 8601 (`2026-11-25T07:30`), in the person's time zone unless it
has an offset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from calfcare.engine.doctor_prompts import DoctorPrompt
from calfcare.errors import FormError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import units as u
from calfcare.services.diary.crud import create_episode
from calfcare.services.diary.entry import RANGES, VOLUME_WORDS
from calfcare.services.diary.insights import insights
from calfcare.services.diary.records import EPISODE_FIELDS, EpisodeRecord, aware_now
from calfcare.services.diary.validation import episode_values


@dataclass(frozen=True)
class LoggedEpisode:
    """An episode just added, and the doctor prompts the diary meets now that it is in."""

    episode: EpisodeRecord
    prompts: tuple[DoctorPrompt, ...]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _typed_moment(text: str | None, now: datetime, tz: tzinfo, errors: dict[str, str]) -> datetime:
    """When the episode started: typed (in `tz` unless it has an offset), or now."""
    if text is None:
        return now.astimezone(tz)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        errors["occurred_at"] = (
            f"'{text}' is not a date and time such as 2026-11-25T07:30 or 2026-11-25T07:30+01:00."
        )
        return now.astimezone(tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _volume(text: str, system: u.UnitSystem) -> float:
    """A typed fluid volume in litres; a bare number that looks like the other unit refused."""
    slip = u.volume_slip(text, system, RANGES["fluid"][2])
    if slip:
        raise ValueError(f"a bare number is in {VOLUME_WORDS[system]}: {slip}")
    return u.parse_quantity("volume", text, system)


#: What the command line reads in the person's units, in the order its errors are listed.
_TYPED: tuple[tuple[str, Callable[[str, u.UnitSystem], float]], ...] = (
    ("duration_s", lambda text, _: u.parse_duration(text)),
    ("temperature_c", lambda text, system: u.parse_quantity("temperature", text, system)),
    ("fluid_l", _volume),
)


def _typed_episode(
    typed: Mapping[str, str | bool | None], system: u.UnitSystem, now: datetime, tz: tzinfo
) -> tuple[dict[str, object], dict[str, str]]:
    """The record's values from what was typed, and the errors of what could not be read."""
    errors: dict[str, str] = {}
    read_here = {"occurred_at", *(field for field, _ in _TYPED)}
    values: dict[str, object] = {
        k: v
        for k, v in typed.items()
        if k in EPISODE_FIELDS and k not in read_here and v is not None
    }
    when = typed.get("occurred_at")
    values["occurred_at"] = _typed_moment(when if isinstance(when, str) else None, now, tz, errors)
    for field, parse in _TYPED:
        text = typed.get(field)
        if isinstance(text, str):
            try:
                values[field] = parse(text, system)
            except ValueError as exc:
                errors[field] = _sentence(str(exc))
    for field, unit in (("humidity_pct", "%"), ("carbohydrate_g", "g")):
        given = values.get(field)
        if isinstance(given, str):
            values[field] = given.strip().removesuffix(unit)
    return values, errors


def log_episode(
    session: Session,
    *,
    owner_id: str,
    typed: Mapping[str, str | bool | None],
    system: u.UnitSystem,
    tz: tzinfo,
    kb: KnowledgeBase,
    now: datetime | None = None,
) -> LoggedEpisode:
    """Add an episode from what was typed on the command line, keyed by the record's fields.

    None means not given. Durations, temperatures and volumes are read in `system`; a time
    without an offset in `tz`. FormError names every bad field, and nothing is saved.
    """
    at = aware_now(now)
    values, errors = _typed_episode(typed, system, at, tz)
    try:
        episode_values(values, now=at, tz=tz)
    except FormError as exc:
        errors = {**errors, **{k: v for k, v in exc.errors.items() if k not in errors}}
    if errors:
        raise FormError(errors)
    record = create_episode(session, owner_id=owner_id, values=values, now=at, tz=tz)
    found = insights(session, owner_id=owner_id, now=at, tz=tz, kb=kb)
    return LoggedEpisode(episode=record, prompts=found.prompts)
