"""The words the pages show for imported activity files and the sessions of an episode's day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from calfcare.services import activity
from calfcare.services import units as u
from calfcare.web.diary_views import training_view


def _file_words(d: activity.ActivityDetails | None) -> str:
    if d is None:
        return ""
    parts = []
    if d.elevation_gain_m is not None:
        parts.append(f"climb {d.elevation_gain_m:.0f}\u00a0m")
    if d.heart_rate_max is not None:
        parts.append(f"heart rate up to {d.heart_rate_max:.0f}")
    if d.temperature_c is not None:
        parts.append(f"{d.temperature_c:.0f}\u00a0°C")
    return ", ".join(parts)


def same_day_view(
    beside: Mapping[str, Sequence[activity.SameDaySession]], system: u.UnitSystem, tz: tzinfo
) -> dict[str, list[str]]:
    """For each episode id, one line per session of its day."""
    out: dict[str, list[str]] = {}
    for episode_id, sessions in beside.items():
        lines = []
        for s in sessions:
            v = training_view(s.session, system, tz)
            words = [v["activity"], v["duration"], v["distance"], _file_words(s.details)]
            lines.append(" · ".join(w for w in words if w))
        out[episode_id] = lines
    return out


def import_view(got: activity.ActivityImport | None) -> dict[str, Any]:
    if got is None:
        return {"imported": [], "duplicates": [], "problems": []}
    return {
        "imported": [
            f"{i.file_name}: {i.session.activity.replace('_', ' ')}, "
            f"{u.format_duration(i.session.duration_min * 60)}"
            for i in got.imported
        ],
        "duplicates": list(got.duplicates),
        "problems": [message for _, message in got.errors],
    }
