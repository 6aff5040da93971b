"""Shared fixtures: the shipped knowledge base and one assessor built on it."""

from __future__ import annotations

from typing import Any

import pytest

from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services.assessment import Assessor


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture(scope="session")
def assessor(kb: KnowledgeBase) -> Assessor:
    return Assessor(kb)


def make_request(age: int = 30, sex: str = "female", **answers: str) -> dict[str, Any]:
    """A request from keyword answers, e.g. make_request(calf_pain="present")."""
    return {"age": age, "sex": sex,
            "evidence": [{"id": k, "choice_id": v} for k, v in answers.items()]}
