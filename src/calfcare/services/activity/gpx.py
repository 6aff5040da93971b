"""GPX files (GPS Exchange Format 1.0 and 1.1), read with gpxpy.

Duration, distance and climb are gpxpy's own figures (its climb smooths the noise of GPS
elevations). Heart rate and temperature come from the Garmin TrackPointExtension that most
watches and apps write (`hr`, `atemp`); a file without them has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

import gpxpy
import gpxpy.gpx

from calfcare.services.activity.summary import (
    ActivityFileError,
    ActivitySummary,
    checked,
    fail,
    utc,
)
from calfcare.services.activity.summary import activity_of as _activity


def _extension_values(point: gpxpy.gpx.GPXTrackPoint, tag: str) -> Iterator[float]:
    """The numbers of every extension element named `tag` (any namespace) of a point."""
    for ext in point.extensions:
        for el in _walk(ext):
            if el.tag.rsplit("}", 1)[-1] == tag and el.text:
                try:
                    yield float(el.text)
                except ValueError:
                    continue


def _walk(element: Element) -> Iterator[Element]:
    yield from element.iter()


def _points(gpx: gpxpy.gpx.GPX) -> list[gpxpy.gpx.GPXTrackPoint]:
    return [p for track in gpx.tracks for seg in track.segments for p in seg.points]


def _sport(gpx: gpxpy.gpx.GPX) -> str | None:
    return next((t.type for t in gpx.tracks if t.type), None)


def read_gpx(name: str, text: str) -> ActivitySummary:
    """The session a GPX file recorded; ActivityFileError naming the file otherwise."""
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise fail(name, f"is not a readable GPX file ({_first_line(exc)}).") from None
    points = _points(gpx)
    bounds = gpx.get_time_bounds()
    if not points:
        raise fail(name, "holds no track points.")
    if bounds.start_time is None or bounds.end_time is None:
        raise fail(name, "its track points have no times, so its start and duration are unknown.")
    heart = [v for p in points for v in _extension_values(p, "hr")]
    temps = [v for p in points for v in _extension_values(p, "atemp")]
    climb = (
        gpx.get_uphill_downhill().uphill if any(p.elevation is not None for p in points) else None
    )
    return checked(
        name,
        ActivitySummary(
            format="gpx",
            activity=_activity(_sport(gpx)),
            started_at=utc(bounds.start_time),
            duration_s=round((bounds.end_time - bounds.start_time).total_seconds()),
            distance_m=gpx.length_2d() or None,
            elevation_gain_m=climb,
            heart_rate_avg=sum(heart) / len(heart) if heart else None,
            heart_rate_max=max(heart) if heart else None,
            temperature_c=sum(temps) / len(temps) if temps else None,
        ),
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n", 1)[0][:200] or type(exc).__name__


__all__ = ["ActivityFileError", "read_gpx"]
