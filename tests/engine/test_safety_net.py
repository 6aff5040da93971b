"""The can't-miss safety net, re-checks of unsure answers, companion checks and the order of
the interview, each on a typical story told through the public diagnose/triage contract."""

from __future__ import annotations

from typing import Any

import pytest

from calfcare.engine.caution import MAX_EXACT_UNKNOWNS, cautious
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import TriageLevel
from calfcare.services.assessment import Assessor
from calfcare.services.requests import parse_request
from tests.conftest import make_request

RANK = {lv.value: lv.rank for lv in TriageLevel}
ALARM_QUESTIONS = 3


def interview(
    assessor: Assessor, age: int, sex: str, initial: list[str], truth: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Run the interview; unlisted patient findings are "no", clinician ones unknown."""
    ev = [{"id": f, "choice_id": "present", "source": "initial"} for f in initial]
    asked = []
    for _ in range(40):
        out = assessor.diagnose({"age": age, "sex": sex, "evidence": ev})
        if out["should_stop"]:
            break
        asked.append(out["question"])
        for item in out["question"]["items"]:
            who = assessor.kb.findings[item["id"]].who
            ev.append(
                {
                    "id": item["id"],
                    "choice_id": truth.get(item["id"], "absent" if who == "patient" else "unknown"),
                }
            )
    return asked, ev


ACHILLES_CAN_TIPTOE = {
    "sudden_sharp_pain_push_off": "present",
    "onset_during_exercise": "present",
    "limping_or_cannot_walk_normally": "present",
    "cannot_stand_on_tiptoe": "absent",
}


def test_pop_and_push_off_pain_is_same_day_whatever_the_tiptoe(assessor: Assessor) -> None:
    req = make_request(
        age=44,
        sex="male",
        calf_pain="present",
        felt_pop_or_kick="present",
        sudden_sharp_pain_push_off="present",
        cannot_stand_on_tiptoe="absent",
        localised_tender_spot_in_muscle="present",
    )
    out = assessor.triage(req)
    assert RANK[out["triage_level"]] >= RANK["consultation_24"]
    assert "pop_and_push_off_pain" in {r["rule"] for r in out["extras"]["reasons"]}


def test_a_normal_calf_squeeze_releases_the_pop_rule(assessor: Assessor) -> None:
    base = {
        "calf_pain": "present",
        "felt_pop_or_kick": "present",
        "sudden_sharp_pain_push_off": "present",
        "localised_tender_spot_in_muscle": "present",
    }
    unsure = assessor.triage(
        make_request(age=44, sex="male", **base, calf_squeeze_no_foot_movement="unknown")
    )
    normal = assessor.triage(
        make_request(age=44, sex="male", **base, calf_squeeze_no_foot_movement="absent")
    )
    assert "pop_and_push_off_pain" in {r["rule"] for r in unsure["extras"]["reasons"]}
    assert "pop_and_push_off_pain" not in {r["rule"] for r in normal["extras"]["reasons"]}


def test_the_interview_offers_the_calf_squeeze_to_a_patient(assessor: Assessor) -> None:
    asked, ev = interview(
        assessor, 45, "male", ["calf_pain", "felt_pop_or_kick"], ACHILLES_CAN_TIPTOE
    )
    ids = [q["id"] for q in asked]
    assert "companion_calf_squeeze" in ids
    squeeze = asked[ids.index("companion_calf_squeeze")]
    assert squeeze["kind"] == "companion"
    assert squeeze["companion"]["steps"]
    labels = {c["id"]: c["label"] for c in squeeze["items"][0]["choices"]}
    assert labels["unknown"].startswith("No one is with me")
    level = assessor.triage({"age": 45, "sex": "male", "evidence": ev})["triage_level"]
    assert RANK[level] >= RANK["consultation_24"]


def test_an_unsure_alarm_answer_is_asked_again_once_in_plainer_words(
    assessor: Assessor, kb: KnowledgeBase
) -> None:
    truth = {
        "chest_pain_or_breathless": "unknown",
        "onset_during_exercise": "present",
        "relieved_by_stretching": "present",
        "resolved_within_10_minutes": "present",
    }
    asked, ev = interview(assessor, 34, "female", ["calf_pain", "muscle_locked_or_knotted"], truth)
    rechecks = [q for q in asked if q["kind"] == "recheck"]
    assert len(rechecks) == 1
    item = next(i for i in rechecks[0]["items"] if i["id"] == "chest_pain_or_breathless")
    assert item["question"] == kb.findings["chest_pain_or_breathless"].recheck
    assert asked.index(rechecks[0]) == ALARM_QUESTIONS  # straight after the alarm screen
    result = assessor.triage({"age": 34, "sex": "female", "evidence": ev})
    watch = {w["id"]: w for w in result["extras"]["watch_for"]}
    assert watch["chest_pain_or_breathless"]["level"] == "emergency_ambulance"


def test_an_unsure_answer_that_would_not_matter_is_not_asked_again(assessor: Assessor) -> None:
    # Already at an emergency level: an unsure same-day sign changes nothing.
    truth = {
        "dark_or_cola_urine": "present",
        "swelling_one_calf": "unknown",
        "severe_muscle_pain_swelling_after_exertion": "present",
    }
    asked, _ = interview(assessor, 22, "male", ["calf_pain"], truth)
    rechecked = {i["id"] for q in asked if q["kind"] == "recheck" for i in q["items"]}
    assert "swelling_one_calf" not in rechecked


def test_a_swollen_calf_after_a_flight_is_asked_about_travel(assessor: Assessor) -> None:
    truth = {
        "calf_warm_or_red": "present",
        "long_travel_recent": "present",
        "pain_persists_hours_after": "present",
        "gradual_onset_over_days": "present",
    }
    asked, ev = interview(assessor, 52, "male", ["calf_pain", "swelling_one_calf"], truth)
    ids = [q["id"] for q in asked]
    assert "clot_risk" in ids
    assert ids.index("clot_risk") <= ALARM_QUESTIONS + 1  # onset and context come first
    result = assessor.assess({"age": 52, "sex": "male", "evidence": ev})
    dvt = next(c for c in result["conditions"] if c["id"] == "deep_vein_thrombosis")
    assert "travelled" in dvt["why"].lower() or "journey" in dvt["why"].lower()
    assert result["label"] == assessor.kb.levels[result["triage_level"]].label
    assert "today" not in result["extras"]["reasons"][0]["message"].lower()


def test_an_exercise_cramp_is_asked_about_the_session_before_medicines(assessor: Assessor) -> None:
    truth = {
        "onset_during_exercise": "present",
        "onset_late_in_long_session": "present",
        "hot_or_humid_conditions": "present",
        "relieved_by_stretching": "present",
        "resolved_within_10_minutes": "present",
    }
    asked, _ = interview(assessor, 35, "female", ["calf_pain", "muscle_locked_or_knotted"], truth)
    ids = [q["id"] for q in asked]
    assert "the_session" in ids
    assert "medicines" not in ids or ids.index("the_session") < ids.index("medicines")


def test_medicines_that_cause_cramps_are_named_and_reviewed(assessor: Assessor) -> None:
    req = make_request(
        age=72,
        sex="female",
        calf_pain="present",
        muscle_locked_or_knotted="present",
        onset_at_rest_or_night="present",
        takes_statin="present",
        takes_diuretic="present",
    )
    result = assessor.assess(req)
    assert "medicine_review" in {a["id"] for a in result["for_you"]}
    whys = " ".join(c["why"] for c in result["conditions"])
    assert "takes a statin" in whys
    assert "water tablet" in whys


def test_a_vein_clot_reaching_the_thigh_needs_a_scan_the_same_day(assessor: Assessor) -> None:
    asked, ev = interview(
        assessor,
        58,
        "female",
        ["tender_cord_along_vein"],
        {
            "calf_pain": "present",
            "cord_extends_above_knee": "present",
            "oestrogen_pill_or_hrt": "present",
        },
    )
    assert "vein_cord_extent" in [q["id"] for q in asked]
    level = assessor.triage({"age": 58, "sex": "female", "evidence": ev})["triage_level"]
    assert RANK[level] >= RANK["consultation_24"]


def test_interview_length_stays_within_the_policy(assessor: Assessor) -> None:
    asked, _ = interview(
        assessor, 34, "female", ["calf_pain"], dict.fromkeys(assessor.kb.findings, "unknown")
    )
    assert len(asked) <= assessor.kb.policy.interview.max_questions


@pytest.mark.parametrize("count", [MAX_EXACT_UNKNOWNS, MAX_EXACT_UNKNOWNS + 3])
def test_cautious_masses_cover_every_way_the_unknowns_could_go(
    assessor: Assessor, count: int
) -> None:
    """With few unknowns the masses are exact maxima; with many, an upper bound of them."""
    unknown = [f for f, x in assessor.kb.findings.items() if not x.alarm and f != "calf_pain"][
        :count
    ]
    req = make_request(age=50, sex="male", calf_pain="present", **dict.fromkeys(unknown, "unknown"))
    levels = len(TriageLevel)
    masses = cautious(assessor.model, parse_request(req, assessor.kb), levels).masses
    for absent in (unknown, unknown[: count // 2], []):
        answers = {"calf_pain": "present", **dict.fromkeys(absent, "absent")}
        case = parse_request(make_request(age=50, sex="male", **answers), assessor.kb)
        exact = cautious(assessor.model, case, levels).masses
        assert (masses >= exact - 1e-12).all()


def test_rechecks_are_counted_as_questions(assessor: Assessor) -> None:
    ev = [
        {"id": "calf_pain", "choice_id": "present", "source": "initial"},
        {"id": "chest_pain_or_breathless", "choice_id": "unknown"},
        {"id": "dizzy_or_faint", "choice_id": "unknown"},
        {"id": "chest_pain_or_breathless", "choice_id": "absent"},
        {"id": "dizzy_or_faint", "choice_id": "absent"},
    ]
    case = parse_request({"age": 30, "sex": "male", "evidence": ev}, assessor.kb)
    assert case.recheck_rounds == 1
    assert case.asked_again == {"chest_pain_or_breathless", "dizzy_or_faint"}
    assert case.answers["chest_pain_or_breathless"] == "absent"
