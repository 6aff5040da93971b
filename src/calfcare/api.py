"""The stable Python contract of calfcare (case format v1).

    >>> from calfcare import api
    >>> out = api.diagnose({"age": 34, "sex": "female",
    ...                     "evidence": [{"id": "calf_pain", "choice_id": "present"}]})
    >>> out["should_stop"], out["question"]["type"] in {"single", "group_multiple"}
    (False, True)

Both functions take a plain dict and return a plain dict; an invalid request raises
`calfcare.errors.RequestError`, whose `field` names the offending value.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from calfcare.errors import RequestError
from calfcare.kb.loader import load_kb
from calfcare.services.assessment import Assessor

__all__ = ["RequestError", "assess", "diagnose", "triage"]


@cache
def _assessor() -> Assessor:
    return Assessor(load_kb())


def diagnose(request: dict[str, Any]) -> dict[str, Any]:
    """The next step of an interview: the next question, the ranked conditions, should_stop."""
    return _assessor().diagnose(request)


def triage(request: dict[str, Any]) -> dict[str, Any]:
    """The level of care, the serious findings noticed, and what the level means."""
    return _assessor().triage(request)


def assess(request: dict[str, Any]) -> dict[str, Any]:
    """The full result a person reads: level of care, top conditions with their why, advice."""
    return _assessor().assess(request)
