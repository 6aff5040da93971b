"""One cramp episode as the diary insights see it: its facts, and the circumstances it met.

Pure, like the rest of the insights: the facts are frozen values built by the caller, and the
circumstances (heat, a longer or harder session, training without fuel) are judged by the
diary rules' factors (`diary_rules.yaml`). The same judgement feeds the shares of the insights
(`insights.py`) and the flags of an episode in a list, so that the two always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from calfcare.kb.diary_schema import (
    DiaryRules,
    FuelFactor,
    HeatFactor,
    LoadFactor,
    LongestCriterion,
)


@dataclass(frozen=True)
class EpisodeFacts:
    """What the insights need to know about one episode. `occurred_at` is timezone-aware."""

    id: str
    occurred_at: datetime
    duration_s: int
    severity: int
    activity: str
    session_load: str | None = None
    woke_from_sleep: bool = False
    temperature_c: float | None = None
    humidity_pct: float | None = None
    carbohydrate_g: float | None = None


@dataclass(frozen=True)
class SessionFacts:
    """A training session: when it started (timezone-aware) and how long it lasted."""

    started_at: datetime
    duration_min: int


def aware(moment: datetime, what: str) -> datetime:
    """`moment` in UTC; a naive time is refused, as it cannot be placed in anyone's day."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(UTC)


# --- circumstances of one episode -------------------------------------------------------------


def in_heat(episode: EpisodeFacts, heat: HeatFactor) -> bool:
    t = episode.temperature_c
    if t is None:
        return False
    humid = episode.humidity_pct is not None and episode.humidity_pct >= heat.humid_pct
    return t >= heat.hot_c or (humid and t >= heat.humid_min_c)


def longer_or_harder(episode: EpisodeFacts, load: LoadFactor) -> bool:
    return episode.session_load is not None and episode.session_load in load.loads


def without_fuel(episode: EpisodeFacts, sessions: Iterable[SessionFacts], fuel: FuelFactor) -> bool:
    """No carbohydrate logged, in (or just after) a training session longer than the limit."""
    if episode.carbohydrate_g is not None and episode.carbohydrate_g > 0:
        return False
    at = aware(episode.occurred_at, "occurred_at")
    for s in sessions:
        if s.duration_min <= fuel.session_longer_than_min:
            continue
        start = aware(s.started_at, "started_at")
        end = start + timedelta(minutes=s.duration_min + fuel.after_session_min)
        if start <= at <= end:
            return True
    return False


def _longest_limit(rules: DiaryRules) -> int | None:
    limits = [
        p.criterion.longer_than_s
        for p in rules.prompts
        if isinstance(p.criterion, LongestCriterion)
    ]
    return min(limits) if limits else None


def episode_flags(
    episode: EpisodeFacts, sessions: Sequence[SessionFacts], rules: DiaryRules
) -> tuple[str, ...]:
    """Short flags for a list: the shares the episode counts in, `woke_from_sleep`, `long`."""
    f = rules.factors
    flags: list[str] = []
    if longer_or_harder(episode, f.longer_or_harder):
        flags.append("longer_or_harder")
    if in_heat(episode, f.heat):
        flags.append("heat")
    if without_fuel(episode, sessions, f.without_fuel):
        flags.append("without_fuel")
    if episode.woke_from_sleep:
        flags.append("woke_from_sleep")
    limit = _longest_limit(rules)
    if limit is not None and episode.duration_s > limit:
        flags.append("long")
    return tuple(flags)
