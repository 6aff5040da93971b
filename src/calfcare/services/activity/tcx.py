"""TCX files (Garmin Training Center Database 2), read with tcxreader.

tcxreader gives the duration from the first to the last track point, the distance of the
laps, the climb and the heart rate. TCX has no temperature. Points without a position are kept
(`only_gps=False`), so that a treadmill run without GPS still has its duration.
"""

from __future__ import annotations

import io
from typing import Any
from xml.etree.ElementTree import ParseError

from tcxreader.tcxreader import TCXReader

from calfcare.services.activity.summary import ActivitySummary, activity_of, checked, fail, utc

#: What tcxreader raises on a file that is XML but not a complete TCX activity.
_BROKEN = (
    ParseError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    ZeroDivisionError,
)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def read_tcx(name: str, data: bytes) -> ActivitySummary:
    """The session a TCX file recorded; ActivityFileError naming the file otherwise."""
    try:
        ex = TCXReader().read(io.BytesIO(data), only_gps=False)
    except _BROKEN:
        raise fail(name, "is not a complete TCX activity (it is damaged or cut short).") from None
    if not ex.trackpoints or ex.start_time is None or ex.duration is None:
        raise fail(name, "holds fewer than three timed track points, so its duration is unknown.")
    heart_avg = _number(ex.hr_avg)
    return checked(
        name,
        ActivitySummary(
            format="tcx",
            activity=activity_of(ex.activity_type),
            started_at=utc(ex.start_time),
            duration_s=round(float(ex.duration)),
            distance_m=_number(ex.distance) or None,
            elevation_gain_m=_number(ex.ascent) if ex.altitude_avg is not None else None,
            heart_rate_avg=heart_avg,
            heart_rate_max=_number(ex.hr_max) if heart_avg is not None else None,
            temperature_c=None,
        ),
    )
