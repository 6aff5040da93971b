"""The symptom diary: a person's cramp episodes, training sessions and saved assessments.

Every function takes a SQLAlchemy `Session` and, keyword-only, the id of the person who owns
the records (`owner_id`). Every read, update and delete filters by that owner: another
person's record is reported exactly like one that does not exist (`NotFoundError`, same
message), so an id reveals nothing. Records come back as frozen dataclasses.

Functions flush but never commit: the caller (a web request, a CLI command) owns the
transaction, so a use case and whatever surrounds it commit or roll back together.

Values come in as a mapping of field name to value, either Python values or the strings of a
form or CSV file (`"7"`, `"true"`, `"2026-11-25T07:30+01:00"`, `""` for empty). Invalid input
raises `FormError` naming every bad field. Quantities are SI (°C, L, g, s, km); times are stored
in UTC, and a time without an offset is read in the zone passed as `tz` (UTC by default).

Export and import, both of all of a person's diary:

* JSON: one document (`"format": "calfcare-diary/1"`) holding episodes, training sessions and
  saved assessments; the complete copy.
* CSV: one file per record type, each with a header row: `episodes.csv`,
  `training_sessions.csv` and `saved_assessments.csv` (its `request` column holds the request
  as JSON text). Text cells that a spreadsheet would read as a formula are written with a
  leading `'`, which import removes again.

Import checks every row first and imports nothing if any row is bad; errors name the row and
the field (`episodes[3].severity` in JSON, `episodes.csv row 5, severity` in CSV, counting the
header as row 1 as a spreadsheet does). Imported records get new ids; a record identical to one
the person already has is skipped, so importing the same file twice adds nothing.

Import refuses whatever export could not have written: unknown fields and columns, text that a
database cannot store (NUL, lone surrogates, control characters; `services/text.py`), numbers
outside a column's range, and JSON nested deeper than calfcare's own documents. So a refused
file leaves the diary as it was, and an accepted one always exports again.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from calfcare.engine.insights import (
    DoctorPrompt,
    EpisodeFacts,
    Insights,
    SessionFacts,
    compute_insights,
    doctor_prompts,
    earliest_needed,
    episode_flags,
)
from calfcare.errors import CalfcareError, FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.kb.schema import TriageLevel
from calfcare.services.forms import FormReader
from calfcare.services.text import (
    MAX_JSON_DEPTH,
    JsonError,
    json_problem,
    load_json,
    shown,
    text_problem,
)
from calfcare.services.units import UnitSystem
from calfcare.storage import tables as t

LEGS = ("left", "right", "both")
SESSION_LOADS = ("less", "usual", "longer", "harder")
#: What the person was doing when the episode started ("other" for anything else).
ACTIVITIES = ("sleeping", "resting", "sitting", "standing", "walking", "running", "cycling",
              "swimming", "hiking", "football", "racket_sport", "team_sport", "gym", "dance",
              "work", "other")
TRAINING_ACTIVITIES = tuple(a for a in ACTIVITIES
                            if a not in ("sleeping", "resting", "sitting", "standing"))
MAX_REQUEST_BYTES = 64 * 1024
MAX_IMPORT_RECORDS = 100_000
MAX_REPORTED_ERRORS = 100
FORMAT = "calfcare-diary/1"
#: The keys of an exported JSON document.
DOCUMENT_KEYS = ("format", "exported_at", "units", "episodes", "training_sessions",
                 "saved_assessments")

EPISODE_FIELDS = ("occurred_at", "leg", "muscle", "duration_s", "severity", "activity",
                  "session_load", "woke_from_sleep", "temperature_c", "humidity_pct",
                  "fluid_l", "carbohydrate_g", "helped", "notes")
TRAINING_FIELDS = ("started_at", "activity", "duration_min", "intensity", "distance_km",
                   "notes")
ASSESSMENT_FIELDS = ("request", "triage_level", "top_condition", "kb_version")
REQUIRED = {
    "episodes": ("occurred_at", "leg", "duration_s", "severity", "activity"),
    "training_sessions": ("started_at", "activity", "duration_min", "intensity"),
    "saved_assessments": ASSESSMENT_FIELDS,
}
CSV_FILES = {"episodes.csv": "episodes", "training_sessions.csv": "training_sessions",
             "saved_assessments.csv": "saved_assessments"}


# --- records --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    id: str
    email: str
    display_name: str
    role: str
    units: UnitSystem
    time_zone: str = "UTC"  # IANA name, in which the person types and reads diary times


@dataclass(frozen=True)
class EpisodeRecord:
    id: str
    occurred_at: datetime
    leg: str
    muscle: str
    duration_s: int
    severity: int
    activity: str
    session_load: str | None
    woke_from_sleep: bool
    temperature_c: float | None
    humidity_pct: float | None
    fluid_l: float | None
    carbohydrate_g: float | None
    helped: str
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class TrainingRecord:
    id: str
    started_at: datetime
    activity: str
    duration_min: int
    intensity: int
    distance_km: float | None
    notes: str


@dataclass(frozen=True)
class AssessmentRecord:
    id: str
    created_at: datetime
    triage_level: str
    top_condition: str
    kb_version: str
    request: Mapping[str, Any]


@dataclass(frozen=True)
class FlaggedEpisode:
    episode: EpisodeRecord
    flags: tuple[str, ...]


@dataclass(frozen=True)
class PersonOverview:
    """One person in a clinician's list: latest episodes with flags, and doctor prompts."""

    person_id: str
    display_name: str
    latest: tuple[FlaggedEpisode, ...]
    recent_days: int
    recent_count: int
    prompts: tuple[DoctorPrompt, ...]


