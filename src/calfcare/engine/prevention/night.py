"""The two-week check of the bedtime stretching routine: did night cramps come less often?

Said honestly: with few cramps in the weeks compared, or fewer days since starting than the
window, the answer is "not enough to tell" or "too early", never a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from calfcare.engine.episodes import EpisodeFacts, aware
from calfcare.kb.prevention_schema import Night


@dataclass(frozen=True)
class NightCheck:
    """`verdict`: fewer, same, more, not_enough or too_early."""

    verdict: str
    before: int
    after: int
    window_days: int
    started: date
    days_left: int
    references: tuple[str, ...]


def _is_night(e: EpisodeFacts) -> bool:
    return e.woke_from_sleep or e.activity == "sleeping"


def _verdict(before: int, after: int, night: Night) -> str:
    if before + after < night.check.min_total.value:
        return "not_enough"
    change = (after - before) / max(before, 1)
    if abs(change) < night.check.min_change_fraction.value:
        return "same"
    return "fewer" if after < before else "more"


def night_check(
    episodes: Sequence[EpisodeFacts], started: date | None, now: datetime, night: Night
) -> NightCheck:
    """Night cramps in the window before the routine began against the window after it.

    Without a start day, the last window is compared with the one before it.
    """
    now = aware(now, "now")
    days = int(night.check.window_days.value)
    start_day = started if started is not None else (now - timedelta(days=days)).date()
    start = datetime(start_day.year, start_day.month, start_day.day, tzinfo=now.tzinfo)
    nights = [aware(e.occurred_at, "occurred_at") for e in episodes if _is_night(e)]
    before = sum(start - timedelta(days=days) <= t < start for t in nights)
    after = sum(start <= t < start + timedelta(days=days) for t in nights)
    elapsed = (now - start).days
    left = max(days - elapsed, 0)
    verdict = "too_early" if left > 0 else _verdict(before, after, night)
    refs = tuple(
        dict.fromkeys([*night.check.min_total.references, *night.check.window_days.references])
    )
    return NightCheck(verdict, before, after, days, start_day, left, refs)
