"""Diary insights: patterns in a person's cramp episodes, and when to see a doctor.

Pure: episodes, training sessions, the diary rules (`diary_rules.yaml`), `now` and the person's
offset from UTC go in; frozen values come out. No clock, no database.

Periods, in the person's local time (UTC + `utc_offset`):

* weeks: the current calendar week (Monday to Sunday) and the 11 before it, oldest first;
* months: the current calendar month and the 11 before it, oldest first;
* the summary (time of day, activity, shares, medians) covers the same 12 months;
* the trend compares the last 4 weeks with the 4 weeks before them (rolling, from `now`);
* each doctor prompt looks back its own `within_days` from `now` (a rolling window).

An episode logged a little in the future (the diary allows up to an hour) counts as now.

This module counts and summarises; an episode's circumstances are judged in `episodes.py`
and the doctor prompts in `doctor_prompts.py`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from calfcare.engine.doctor_prompts import DoctorPrompt, doctor_prompts
from calfcare.engine.episodes import (
    EpisodeFacts,
    SessionFacts,
    aware,
    in_heat,
    longer_or_harder,
    without_fuel,
)
from calfcare.kb.diary_schema import DiaryRules, FuelFactor, HeatFactor, LoadFactor

WEEKS = 12
MONTHS = 12
#: Local hours [start, end) of each part of the day.
TIMES_OF_DAY: tuple[tuple[str, int, int], ...] = (
    ("night", 0, 6),
    ("morning", 6, 12),
    ("afternoon", 12, 18),
    ("evening", 18, 24),
)
#: Order of the shares in `Insights.shares` and the episode flags they give.
SHARE_IDS = ("longer_or_harder", "heat", "without_fuel")
MAX_OFFSET = timedelta(hours=18)
#: The length of each of the two windows the trend compares.
TREND_DAYS = 28


@dataclass(frozen=True)
class Bucket:
    """Episodes in one week (starting Monday `start`) or one month (starting on `start`)."""

    start: date
    count: int


@dataclass(frozen=True)
class Count:
    key: str
    count: int


@dataclass(frozen=True)
class Share:
    """`count` of `total` episodes happened in these circumstances."""

    id: str
    title: str
    count: int
    total: int
    message: str
    basis: str
    references: tuple[str, ...]

    @property
    def fraction(self) -> float:
        return self.count / self.total if self.total else 0.0


@dataclass(frozen=True)
class Trend:
    """Episodes in the last `days` days (`recent`) and in the `days` days before (`before`)."""

    days: int
    recent: int
    before: int


@dataclass(frozen=True)
class Insights:
    now: datetime
    utc_offset: timedelta
    period_start: datetime
    total: int
    weeks: tuple[Bucket, ...]
    months: tuple[Bucket, ...]
    time_of_day: tuple[Count, ...]
    activities: tuple[Count, ...]
    shares: tuple[Share, ...]
    median_duration_s: float | None
    median_severity: float | None
    prompts: tuple[DoctorPrompt, ...]
    trend: Trend


# --- time ----------------------------------------------------------------------------------


def _zone(utc_offset: timedelta) -> timezone:
    if abs(utc_offset) > MAX_OFFSET:
        raise ValueError("utc_offset must be between -18 and +18 hours")
    return timezone(utc_offset)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def first_week(now: datetime, utc_offset: timedelta) -> date:
    """The Monday that starts the oldest of the 12 weeks."""
    today = aware(now, "now").astimezone(_zone(utc_offset)).date()
    return today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))


def first_month(now: datetime, utc_offset: timedelta) -> date:
    """The first day of the oldest of the 12 months (also the start of the summary)."""
    today = aware(now, "now").astimezone(_zone(utc_offset)).date()
    return _month_start(_month_index(today) - (MONTHS - 1))


def earliest_needed(now: datetime, utc_offset: timedelta, rules: DiaryRules) -> datetime:
    """The oldest moment whose episodes can change the insights (for loading from storage)."""
    start = datetime.combine(
        first_month(now, utc_offset), datetime.min.time(), tzinfo=_zone(utc_offset)
    ).astimezone(UTC)
    longest_window = max(*(p.criterion.within_days for p in rules.prompts), 2 * TREND_DAYS)
    return min(start, aware(now, "now") - timedelta(days=longest_window))


# --- everything together ----------------------------------------------------------------------


def trend(episodes: Iterable[EpisodeFacts], now: datetime, days: int = TREND_DAYS) -> Trend:
    """Episodes in the last `days` days and in the `days` days before them.

    Rolling windows from `now`, like the doctor prompts; an episode logged a little in the
    future counts as now.
    """
    now = aware(now, "now")
    window = timedelta(days=days)
    recent = before = 0
    for e in episodes:
        age = now - min(aware(e.occurred_at, "occurred_at"), now)
        if age < window:
            recent += 1
        elif age < 2 * window:
            before += 1
    return Trend(days=days, recent=recent, before=before)


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass
class _Tally:
    """Episodes counted per week, month, part of the day and activity, and those counted."""

    weeks: list[int]
    months: list[int]
    hours: Counter[str] = field(default_factory=Counter)
    activities: Counter[str] = field(default_factory=Counter)
    in_period: list[EpisodeFacts] = field(default_factory=list)


def _tally(
    episodes: Iterable[EpisodeFacts], now: datetime, zone: timezone, week0: date, month0: date
) -> _Tally:
    tally = _Tally(weeks=[0] * WEEKS, months=[0] * MONTHS)
    for e in episodes:
        local = min(aware(e.occurred_at, "occurred_at"), now).astimezone(zone)
        day = local.date()
        if day >= week0:
            tally.weeks[(day - week0).days // 7] += 1
        if day < month0:
            continue
        tally.in_period.append(e)
        tally.months[_month_index(day) - _month_index(month0)] += 1
        tally.hours[next(name for name, lo, hi in TIMES_OF_DAY if lo <= local.hour < hi)] += 1
        tally.activities[e.activity] += 1
    return tally


def _shares(
    in_period: Sequence[EpisodeFacts], sessions: Sequence[SessionFacts], rules: DiaryRules
) -> tuple[Share, ...]:
    f = rules.factors
    counts = {
        "longer_or_harder": sum(longer_or_harder(e, f.longer_or_harder) for e in in_period),
        "heat": sum(in_heat(e, f.heat) for e in in_period),
        "without_fuel": sum(without_fuel(e, sessions, f.without_fuel) for e in in_period),
    }
    factor_of: dict[str, HeatFactor | FuelFactor | LoadFactor] = {
        "longer_or_harder": f.longer_or_harder,
        "heat": f.heat,
        "without_fuel": f.without_fuel,
    }
    return tuple(
        Share(
            id=sid,
            title=factor_of[sid].title,
            count=counts[sid],
            total=len(in_period),
            message=factor_of[sid].message,
            basis=factor_of[sid].basis,
            references=tuple(factor_of[sid].references),
        )
        for sid in SHARE_IDS
    )


def compute_insights(
    episodes: Sequence[EpisodeFacts],
    sessions: Sequence[SessionFacts],
    *,
    rules: DiaryRules,
    now: datetime,
    utc_offset: timedelta = timedelta(0),
) -> Insights:
    """Counts, shares, medians and doctor prompts for one person's diary."""
    now = aware(now, "now")
    zone = _zone(utc_offset)
    week0 = first_week(now, utc_offset)
    month0 = first_month(now, utc_offset)
    tally = _tally(episodes, now, zone, week0, month0)
    return Insights(
        now=now,
        utc_offset=utc_offset,
        period_start=datetime.combine(month0, datetime.min.time(), tzinfo=zone).astimezone(UTC),
        total=len(tally.in_period),
        weeks=tuple(Bucket(week0 + timedelta(weeks=i), n) for i, n in enumerate(tally.weeks)),
        months=tuple(
            Bucket(_month_start(_month_index(month0) + i), n) for i, n in enumerate(tally.months)
        ),
        time_of_day=tuple(Count(name, tally.hours[name]) for name, _, _ in TIMES_OF_DAY),
        activities=tuple(
            Count(k, n) for k, n in sorted(tally.activities.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        shares=_shares(tally.in_period, sessions, rules),
        median_duration_s=_median([e.duration_s for e in tally.in_period]),
        median_severity=_median([e.severity for e in tally.in_period]),
        prompts=doctor_prompts(episodes, rules, now),
        trend=trend(episodes, now),
    )
