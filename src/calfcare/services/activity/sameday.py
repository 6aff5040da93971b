"""The training sessions of the day of each episode, so that the diary shows them side by side.

A cramp is read beside the training that preceded it: the sessions that started on the same
calendar day as the episode, in the person's own time zone, with what an activity file
recorded of them. One query covers the days of a whole page of episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from calfcare.services.activity.records import ActivityDetails, activity_details
from calfcare.services.diary.records import EpisodeRecord, TrainingRecord, training_record
from calfcare.storage import tables as t


@dataclass(frozen=True)
class SameDaySession:
    session: TrainingRecord
    details: ActivityDetails | None


def sessions_beside(
    db: Session, *, owner_id: str, episodes: Sequence[EpisodeRecord], tz: tzinfo
) -> dict[str, tuple[SameDaySession, ...]]:
    """For each episode id, the owner's sessions that started on its day (in `tz`)."""
    days = {e.id: e.occurred_at.astimezone(tz).date() for e in episodes}
    if not days:
        return {}
    first = datetime.combine(min(days.values()), time(), tz)
    last = datetime.combine(max(days.values()) + timedelta(days=1), time(), tz)
    rows = db.scalars(
        select(t.TrainingSession)
        .where(
            t.TrainingSession.user_id == owner_id,
            t.TrainingSession.started_at >= first,
            t.TrainingSession.started_at < last,
        )
        .order_by(t.TrainingSession.started_at, t.TrainingSession.id)
    ).all()
    sessions = [training_record(r) for r in rows]
    details = activity_details(db, owner_id=owner_id, training_ids=[s.id for s in sessions])
    by_day: dict[object, list[SameDaySession]] = {}
    for s in sessions:
        day = s.started_at.astimezone(tz).date()
        by_day.setdefault(day, []).append(SameDaySession(s, details.get(s.id)))
    return {eid: tuple(by_day.get(day, ())) for eid, day in days.items() if day in by_day}
