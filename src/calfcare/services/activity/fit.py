"""FIT files (Garmin's Flexible and Interoperable Data Transfer), read with fitdecode.

The CRC of the header and of the whole file is checked, so a damaged or cut-short download
is refused rather than read in part. The figures come from the file's `session` message when
it has one (what the watch itself showed); otherwise they are computed from its `record`
messages.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import fitdecode

from calfcare.services.activity.summary import (
    ActivitySummary,
    Sample,
    activity_of,
    checked,
    fail,
    summarise,
    utc,
)


def _value(frame: Any, *names: str) -> Any:
    for field in names:
        if frame.has_field(field):
            value = frame.get_value(field, fallback=None)
            if value is not None:
                return value
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _sample(frame: Any) -> Sample | None:
    time = _value(frame, "timestamp")
    if not isinstance(time, datetime):
        return None
    return Sample(
        time=time,
        distance_m=_number(_value(frame, "distance")),
        elevation_m=_number(_value(frame, "enhanced_altitude", "altitude")),
        heart_rate=_number(_value(frame, "heart_rate")),
        temperature_c=_number(_value(frame, "temperature")),
    )


def _frames(name: str, data: bytes) -> tuple[list[Sample], dict[str, Any], str | None]:
    """The records, the first session's fields and the sport, or ActivityFileError."""
    samples: list[Sample] = []
    session: dict[str, Any] = {}
    sport: str | None = None
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.ENABLED,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as fit:
            for frame in fit:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "record" and (s := _sample(frame)) is not None:
                    samples.append(s)
                elif frame.name in ("session", "sport") and sport is None:
                    sport = str(_value(frame, "sport") or "") or None
                if frame.name == "session" and not session:
                    session = {f.name: f.value for f in frame.fields}
    except fitdecode.FitCRCError:
        raise fail(name, "is damaged: its FIT checksum does not match its contents.") from None
    except fitdecode.FitEOFError:
        raise fail(name, "is cut short: the FIT file ends before its last record.") from None
    except (fitdecode.FitError, ValueError, KeyError, TypeError, IndexError):
        raise fail(name, "is not a readable FIT activity file.") from None
    return samples, session, sport


def _either(session: dict[str, Any], key: str, fallback: float | None) -> float | None:
    """The session's own figure; what the records give when the session lacks it."""
    value = _number(session.get(key))
    return value if value is not None else fallback


def read_fit(name: str, data: bytes) -> ActivitySummary:
    """The session a FIT file recorded; ActivityFileError naming the file otherwise."""
    samples, session, sport = _frames(name, data)
    start = session.get("start_time")
    elapsed = _number(session.get("total_elapsed_time"))
    if not isinstance(start, datetime) or elapsed is None:
        return summarise(name, "fit", sport, samples)
    rec = summarise(name, "fit", sport, samples) if len(samples) >= 2 else None
    return checked(
        name,
        ActivitySummary(
            format="fit",
            activity=activity_of(sport),
            started_at=utc(start),
            duration_s=round(elapsed),
            distance_m=_either(session, "total_distance", rec.distance_m if rec else None),
            elevation_gain_m=_either(
                session, "total_ascent", rec.elevation_gain_m if rec else None
            ),
            heart_rate_avg=_either(session, "avg_heart_rate", rec.heart_rate_avg if rec else None),
            heart_rate_max=_either(session, "max_heart_rate", rec.heart_rate_max if rec else None),
            temperature_c=_either(session, "avg_temperature", rec.temperature_c if rec else None),
        ),
    )
