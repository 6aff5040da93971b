"""What an imported file added to a training session, for the pages and the exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from calfcare.storage import tables as t


@dataclass(frozen=True)
class ActivityDetails:
    """The figures only a file gives, of one of the person's training sessions."""

    training_id: str
    format: str
    file_name: str
    duration_s: int
    elevation_gain_m: float | None
    heart_rate_avg: float | None
    heart_rate_max: float | None
    temperature_c: float | None


def activity_details(
    session: Session, *, owner_id: str, training_ids: Iterable[str]
) -> dict[str, ActivityDetails]:
    """The details of those of the owner's sessions that came from a file, by session id."""
    ids = list(dict.fromkeys(training_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(t.ActivityFile).where(
            t.ActivityFile.user_id == owner_id, t.ActivityFile.training_id.in_(ids)
        )
    )
    return {
        r.training_id: ActivityDetails(
            training_id=r.training_id,
            format=r.format,
            file_name=r.file_name,
            duration_s=r.duration_s,
            elevation_gain_m=r.elevation_gain_m,
            heart_rate_avg=r.heart_rate_avg,
            heart_rate_max=r.heart_rate_max,
            temperature_c=r.temperature_c,
        )
        for r in rows
    }
