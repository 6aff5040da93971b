"""Diary episodes and training sessions as FHIR Observations.

An episode's code is plain text (no confirmed code names a calf cramp episode); its severity
is a component coded with the LOINC 0-10 pain score. A training session is coded with LOINC
"Exercise activity", its duration with "Exercise duration" and, from an activity file, its
highest heart rate with "Heart rate Encounter maximum"; distance, effort, climb and
temperature have no confirmed code and are given in words and UCUM units.
"""

from __future__ import annotations

from typing import Any

from calfcare.kb.loader import KnowledgeBase
from calfcare.services.activity.records import ActivityDetails
from calfcare.services.diary.records import EpisodeRecord, TrainingRecord
from calfcare.services.interop.coding import concept, quantity, validated


def _component(
    kb: KnowledgeBase, key: str | None, text: str, value: dict[str, Any]
) -> dict[str, Any]:
    code = kb.interop.observations.get(key) if key else None
    return {"code": concept(text, [code] if code else []), **value}


def episode_observation(kb: KnowledgeBase, e: EpisodeRecord, *, subject: str) -> dict[str, Any]:
    kind = "while asleep" if e.woke_from_sleep else f"during {e.activity.replace('_', ' ')}"
    components = [
        _component(kb, "pain_severity", "Pain severity (0-10)", {"valueInteger": e.severity}),
        _component(
            kb, None, "How long it lasted", {"valueQuantity": quantity(e.duration_s, "s", "s")}
        ),
    ]
    if e.temperature_c is not None:
        components.append(
            _component(
                kb,
                None,
                "Air temperature",
                {"valueQuantity": quantity(e.temperature_c, "°C", "Cel")},
            )
        )
    return validated(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": concept("Calf cramp or calf pain episode (calfcare diary)"),
            "subject": {"reference": subject},
            "effectiveDateTime": e.occurred_at.isoformat(),
            "bodySite": {"text": f"{e.leg} {e.muscle}"},
            "valueString": f"Episode {kind}",
            "component": components,
            "note": [{"text": e.notes}] if e.notes else None,
        }
    )


def training_observation(
    kb: KnowledgeBase, s: TrainingRecord, details: ActivityDetails | None, *, subject: str
) -> dict[str, Any]:
    components = [
        _component(kb, "exercise_duration", "Exercise duration",
                   {"valueQuantity": quantity(s.duration_min, "min", "min")}),
        _component(kb, None, "Effort (rating of perceived exertion, 1-10)",
                   {"valueInteger": s.intensity}),
    ]  # fmt: skip
    if s.distance_km is not None:
        components.append(
            _component(kb, None, "Distance", {"valueQuantity": quantity(s.distance_km, "km", "km")})
        )
    components += _file_components(kb, details)
    activity = kb.interop.observations.get("exercise_activity")
    return validated(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": concept("Exercise activity", [activity] if activity else []),
            "subject": {"reference": subject},
            "effectivePeriod": {"start": s.started_at.isoformat()},
            "valueCodeableConcept": {"text": s.activity.replace("_", " ")},
            "component": components,
            "note": [{"text": s.notes}] if s.notes else None,
        }
    )


def _measure(kb: KnowledgeBase, key: str | None, text: str, value: float | None, unit: str,
             code: str) -> list[dict[str, Any]]:  # fmt: skip
    """One component with a measured quantity, or none when the file did not record it."""
    if value is None:
        return []
    return [_component(kb, key, text, {"valueQuantity": quantity(round(value, 1), unit, code)})]


def _file_components(kb: KnowledgeBase, d: ActivityDetails | None) -> list[dict[str, Any]]:
    """What an activity file recorded beyond the diary's own fields."""
    if d is None:
        return []
    return [
        *_measure(kb, "heart_rate_max", "Highest heart rate", d.heart_rate_max, "/min", "/min"),
        *_measure(kb, None, "Average heart rate", d.heart_rate_avg, "/min", "/min"),
        *_measure(kb, None, "Elevation gain", d.elevation_gain_m, "m", "m"),
        *_measure(kb, None, "Temperature recorded by the device", d.temperature_c, "°C", "Cel"),
    ]
