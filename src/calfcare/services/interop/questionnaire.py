"""The interview as a FHIR Questionnaire, an assessment's answers as a QuestionnaireResponse,
and a QuestionnaireResponse back into a case-format v1 request.

The Questionnaire has one item for age, one for sex, and one per finding of the knowledge
base (linkId = the finding's id), whose answers are Yes, No and I don't know (codes present,
absent, unknown). A response lists the answers in the order they were given; a finding asked
again appears again, later, as the interview asked it, and each answer keeps where it came
from (`answer-source` extension), so a response read back gives the same request and the same
result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from calfcare.kb.loader import KnowledgeBase
from calfcare.services.assessment import CHOICE_LABELS
from calfcare.services.interop.coding import (
    ANSWER_SYSTEM,
    SEX_SYSTEM,
    SOURCE_EXTENSION,
    kb_version,
    validated,
)

QUESTIONNAIRE_URL = "urn:calfcare:fhir:Questionnaire:assessment"
AGE, SEX = "age", "sex"
SEXES = {"female": "Female", "male": "Male"}


def _answers(labels: Mapping[str, str], system: str) -> list[dict[str, Any]]:
    return [{"valueCoding": {"system": system, "code": c, "display": d}} for c, d in labels.items()]


def questionnaire(kb: KnowledgeBase) -> dict[str, Any]:
    """calfcare's interview as one Questionnaire (its version is the knowledge base's)."""
    items: list[dict[str, Any]] = [
        {"linkId": AGE, "text": "How old are you (years)?", "type": "integer", "required": True},
        {
            "linkId": SEX,
            "text": "Sex",
            "type": "choice",
            "required": True,
            "answerOption": _answers(SEXES, SEX_SYSTEM),
        },
    ]
    items += [
        {
            "linkId": f.id,
            "text": f.question,
            "type": "choice",
            "answerOption": _answers(CHOICE_LABELS, ANSWER_SYSTEM),
        }
        for f in kb.findings.values()
    ]
    return validated(
        {
            "resourceType": "Questionnaire",
            "id": "calfcare-assessment",
            "url": QUESTIONNAIRE_URL,
            "version": kb.content_hash,
            "name": "CalfcareAssessment",
            "title": "calfcare: calf cramp and calf pain",
            "status": "active",
            "subjectType": ["Patient"],
            "extension": [kb_version(kb.content_hash)],
            "item": items,
        }
    )


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"valueCoding": {"system": system, "code": code, "display": display}}


def response(
    kb: KnowledgeBase, request: Mapping[str, Any], *, subject: str | None, authored: datetime
) -> dict[str, Any]:
    """The answers of a case-format v1 request (already valid) as a QuestionnaireResponse."""
    age = request["age"]["value"] if isinstance(request["age"], Mapping) else request["age"]
    items: list[dict[str, Any]] = [
        {"linkId": AGE, "answer": [{"valueInteger": int(age)}]},
        {"linkId": SEX, "answer": [_coding(SEX_SYSTEM, request["sex"], SEXES[request["sex"]])]},
    ]
    for ev in request.get("evidence") or []:
        item: dict[str, Any] = {
            "linkId": ev["id"],
            "text": kb.findings[ev["id"]].question,
            "answer": [_coding(ANSWER_SYSTEM, ev["choice_id"], CHOICE_LABELS[ev["choice_id"]])],
        }
        if ev.get("source"):
            item["extension"] = [{"url": SOURCE_EXTENSION, "valueCode": ev["source"]}]
        items.append(item)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_URL}|{kb.content_hash}",
        "status": "completed",
        "authored": authored.isoformat(),
        "item": items,
    }
    if subject is not None:
        resource["subject"] = {"reference": subject}
    return validated(resource)