@dataclass(frozen=True)
class ImportResult:
    episodes: int
    training_sessions: int
    saved_assessments: int
    duplicates: int


# --- time ---------------------------------------------------------------------------------

def _utc(moment: datetime) -> datetime:
    """Times from storage in UTC (SQLite gives them back without an offset)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


# --- validation -----------------------------------------------------------------------------

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _episode_values(values: Mapping[str, object], *, now: datetime, tz: tzinfo,
                    form: FormReader | None = None) -> dict[str, Any]:
    f = form or FormReader(values, EPISODE_FIELDS)
    out: dict[str, Any] = {
        "occurred_at": f.moment("occurred_at", now=now, tz=tz),
        "leg": f.choice("leg", LEGS, "left, right or both"),
        "muscle": f.text("muscle", 40, default="calf"),
        "duration_s": f.integer("duration_s", 1, 86_400,
                                "a whole number of seconds from 1 to 86400 (24 hours)"),
        "severity": f.integer("severity", 0, 10, "a whole number from 0 to 10"),
        "activity": f.choice("activity", ACTIVITIES,
                             "one of " + ", ".join(ACTIVITIES[:-1]) + " or other"),
        "session_load": f.choice("session_load", SESSION_LOADS, "less, usual, longer or harder",
                                 required=False),
        "woke_from_sleep": f.boolean("woke_from_sleep"),
        "temperature_c": f.number("temperature_c", -30, 55, "a temperature from -30 to 55 °C"),
        "humidity_pct": f.number("humidity_pct", 0, 100, "a relative humidity from 0 to 100 %"),
        "fluid_l": f.number("fluid_l", 0, 10, "a volume from 0 to 10 litres"),
        "carbohydrate_g": f.number("carbohydrate_g", 0, 500, "from 0 to 500 grams"),
        "helped": f.text("helped", 200),
        "notes": f.text("notes", 5000),
    }
    if form is None:
        f.done()
    return out


def _training_values(values: Mapping[str, object], *, now: datetime, tz: tzinfo,
                     form: FormReader | None = None) -> dict[str, Any]:
    f = form or FormReader(values, TRAINING_FIELDS)
    out: dict[str, Any] = {
        "started_at": f.moment("started_at", now=now, tz=tz),
        "activity": f.choice("activity", TRAINING_ACTIVITIES,
                             "one of " + ", ".join(TRAINING_ACTIVITIES[:-1]) + " or other"),
        "duration_min": f.integer("duration_min", 1, 1440,
                                  "a whole number of minutes from 1 to 1440 (24 hours)"),
        "intensity": f.integer("intensity", 1, 10, "a whole number from 1 (very easy) to "
                                                   "10 (maximal effort)"),
        "distance_km": f.number("distance_km", 0, 1000, "a distance from 0 to 1000 km"),
        "notes": f.text("notes", 5000),
    }
    if form is None:
        f.done()
    return out


def _assessment_values(values: Mapping[str, object],
                       form: FormReader | None = None) -> dict[str, Any]:
    f = form or FormReader(values, ASSESSMENT_FIELDS)
    request = values.get("request")
    if not isinstance(request, Mapping):
        f._fail("request", "the assessment request, a JSON object", request)
        request = {}
    else:
        problem = _request_problem(request)
        if problem is not None:
            where, message = problem
            f.errors[f.key("request" + (f".{where}" if where else ""))] = message
            request = {}
    out: dict[str, Any] = {
        "request": json.loads(json.dumps(request)),
        "triage_level": f.choice("triage_level", [lv.value for lv in TriageLevel],
                                 "a level of care: " + ", ".join(lv.value for lv in TriageLevel)),
        "top_condition": f.slug("top_condition", 64, "a condition id such as calf_muscle_strain"),
        "kb_version": f.slug("kb_version", 32, "a knowledge base version such as "
                                               "636bb5cc87a47d90", _VERSION),
    }
    if form is None:
        f.done()
    return out


def _request_problem(request: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path inside the request, message) of what cannot be stored in it, else None.

    A saved request is stored as JSON and written back by export: its keys and strings must
    be storable text, its numbers finite, and it must stay small.
    """
    problem = json_problem(dict(request))
    if problem is not None:
        return problem
    if len(json.dumps(request).encode()) > MAX_REQUEST_BYTES:
        return "", f"Must be at most {MAX_REQUEST_BYTES} bytes as JSON."
    return None


def check_episode(values: Mapping[str, object], *, now: datetime | None = None,
                  tz: tzinfo = UTC) -> None:
    """Raise FormError naming every bad field of a whole episode, as `create_episode` would.

    Stores nothing: a form can show every error at once before anything is saved.
    """
    _episode_values(values, now=_now(now), tz=tz)


def check_training(values: Mapping[str, object], *, now: datetime | None = None,
                   tz: tzinfo = UTC) -> None:
    """Raise FormError naming every bad field of a whole training session; stores nothing."""
    _training_values(values, now=_now(now), tz=tz)


