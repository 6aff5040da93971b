"""CDS Hooks 2.0: the discovery document and the cards of calfcare's one service.

A record system calls the service on `patient-view` with the findings it holds: a
QuestionnaireResponse in calfcare's Questionnaire in `prefetch` (on its own, or in a Bundle
as a FHIR search returns it), or a case-format v1 request in `context.calfcareCase`. The answer
is one card: the level of care as its indicator, the likeliest conditions with their
probabilities, and links to their guides. The indicator leans towards urgency, never away from
it: an emergency is `critical`, care within 24 hours is `warning`, the rest `info`.

Nothing is stored: the findings arrive with the request and the card goes back with the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from calfcare.errors import RequestError
from calfcare.services.assessment import Assessor, likelihood_words
from calfcare.services.interop.questionnaire import QUESTIONNAIRE_URL
from calfcare.services.interop.reading import request_from_response

SERVICE_ID = "calfcare-calf-assessment"
HOOK = "patient-view"
PREFETCH_KEY = "calfcareResponse"
INDICATORS = {
    "emergency_ambulance": "critical",
    "emergency": "critical",
    "consultation_24": "warning",
    "consultation": "info",
    "self_care": "info",
}
SUMMARY_LIMIT = 140  # characters, as the specification requires


def discovery() -> dict[str, Any]:
    """The answer of `GET /cds-services`."""
    return {
        "services": [
            {
                "id": SERVICE_ID,
                "hook": HOOK,
                "title": "calfcare: calf cramp and calf pain",
                "description": "The level of care and the likely causes of a calf cramp or "
                "calf pain, from the answers to calfcare's questionnaire. Information for a "
                "clinician, not a diagnosis.",
                "prefetch": {
                    PREFETCH_KEY: f"QuestionnaireResponse?questionnaire={QUESTIONNAIRE_URL}"
                    "&subject={{context.patientId}}&_sort=-authored&_count=1"
                },
                "usageRequirements": "Send the patient's latest QuestionnaireResponse to "
                f"{QUESTIONNAIRE_URL} in prefetch.{PREFETCH_KEY}, or a case-format v1 "
                "request in context.calfcareCase.",
            }
        ]
    }


def _field(body: Mapping[str, Any], name: str) -> Any:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise RequestError(name, "is required: a non-empty string, as CDS Hooks defines it")
    return value


def _from_prefetch(prefetch: Mapping[str, Any]) -> Any:
    """The QuestionnaireResponse in the prefetch: on its own or the first of a Bundle."""
    found = prefetch.get(PREFETCH_KEY)
    if isinstance(found, Mapping) and found.get("resourceType") == "Bundle":
        entries = [e.get("resource") for e in found.get("entry") or [] if isinstance(e, Mapping)]
        found = next((r for r in entries if isinstance(r, Mapping)), None)
    return found


def case_of(body: Any) -> dict[str, Any] | None:
    """The case-format v1 request a CDS Hooks request carries; None when it carries none.

    RequestError names what is wrong: the hook, hookInstance, context, or the findings.
    """
    if not isinstance(body, Mapping):
        raise RequestError("(body)", "must be a CDS Hooks request, a JSON object")
    hook = _field(body, "hook")
    if hook != HOOK:
        raise RequestError("hook", f"must be {HOOK}, the hook this service answers")
    _field(body, "hookInstance")
    context = body.get("context")
    if not isinstance(context, Mapping):
        raise RequestError("context", "is required: an object")
    prefetch = body.get("prefetch") or {}
    if not isinstance(prefetch, Mapping):
        raise RequestError("prefetch", "must be an object")
    qr = _from_prefetch(prefetch)
    if qr is not None:
        try:
            return request_from_response(qr)
        except RequestError as exc:
            raise RequestError(f"prefetch.{PREFETCH_KEY}.{exc.field}", exc.message) from None
    case = context.get("calfcareCase")
    if case is None:
        return None
    if not isinstance(case, Mapping):
        raise RequestError("context.calfcareCase", "must be a case-format v1 request object")
    return dict(case)


def cards(assessor: Assessor, body: Any, *, guide_base: str) -> dict[str, Any]:
    """The CDS Hooks answer: one card for the findings sent, none when none were sent."""
    case = case_of(body)
    if case is None:
        return {"cards": []}
    try:
        result = assessor.assess(case)
    except RequestError as exc:
        raise RequestError(f"findings.{exc.field}", exc.message) from None
    return {"cards": [_card(assessor, result, guide_base.rstrip("/"))]}


def _card(assessor: Assessor, result: Mapping[str, Any], base: str) -> dict[str, Any]:
    kb = assessor.kb
    level = str(result["triage_level"])
    lines = [
        f"- {kb.guides[c['id']].common_name}: {likelihood_words(c['probability'])} "
        f"({round(100 * c['probability'])}%)"
        for c in result["conditions"]
    ]
    return {
        "uuid": str(uuid.uuid4()),
        "summary": kb.levels[level].label[:SUMMARY_LIMIT],
        "indicator": INDICATORS[level],
        "detail": f"{result['description']}\n\nLikely causes:\n"
        + "\n".join(lines)
        + f"\n\nKnowledge base {result['kb_version']}. Information, not a diagnosis.",
        "source": {"label": "calfcare", "url": f"{base}/"},
        "links": [
            {
                "label": f"Guide: {kb.guides[c['id']].common_name}"[:80],
                "url": f"{base}/conditions/{c['id']}",
                "type": "absolute",
            }
            for c in result["conditions"]
        ],
    }
