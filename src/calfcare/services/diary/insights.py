"""Patterns in a person's diary and the doctor prompts it meets, and the sources behind them.

The reasoning is the engine's (`engine/insights.py`, pure); this module loads what it needs
from storage and handles the person's time zone, which the engine does not know.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from calfcare.engine.episodes import EpisodeFacts, SessionFacts
from calfcare.engine.insights import Insights, compute_insights, earliest_needed
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.diary.crud import list_episodes, list_training
from calfcare.services.diary.records import EpisodeRecord, aware_now
from calfcare.services.references import citation_text


def facts(rec: EpisodeRecord) -> EpisodeFacts:
    """What the engine needs to know of an episode."""
    return EpisodeFacts(
        id=rec.id,
        occurred_at=rec.occurred_at,
        duration_s=rec.duration_s,
        severity=rec.severity,
        activity=rec.activity,
        session_load=rec.session_load,
        woke_from_sleep=rec.woke_from_sleep,
        temperature_c=rec.temperature_c,
        humidity_pct=rec.humidity_pct,
        carbohydrate_g=rec.carbohydrate_g,
    )


def session_reach(kb: KnowledgeBase) -> timedelta:
    """How long before an episode a training session can start and still count for it."""
    return timedelta(minutes=1440 + kb.diary_rules.factors.without_fuel.after_session_min)


def _session_facts(
    session: Session, owner_id: str, since: datetime, kb: KnowledgeBase
) -> list[SessionFacts]:
    """Training sessions that may contain an episode from `since` on."""
    return [
        SessionFacts(started_at=r.started_at, duration_min=r.duration_min)
        for r in list_training(session, owner_id=owner_id, since=since - session_reach(kb))
    ]


def _wall_clock(moment: datetime, tz: tzinfo) -> datetime:
    """The local date and time of `moment` in `tz`, labelled UTC (for the fixed-offset engine)."""
    return moment.astimezone(tz).replace(tzinfo=UTC)


def _from_wall_clock(moment: datetime, tz: tzinfo) -> datetime:
    """The inverse of `_wall_clock`: a local date and time in `tz`, as a UTC moment."""
    return moment.replace(tzinfo=tz).astimezone(UTC)


def insights(
    session: Session,
    *,
    owner_id: str,
    kb: KnowledgeBase,
    now: datetime | None = None,
    utc_offset: timedelta = timedelta(0),
    tz: tzinfo | None = None,
) -> Insights:
    """Patterns in the owner's diary and the doctor prompts it meets (engine.insights).

    `tz` is the person's time zone (a `zoneinfo.ZoneInfo`), for the weeks, months and times of
    day; daylight saving time is followed, episode by episode. Without it, `utc_offset` is a
    fixed offset from UTC.
    """
    at = aware_now(now)
    if tz is None:
        rules = kb.diary_rules
        since = earliest_needed(at, utc_offset, rules)
        episodes = [facts(e) for e in list_episodes(session, owner_id=owner_id, since=since)]
        sessions = _session_facts(session, owner_id, since, kb)
        return compute_insights(episodes, sessions, rules=rules, now=at, utc_offset=utc_offset)
    return _insights_in_zone(session, owner_id, kb, at, tz)


def _insights_in_zone(
    session: Session, owner_id: str, kb: KnowledgeBase, at: datetime, tz: tzinfo
) -> Insights:
    """The insights in a zone with daylight saving time.

    The engine takes only a fixed offset, so every time goes in as its local wall clock time
    labelled UTC (offset 0), and `now` and `period_start` come back as real moments.
    """
    rules = kb.diary_rules
    local_now = _wall_clock(at, tz)
    # A day's margin: the zone's offset at the start of the period may differ from today's.
    since = _from_wall_clock(earliest_needed(local_now, timedelta(0), rules), tz) - timedelta(
        days=1
    )
    episodes = [
        replace(facts(e), occurred_at=_wall_clock(e.occurred_at, tz))
        for e in list_episodes(session, owner_id=owner_id, since=since)
    ]
    sessions = [
        replace(s, started_at=_wall_clock(s.started_at, tz))
        for s in _session_facts(session, owner_id, since, kb)
    ]
    found = compute_insights(episodes, sessions, rules=rules, now=local_now)
    offset = at.astimezone(tz).utcoffset() or timedelta(0)
    return replace(
        found, now=at, utc_offset=offset, period_start=_from_wall_clock(found.period_start, tz)
    )


def citation(kb: KnowledgeBase, reference_id: str) -> str:
    """A knowledge-base reference as readers see it, e.g. `NHS. Leg cramps. NHS website. 2025.`.

    How every prompt and share shows its sources, on the pages and in the terminal alike.
    """
    ref = kb.references.get(reference_id)
    return reference_id if ref is None else citation_text(ref)