# --- people ---------------------------------------------------------------------------------

def person_by_email(session: Session, *, email: str) -> Person:
    """The account with this email (case-insensitive); NotFoundError if there is none."""
    _storable_id(email, f"No account with the email '{shown(email)}'.")
    row = session.scalars(
        select(t.User).where(func.lower(t.User.email) == email.strip().lower())).first()
    if row is None:
        raise NotFoundError(f"No account with the email '{email}'.")
    units: UnitSystem = "imperial" if row.units == "imperial" else "metric"
    return Person(id=row.id, email=row.email, display_name=row.display_name, role=row.role,
                  units=units, time_zone=row.time_zone or "UTC")


# --- episodes -------------------------------------------------------------------------------

def _episode_record(row: t.Episode) -> EpisodeRecord:
    return EpisodeRecord(
        id=row.id, occurred_at=_utc(row.occurred_at), leg=row.leg, muscle=row.muscle,
        duration_s=row.duration_s, severity=row.severity, activity=row.activity,
        session_load=row.session_load, woke_from_sleep=row.woke_from_sleep,
        temperature_c=row.temperature_c, humidity_pct=row.humidity_pct, fluid_l=row.fluid_l,
        carbohydrate_g=row.carbohydrate_g, helped=row.helped, notes=row.notes,
        created_at=_utc(row.created_at))


def _storable_id(record_id: str, missing: str) -> str:
    """An id that can be looked up; one no database could hold names nothing (NotFoundError).

    PostgreSQL refuses a query with NUL in text, so such an id is never sent to it.
    """
    if text_problem(record_id) is not None:
        raise NotFoundError(missing)
    return record_id


def _own_episode(session: Session, owner_id: str, episode_id: str) -> t.Episode:
    episode_id = _storable_id(episode_id, "No such episode in your diary.")
    row = session.scalars(select(t.Episode).where(
        t.Episode.id == episode_id, t.Episode.user_id == owner_id)).first()
    if row is None:
        raise NotFoundError("No such episode in your diary.")
    return row


def create_episode(session: Session, *, owner_id: str, values: Mapping[str, object],
                   now: datetime | None = None, tz: tzinfo = UTC) -> EpisodeRecord:
    """Add an episode to the owner's diary."""
    at = _now(now)
    clean = _episode_values(values, now=at, tz=tz)
    row = t.Episode(id=uuid.uuid4().hex, user_id=owner_id, created_at=at, **clean)
    session.add(row)
    session.flush()
    return _episode_record(row)


def get_episode(session: Session, *, owner_id: str, episode_id: str) -> EpisodeRecord:
    return _episode_record(_own_episode(session, owner_id, episode_id))


def update_episode(session: Session, *, owner_id: str, episode_id: str,
                   values: Mapping[str, object], now: datetime | None = None,
                   tz: tzinfo = UTC) -> EpisodeRecord:
    """Change the given fields of one of the owner's episodes; the others stay as they are."""
    row = _own_episode(session, owner_id, episode_id)
    unknown = {k: "Unknown field." for k in values if k not in EPISODE_FIELDS}
    if unknown:
        raise FormError(unknown)
    current = _episode_record(row)
    merged: dict[str, object] = {k: getattr(current, k) for k in EPISODE_FIELDS}
    merged.update(values)
    clean = _episode_values(merged, now=_now(now), tz=tz)
    for key, value in clean.items():
        setattr(row, key, value)
    session.flush()
    return _episode_record(row)


def delete_episode(session: Session, *, owner_id: str, episode_id: str) -> None:
    session.delete(_own_episode(session, owner_id, episode_id))
    session.flush()


def list_episodes(session: Session, *, owner_id: str, since: datetime | None = None,
                  until: datetime | None = None, limit: int | None = None, offset: int = 0
                  ) -> list[EpisodeRecord]:
    """The owner's episodes, newest first; `offset` skips that many of the newest."""
    query = select(t.Episode).where(t.Episode.user_id == owner_id)
    if since is not None:
        query = query.where(t.Episode.occurred_at >= _now(since))
    if until is not None:
        query = query.where(t.Episode.occurred_at <= _now(until))
    query = query.order_by(t.Episode.occurred_at.desc(), t.Episode.id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_episode_record(r) for r in session.scalars(query)]


# --- training sessions ----------------------------------------------------------------------

def _training_record(row: t.TrainingSession) -> TrainingRecord:
    return TrainingRecord(id=row.id, started_at=_utc(row.started_at), activity=row.activity,
                          duration_min=row.duration_min, intensity=row.intensity,
                          distance_km=row.distance_km, notes=row.notes)


def _own_training(session: Session, owner_id: str, training_id: str) -> t.TrainingSession:
    training_id = _storable_id(training_id, "No such training session in your diary.")
    row = session.scalars(select(t.TrainingSession).where(
        t.TrainingSession.id == training_id, t.TrainingSession.user_id == owner_id)).first()
    if row is None:
        raise NotFoundError("No such training session in your diary.")
    return row


