"""Checking the values of one record, whatever they came from: a form, the CLI, a JSON or CSV row.

Values come in as a mapping of field name to value, either Python values or the strings of a
form or CSV file (`"7"`, `"true"`, `"2026-11-25T07:30+01:00"`, `""` for empty). Every bad field
is named at once (`FormError.errors`), so a person fixes everything in one go. A time without
an offset is read in the zone `tz`.

The readers take an optional `FormReader`: an import passes its own, which names each field by
its row (`episodes[3].severity`) and collects the errors of every row before raising.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from calfcare.kb.schema import TriageLevel
from calfcare.services.diary.records import (
    ACTIVITIES,
    ASSESSMENT_FIELDS,
    EPISODE_FIELDS,
    LEGS,
    SESSION_LOADS,
    TRAINING_ACTIVITIES,
    TRAINING_FIELDS,
)
from calfcare.services.forms import FormReader
from calfcare.services.text import json_problem

MAX_REQUEST_BYTES = 64 * 1024
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def episode_values(
    values: Mapping[str, object], *, now: datetime, tz: tzinfo, form: FormReader | None = None
) -> dict[str, Any]:
    """The clean values of an episode (SI), or FormError naming every bad field."""
    f = form or FormReader(values, EPISODE_FIELDS)
    out: dict[str, Any] = {
        "occurred_at": f.moment("occurred_at", now=now, tz=tz),
        "leg": f.choice("leg", LEGS, "left, right or both"),
        "muscle": f.text("muscle", 40, default="calf"),
        "duration_s": f.integer(
            "duration_s", 1, 86_400, "a whole number of seconds from 1 to 86400 (24 hours)"
        ),
        "severity": f.integer("severity", 0, 10, "a whole number from 0 to 10"),
        "activity": f.choice(
            "activity", ACTIVITIES, "one of " + ", ".join(ACTIVITIES[:-1]) + " or other"
        ),
        "session_load": f.choice(
            "session_load", SESSION_LOADS, "less, usual, longer or harder", required=False
        ),
        "woke_from_sleep": f.boolean("woke_from_sleep"),
        "temperature_c": f.number("temperature_c", -30, 55, "a temperature from -30 to 55 °C"),
        "humidity_pct": f.number("humidity_pct", 0, 100, "a relative humidity from 0 to 100 %"),
        "fluid_l": f.number("fluid_l", 0, 10, "a volume from 0 to 10 litres"),
        "carbohydrate_g": f.number("carbohydrate_g", 0, 500, "from 0 to 500 grams"),
        "helped": f.text("helped", 200),
        "notes": f.text("notes", 5000),
    }
    if form is None:
        f.done()
    return out


def training_values(
    values: Mapping[str, object], *, now: datetime, tz: tzinfo, form: FormReader | None = None
) -> dict[str, Any]:
    """The clean values of a training session, or FormError naming every bad field."""
    f = form or FormReader(values, TRAINING_FIELDS)
    out: dict[str, Any] = {
        "started_at": f.moment("started_at", now=now, tz=tz),
        "activity": f.choice(
            "activity",
            TRAINING_ACTIVITIES,
            "one of " + ", ".join(TRAINING_ACTIVITIES[:-1]) + " or other",
        ),
        "duration_min": f.integer(
            "duration_min", 1, 1440, "a whole number of minutes from 1 to 1440 (24 hours)"
        ),
        "intensity": f.integer(
            "intensity", 1, 10, "a whole number from 1 (very easy) to 10 (maximal effort)"
        ),
        "distance_km": f.number("distance_km", 0, 1000, "a distance from 0 to 1000 km"),
        "notes": f.text("notes", 5000),
    }
    if form is None:
        f.done()
    return out


def assessment_values(
    values: Mapping[str, object], form: FormReader | None = None
) -> dict[str, Any]:
    """The clean values of a saved assessment, or FormError naming every bad field."""
    f = form or FormReader(values, ASSESSMENT_FIELDS)
    request = values.get("request")
    if not isinstance(request, Mapping):
        f._fail("request", "the assessment request, a JSON object", request)
        request = {}
    else:
        problem = request_problem(request)
        if problem is not None:
            where, message = problem
            f.errors[f.key("request" + (f".{where}" if where else ""))] = message
            request = {}
    out: dict[str, Any] = {
        "request": json.loads(json.dumps(request)),
        "triage_level": f.choice(
            "triage_level",
            [lv.value for lv in TriageLevel],
            "a level of care: " + ", ".join(lv.value for lv in TriageLevel),
        ),
        "top_condition": f.slug("top_condition", 64, "a condition id such as calf_muscle_strain"),
        "kb_version": f.slug(
            "kb_version", 32, "a knowledge base version such as 636bb5cc87a47d90", _VERSION
        ),
    }
    if form is None:
        f.done()
    return out


def request_problem(request: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path inside the request, message) of what cannot be stored in it, else None.

    A saved request is stored as JSON and written back by export: its keys and strings must
    be storable text, its numbers finite, and it must stay small.
    """
    problem = json_problem(dict(request))
    if problem is not None:
        return problem
    if len(json.dumps(request).encode()) > MAX_REQUEST_BYTES:
        return "", f"Must be at most {MAX_REQUEST_BYTES} bytes as JSON."
    return None
