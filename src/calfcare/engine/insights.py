"""Diary insights: patterns in a person's cramp episodes, and when to see a doctor.

Pure: episodes, training sessions, the diary rules (`diary_rules.yaml`), `now` and the person's
offset from UTC go in; frozen values come out. No clock, no database.

Periods, in the person's local time (UTC + `utc_offset`):

* weeks: the current calendar week (Monday to Sunday) and the 11 before it, oldest first;
* months: the current calendar month and the 11 before it, oldest first;
* the summary (time of day, activity, shares, medians) covers the same 12 months;
* each doctor prompt looks back its own `within_days` from `now` (a rolling window).

An episode logged a little in the future (the diary allows up to an hour) counts as now.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from calfcare.kb.schema import (
    CountCriterion,
    DiaryPrompt,
    DiaryRules,
    FuelFactor,
    HeatFactor,
    LoadFactor,
    LongestCriterion,
    TriageLevel,
)

WEEKS = 12
MONTHS = 12
#: Local hours [start, end) of each part of the day.
TIMES_OF_DAY: tuple[tuple[str, int, int], ...] = (
    ("night", 0, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 24))
#: Order of the shares in `Insights.shares` and the episode flags they give.
SHARE_IDS = ("longer_or_harder", "heat", "without_fuel")
MAX_OFFSET = timedelta(hours=18)


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
class DoctorPrompt:
    """A criterion for seeing a doctor that the diary meets, and the sources behind it."""

    id: str
    title: str
    level: TriageLevel
    message: str
    criterion: str
    observed: str
    basis: str
    references: tuple[str, ...]
    note: str | None
    episode_ids: tuple[str, ...]


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


# --- time ----------------------------------------------------------------------------------

def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(UTC)


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
    today = _aware(now, "now").astimezone(_zone(utc_offset)).date()
    return today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))


def first_month(now: datetime, utc_offset: timedelta) -> date:
    """The first day of the oldest of the 12 months (also the start of the summary)."""
    today = _aware(now, "now").astimezone(_zone(utc_offset)).date()
    return _month_start(_month_index(today) - (MONTHS - 1))


def earliest_needed(now: datetime, utc_offset: timedelta, rules: DiaryRules) -> datetime:
    """The oldest moment whose episodes can change the insights (for loading from storage)."""
    start = datetime.combine(first_month(now, utc_offset), datetime.min.time(),
                             tzinfo=_zone(utc_offset)).astimezone(UTC)
    longest_window = max(p.criterion.within_days for p in rules.prompts)
    return min(start, _aware(now, "now") - timedelta(days=longest_window))


# --- circumstances of one episode -------------------------------------------------------------

def in_heat(episode: EpisodeFacts, heat: HeatFactor) -> bool:
    t = episode.temperature_c
    if t is None:
        return False
    humid = episode.humidity_pct is not None and episode.humidity_pct >= heat.humid_pct
    return t >= heat.hot_c or (humid and t >= heat.humid_min_c)


def longer_or_harder(episode: EpisodeFacts, load: LoadFactor) -> bool:
    return episode.session_load is not None and episode.session_load in load.loads


def without_fuel(episode: EpisodeFacts, sessions: Iterable[SessionFacts],
                 fuel: FuelFactor) -> bool:
    """No carbohydrate logged, in (or just after) a training session longer than the limit."""
    if episode.carbohydrate_g is not None and episode.carbohydrate_g > 0:
        return False
    at = _aware(episode.occurred_at, "occurred_at")
    for s in sessions:
        if s.duration_min <= fuel.session_longer_than_min:
            continue
        start = _aware(s.started_at, "started_at")
        end = start + timedelta(minutes=s.duration_min + fuel.after_session_min)
        if start <= at <= end:
            return True
    return False


def _longest_limit(rules: DiaryRules) -> int | None:
    limits = [p.criterion.longer_than_s for p in rules.prompts
              if isinstance(p.criterion, LongestCriterion)]
    return min(limits) if limits else None


def episode_flags(episode: EpisodeFacts, sessions: Sequence[SessionFacts],
                  rules: DiaryRules) -> tuple[str, ...]:
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


# --- doctor prompts ---------------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _span(seconds: int) -> str:
    if seconds % 60 == 0:
        return _plural(seconds // 60, "minute")
    return _plural(seconds, "second")


def criterion_met(prompt: DiaryPrompt, episodes: Sequence[EpisodeFacts],
                  now: datetime) -> tuple[str, ...] | None:
    """The ids of the episodes that meet the prompt's criterion (sorted), or None if unmet."""
    c = prompt.criterion
    since = _aware(now, "now") - timedelta(days=c.within_days)
    recent = [e for e in episodes if _aware(e.occurred_at, "occurred_at") >= since]
    if isinstance(c, CountCriterion):
        hits = recent if c.kind == "episodes" else [e for e in recent if e.woke_from_sleep]
        return tuple(sorted(e.id for e in hits)) if len(hits) >= c.at_least else None
    long_ones = [e for e in recent if e.duration_s > c.longer_than_s]
    return tuple(sorted(e.id for e in long_ones)) if long_ones else None