def create_training(session: Session, *, owner_id: str, values: Mapping[str, object],
                    now: datetime | None = None, tz: tzinfo = UTC) -> TrainingRecord:
    clean = _training_values(values, now=_now(now), tz=tz)
    row = t.TrainingSession(id=uuid.uuid4().hex, user_id=owner_id, **clean)
    session.add(row)
    session.flush()
    return _training_record(row)


def get_training(session: Session, *, owner_id: str, training_id: str) -> TrainingRecord:
    return _training_record(_own_training(session, owner_id, training_id))


def update_training(session: Session, *, owner_id: str, training_id: str,
                    values: Mapping[str, object], now: datetime | None = None,
                    tz: tzinfo = UTC) -> TrainingRecord:
    row = _own_training(session, owner_id, training_id)
    unknown = {k: "Unknown field." for k in values if k not in TRAINING_FIELDS}
    if unknown:
        raise FormError(unknown)
    current = _training_record(row)
    merged: dict[str, object] = {k: getattr(current, k) for k in TRAINING_FIELDS}
    merged.update(values)
    clean = _training_values(merged, now=_now(now), tz=tz)
    for key, value in clean.items():
        setattr(row, key, value)
    session.flush()
    return _training_record(row)


def delete_training(session: Session, *, owner_id: str, training_id: str) -> None:
    session.delete(_own_training(session, owner_id, training_id))
    session.flush()


def list_training(session: Session, *, owner_id: str, since: datetime | None = None,
                  limit: int | None = None) -> list[TrainingRecord]:
    """The owner's training sessions, newest first."""
    query = select(t.TrainingSession).where(t.TrainingSession.user_id == owner_id)
    if since is not None:
        query = query.where(t.TrainingSession.started_at >= _now(since))
    query = query.order_by(t.TrainingSession.started_at.desc(), t.TrainingSession.id)
    if limit is not None:
        query = query.limit(limit)
    return [_training_record(r) for r in session.scalars(query)]


# --- saved assessments ----------------------------------------------------------------------

def _assessment_record(row: t.SavedAssessment) -> AssessmentRecord:
    return AssessmentRecord(id=row.id, created_at=_utc(row.created_at),
                            triage_level=row.triage_level, top_condition=row.top_condition,
                            kb_version=row.kb_version, request=dict(row.request))


def _own_assessment(session: Session, owner_id: str, assessment_id: str) -> t.SavedAssessment:
    assessment_id = _storable_id(assessment_id, "No such saved assessment.")
    row = session.scalars(select(t.SavedAssessment).where(
        t.SavedAssessment.id == assessment_id, t.SavedAssessment.user_id == owner_id)).first()
    if row is None:
        raise NotFoundError("No such saved assessment.")
    return row


def save_assessment(session: Session, *, owner_id: str, request: Mapping[str, Any],
                    triage_level: str, top_condition: str, kb_version: str,
                    now: datetime | None = None) -> AssessmentRecord:
    """Keep an assessment: the request as sent, its level of care, top condition, kb version."""
    clean = _assessment_values({"request": request, "triage_level": triage_level,
                                "top_condition": top_condition, "kb_version": kb_version})
    row = t.SavedAssessment(id=uuid.uuid4().hex, user_id=owner_id, created_at=_now(now),
                            **clean)
    session.add(row)
    session.flush()
    return _assessment_record(row)


def get_assessment(session: Session, *, owner_id: str, assessment_id: str) -> AssessmentRecord:
    return _assessment_record(_own_assessment(session, owner_id, assessment_id))


def delete_assessment(session: Session, *, owner_id: str, assessment_id: str) -> None:
    session.delete(_own_assessment(session, owner_id, assessment_id))
    session.flush()


def list_assessments(session: Session, *, owner_id: str,
                     limit: int | None = None) -> list[AssessmentRecord]:
    """The owner's saved assessments, newest first."""
    query = select(t.SavedAssessment).where(t.SavedAssessment.user_id == owner_id).order_by(
        t.SavedAssessment.created_at.desc(), t.SavedAssessment.id)
    if limit is not None:
        query = query.limit(limit)
    return [_assessment_record(r) for r in session.scalars(query)]


# --- insights -------------------------------------------------------------------------------

def _facts(rec: EpisodeRecord) -> EpisodeFacts:
    return EpisodeFacts(
        id=rec.id, occurred_at=rec.occurred_at, duration_s=rec.duration_s,
        severity=rec.severity, activity=rec.activity, session_load=rec.session_load,
        woke_from_sleep=rec.woke_from_sleep, temperature_c=rec.temperature_c,
        humidity_pct=rec.humidity_pct, carbohydrate_g=rec.carbohydrate_g)


def _row_record(row: Row[Any]) -> EpisodeRecord:
    """The record of a row of the episodes table (by key: a row's attributes are slower)."""
    m = row._mapping
    values = {name: m[name] for name in EPISODE_COLUMNS}
    values["occurred_at"] = _utc(values["occurred_at"])
    values["created_at"] = _utc(values["created_at"])
    return EpisodeRecord(**values)


def _row_facts(row: Row[Any]) -> EpisodeFacts:
    """The facts of a row of the episodes table (by key: a row's attributes are slower)."""
    m = row._mapping
    return EpisodeFacts(
        id=m["id"], occurred_at=_utc(m["occurred_at"]), duration_s=m["duration_s"],
        severity=m["severity"], activity=m["activity"], session_load=m["session_load"],
        woke_from_sleep=m["woke_from_sleep"], temperature_c=m["temperature_c"],
        humidity_pct=m["humidity_pct"], carbohydrate_g=m["carbohydrate_g"])


