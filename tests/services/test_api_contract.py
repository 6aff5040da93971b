"""The shapes of case format v1, exactly as ../shared/spec/case-format.md describes them."""

from __future__ import annotations

from calfcare import api

START = {
    "age": 34,
    "sex": "female",
    "evidence": [{"id": "calf_pain", "choice_id": "present", "source": "initial"}],
}


def test_diagnose_shape() -> None:
    out = api.diagnose(START)
    assert set(out) >= {"question", "conditions", "should_stop"}
    q = out["question"]
    assert set(q) >= {"type", "text", "items"}
    for item in q["items"]:
        assert set(item) >= {"id", "name", "choices"}
        assert [c["id"] for c in item["choices"]] == ["present", "absent", "unknown"]
    for c in out["conditions"]:
        assert set(c) >= {"id", "common_name", "probability"}


def test_triage_shape() -> None:
    out = api.triage(
        {
            **START,
            "evidence": [*START["evidence"], {"id": "swelling_one_calf", "choice_id": "present"}],
        }
    )
    assert set(out) >= {"triage_level", "serious", "label", "description"}
    assert out["triage_level"] == "consultation_24"
    assert out["serious"] == [
        {
            "id": "swelling_one_calf",
            "name": out["serious"][0]["name"],
            "common_name": out["serious"][0]["common_name"],
            "is_emergency": False,
        }
    ]


def test_first_questions_are_the_alarm_screen() -> None:
    out = api.diagnose(START)
    ids = {i["id"] for i in out["question"]["items"]}
    assert "chest_pain_or_breathless" in ids


def test_an_interview_ends() -> None:
    evidence = list(START["evidence"])
    for _ in range(40):
        out = api.diagnose({**START, "evidence": evidence})
        if out["should_stop"]:
            break
        evidence += [{"id": i["id"], "choice_id": "absent"} for i in out["question"]["items"]]
    assert out["should_stop"]
    assert out["question"] is None


def test_assess_gives_why_and_advice() -> None:
    out = api.assess(
        {
            "age": 45,
            "sex": "male",
            "evidence": [
                {"id": "calf_pain", "choice_id": "present"},
                {"id": "felt_pop_or_kick", "choice_id": "present"},
                {"id": "calf_squeeze_no_foot_movement", "choice_id": "present"},
            ],
        }
    )
    assert out["triage_level"] == "emergency"
    top = out["conditions"][0]
    assert top["id"] == "achilles_tendon_rupture"
    assert "Points towards it" in top["why"]
    assert out["do_now"]
    assert all(s["references"] for s in out["do_now"])
