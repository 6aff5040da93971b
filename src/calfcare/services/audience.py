"""Who the web pages and the HTTP API assess: people aged `min_supported_age` and over.

The questions, the levels of care and the advice were written and checked for teenagers and
adults, not for younger children, and a child needs an adult and a clinician who can see them.
So the web pages and the HTTP API turn younger ages away with a clear message and run no
assessment. The youngest age served is data (`min_supported_age` in `kb/data/contract.yaml`,
`KnowledgeBase.min_supported_age`), so the pages and the API cannot disagree about it.

The Python contract (`calfcare.api`) keeps reading every age from 1 to 120: it is scored on
published case reports, some of them about children, and that scoring must keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.requests import parse_age


def is_served(age: int, kb: KnowledgeBase) -> bool:
    """Whether the web pages and the HTTP API assess someone of this age."""
    return age >= kb.min_supported_age


def younger_message(age: int, kb: KnowledgeBase) -> str:
    """What a client is told about an age under the youngest served, after the field name."""
    return (
        f"is {age}, and calfcare is not designed for children under {kb.min_supported_age}: "
        "please see a clinician, such as a GP, practice nurse or pharmacist, about a child's "
        "calf pain or cramp, or call 999 in an emergency"
    )


def refuse_younger(request: Any, kb: KnowledgeBase) -> None:
    """Raise `RequestError` naming `age` when a case-format request's age is one the contract
    reads but calfcare does not assess. An age the contract itself refuses (0, 130, "forty")
    is left to `services.requests`, whose message says what is wrong with it."""
    if not isinstance(request, Mapping) or "age" not in request:
        return
    try:
        age = parse_age(request["age"])
    except RequestError:
        return
    if not is_served(age, kb):
        raise RequestError("age", younger_message(age, kb))
