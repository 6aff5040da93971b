"""Property tests over random requests: the contract holds for any valid input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calfcare.errors import RequestError
from calfcare.kb.loader import load_kb
from calfcare.kb.schema import TriageLevel
from calfcare.services.assessment import Assessor

KB = load_kb()
ASSESSOR = Assessor(KB)
FINDINGS = sorted(KB.findings)
ALARMS = sorted(f.id for f in KB.findings.values() if f.alarm)
RANK = {lv.value: lv.rank for lv in TriageLevel}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

evidence = st.dictionaries(
    st.sampled_from(FINDINGS), st.sampled_from(["present", "absent", "unknown"]), max_size=25
)
requests = st.builds(
    lambda age, sex, ev: {
        "age": age,
        "sex": sex,
        "evidence": [{"id": k, "choice_id": v} for k, v in ev.items()],
    },
    st.integers(1, 120),
    st.sampled_from(["female", "male"]),
    evidence,
)


@SETTINGS
@given(requests)
def test_diagnose_result_is_valid(request: dict[str, Any]) -> None:
    out = ASSESSOR.diagnose(request)
    probs = [c["probability"] for c in out["conditions"]]
    assert len(probs) >= 3
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert probs == sorted(probs, reverse=True)
    assert all(p >= 0.01 for p in probs[3:])
    assert (out["question"] is None) == out["should_stop"]
    if out["question"] is not None:
        q = out["question"]
        assert q["type"] in {"single", "group_single", "group_multiple"}
        assert q["items"]
        assert all(i["id"] in KB.findings for i in q["items"])
        answered = {e["id"] for e in request["evidence"] if e["choice_id"] != "unknown"}
        assert not answered & {i["id"] for i in q["items"]}
        if q["kind"] == "recheck":  # only unsure answers are asked again, once
            unsure = {e["id"] for e in request["evidence"] if e["choice_id"] == "unknown"}
            assert {i["id"] for i in q["items"]} <= unsure


@SETTINGS
@given(requests)
def test_triage_result_is_valid(request: dict[str, Any]) -> None:
    out = ASSESSOR.triage(request)
    assert out["triage_level"] in RANK
    assert out["label"]
    assert out["description"]
    assert all(s["id"] in KB.findings for s in out["serious"])


@SETTINGS
@given(requests, st.sampled_from(ALARMS))
def test_adding_an_alarm_never_lowers_the_level(request: dict[str, Any], alarm: str) -> None:
    ev = [e for e in request["evidence"] if e["id"] != alarm]
    before = ASSESSOR.triage({**request, "evidence": ev})["triage_level"]
    after = ASSESSOR.triage({**request, "evidence": [*ev, {"id": alarm, "choice_id": "present"}]})
    assert RANK[after["triage_level"]] >= RANK[before]


@SETTINGS
@given(requests, st.data())
def test_i_dont_know_is_never_reassurance(request: dict[str, Any], data: st.DataObject) -> None:
    """Turning any "no" into "I don't know" never lowers the level of care."""
    noes = [e["id"] for e in request["evidence"] if e["choice_id"] == "absent"]
    if not noes:
        return
    flipped = data.draw(st.sampled_from(noes))
    unsure = {
        **request,
        "evidence": [
            {**e, "choice_id": "unknown"} if e["id"] == flipped else e for e in request["evidence"]
        ],
    }
    before = ASSESSOR.triage(request)["triage_level"]
    after = ASSESSOR.triage(unsure)["triage_level"]
    assert RANK[after] >= RANK[before], (flipped, before, after)


@SETTINGS
@given(requests, st.sampled_from(FINDINGS))
def test_i_dont_know_is_never_lower_than_not_asking(request: dict[str, Any], finding: str) -> None:
    """An unknown answer never gives a lower level than leaving the question out."""
    ev = [e for e in request["evidence"] if e["id"] != finding]
    asked = ASSESSOR.triage({**request, "evidence": [*ev, {"id": finding, "choice_id": "unknown"}]})
    not_asked = ASSESSOR.triage({**request, "evidence": ev})
    assert RANK[asked["triage_level"]] >= RANK[not_asked["triage_level"]]


@SETTINGS
@given(requests)
def test_evidence_order_does_not_matter(request: dict[str, Any]) -> None:
    reversed_request = {**request, "evidence": list(reversed(request["evidence"]))}
    a, b = ASSESSOR.diagnose(request), ASSESSOR.diagnose(reversed_request)
    assert [c["probability"] for c in a["conditions"]] == [
        c["probability"] for c in b["conditions"]
    ]
    assert (
        ASSESSOR.triage(request)["triage_level"]
        == ASSESSOR.triage(reversed_request)["triage_level"]
    )


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@st.composite
def invalid_requests(draw: st.DrawFn) -> dict[str, Any]:
    base: dict[str, Any] = draw(requests)
    kind = draw(st.sampled_from(["age", "sex", "id", "choice", "evidence", "extra", "item"]))
    if kind == "age":
        base["age"] = draw(
            st.one_of(
                st.integers(max_value=0), st.integers(min_value=121), st.text(max_size=4), st.none()
            )
        )
    elif kind == "sex":
        base["sex"] = draw(junk.filter(lambda v: v not in ("female", "male")))
    elif kind == "id":
        bad = draw(st.text(min_size=1, max_size=12).filter(lambda s: s not in KB.findings))
        base["evidence"] = [*base["evidence"], {"id": bad, "choice_id": "present"}]
    elif kind == "choice":
        bad = draw(junk.filter(lambda v: v not in ("present", "absent", "unknown")))
        base["evidence"] = [*base["evidence"], {"id": "calf_pain", "choice_id": bad}]
    elif kind == "evidence":
        base["evidence"] = draw(
            st.one_of(
                st.integers(),
                st.text(max_size=5),
                st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
            )
        )
    elif kind == "item":
        base["evidence"] = [
            *base["evidence"],
            draw(st.one_of(st.integers(), st.text(), st.lists(st.integers()))),
        ]
    else:
        base[
            draw(
                st.text(min_size=1, max_size=6).filter(
                    lambda k: k not in {"age", "sex", "evidence", "extras", "mode"}
                )
            )
        ] = 1
    return base


@SETTINGS
@given(invalid_requests())
def test_invalid_requests_get_the_clear_error(request: dict[str, Any]) -> None:
    for call in (ASSESSOR.diagnose, ASSESSOR.triage):
        with pytest.raises(RequestError) as info:
            call(request)
        assert info.value.field
        assert info.value.message
