"""How the diary's records look on a page: words for codes, times in the reader's zone,
quantities in their units, and the insight charts with their text alternatives.

Rendering only: the routes get records from `services.diary` and pass them through these to the
templates. Shared by the person's pages and the clinician's read-only ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from markupsafe import Markup

from calfcare.engine.doctor_prompts import DoctorPrompt
from calfcare.engine.insights import Insights
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import diary
from calfcare.services import units as u
from calfcare.services.accounts import zone_of
from calfcare.web import charts

LEG_WORDS = {"left": "Left", "right": "Right", "both": "Both legs"}
LOAD_WORDS = {
    "": "Not in a training session, or not sure",
    "less": "Less than usual",
    "usual": "About as usual",
    "longer": "Longer than usual",
    "harder": "Harder (faster or steeper) than usual",
}
ACTIVITY_WORDS = {a: a.replace("_", " ").capitalize() for a in diary.ACTIVITIES}
ACTIVITY_WORDS.update(
    {
        "racket_sport": "Racket sport",
        "gym": "Gym or weights",
        "work": "At work",
        "other": "Something else",
    }
)
FLAG_WORDS = {
    "longer_or_harder": "Longer or harder session",
    "heat": "In heat",
    "without_fuel": "Without fuel",
    "woke_from_sleep": "Woke from sleep",
    "long": "Longer than 10 minutes",
}
TIME_OF_DAY_WORDS = {
    "night": "Night (0–6 h)",
    "morning": "Morning (6–12 h)",
    "afternoon": "Afternoon (12–18 h)",
    "evening": "Evening (18–24 h)",
}


def when(moment: datetime, tz: tzinfo = UTC) -> str:
    """E.g. `Tue 24 Nov 2026, 07:30 GMT`: in the zone `tz`, labelled with its abbreviation."""
    m = moment.astimezone(tz)
    return f"{m:%a} {m.day} {m:%b %Y, %H:%M} {m.tzname() or 'UTC'}"


def episode_view(
    e: diary.EpisodeRecord, system: u.UnitSystem, flags: Sequence[str] = (), tz: tzinfo = UTC
) -> dict[str, Any]:
    details = [ACTIVITY_WORDS.get(e.activity, e.activity)]
    if e.session_load:
        details.append(
            LOAD_WORDS[e.session_load].lower().replace("about as usual", "usual session")
        )
    if e.woke_from_sleep:
        details.append("woke me up")
    if e.temperature_c is not None:
        details.append(
            u.format_quantity("temperature", e.temperature_c, system).replace(" ", "\u00a0")
        )
    return {
        "id": e.id,
        "when": when(e.occurred_at, tz),
        "leg": LEG_WORDS.get(e.leg, e.leg),
        "muscle": e.muscle,
        "duration": u.format_duration(e.duration_s),
        "severity": e.severity,
        "details": ", ".join(details),
        "helped": e.helped,
        "notes": e.notes,
        "flags": [FLAG_WORDS.get(f, f) for f in flags],
    }


def training_view(
    s: diary.TrainingRecord, system: u.UnitSystem, tz: tzinfo = UTC
) -> dict[str, Any]:
    return {
        "id": s.id,
        "when": when(s.started_at, tz),
        "activity": ACTIVITY_WORDS.get(s.activity, s.activity),
        "duration": u.format_duration(s.duration_min * 60),
        "intensity": s.intensity,
        "distance": u.format_quantity("distance", s.distance_km, system).replace(" ", "\u00a0"),
        "notes": s.notes,
    }


def prompt_view(kb: KnowledgeBase, p: DoctorPrompt) -> dict[str, Any]:
    level = kb.levels[p.level]
    return {
        "title": p.title,
        "message": p.message,
        "criterion": p.criterion,
        "observed": p.observed,
        "family": level.family,
        "label": level.label,
        "basis": p.basis,
        "note": p.note,
        "sources": [diary.citation(kb, r) for r in p.references],
    }


def _text(bars: Sequence[charts.Bar]) -> str:
    return "; ".join(f"{b.label}: {int(b.value)}" for b in bars) + "."


def _weekly(ins: Insights, chart_id: str) -> tuple[Markup, list[charts.Bar], int]:
    weeks = [charts.Bar(f"{b.start.day} {b.start:%b}", b.count, str(b.count)) for b in ins.weeks]
    total = sum(b.count for b in ins.weeks)
    chart = charts.columns(
        chart_id,
        "Episodes per week, last 12 weeks",
        f"{total} episodes in the last 12 weeks. "
        + "; ".join(f"week of {b.label}: {int(b.value)}" for b in weeks)
        + ".",
        weeks,
        label_every=3,
    )
    return chart, weeks, total


def _shares(ins: Insights, chart_id: str) -> Markup:
    bars = [
        charts.Bar(
            s.title.replace("In a longer or harder session than usual", "Longer or harder"),
            100 * s.fraction,
            f"{s.count} of {s.total}" + (f" ({s.fraction:.0%})" if s.total else ""),
        )
        for s in ins.shares
    ]
    return charts.rows(
        chart_id,
        "Share of episodes in each circumstance",
        "; ".join(f"{s.title}: {s.count} of {s.total} episodes" for s in ins.shares) + ".",
        bars,
        maximum=100,
        label_width=130,
    )


def insights_view(
    kb: KnowledgeBase, ins: Insights, id_prefix: str = "", zone_name: str = "UTC"
) -> dict[str, Any]:
    """The charts (inline SVG) and their text alternatives."""
    weekly, weeks, week_total = _weekly(ins, f"{id_prefix}chart-weeks")
    tod = [
        charts.Bar(TIME_OF_DAY_WORDS[c.key].split(" (")[0], c.count, str(c.count))
        for c in ins.time_of_day
    ]
    acts = [
        charts.Bar(ACTIVITY_WORDS.get(c.key, c.key), c.count, str(c.count)) for c in ins.activities
    ]
    return {
        "total": ins.total,
        "since": f"{ins.period_start.day} {ins.period_start:%B %Y}",
        "weekly": weekly,
        "weeks": weeks,
        "week_total": week_total,
        "by_time": charts.rows(
            f"{id_prefix}chart-time", f"Episodes by time of day ({zone_name})", _text(tod), tod
        ),
        "times": tod,
        "by_activity": charts.rows(
            f"{id_prefix}chart-activity",
            "Episodes by activity",
            _text(acts) if acts else "No episodes in the last 12 months.",
            acts or [charts.Bar("None yet", 0, "0")],
        ),
        "activities": acts,
        "shares_chart": _shares(ins, f"{id_prefix}chart-shares"),
        "shares": ins.shares,
        "median_duration": u.format_duration(round(ins.median_duration_s))
        if ins.median_duration_s is not None
        else None,
        "median_severity": u.plain_number(ins.median_severity, 1)
        if ins.median_severity is not None
        else None,
        "prompts": [prompt_view(kb, p) for p in ins.prompts],
    }


def diary_view(
    kb: KnowledgeBase, got: diary.DiaryPage, system: u.UnitSystem, time_zone: str
) -> dict[str, Any]:
    """What the diary list shows (the person's own page and the clinician's read-only one).

    Times are shown in `time_zone`, the diary owner's.
    """
    tz = zone_of(time_zone)
    prompted = got.prompted
    return {
        "episodes": [
            episode_view(e, system, ("prompt",) if e.id in prompted else (), tz)
            for e in got.episodes
        ],
        "page": got.page,
        "has_next": got.has_next,
        "has_prev": got.has_prev,
        "sessions": [training_view(s, system, tz) for s in got.sessions],
        "assessments": [
            {
                "id": a.id,
                "when": when(a.created_at, tz),
                "level": kb.levels[a.triage_level].label,
                "condition": kb.guides[a.top_condition].common_name
                if a.top_condition in kb.guides
                else a.top_condition,
            }
            for a in got.assessments
        ],
        "prompts": [prompt_view(kb, p) for p in got.insights.prompts],
        "time_zone": time_zone,
        "insights": got.insights,
    }


def form_view(kind: str, system: u.UnitSystem) -> dict[str, Any]:
    """What the episode and session forms need besides the values: units and choices."""
    return {
        "kind": kind,
        "units": system,
        "temp_unit": u.symbol("temperature", system),
        "fluid_unit": u.symbol("volume", system),
        "distance_unit": u.symbol("distance", system),
        "legs": list(LEG_WORDS.items()),
        "loads": list(LOAD_WORDS.items()),
        "activities": [(a, ACTIVITY_WORDS[a]) for a in diary.ACTIVITIES],
        "training_activities": [(a, ACTIVITY_WORDS[a]) for a in diary.TRAINING_ACTIVITIES],
    }
