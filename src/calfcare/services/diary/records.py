"""The diary's records as frozen dataclasses, the fields of each, and their moments in UTC.

Every other module of the diary returns these, never ORM rows, so the shells cannot reach the
tables through them. Quantities are SI (°C, L, g, s, km) and times are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from calfcare.engine.doctor_prompts import DoctorPrompt
from calfcare.services.units import UnitSystem
from calfcare.storage import tables as t

LEGS = ("left", "right", "both")
SESSION_LOADS = ("less", "usual", "longer", "harder")
#: What the person was doing when the episode started ("other" for anything else).
ACTIVITIES = (
    "sleeping",
    "resting",
    "sitting",
    "standing",
    "walking",
    "running",
    "cycling",
    "swimming",
    "hiking",
    "football",
    "racket_sport",
    "team_sport",
    "gym",
    "dance",
    "work",
    "other",
)
TRAINING_ACTIVITIES = tuple(
    a for a in ACTIVITIES if a not in ("sleeping", "resting", "sitting", "standing")
)

#: The fields a person gives (everything but the id and the time it was logged).
EPISODE_FIELDS = (
    "occurred_at",
    "leg",
    "muscle",
    "duration_s",
    "severity",
    "activity",
    "session_load",
    "woke_from_sleep",
    "temperature_c",
    "humidity_pct",
    "fluid_l",
    "carbohydrate_g",
    "helped",
    "notes",
)
TRAINING_FIELDS = ("started_at", "activity", "duration_min", "intensity", "distance_km", "notes")
ASSESSMENT_FIELDS = ("request", "triage_level", "top_condition", "kb_version")
#: Every attribute of each record, in the order of the export's columns.
EPISODE_COLUMNS = ("id", *EPISODE_FIELDS, "created_at")
TRAINING_COLUMNS = ("id", *TRAINING_FIELDS)
ASSESSMENT_COLUMNS = ("id", "created_at", *ASSESSMENT_FIELDS)


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
    """One person in a clinician's list: latest episodes with flags, and doctor prompts.

    `time_zone` is the person's own, in which their times are shown to the clinician.
    """

    person_id: str
    display_name: str
    latest: tuple[FlaggedEpisode, ...]
    recent_days: int
    recent_count: int
    prompts: tuple[DoctorPrompt, ...]
    time_zone: str = "UTC"


@dataclass(frozen=True)
class ImportResult:
    episodes: int
    training_sessions: int
    saved_assessments: int
    duplicates: int


# --- moments ------------------------------------------------------------------------------


def as_utc(moment: datetime) -> datetime:
    """Times from storage in UTC (SQLite gives them back without an offset)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def aware_now(now: datetime | None) -> datetime:
    """`now` in UTC, or the clock's time when not given; a naive `now` is a caller's bug."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


# --- from rows ------------------------------------------------------------------------------


def episode_record(row: t.Episode) -> EpisodeRecord:
    return EpisodeRecord(
        id=row.id,
        occurred_at=as_utc(row.occurred_at),
        leg=row.leg,
        muscle=row.muscle,
        duration_s=row.duration_s,
        severity=row.severity,
        activity=row.activity,
        session_load=row.session_load,
        woke_from_sleep=row.woke_from_sleep,
        temperature_c=row.temperature_c,
        humidity_pct=row.humidity_pct,
        fluid_l=row.fluid_l,
        carbohydrate_g=row.carbohydrate_g,
        helped=row.helped,
        notes=row.notes,
        created_at=as_utc(row.created_at),
    )


def training_record(row: t.TrainingSession) -> TrainingRecord:
    return TrainingRecord(
        id=row.id,
        started_at=as_utc(row.started_at),
        activity=row.activity,
        duration_min=row.duration_min,
        intensity=row.intensity,
        distance_km=row.distance_km,
        notes=row.notes,
    )


def assessment_record(row: t.SavedAssessment) -> AssessmentRecord:
    return AssessmentRecord(
        id=row.id,
        created_at=as_utc(row.created_at),
        triage_level=row.triage_level,
        top_condition=row.top_condition,
        kb_version=row.kb_version,
        request=dict(row.request),
    )
