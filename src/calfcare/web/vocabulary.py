"""The knowledge base's ids published in /openapi.json, so that clients can validate against them.

The request models stay free of the knowledge base (the services check each id); once the
document is generated, the ids of the app's own knowledge base are added as enums: findings
for the case format, warning signs for a rehab session, and which variants and phases belong
to which programme for a progression query. The youngest age assessed is published too.
"""

from __future__ import annotations

from typing import Any

from calfcare.engine.rehab import active_phases
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.requests import MAX_AGE


def publish(schema: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """`schema` (an OpenAPI document) with the vocabulary of `kb` filled in."""
    models = schema.get("components", {}).get("schemas", {})
    if "EvidenceIn" in models:
        models["EvidenceIn"]["properties"]["id"]["enum"] = sorted(kb.findings)
    if "V1Request" in models:
        _youngest(models, kb.min_supported_age)
    if "RehabSessionIn" in models:
        _flags(models["RehabSessionIn"], kb)
    if "ProgressionIn" in models:
        _programmes(models["ProgressionIn"], kb)
    return schema


def _youngest(models: dict[str, Any], age: int) -> None:
    """The youngest age the API assesses (`min_supported_age`) as the published minimum of
    each way to send an age, and in words, since the request model keeps case format v1's 1."""
    prop = models["V1Request"].get("properties", {}).get("age", {})
    numbers = [b for b in prop.get("anyOf", []) if b.get("type") == "integer"]
    numbers += [models.get("AgeObject", {}).get("properties", {}).get("value", {})]
    for branch in numbers:
        branch["minimum"] = age
    prop["description"] = (
        f"{prop.get('description', 'Age in whole years')}. From {age} to {MAX_AGE}: "
        f"calfcare is not designed for children under {age}, and a younger age is a 422 "
        "naming `age`"
    )


def _flags(model: dict[str, Any], kb: KnowledgeBase) -> None:
    prop = model.get("properties", {}).get("flags", {})
    if isinstance(prop.get("items"), dict):
        prop["items"]["enum"] = sorted(kb.pain_model.flags)


def _programmes(model: dict[str, Any], kb: KnowledgeBase) -> None:
    """Each (programme, variant) pair is one `oneOf` branch listing the phases that variant goes
    through, so a client (or a fuzzer) reading the document can build a valid request."""
    props = model.get("properties", {})
    if not kb.programmes or not all(k in props for k in ("programme", "variant", "phase")):
        return
    programmes = sorted(kb.programmes.values(), key=lambda p: p.id)
    props["programme"]["enum"] = sorted(kb.programmes)
    props["variant"]["enum"] = sorted({v.id for p in programmes for v in p.variants})
    props["phase"]["enum"] = sorted({ph.id for p in programmes for ph in p.phases})
    model["oneOf"] = [
        {
            "type": "object",
            "properties": {
                "programme": {"const": p.id},
                "variant": {"const": v.id},
                "phase": {"enum": [ph.id for ph in active_phases(p, v)]},
            },
        }
        for p in programmes
        for v in p.variants
    ]