def _describe(prompt: DiaryPrompt, hits: tuple[str, ...],
              episodes: Sequence[EpisodeFacts]) -> tuple[str, str]:
    c = prompt.criterion
    days = f"in the last {c.within_days} days"
    if isinstance(c, CountCriterion):
        if c.kind == "episodes":
            return (f"{c.at_least} or more episodes {days}",
                    f"{_plural(len(hits), 'episode')} {days}")
        return (f"woken by cramps {c.at_least} or more times {days}",
                f"woken {_plural(len(hits), 'time')} {days}")
    longest = max(e.duration_s for e in episodes if e.id in set(hits))
    return (f"an episode longer than {_span(c.longer_than_s)} {days}",
            f"the longest lasted {_span(longest)}")


def doctor_prompts(episodes: Sequence[EpisodeFacts], rules: DiaryRules,
                   now: datetime) -> tuple[DoctorPrompt, ...]:
    """Every prompt of the diary rules whose criterion the episodes meet, in file order."""
    out: list[DoctorPrompt] = []
    for p in rules.prompts:
        hits = criterion_met(p, episodes, now)
        if hits is None:
            continue
        criterion, observed = _describe(p, hits, episodes)
        out.append(DoctorPrompt(
            id=p.id, title=p.title, level=p.level, message=p.message, criterion=criterion,
            observed=observed, basis=p.basis, references=tuple(p.references), note=p.note,
            episode_ids=hits))
    return tuple(out)


# --- everything together ----------------------------------------------------------------------

def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def compute_insights(episodes: Sequence[EpisodeFacts], sessions: Sequence[SessionFacts], *,
                     rules: DiaryRules, now: datetime,
                     utc_offset: timedelta = timedelta(0)) -> Insights:
    """Counts, shares, medians and doctor prompts for one person's diary."""
    now = _aware(now, "now")
    zone = _zone(utc_offset)
    week0 = first_week(now, utc_offset)
    month0 = first_month(now, utc_offset)
    weeks = [0] * WEEKS
    months = [0] * MONTHS
    hours: Counter[str] = Counter()
    activities: Counter[str] = Counter()
    in_period: list[EpisodeFacts] = []
    for e in episodes:
        local = min(_aware(e.occurred_at, "occurred_at"), now).astimezone(zone)
        day = local.date()
        if day >= week0:
            weeks[(day - week0).days // 7] += 1
        if day < month0:
            continue
        in_period.append(e)
        months[_month_index(day) - _month_index(month0)] += 1
        hours[next(name for name, lo, hi in TIMES_OF_DAY if lo <= local.hour < hi)] += 1
        activities[e.activity] += 1

    f = rules.factors
    counts = {
        "longer_or_harder": sum(longer_or_harder(e, f.longer_or_harder) for e in in_period),
        "heat": sum(in_heat(e, f.heat) for e in in_period),
        "without_fuel": sum(without_fuel(e, sessions, f.without_fuel) for e in in_period),
    }
    factor_of: dict[str, HeatFactor | FuelFactor | LoadFactor] = {
        "longer_or_harder": f.longer_or_harder, "heat": f.heat, "without_fuel": f.without_fuel}
    shares = tuple(
        Share(id=sid, title=factor_of[sid].title, count=counts[sid], total=len(in_period),
              message=factor_of[sid].message, basis=factor_of[sid].basis,
              references=tuple(factor_of[sid].references))
        for sid in SHARE_IDS)
    return Insights(
        now=now,
        utc_offset=utc_offset,
        period_start=datetime.combine(month0, datetime.min.time(), tzinfo=zone).astimezone(UTC),
        total=len(in_period),
        weeks=tuple(Bucket(week0 + timedelta(weeks=i), n) for i, n in enumerate(weeks)),
        months=tuple(Bucket(_month_start(_month_index(month0) + i), n)
                     for i, n in enumerate(months)),
        time_of_day=tuple(Count(name, hours[name]) for name, _, _ in TIMES_OF_DAY),
        activities=tuple(Count(k, n) for k, n in sorted(activities.items(),
                                                         key=lambda kv: (-kv[1], kv[0]))),
        shares=shares,
        median_duration_s=_median([e.duration_s for e in in_period]),
        median_severity=_median([e.severity for e in in_period]),
        prompts=doctor_prompts(episodes, rules, now),
    )