def _session_facts(session: Session, owner_id: str, since: datetime,
                   kb: KnowledgeBase) -> list[SessionFacts]:
    """Training sessions that may contain an episode from `since` on."""
    reach = timedelta(minutes=1440 + kb.diary_rules.factors.without_fuel.after_session_min)
    return [SessionFacts(started_at=r.started_at, duration_min=r.duration_min)
            for r in list_training(session, owner_id=owner_id, since=since - reach)]


def _wall_clock(moment: datetime, tz: tzinfo) -> datetime:
    """The local date and time of `moment` in `tz`, labelled UTC (for the fixed-offset engine)."""
    return moment.astimezone(tz).replace(tzinfo=UTC)


def _from_wall_clock(moment: datetime, tz: tzinfo) -> datetime:
    """The inverse of `_wall_clock`: a local date and time in `tz`, as a UTC moment."""
    return moment.replace(tzinfo=tz).astimezone(UTC)


def insights(session: Session, *, owner_id: str, now: datetime | None = None,
             utc_offset: timedelta = timedelta(0), tz: tzinfo | None = None,
             kb: KnowledgeBase | None = None) -> Insights:
    """Patterns in the owner's diary and the doctor prompts it meets (engine.insights).

    `tz` is the person's time zone (a `zoneinfo.ZoneInfo`), for the weeks, months and times of
    day; daylight saving time is followed, episode by episode. Without it, `utc_offset` is a
    fixed offset from UTC.

    The engine takes only a fixed offset, so with `tz` every time goes in as its local wall
    clock time labelled UTC (offset 0), and `now` and `period_start` come back as real moments.
    """
    at = _now(now)
    knowledge = kb or load_kb()
    rules = knowledge.diary_rules
    if tz is None:
        since = earliest_needed(at, utc_offset, rules)
        episodes = [_facts(e) for e in list_episodes(session, owner_id=owner_id, since=since)]
        sessions = _session_facts(session, owner_id, since, knowledge)
        return compute_insights(episodes, sessions, rules=rules, now=at, utc_offset=utc_offset)
    local_now = _wall_clock(at, tz)
    # A day's margin: the zone's offset at the start of the period may differ from today's.
    since = _from_wall_clock(earliest_needed(local_now, timedelta(0), rules), tz) - \
        timedelta(days=1)
    episodes = [replace(_facts(e), occurred_at=_wall_clock(e.occurred_at, tz))
                for e in list_episodes(session, owner_id=owner_id, since=since)]
    sessions = [replace(s, started_at=_wall_clock(s.started_at, tz))
                for s in _session_facts(session, owner_id, since, knowledge)]
    found = compute_insights(episodes, sessions, rules=rules, now=local_now)
    offset = at.astimezone(tz).utcoffset() or timedelta(0)
    return replace(found, now=at, utc_offset=offset,
                   period_start=_from_wall_clock(found.period_start, tz))


def citation(kb: KnowledgeBase, reference_id: str) -> str:
    """A short citation of a knowledge-base reference, e.g. `NHS (2025). Leg cramps. ...`."""
    ref = kb.references.get(reference_id)
    if ref is None:
        return reference_id
    where = ref.url or (f"https://doi.org/{ref.doi}" if ref.doi else "")
    return f"{ref.authors} ({ref.year}). {ref.title}. {ref.journal}." + \
        (f" {where}" if where else "")


#: At most this many ids in one `IN (...)` list (SQLite and PostgreSQL both take far more).
IN_BATCH = 1000


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), IN_BATCH):
        yield ids[start:start + IN_BATCH]


_EPISODES = t.Episode.__table__


def _recent_by_owner(session: Session, owner_ids: Sequence[str],
                     since: datetime) -> dict[str, list[Row[Any]]]:
    """Each owner's episodes from `since` on, newest first (one query per IN_BATCH owners).

    Rows of the episodes table rather than ORM objects: a clinician's list reads thousands,
    and building ORM objects for them took most of its time.
    """
    e = _EPISODES.c
    out: dict[str, list[Row[Any]]] = {pid: [] for pid in owner_ids}
    for batch in _batches(owner_ids):
        query = select(_EPISODES).where(e.user_id.in_(batch), e.occurred_at >= since).order_by(
            e.user_id, e.occurred_at.desc(), e.id)
        for row in session.execute(query):
            out[row.user_id].append(row)
    return out


def _latest_by_owner(session: Session, owner_ids: Sequence[str],
                     latest: int) -> dict[str, list[Row[Any]]]:
    """Each owner's `latest` newest episodes, newest first (one query per IN_BATCH owners)."""
    e = _EPISODES.c
    out: dict[str, list[Row[Any]]] = {pid: [] for pid in owner_ids}
    if latest == 0:
        return out
    for batch in _batches(owner_ids):
        # Ranked from the index on (user_id, occurred_at, id) alone; then only the rows kept
        # are read from the table.
        rank = func.row_number().over(partition_by=e.user_id,
                                      order_by=(e.occurred_at.desc(), e.id))
        ranked = select(e.id, rank.label("newest_rank")).where(
            e.user_id.in_(batch)).subquery()
        query = select(_EPISODES).join(ranked, ranked.c.id == e.id).where(
            ranked.c.newest_rank <= latest).order_by(e.user_id, e.occurred_at.desc(), e.id)
        for row in session.execute(query):
            out[row.user_id].append(row)
    return out


