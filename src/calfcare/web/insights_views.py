"""How the diary's insights read on a page: a few plain sentences first, then the charts.

People open the insights page to learn whether something is wrong and what recurs, not to read
a table of counts, so the page leads with a summary (how many episodes, whether that is going
up, when and doing what they come most often, and any reason to see a doctor). Each chart
describes itself to screen readers (its title and description) and keeps its numbers as a
table folded under "Show as a table", so no chart is repeated as a list; periods with no
episode are said in one sentence rather than as rows of zeros.

Rendering only, shared by the person's insights page and the clinician's read-only view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timezone
from typing import Any

from markupsafe import Markup

from calfcare.engine.insights import Count, Insights, Trend
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import units as u
from calfcare.web import charts
from calfcare.web.diary_views import ACTIVITY_WORDS, prompt_view

TIME_OF_DAY_WORDS = {
    "night": "Night (0–6 h)",
    "morning": "Morning (6–12 h)",
    "afternoon": "Afternoon (12–18 h)",
    "evening": "Evening (18–24 h)",
}
#: How a summary says when, and doing what, episodes came most often.
TIME_OF_DAY_PHRASES = {
    "night": "at night",
    "morning": "in the morning",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
}
ACTIVITY_PHRASES = {
    **{a: f"while {a}" for a in ("sleeping", "resting", "sitting", "standing", "walking")},
    **{a: f"while {a}" for a in ("running", "cycling", "swimming", "hiking")},
    "football": "during football",
    "racket_sport": "during a racket sport",
    "team_sport": "during a team sport",
    "gym": "at the gym or lifting weights",
    "dance": "while dancing",
    "work": "at work",
    "other": "during other activities",
}


def _episodes(n: int) -> str:
    return f"{n} episode" if n == 1 else f"{n} episodes"


def _trend_sentence(t: Trend) -> str:
    """E.g. `3 episodes in the last 4 weeks, up from 1 in the 4 weeks before.`"""
    weeks = t.days // 7
    if t.recent == t.before == 0:
        return f"No episodes in the last {2 * weeks} weeks."
    change = (
        "the same as"
        if t.recent == t.before
        else f"{'up' if t.recent > t.before else 'down'} from {t.before}"
    )
    return f"{_episodes(t.recent)} in the last {weeks} weeks, {change} in the {weeks} weeks before."


def _most_often(counts: Sequence[Count], phrases: Mapping[str, str], total: int) -> str:
    """`Most often at night (3 of 5).` when one kind clearly recurs (2 or more, no tie)."""
    ranked = sorted(counts, key=lambda c: -c.count)
    if (
        not ranked
        or ranked[0].count < 2
        or (len(ranked) > 1 and ranked[1].count == ranked[0].count)
    ):
        return ""
    top = ranked[0]
    return f"Most often {phrases.get(top.key, top.key)} ({top.count} of {total})."


def summary_lines(ins: Insights) -> list[str]:
    """What the diary shows, in a few plain sentences: how many, the trend, what recurs.

    The period starts on the first day of a month in the person's own time zone, so the date is
    said in that zone (in UTC it can be the day before).
    """
    start = ins.period_start.astimezone(timezone(ins.utc_offset))
    since = f"{start.day} {start:%B %Y}"
    if ins.total == 0:
        return [f"No episodes in the last 12 months (since {since})."]
    lines = [
        f"{_episodes(ins.total)} in the last 12 months (since {since}).",
        _trend_sentence(ins.trend),
        _most_often(ins.time_of_day, TIME_OF_DAY_PHRASES, ins.total),
        _most_often(ins.activities, ACTIVITY_PHRASES, ins.total),
    ]
    if ins.median_duration_s is not None and ins.median_severity is not None:
        lines.append(
            f"Half lasted {u.format_duration(round(ins.median_duration_s))} or less, and half "
            f"had a severity of {u.plain_number(ins.median_severity, 1)} out of 10 or less."
        )
    return [line for line in lines if line]


def _circumstances(ins: Insights) -> list[dict[str, Any]]:
    """The circumstances that came up at least once, each with what to do about it."""
    return [
        {
            "title": s.title,
            "count": s.count,
            "total": s.total,
            "percent": f"{s.fraction:.0%}",
            "message": s.message,
        }
        for s in ins.shares
        if s.count
    ]


def _text(bars: Sequence[charts.Bar]) -> str:
    return "; ".join(f"{b.label}: {int(b.value)}" for b in bars) + "."


def _chart(
    title: str, svg: Markup, heading: tuple[str, str], rows: Sequence[charts.Bar], note: str = ""
) -> dict[str, Any]:
    """A chart and its table: only the rows with something to say, and a note for the rest."""
    return {
        "title": title,
        "svg": svg,
        "heading": heading,
        "rows": [(b.label, b.text) for b in rows],
        "note": note,
    }


def _weekly(ins: Insights, chart_id: str) -> dict[str, Any]:
    """Episodes per week; only a sentence when none of the 12 weeks has one."""
    weeks = [charts.Bar(f"{b.start.day} {b.start:%b}", b.count, str(b.count)) for b in ins.weeks]
    busy = [b for b in weeks if b.value]
    if not busy:
        return {
            "title": "Episodes per week",
            "svg": None,
            "empty": "No episodes in the last 12 weeks.",
        }
    rest = len(weeks) - len(busy)
    others = f"no episodes in the other {rest} week{'' if rest == 1 else 's'}" if rest else ""
    desc = (
        f"{_episodes(sum(b.count for b in ins.weeks))} in the last 12 weeks: "
        + "; ".join(f"week of {b.label}: {int(b.value)}" for b in busy)
        + (f"; {others}." if others else ".")
    )
    svg = charts.columns(chart_id, "Episodes per week, last 12 weeks", desc, weeks, label_every=3)
    note = f"{others[:1].upper()}{others[1:]}." if others else ""
    return _chart("Episodes per week", svg, ("Week starting (Monday)", "Episodes"), busy, note)


def _by_time(ins: Insights, chart_id: str, zone_name: str) -> dict[str, Any]:
    bars = [
        charts.Bar(TIME_OF_DAY_WORDS[c.key].split(" (")[0], c.count, str(c.count))
        for c in ins.time_of_day
    ]
    svg = charts.rows(chart_id, f"Episodes by time of day ({zone_name})", _text(bars), bars)
    rows = [
        charts.Bar(TIME_OF_DAY_WORDS[c.key], c.count, str(c.count))
        for c in ins.time_of_day
        if c.count
    ]
    note = "No episodes at the other times of day." if len(rows) < len(bars) else ""
    return _chart("By time of day", svg, (f"Time of day ({zone_name})", "Episodes"), rows, note)


def _by_activity(ins: Insights, chart_id: str) -> dict[str, Any]:
    """Only the activities that had an episode (the engine counts no others)."""
    bars = [
        charts.Bar(ACTIVITY_WORDS.get(c.key, c.key), c.count, str(c.count)) for c in ins.activities
    ]
    svg = charts.rows(chart_id, "Episodes by activity", _text(bars), bars)
    return _chart("By activity", svg, ("Activity", "Episodes"), bars)


def insights_view(
    kb: KnowledgeBase, ins: Insights, id_prefix: str = "", zone_name: str = "UTC"
) -> dict[str, Any]:
    """The insights as a page shows them: the summary, the reasons to see a doctor, the
    circumstances that came up with their advice, then the charts. An empty diary has a
    summary and no charts.

    The circumstances are a list rather than a chart: their advice is the point, and a chart
    of the same three numbers would only repeat it.
    """
    charts_ = (
        [
            _weekly(ins, f"{id_prefix}chart-weeks"),
            _by_time(ins, f"{id_prefix}chart-time", zone_name),
            _by_activity(ins, f"{id_prefix}chart-activity"),
        ]
        if ins.total
        else []
    )
    return {
        "total": ins.total,
        "summary": summary_lines(ins),
        "circumstances": _circumstances(ins),
        "charts": charts_,
        "prompts": [prompt_view(kb, p) for p in ins.prompts],
    }
