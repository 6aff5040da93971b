"""An assessment's result as a FHIR RiskAssessment: the likely conditions with their
probabilities, the level of care, and the version of the knowledge base that gave them.

Each condition is coded with calfcare's own id and, where the knowledge base holds one that
was confirmed in a published source, its ICD-10 code; the level of care is an extension
(RiskAssessment has no element for it) and, in words, the `mitigation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from calfcare.kb.loader import KnowledgeBase
from calfcare.services.interop.coding import (
    CONDITION_SYSTEM,
    LEVEL_EXTENSION,
    LEVEL_SYSTEM,
    METHOD_SYSTEM,
    concept,
    kb_version,
    validated,
)


def _prediction(kb: KnowledgeBase, condition: Mapping[str, Any]) -> dict[str, Any]:
    cid = condition["id"]
    return {
        "outcome": concept(
            kb.guides[cid].common_name, kb.interop.for_condition(cid), (CONDITION_SYSTEM, cid)
        ),
        "probabilityDecimal": round(float(condition["probability"]), 6),
        "rationale": str(condition.get("why") or "")[:1000] or None,
    }


def risk_assessment(
    kb: KnowledgeBase,
    result: Mapping[str, Any],
    *,
    subject: str,
    basis: str | None,
    when: datetime,
    note: str | None = None,
) -> dict[str, Any]:
    """The RiskAssessment of one `Assessor.assess` result about `subject` (a reference)."""
    level = str(result["triage_level"])
    label = kb.levels[level].label
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": "final",
        "extension": [
            kb_version(str(result["kb_version"])),
            {
                "url": LEVEL_EXTENSION,
                "valueCodeableConcept": concept(label, own=(LEVEL_SYSTEM, level)),
            },
        ],
        "subject": {"reference": subject},
        "occurrenceDateTime": when.isoformat(),
        "code": concept("Assessment of calf cramp or calf pain"),
        "method": {
            "text": f"calfcare assessment, knowledge base {result['kb_version']}",
            "coding": [
                {"system": METHOD_SYSTEM, "code": "calfcare", "version": str(result["kb_version"])}
            ],
        },
        "prediction": [_prediction(kb, c) for c in result["conditions"]],
        "mitigation": f"Level of care: {label}. {result['description']}",
    }
    if basis is not None:
        resource["basis"] = [{"reference": basis}]
    if note:
        resource["note"] = [{"text": note}]
    return validated(resource)