def _sessions_by_owner(session: Session, starts: Mapping[str, datetime],
                       kb: KnowledgeBase) -> dict[str, list[SessionFacts]]:
    """Training sessions that may contain an episode of each owner from their start on.

    Owners are grouped by start (most share the same one) so that each group needs one query
    (per IN_BATCH owners) from the group's earliest start. An owner may get sessions from
    before their own start, which cannot contain any of their episodes from that start on.
    """
    reach = timedelta(minutes=1440 + kb.diary_rules.factors.without_fuel.after_session_min)
    out: dict[str, list[SessionFacts]] = {pid: [] for pid in starts}
    groups: dict[datetime, list[str]] = {}
    for pid, start in starts.items():
        groups.setdefault(start, []).append(pid)
    common = max(groups, key=lambda start: len(groups[start]), default=None)
    shared = groups.pop(common) if common is not None else []
    others = [pid for pids in groups.values() for pid in pids]
    for group in (shared, others):
        if not group:
            continue
        floor = min(starts[pid] for pid in group) - reach
        for batch in _batches(group):
            query = select(t.TrainingSession.user_id, t.TrainingSession.started_at,
                           t.TrainingSession.duration_min).where(
                t.TrainingSession.user_id.in_(batch), t.TrainingSession.started_at >= floor)
            for owner, started_at, duration_min in session.execute(query):
                out[owner].append(SessionFacts(started_at=_utc(started_at),
                                               duration_min=duration_min))
    return out


def clinician_overview(session: Session, *, person_ids: Sequence[str],
                       now: datetime | None = None, latest: int = 3,
                       kb: KnowledgeBase | None = None) -> list[PersonOverview]:
    """The latest episodes (with flags) and doctor prompts of several persons.

    Authorisation is the caller's: this lists whoever is asked for. Unknown ids are left out.
    People with the most urgent prompts come first, then those with the most recent episode.

    A fixed number of queries whatever the number of persons (one each for the persons, their
    recent episodes, the latest episodes of those with fewer recent ones than `latest`, and
    at most two for training sessions; per IN_BATCH persons).
    """
    if latest < 0:
        raise ValueError("latest must be 0 or more")
    at = _now(now)
    knowledge = kb or load_kb()
    rules = knowledge.diary_rules
    window = max(p.criterion.within_days for p in rules.prompts)
    since = at - timedelta(days=window)
    ids = list(dict.fromkeys(person_ids))
    names: dict[str, str] = {}
    for batch in _batches(ids):
        query = select(t.User.id, t.User.display_name).where(t.User.id.in_(batch))
        for pid, name in session.execute(query):  # not dict(result): a Result has .keys()
            names[pid] = name
    known = [pid for pid in ids if pid in names]
    recent = _recent_by_owner(session, known, since)
    # The newest episodes are the first recent ones, unless there are fewer recent ones.
    newest = {pid: recent[pid][:latest] for pid in known if len(recent[pid]) >= latest}
    newest.update(_latest_by_owner(session, [pid for pid in known if pid not in newest],
                                   latest))
    starts = {pid: min([_utc(e.occurred_at) for e in newest[pid]] + [since]) for pid in known}
    sessions = _sessions_by_owner(session, starts, knowledge)
    out: list[PersonOverview] = []
    for pid in known:
        flagged = tuple(FlaggedEpisode(_row_record(e),
                                       episode_flags(_row_facts(e), sessions[pid], rules))
                        for e in newest[pid])
        out.append(PersonOverview(
            person_id=pid, display_name=names[pid], latest=flagged, recent_days=window,
            recent_count=len(recent[pid]),
            prompts=doctor_prompts([_row_facts(e) for e in recent[pid]], rules, at)))

    def order(p: PersonOverview) -> tuple[int, float, str]:
        urgency = max((pr.level.rank for pr in p.prompts), default=-1)
        newest_at = p.latest[0].episode.occurred_at.timestamp() if p.latest else 0.0
        return (-urgency, -newest_at, p.display_name)

    return sorted(out, key=order)


# --- export ---------------------------------------------------------------------------------

def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


EPISODE_COLUMNS = ("id", *EPISODE_FIELDS, "created_at")
TRAINING_COLUMNS = ("id", *TRAINING_FIELDS)
ASSESSMENT_COLUMNS = ("id", "created_at", *ASSESSMENT_FIELDS)
CSV_COLUMNS = {"episodes": EPISODE_COLUMNS, "training_sessions": TRAINING_COLUMNS,
               "saved_assessments": ASSESSMENT_COLUMNS}


