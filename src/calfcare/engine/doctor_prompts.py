"""Doctor prompts: the criteria for seeing a doctor that a person's diary meets.

Pure: the episodes, the diary rules' prompts (`diary_rules.yaml`) and `now` go in. Each prompt
looks back its own `within_days` from `now` (a rolling window), and says both its criterion
and what the diary shows, so that a person sees why it is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from calfcare.engine.episodes import EpisodeFacts, aware
from calfcare.kb.diary_schema import CountCriterion, DiaryPrompt, DiaryRules
from calfcare.kb.schema import TriageLevel


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _span(seconds: int) -> str:
    if seconds % 60 == 0:
        return _plural(seconds // 60, "minute")
    return _plural(seconds, "second")


def criterion_met(
    prompt: DiaryPrompt, episodes: Sequence[EpisodeFacts], now: datetime
) -> tuple[str, ...] | None:
    """The ids of the episodes that meet the prompt's criterion (sorted), or None if unmet."""
    c = prompt.criterion
    since = aware(now, "now") - timedelta(days=c.within_days)
    recent = [e for e in episodes if aware(e.occurred_at, "occurred_at") >= since]
    if isinstance(c, CountCriterion):
        hits = recent if c.kind == "episodes" else [e for e in recent if e.woke_from_sleep]
        return tuple(sorted(e.id for e in hits)) if len(hits) >= c.at_least else None
    long_ones = [e for e in recent if e.duration_s > c.longer_than_s]
    return tuple(sorted(e.id for e in long_ones)) if long_ones else None


def _describe(
    prompt: DiaryPrompt, hits: tuple[str, ...], episodes: Sequence[EpisodeFacts]
) -> tuple[str, str]:
    c = prompt.criterion
    days = f"in the last {c.within_days} days"
    if isinstance(c, CountCriterion):
        if c.kind == "episodes":
            return (
                f"{c.at_least} or more episodes {days}",
                f"{_plural(len(hits), 'episode')} {days}",
            )
        return (
            f"woken by cramps {c.at_least} or more times {days}",
            f"woken {_plural(len(hits), 'time')} {days}",
        )
    longest = max(e.duration_s for e in episodes if e.id in set(hits))
    return (
        f"an episode longer than {_span(c.longer_than_s)} {days}",
        f"the longest lasted {_span(longest)}",
    )


def doctor_prompts(
    episodes: Sequence[EpisodeFacts], rules: DiaryRules, now: datetime
) -> tuple[DoctorPrompt, ...]:
    """Every prompt of the diary rules whose criterion the episodes meet, in file order."""
    out: list[DoctorPrompt] = []
    for p in rules.prompts:
        hits = criterion_met(p, episodes, now)
        if hits is None:
            continue
        criterion, observed = _describe(p, hits, episodes)
        out.append(
            DoctorPrompt(
                id=p.id,
                title=p.title,
                level=p.level,
                message=p.message,
                criterion=criterion,
                observed=observed,
                basis=p.basis,
                references=tuple(p.references),
                note=p.note,
                episode_ids=hits,
            )
        )
    return tuple(out)
