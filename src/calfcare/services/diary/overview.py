"""A clinician's overview of several persons: latest episodes with flags, and doctor prompts.

A clinician may follow many persons, so the overview reads them all in a fixed number of
queries (per `IN_BATCH` persons), whatever their number, rather than one person at a time.
Authorisation is the caller's: this lists whoever is asked for (see `clinician.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from calfcare.engine.doctor_prompts import doctor_prompts
from calfcare.engine.episodes import EpisodeFacts, SessionFacts, episode_flags
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.diary.insights import session_reach
from calfcare.services.diary.records import (
    EPISODE_COLUMNS,
    EpisodeRecord,
    FlaggedEpisode,
    PersonOverview,
    as_utc,
    aware_now,
)
from calfcare.storage import tables as t

#: At most this many ids in one `IN (...)` list (SQLite and PostgreSQL both take far more).
IN_BATCH = 1000

_EPISODES = t.Episode.__table__


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), IN_BATCH):
        yield ids[start : start + IN_BATCH]


def _row_record(row: Row[Any]) -> EpisodeRecord:
    """The record of a row of the episodes table (by key: a row's attributes are slower)."""
    m = row._mapping
    values = {name: m[name] for name in EPISODE_COLUMNS}
    values["occurred_at"] = as_utc(values["occurred_at"])
    values["created_at"] = as_utc(values["created_at"])
    return EpisodeRecord(**values)


def _row_facts(row: Row[Any]) -> EpisodeFacts:
    """The facts of a row of the episodes table (by key: a row's attributes are slower)."""
    m = row._mapping
    return EpisodeFacts(
        id=m["id"],
        occurred_at=as_utc(m["occurred_at"]),
        duration_s=m["duration_s"],
        severity=m["severity"],
        activity=m["activity"],
        session_load=m["session_load"],
        woke_from_sleep=m["woke_from_sleep"],
        temperature_c=m["temperature_c"],
        humidity_pct=m["humidity_pct"],
        carbohydrate_g=m["carbohydrate_g"],
    )


def _people(session: Session, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The display name and time zone of each id that names an account."""
    out: dict[str, tuple[str, str]] = {}
    for batch in _batches(ids):
        query = select(t.User.id, t.User.display_name, t.User.time_zone).where(t.User.id.in_(batch))
        for pid, name, zone in session.execute(query):
            out[pid] = (name, zone or "UTC")
    return out


def _recent_by_owner(
    session: Session, owner_ids: Sequence[str], since: datetime
) -> dict[str, list[Row[Any]]]:
    """Each owner's episodes from `since` on, newest first (one query per IN_BATCH owners).

    Rows of the episodes table rather than ORM objects: a clinician's list reads thousands,
    and building ORM objects for them took most of its time.
    """
    e = _EPISODES.c
    out: dict[str, list[Row[Any]]] = {pid: [] for pid in owner_ids}
    for batch in _batches(owner_ids):
        query = (
            select(_EPISODES)
            .where(e.user_id.in_(batch), e.occurred_at >= since)
            .order_by(e.user_id, e.occurred_at.desc(), e.id)
        )
        for row in session.execute(query):
            out[row.user_id].append(row)
    return out


def _latest_by_owner(
    session: Session, owner_ids: Sequence[str], latest: int
) -> dict[str, list[Row[Any]]]:
    """Each owner's `latest` newest episodes, newest first (one query per IN_BATCH owners)."""
    e = _EPISODES.c
    out: dict[str, list[Row[Any]]] = {pid: [] for pid in owner_ids}
    if latest == 0:
        return out
    for batch in _batches(owner_ids):
        # Ranked from the index on (user_id, occurred_at, id) alone; then only the rows kept
        # are read from the table.
        rank = func.row_number().over(partition_by=e.user_id, order_by=(e.occurred_at.desc(), e.id))
        ranked = select(e.id, rank.label("newest_rank")).where(e.user_id.in_(batch)).subquery()
        query = (
            select(_EPISODES)
            .join(ranked, ranked.c.id == e.id)
            .where(ranked.c.newest_rank <= latest)
            .order_by(e.user_id, e.occurred_at.desc(), e.id)
        )
        for row in session.execute(query):
            out[row.user_id].append(row)
    return out


def _newest(
    session: Session, recent: Mapping[str, list[Row[Any]]], latest: int
) -> dict[str, list[Row[Any]]]:
    """Each owner's `latest` newest episodes: the first recent ones, if there are enough."""
    newest = {pid: rows[:latest] for pid, rows in recent.items() if len(rows) >= latest}
    newest.update(_latest_by_owner(session, [pid for pid in recent if pid not in newest], latest))
    return newest


def _sessions_by_owner(
    session: Session, starts: Mapping[str, datetime], kb: KnowledgeBase
) -> dict[str, list[SessionFacts]]:
    """Training sessions that may contain an episode of each owner from their start on.

    Owners are grouped by start (most share the same one) so that each group needs one query
    (per IN_BATCH owners) from the group's earliest start. An owner may get sessions from
    before their own start, which cannot contain any of their episodes from that start on.
    """
    reach = session_reach(kb)
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
            query = select(
                t.TrainingSession.user_id,
                t.TrainingSession.started_at,
                t.TrainingSession.duration_min,
            ).where(t.TrainingSession.user_id.in_(batch), t.TrainingSession.started_at >= floor)
            for owner, started_at, duration_min in session.execute(query):
                out[owner].append(
                    SessionFacts(started_at=as_utc(started_at), duration_min=duration_min)
                )
    return out


def _urgent_then_recent(p: PersonOverview) -> tuple[int, float, str]:
    urgency = max((pr.level.rank for pr in p.prompts), default=-1)
    newest_at = p.latest[0].episode.occurred_at.timestamp() if p.latest else 0.0
    return (-urgency, -newest_at, p.display_name)


def clinician_overview(
    session: Session,
    *,
    person_ids: Sequence[str],
    kb: KnowledgeBase,
    now: datetime | None = None,
    latest: int = 3,
) -> list[PersonOverview]:
    """The latest episodes (with flags) and doctor prompts of several persons.

    Unknown ids are left out. People with the most urgent prompts come first, then those with
    the most recent episode.

    A fixed number of queries whatever the number of persons (one each for the persons, their
    recent episodes, the latest episodes of those with fewer recent ones than `latest`, and
    at most two for training sessions; per IN_BATCH persons).
    """
    if latest < 0:
        raise ValueError("latest must be 0 or more")
    at = aware_now(now)
    rules = kb.diary_rules
    window = max(p.criterion.within_days for p in rules.prompts)
    since = at - timedelta(days=window)
    ids = list(dict.fromkeys(person_ids))
    people = _people(session, ids)
    recent = _recent_by_owner(session, [pid for pid in ids if pid in people], since)
    newest = _newest(session, recent, latest)
    starts = {pid: min([as_utc(e.occurred_at) for e in newest[pid]] + [since]) for pid in recent}
    sessions = _sessions_by_owner(session, starts, kb)
    out = [
        PersonOverview(
            person_id=pid,
            display_name=people[pid][0],
            time_zone=people[pid][1],
            latest=tuple(
                FlaggedEpisode(_row_record(e), episode_flags(_row_facts(e), sessions[pid], rules))
                for e in newest[pid]
            ),
            recent_days=window,
            recent_count=len(rows),
            prompts=doctor_prompts([_row_facts(e) for e in rows], rules, at),
        )
        for pid, rows in recent.items()
    ]
    return sorted(out, key=_urgent_then_recent)