def _all_records(session: Session, owner_id: str) -> dict[str, list[dict[str, object]]]:
    episodes = sorted(list_episodes(session, owner_id=owner_id),
                      key=lambda e: (e.occurred_at, e.id))
    sessions = sorted(list_training(session, owner_id=owner_id),
                      key=lambda s: (s.started_at, s.id))
    assessments = sorted(list_assessments(session, owner_id=owner_id),
                         key=lambda a: (a.created_at, a.id))
    return {
        "episodes": [{c: _plain(getattr(e, c)) for c in EPISODE_COLUMNS} for e in episodes],
        "training_sessions": [{c: _plain(getattr(s, c)) for c in TRAINING_COLUMNS}
                              for s in sessions],
        "saved_assessments": [{c: _plain(getattr(a, c)) if c != "request" else dict(a.request)
                               for c in ASSESSMENT_COLUMNS} for a in assessments],
    }


def export_bundle(session: Session, *, owner_id: str,
                  now: datetime | None = None) -> dict[str, Any]:
    """All of the owner's diary as one JSON-ready document (oldest first)."""
    return {"format": FORMAT, "exported_at": _now(now).isoformat(),
            "units": {"temperature_c": "°C", "humidity_pct": "%", "fluid_l": "L",
                      "carbohydrate_g": "g", "duration_s": "s", "duration_min": "min",
                      "distance_km": "km", "times": "ISO 8601, UTC"},
            **_all_records(session, owner_id)}


def export_json(session: Session, *, owner_id: str, now: datetime | None = None) -> str:
    return json.dumps(export_bundle(session, owner_id=owner_id, now=now), indent=2,
                      ensure_ascii=False) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TEXT_COLUMNS = {"muscle", "helped", "notes"}


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if column in _TEXT_COLUMNS and text.startswith(_FORMULA_START):
        return "'" + text  # a spreadsheet must not read it as a formula; import strips it
    return text


def export_csv(session: Session, *, owner_id: str) -> dict[str, str]:
    """All of the owner's diary as CSV texts, one per record type, keyed by file name."""
    records = _all_records(session, owner_id)
    out: dict[str, str] = {}
    for file_name, kind in CSV_FILES.items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_COLUMNS[kind])
        for rec in records[kind]:
            writer.writerow([_cell(c, rec[c]) for c in CSV_COLUMNS[kind]])
        out[file_name] = buf.getvalue()
    return out


# --- import ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """One record to import: its kind, where it came from, and its raw values."""

    kind: str
    key: Callable[[str], str]
    values: Mapping[str, object]


def _locator(where: str, sep: str) -> Callable[[str], str]:
    """Names a field of one imported row: `episodes[3].severity`, `episodes.csv row 5, leg`."""
    return lambda field: f"{where}{sep}{field}"


