"""What every FHIR resource calfcare writes shares: its own code systems, the confirmed codes
of the knowledge base, and validation by the FHIR R4B models of `fhir.resources`.

Every resource is built as plain JSON and then parsed by its `fhir.resources.R4B` model, which
checks the structure and the types of every element; the JSON returned is the model's own
output, so nothing leaves calfcare that the library did not accept. R4B (FHIR 4.3.0) is used
because `fhir.resources` 8 has no R4 (4.0.1) package; the resources calfcare writes
(Patient, Questionnaire, QuestionnaireResponse, RiskAssessment, CarePlan, Goal, Observation,
Bundle) have the same structure in R4 and R4B.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from calfcare.kb.interop_schema import ConfirmedCode

#: calfcare's own code systems and extensions (URNs: calfcare publishes no web address).
SYSTEM = "urn:calfcare:fhir"
CONDITION_SYSTEM = f"{SYSTEM}:condition"
FINDING_SYSTEM = f"{SYSTEM}:finding"
ANSWER_SYSTEM = f"{SYSTEM}:answer"
SEX_SYSTEM = "http://hl7.org/fhir/administrative-gender"
LEVEL_SYSTEM = f"{SYSTEM}:level-of-care"
METHOD_SYSTEM = f"{SYSTEM}:method"
KB_VERSION_EXTENSION = f"{SYSTEM}:extension:knowledge-base-version"
LEVEL_EXTENSION = f"{SYSTEM}:extension:level-of-care"
SOURCE_EXTENSION = f"{SYSTEM}:extension:answer-source"
UCUM = "http://unitsofmeasure.org"


def coding(code: ConfirmedCode) -> dict[str, Any]:
    return {"system": code.system.uri, "code": code.code, "display": code.display}


def concept(
    text: str, codes: Iterable[ConfirmedCode] = (), own: tuple[str, str] | None = None
) -> dict[str, Any]:
    """A CodeableConcept: calfcare's own code (if any), the confirmed codes, and plain text."""
    codings = [{"system": own[0], "code": own[1], "display": text}] if own else []
    codings += [coding(c) for c in codes]
    out: dict[str, Any] = {"text": text}
    if codings:
        out["coding"] = codings
    return out


def kb_version(version: str) -> dict[str, Any]:
    return {"url": KB_VERSION_EXTENSION, "valueString": version}


def quantity(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def new_id() -> str:
    return uuid.uuid4().hex


def full_url(resource_id: str) -> str:
    return f"urn:uuid:{uuid.UUID(resource_id)}"


def validated(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource as its R4B model writes it, after the model checked it; ValueError (a
    pydantic ValidationError) if it is not a valid resource of its type."""
    model = get_fhir_model_class(str(resource["resourceType"]))
    parsed = model.model_validate(dict(resource))
    out: dict[str, Any] = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
    return out
