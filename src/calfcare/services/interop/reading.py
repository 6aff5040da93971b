"""A QuestionnaireResponse in calfcare's Questionnaire, read back into a case-format v1 request.

Anything else is refused with `RequestError` naming the element (`resourceType`,
`questionnaire`, `item[3].answer`...): another resource, a response to another questionnaire,
a structure the FHIR R4B model refuses, an item calfcare does not ask or an answer it does not
offer. The request built is then checked by the same parser as every other request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from calfcare.errors import RequestError
from calfcare.services.interop.coding import SOURCE_EXTENSION, validated
from calfcare.services.interop.questionnaire import AGE, QUESTIONNAIRE_URL, SEX
from calfcare.services.requests import CHOICES, SOURCES


def _checked(resource: Any) -> dict[str, Any]:
    if not isinstance(resource, Mapping):
        raise RequestError("(body)", "must be a FHIR QuestionnaireResponse, a JSON object")
    kind = resource.get("resourceType")
    if kind != "QuestionnaireResponse":
        raise RequestError("resourceType", f"must be QuestionnaireResponse, got {str(kind)[:40]!r}")
    try:
        return validated(resource)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(body)"
        raise RequestError(where, f"is not valid FHIR R4: {err['msg']}") from None


def _questionnaire(resource: Mapping[str, Any]) -> None:
    url = str(resource.get("questionnaire") or "").split("|", 1)[0]
    if url != QUESTIONNAIRE_URL:
        raise RequestError(
            "questionnaire",
            f"must be calfcare's Questionnaire ({QUESTIONNAIRE_URL}); "
            "only responses to it can be assessed",
        )


def _answer(where: str, item: Mapping[str, Any]) -> Any:
    answers = item.get("answer") or []
    if len(answers) != 1:
        raise RequestError(f"{where}.answer", "must hold exactly one answer")
    return answers[0]


def _code(where: str, answer: Mapping[str, Any], allowed: tuple[str, ...]) -> str:
    code = (answer.get("valueCoding") or {}).get("code")
    if code not in allowed:
        raise RequestError(
            f"{where}.answer", f"must be a valueCoding with code {' or '.join(allowed)}"
        )
    return str(code)


def _source(item: Mapping[str, Any]) -> str | None:
    for ext in item.get("extension") or []:
        if ext.get("url") == SOURCE_EXTENSION and ext.get("valueCode") in SOURCES:
            return str(ext["valueCode"])
    return None


def request_from_response(resource: Any) -> dict[str, Any]:
    """The case-format v1 request a QuestionnaireResponse answers; RequestError otherwise."""
    qr = _checked(resource)
    _questionnaire(qr)
    request: dict[str, Any] = {"evidence": []}
    for i, item in enumerate(qr.get("item") or []):
        where = f"item[{i}]"
        link = item.get("linkId")
        answer = _answer(where, item)
        if link == AGE:
            if not isinstance(answer.get("valueInteger"), int):
                raise RequestError(f"{where}.answer", "must be a valueInteger (years)")
            request["age"] = answer["valueInteger"]
        elif link == SEX:
            request["sex"] = _code(where, answer, ("female", "male"))
        else:
            ev: dict[str, Any] = {"id": link, "choice_id": _code(where, answer, CHOICES)}
            if (source := _source(item)) is not None:
                ev["source"] = source
            request["evidence"].append(ev)
    return request