def _validate_rows(rows: Sequence[_Row], now: datetime, tz: tzinfo
                   ) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, str]]:
    fields = {"episodes": EPISODE_FIELDS, "training_sessions": TRAINING_FIELDS,
              "saved_assessments": ASSESSMENT_FIELDS}
    clean: list[tuple[str, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    for row in rows:
        values = {k: v for k, v in row.values.items() if k not in ("id", "created_at")}
        has_created = row.kind != "training_sessions"
        allowed = (*fields[row.kind], "id", "created_at") if has_created else \
            (*fields[row.kind], "id")
        form = FormReader(row.values, allowed, key=row.key)
        if row.kind == "episodes":
            out = _episode_values(values, now=now, tz=tz, form=form)
        elif row.kind == "training_sessions":
            out = _training_values(values, now=now, tz=tz, form=form)
        else:
            out = _assessment_values(values, form=form)
        if has_created:
            out["created_at"] = form.moment("created_at", now=now, tz=tz, required=False) or now
        errors.update(form.errors)
        clean.append((row.kind, out))
    return clean, errors


def _identity(kind: str, values: Mapping[str, Any]) -> str:
    """What makes two records the same for import (everything but id and created_at)."""
    return kind + json.dumps({k: _plain(v) for k, v in values.items() if k != "created_at"},
                             sort_keys=True, default=str)


def _existing(session: Session, owner_id: str) -> set[str]:
    have: set[str] = set()
    for e in list_episodes(session, owner_id=owner_id):
        have.add(_identity("episodes", {k: getattr(e, k) for k in EPISODE_FIELDS}))
    for s in list_training(session, owner_id=owner_id):
        have.add(_identity("training_sessions", {k: getattr(s, k) for k in TRAINING_FIELDS}))
    for a in list_assessments(session, owner_id=owner_id):
        have.add(_identity("saved_assessments", {
            "request": dict(a.request), "triage_level": a.triage_level,
            "top_condition": a.top_condition, "kb_version": a.kb_version}))
    return have


def _import(session: Session, owner_id: str, rows: Sequence[_Row],
            errors: dict[str, str], now: datetime | None, tz: tzinfo) -> ImportResult:
    at = _now(now)
    if len(rows) > MAX_IMPORT_RECORDS:
        raise FormError({"file": f"Too many records ({len(rows)}); at most "
                                 f"{MAX_IMPORT_RECORDS} at a time."})
    clean, row_errors = _validate_rows(rows, at, tz)
    errors = {**errors, **row_errors}
    if errors:
        if len(errors) > MAX_REPORTED_ERRORS:
            shown = dict(list(errors.items())[:MAX_REPORTED_ERRORS])
            shown["..."] = f"and {len(errors) - MAX_REPORTED_ERRORS} more problems."
            errors = shown
        raise FormError(errors)
    have = _existing(session, owner_id)
    counts = {"episodes": 0, "training_sessions": 0, "saved_assessments": 0}
    duplicates = 0
    for kind, values in clean:
        if _identity(kind, values) in have:
            duplicates += 1
            continue
        new_id = uuid.uuid4().hex
        if kind == "episodes":
            session.add(t.Episode(id=new_id, user_id=owner_id, **values))
        elif kind == "training_sessions":
            session.add(t.TrainingSession(id=new_id, user_id=owner_id, **values))
        else:
            session.add(t.SavedAssessment(id=new_id, user_id=owner_id, **values))
        counts[kind] += 1
    session.flush()
    return ImportResult(episodes=counts["episodes"],
                        training_sessions=counts["training_sessions"],
                        saved_assessments=counts["saved_assessments"], duplicates=duplicates)


def import_json(session: Session, *, owner_id: str, text: str, now: datetime | None = None,
                tz: tzinfo = UTC) -> ImportResult:
    """Import a document written by `export_json`: everything, or nothing if a row is bad."""
    try:  # deeper than a request may be, so that too deep a request is named by its row
        doc = load_json(text, max_depth=2 * MAX_JSON_DEPTH)
    except JsonError as exc:
        raise FormError({"file": f"Not valid JSON: {exc}."}) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FormError({"format": f"Not a calfcare diary export (format {FORMAT})."})
    rows: list[_Row] = []
    errors: dict[str, str] = {shown(str(key)): "Unknown field." for key in doc
                              if key not in DOCUMENT_KEYS}
    for kind in ("episodes", "training_sessions", "saved_assessments"):
        items = doc.get(kind, [])
        if not isinstance(items, list):
            errors[kind] = "Must be a list of records."
            continue
        for i, item in enumerate(items):
            where = f"{kind}[{i}]"
            if not isinstance(item, dict):
                errors[where] = "Must be an object with the record's fields."
                continue
            rows.append(_Row(kind, _locator(where, "."), item))
    return _import(session, owner_id, rows, errors, now, tz)


def _uncell(column: str, value: str | None) -> str | None:
    if value is None:
        return None
    if column in _TEXT_COLUMNS and value.startswith("'"):
        return value[1:]
    return value


def _header_problem(kind: str, header: Sequence[str]) -> str | None:
    """What is wrong with a CSV file's header row, or None."""
    unknown = [shown(h) for h in header if h not in CSV_COLUMNS[kind]]
    twice = sorted({h for h in header if header.count(h) > 1} - set(unknown))
    missing = [h for h in REQUIRED[kind] if h not in header]
    problems = ([f"unknown column(s): {', '.join(unknown)}"] if unknown else []) + \
        ([f"column(s) given twice: {', '.join(twice)}"] if twice else []) + \
        ([f"missing column(s): {', '.join(missing)}"] if missing else [])
    return "Header: " + "; ".join(problems) + "." if problems else None


def _csv_rows(name: str, kind: str, text: str, errors: dict[str, str]) -> list[_Row]:
    """The rows of one CSV file; its problems go to `errors`."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        problem = _header_problem(kind, header)
        if problem is not None:
            errors[f"{name} row 1"] = problem
            return []
        reader.fieldnames = header
        records = list(reader)
    except csv.Error as exc:
        errors[name] = f"Not valid CSV: {exc}."
        return []
    rows: list[_Row] = []
    for n, record in enumerate(records, start=2):
        where = f"{name} row {n}"
        if None in record:
            errors[where] = "More values than columns in the header."
            continue
        values: dict[str, object] = {k: _uncell(k, v) for k, v in record.items()}
        if kind == "saved_assessments":
            raw = values.get("request")
            try:
                values["request"] = load_json(raw) if isinstance(raw, str) else raw
            except JsonError as exc:
                errors[f"{where}, request"] = f"Must be the request as JSON text ({exc})."
                continue
        rows.append(_Row(kind, _locator(where, ", "), values))
    return rows


def import_csv(session: Session, *, owner_id: str, files: Mapping[str, str],
               now: datetime | None = None, tz: tzinfo = UTC) -> ImportResult:
    """Import CSV texts written by `export_csv`, keyed by file name; any subset of the files.

    Everything is imported, or nothing if any row is bad.
    """
    rows: list[_Row] = []
    errors: dict[str, str] = {}
    for name, text in files.items():
        kind = CSV_FILES.get(name)
        if kind is None:
            errors[shown(name)] = "Unknown file; expected " + ", ".join(CSV_FILES) + "."
            continue
        rows += _csv_rows(name, kind, text, errors)
    return _import(session, owner_id, rows, errors, now, tz)


# --- the database -------------------------------------------------------------------------

def ensure_schema(url: str) -> bool:
    """Create the schema in an empty database (True); do nothing if it is current (False).

    Raises CalfcareError, asking for `calfcare db upgrade`, when the database holds an older
    schema or tables that are not calfcare's.
    """
    from calfcare.storage.db import make_engine
    from calfcare.storage.migrate import current_revision, head_revision, upgrade

    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision is not None and revision == head_revision():
            return False
        empty = revision is None and not inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if empty:
        upgrade(url)
        return True
    raise CalfcareError(f"The database is at schema revision {revision or 'none'}, not "
                        f"{head_revision()}: run `calfcare db upgrade` first.")
