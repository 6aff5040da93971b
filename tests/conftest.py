"""Shared fixtures: the shipped knowledge base, one assessor built on it, and cheap hashing."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher

from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services.accounts import common as accounts_common
from calfcare.services.assessment import Assessor


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture(scope="session")
def assessor(kb: KnowledgeBase) -> Assessor:
    return Assessor(kb)


def make_request(age: int = 30, sex: str = "female", **answers: str) -> dict[str, Any]:
    """A request from keyword answers, e.g. make_request(calf_pain="present")."""
    return {
        "age": age,
        "sex": sex,
        "evidence": [{"id": k, "choice_id": v} for k, v in answers.items()],
    }


#: argon2id at its lowest cost, for the tests that only need a password to work. The tests
#: marked `real_password_cost`, and every server started in its own process, hash with the
#: production parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("real_password_cost") is None:
        monkeypatch.setattr(accounts_common, "hasher", CHEAP_HASHER)
