"""What one activity file says about a training session, whatever its format.

Each format's reader turns a file into an `ActivitySummary`: when it started, how long it
lasted, and distance, elevation gain, heart rate and temperature where the file holds them
(`None` where it does not: an absent value is never guessed). A file that cannot be read
raises `ActivityFileError`, whose message names the file and says what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from calfcare.services.text import shown

Format = Literal["gpx", "tcx", "fit"]
FORMATS: tuple[Format, ...] = ("gpx", "tcx", "fit")
#: The longest session a file may describe, as the diary allows (24 hours).
MAX_DURATION_S = 24 * 60 * 60
#: Sports as files name them (GPX <type>, TCX Sport, FIT sport), to the diary's activities.
SPORTS = {
    "running": "running",
    "run": "running",
    "trail_running": "running",
    "treadmill_running": "running",
    "cycling": "cycling",
    "biking": "cycling",
    "ride": "cycling",
    "mountain_biking": "cycling",
    "walking": "walking",
    "walk": "walking",
    "hiking": "hiking",
    "hike": "hiking",
    "swimming": "swimming",
    "swim": "swimming",
    "soccer": "football",
    "football": "football",
    "tennis": "racket_sport",
    "training": "gym",
    "fitness_equipment": "gym",
    "dance": "dance",
}


class ActivityFileError(ValueError):
    """A file that is not a readable GPX, TCX or FIT activity; the message says why."""


@dataclass(frozen=True)
class Sample:
    """One recorded moment: what the device measured then (None for what it did not)."""

    time: datetime
    distance_m: float | None = None  # cumulative, from the start
    elevation_m: float | None = None
    heart_rate: float | None = None
    temperature_c: float | None = None


@dataclass(frozen=True)
class ActivitySummary:
    """One training session as a file recorded it. Times are UTC; quantities SI."""

    format: Format
    activity: str  # one of the diary's training activities
    started_at: datetime
    duration_s: int
    distance_m: float | None
    elevation_gain_m: float | None
    heart_rate_avg: float | None
    heart_rate_max: float | None
    temperature_c: float | None


def fail(name: str, message: str) -> ActivityFileError:
    """The error for file `name`, its name made safe to show."""
    return ActivityFileError(f"{shown(name, 120)}: {message}")


def activity_of(sport: str | None) -> str:
    """The diary activity a file's sport stands for ("other" for any other sport)."""
    key = (sport or "").strip().lower().replace(" ", "_")
    return SPORTS.get(key, "other")


def utc(moment: datetime) -> datetime:
    """A file's time in UTC; a time without an offset is UTC, as GPX, TCX and FIT define."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _gain(elevations: Iterable[float]) -> float | None:
    """Total climb: the sum of every rise between consecutive recorded elevations."""
    total, last, seen = 0.0, None, False
    for e in elevations:
        seen = True
        if last is not None and e > last:
            total += e - last
        last = e
    return total if seen else None


def summarise(
    name: str, fmt: Format, sport: str | None, samples: Sequence[Sample]
) -> ActivitySummary:
    """A summary computed from the samples alone (FIT without a session message, tests)."""
    timed = sorted(samples, key=lambda s: s.time)
    if len(timed) < 2:
        raise fail(name, "holds fewer than two recorded moments, so its duration is unknown.")
    heart = [s.heart_rate for s in timed if s.heart_rate is not None]
    distances = [s.distance_m for s in timed if s.distance_m is not None]
    return checked(
        name,
        ActivitySummary(
            format=fmt,
            activity=activity_of(sport),
            started_at=utc(timed[0].time),
            duration_s=round((timed[-1].time - timed[0].time).total_seconds()),
            distance_m=max(distances) if distances else None,
            elevation_gain_m=_gain(s.elevation_m for s in timed if s.elevation_m is not None),
            heart_rate_avg=_mean(heart),
            heart_rate_max=max(heart) if heart else None,
            temperature_c=_mean([s.temperature_c for s in timed if s.temperature_c is not None]),
        ),
    )


def checked(name: str, summary: ActivitySummary) -> ActivitySummary:
    """The summary, if it describes a session the diary can hold; ActivityFileError if not."""
    if summary.duration_s <= 0:
        raise fail(name, "its recorded times do not move forward, so its duration is unknown.")
    if summary.duration_s > MAX_DURATION_S:
        raise fail(name, "it lasts more than 24 hours, longer than one training session.")
    for label, value, low, high in (
        ("distance", summary.distance_m, 0, 1_000_000),
        ("elevation gain", summary.elevation_gain_m, 0, 20_000),
        ("heart rate", summary.heart_rate_max, 20, 260),
        ("temperature", summary.temperature_c, -60, 60),
    ):
        if value is not None and not low <= value <= high:
            raise fail(
                name, f"its {label} ({value:g}) is outside what a body or a device can record."
            )
    return summary
