"""Bad input gets one clear error naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from calfcare import api
from calfcare.errors import RequestError


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"sex": "female", "evidence": []}, "age"),
        ({"age": 0, "sex": "female", "evidence": []}, "age"),
        ({"age": 200, "sex": "female", "evidence": []}, "age"),
        ({"age": "forty", "sex": "female", "evidence": []}, "age"),
        ({"age": 40, "evidence": []}, "sex"),
        ({"age": 40, "sex": "other", "evidence": []}, "sex"),
        ({"age": 40, "sex": "male", "evidence": {"calf_pain": "present"}}, "evidence"),
        (
            {"age": 40, "sex": "male", "evidence": [{"id": "nope", "choice_id": "present"}]},
            "evidence[0].id",
        ),
        (
            {"age": 40, "sex": "male", "evidence": [{"id": "calf_pain", "choice_id": "yes"}]},
            "evidence[0].choice_id",
        ),
        (
            {
                "age": 40,
                "sex": "male",
                "evidence": [{"id": "calf_pain", "choice_id": "present", "source": "guess"}],
            },
            "evidence[0].source",
        ),
        ({"age": 40, "sex": "male", "evidence": [], "colour": "red"}, "colour"),
        ([1, 2, 3], "(request)"),
    ],
)
def test_error_names_the_field(request_: Any, field: str) -> None:
    with pytest.raises(RequestError) as info:
        api.diagnose(request_)
    assert info.value.field == field
    assert field in str(info.value)


def test_age_may_be_given_as_an_object() -> None:
    out = api.triage(
        {
            "age": {"value": 40},
            "sex": "male",
            "evidence": [{"id": "calf_pain", "choice_id": "present"}],
        }
    )
    assert out["triage_level"]


def test_later_answer_to_the_same_finding_wins() -> None:
    req = {
        "age": 40,
        "sex": "male",
        "evidence": [
            {"id": "chest_pain_or_breathless", "choice_id": "present"},
            {"id": "chest_pain_or_breathless", "choice_id": "absent"},
        ],
    }
    assert api.triage(req)["triage_level"] != "emergency_ambulance"
