"""A person's own cramp risk for a planned session, from their diary.

The comparison is the one the cramp studies support: a session longer or harder than the
person is prepared for, previous cramps and the conditions they came in (Schwellnus 2011;
Miller 2022). The acute-to-chronic load ratio is computed for display only, with its limits;
nothing here decides on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from calfcare.engine.episodes import EpisodeFacts, SessionFacts, aware, episode_flags
from calfcare.engine.prevention.types import Advice
from calfcare.kb.diary_schema import DiaryRules
from calfcare.kb.prevention_schema import Prevention


@dataclass(frozen=True)
class TrainingFacts:
    """A logged training session; `intensity` is the effort, 1-10."""

    started_at: datetime
    activity: str
    duration_min: int
    intensity: int


@dataclass(frozen=True)
class PlannedSession:
    duration_min: float
    intensity: int
    sport: str | None
    hot: bool  # the heat category of the plan calls for changes
    salty: bool


@dataclass(frozen=True)
class CrampHistory:
    count: int
    in_heat: int
    without_fuel: int
    longer_or_harder: int
    activities: tuple[str, ...]


@dataclass(frozen=True)
class LoadRatio:
    acute_load: float
    chronic_weekly_load: float
    ratio: float | None
    advice: Advice


@dataclass(frozen=True)
class RiskProfile:
    window_days: int
    sessions: int
    longest_min: int | None
    hardest_rpe: int | None
    longer_by_percent: float | None
    harder_by: int | None
    history: CrampHistory
    load_ratio: LoadRatio
    touches: tuple[Advice, ...]


def _recent(sessions: Sequence[TrainingFacts], now: datetime, days: float) -> list[TrainingFacts]:
    start = now - timedelta(days=days)
    return [s for s in sessions if start <= aware(s.started_at, "started_at") <= now]


def _history(
    episodes: Sequence[EpisodeFacts], sessions: Sequence[TrainingFacts], rules: DiaryRules
) -> CrampHistory:
    facts = [SessionFacts(s.started_at, s.duration_min) for s in sessions]
    active = [e for e in episodes if not e.woke_from_sleep and e.activity != "sleeping"]
    flags = [episode_flags(e, facts, rules) for e in active]
    return CrampHistory(
        count=len(active),
        in_heat=sum("heat" in f for f in flags),
        without_fuel=sum("without_fuel" in f for f in flags),
        longer_or_harder=sum("longer_or_harder" in f for f in flags),
        activities=tuple(dict.fromkeys(e.activity for e in active)),
    )


def _load_ratio(
    sessions: Sequence[TrainingFacts], now: datetime, window: int, kb: Prevention
) -> LoadRatio:
    """This week's load (minutes x effort) against the weekly average of the window."""
    acute = sum(s.duration_min * s.intensity for s in _recent(sessions, now, kb.risk.acute_days))
    chronic = sum(s.duration_min * s.intensity for s in _recent(sessions, now, window))
    weekly = chronic / (window / 7)
    ratio = round(acute / weekly, 2) if weekly > 0 else None
    return LoadRatio(
        acute, round(weekly, 1), ratio, Advice.of("load_ratio", kb.risk.statements["load_ratio"])
    )


def _touches(p: PlannedSession, prof: RiskProfile, kb: Prevention) -> list[Advice]:
    st, r = kb.risk.statements, kb.risk
    ids: list[str] = []
    if prof.sessions == 0:
        ids.append("nothing_to_compare")
    if (
        prof.longer_by_percent is not None
        and prof.longer_by_percent > r.longer_margin_percent.value
    ):
        ids.append("longer")
    if prof.harder_by is not None and prof.harder_by >= r.harder_margin_rpe.value:
        ids.append("harder")
    if prof.history.count:
        ids.append("previous_cramps")
    if p.hot:
        ids.append("heat")
    if prof.history.in_heat and p.hot:
        ids.append("cramped_in_heat")
    if p.duration_min > kb.fuel.before_for_longer_than_min:
        ids.append("fuel")
        if prof.history.without_fuel:
            ids.append("cramped_without_fuel")
    if p.salty and (p.duration_min >= 120 or p.hot):
        ids.append("sodium")
    ids.append("stretching")
    return [Advice.of(i, st[i]) for i in ids]


def risk_profile(
    p: PlannedSession,
    sessions: Sequence[TrainingFacts],
    episodes: Sequence[EpisodeFacts],
    now: datetime,
    kb: Prevention,
    rules: DiaryRules,
) -> RiskProfile:
    """Compare a planned session with the last weeks of training and the cramps logged."""
    now = aware(now, "now")
    window = int(kb.risk.window_days.value)
    recent = _recent(sessions, now, window)
    pool = [s for s in recent if p.sport and s.activity == p.sport] or recent
    longest = max((s.duration_min for s in pool), default=None)
    hardest = max((s.intensity for s in pool), default=None)
    history_window = [
        e
        for e in episodes
        if aware(e.occurred_at, "occurred_at")
        >= now - timedelta(days=kb.risk.cramp_history_days.value)
    ]
    prof = RiskProfile(
        window_days=window,
        sessions=len(recent),
        longest_min=longest,
        hardest_rpe=hardest,
        longer_by_percent=round((p.duration_min / longest - 1) * 100, 1) if longest else None,
        harder_by=p.intensity - hardest if hardest is not None else None,
        history=_history(history_window, sessions, rules),
        load_ratio=_load_ratio(sessions, now, window, kb),
        touches=(),
    )
    return RiskProfile(**{**prof.__dict__, "touches": tuple(_touches(p, prof, kb))})
