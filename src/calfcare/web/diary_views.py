"""How the diary's records look on a page: words for codes, times in the reader's zone,
quantities in their units, the doctor prompts, and what the forms need. The insights page
has its own module, `insights_views`.

Rendering only: the routes get records from `services.diary` and pass them through these to the
templates. Shared by the person's pages and the clinician's read-only ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from calfcare.engine.doctor_prompts import DoctorPrompt
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import diary
from calfcare.services import units as u
from calfcare.services.accounts import zone_of

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
    if e.fluid_l is not None:
        details.append(
            "drank " + u.format_quantity("volume", e.fluid_l, system).replace(" ", "\u00a0")
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
        "id": p.id,
        "title": p.title,
        "advice": level.label[:1].lower() + level.label[1:],
        "message": p.message,
        "criterion": p.criterion,
        "observed": p.observed,
        "family": level.family,
        "label": level.label,
        "basis": p.basis,
        "note": p.note,
        "sources": [diary.citation(kb, r) for r in p.references],
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


#: What to type in the fluid field, in each unit system (a bare number is in these units).
FLUID_HINTS: dict[u.UnitSystem, str] = {
    "metric": "In millilitres: a glass is about 250 ml, a small bottle 500 ml. "
    "You can also type litres, such as 0.5 L",
    "imperial": "In US fluid ounces: a glass is about 8 fl oz, a small bottle about 17 fl oz. "
    "You can also type millilitres, such as 500 ml",
}


def form_view(kind: str, system: u.UnitSystem) -> dict[str, Any]:
    """What the episode and session forms need besides the values: units and choices."""
    return {
        "kind": kind,
        "units": system,
        "temp_unit": u.symbol("temperature", system),
        "fluid_unit": u.symbol("volume", system),
        "fluid_hint": FLUID_HINTS[system],
        "distance_unit": u.symbol("distance", system),
        "legs": list(LEG_WORDS.items()),
        "loads": list(LOAD_WORDS.items()),
        "activities": [(a, ACTIVITY_WORDS[a]) for a in diary.ACTIVITIES],
        "training_activities": [(a, ACTIVITY_WORDS[a]) for a in diary.TRAINING_ACTIVITIES],
    }
