"""One test per hazard of docs/safety/hazard-log.md: the control works on a typical story."""

from __future__ import annotations

import pytest

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import TriageLevel
from calfcare.services.assessment import Assessor
from tests.conftest import make_request

RANK = {lv.value: lv.rank for lv in TriageLevel}


def level(assessor: Assessor, **kw: object) -> str:
    return str(assessor.triage(make_request(**kw))["triage_level"])  # type: ignore[arg-type]


def test_h01_clot_taken_for_a_cramp(assessor: Assessor) -> None:
    """A 'cramp' that never let go, with a swollen calf after a long flight."""
    lv = level(
        assessor,
        age=44,
        sex="male",
        calf_pain="present",
        muscle_locked_or_knotted="present",
        resolved_within_10_minutes="absent",
        swelling_one_calf="present",
        long_travel_recent="present",
    )
    assert RANK[lv] >= RANK["consultation_24"]


def test_h01_clot_with_breathlessness_calls_an_ambulance(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=58,
        sex="female",
        calf_pain="present",
        swelling_one_calf="present",
        chest_pain_or_breathless="present",
    )
    assert lv == "emergency_ambulance"


def test_h01_pregnancy_does_not_hide_a_clot(assessor: Assessor) -> None:
    out = assessor.assess(
        make_request(
            age=31,
            sex="female",
            pregnant="present",
            calf_pain="present",
            swelling_one_calf="present",
            onset_at_rest_or_night="present",
        )
    )
    assert RANK[out["triage_level"]] >= RANK["consultation_24"]
    assert "deep_vein_thrombosis" in [c["id"] for c in out["conditions"]]


def test_h02_compartment_syndrome_after_a_kick(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=16,
        sex="male",
        calf_pain="present",
        direct_blow_to_calf="present",
        calf_bruising="present",
        pain_out_of_proportion="present",
    )
    assert RANK[lv] >= RANK["emergency"]


def test_h03_achilles_rupture_in_someone_who_can_walk(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=45,
        sex="male",
        calf_pain="present",
        sudden_sharp_pain_push_off="present",
        cannot_stand_on_tiptoe="present",
        limping_or_cannot_walk_normally="absent",
        felt_pop_or_kick="absent",
    )
    assert RANK[lv] >= RANK["consultation_24"]


def test_h04_heat_illness_taken_for_a_cramp(assessor: Assessor) -> None:
    base = {
        "calf_pain": "present",
        "muscle_locked_or_knotted": "present",
        "onset_during_exercise": "present",
        "hot_or_humid_conditions": "present",
    }
    assert level(assessor, **base, confusion_or_collapse="present") == "emergency_ambulance"
    assert RANK[level(assessor, **base, dizzy_or_faint="present")] >= RANK["emergency"]


def test_h05_hyponatraemia_is_not_told_to_drink_more(assessor: Assessor, kb: KnowledgeBase) -> None:
    out = assessor.assess(
        make_request(
            age=47,
            sex="female",
            calf_pain="present",
            onset_late_in_long_session="present",
            drank_large_volumes="present",
            headache_nausea_vomiting="present",
        )
    )
    assert RANK[out["triage_level"]] >= RANK["emergency"]
    assert out["conditions"][0]["id"] == "exercise_associated_hyponatremia"
    advice = " ".join(s.text.lower() for s in kb.guides["exercise_associated_hyponatremia"].do_now)
    assert "do not" in advice or "don't" in advice


def test_h06_muscle_breakdown_with_dark_urine(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=19,
        sex="male",
        calf_pain="present",
        extreme_or_unaccustomed_exercise="present",
        dark_or_cola_urine="present",
    )
    assert RANK[lv] >= RANK["emergency"]


def test_h07_a_settled_cramp_is_not_sent_to_hospital(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=34,
        sex="female",
        calf_pain="present",
        muscle_locked_or_knotted="present",
        onset_during_exercise="present",
        relieved_by_stretching="present",
        resolved_within_10_minutes="present",
        pain_persists_hours_after="absent",
        swelling_one_calf="absent",
    )
    assert lv == "self_care"


def test_h08_results_say_they_are_not_a_diagnosis(assessor: Assessor) -> None:
    from calfcare.cli.render import DISCLAIMER, EMERGENCY_LINE

    assert "not a diagnosis" in DISCLAIMER
    assert "emergency services" in EMERGENCY_LINE


def test_h11_result_names_its_knowledge_version(assessor: Assessor, kb: KnowledgeBase) -> None:
    out = assessor.assess(make_request(calf_pain="present"))
    assert out["kb_version"] == kb.content_hash


def test_h12_alarm_questions_come_first(assessor: Assessor) -> None:
    evidence = [{"id": "calf_pain", "choice_id": "present", "source": "initial"}]
    seen = []
    for _ in range(3):
        out = assessor.diagnose({"age": 40, "sex": "male", "evidence": evidence})
        seen.append(out["question"]["id"])
        evidence += [{"id": i["id"], "choice_id": "absent"} for i in out["question"]["items"]]
    assert seen == ["alarm_now", "alarm_leg", "alarm_today"]


def test_h13_recurrent_cramps_that_disturb_sleep_see_a_doctor(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=68,
        sex="male",
        muscle_locked_or_knotted="present",
        onset_at_rest_or_night="present",
        recurrent_episodes="present",
        episodes_affect_sleep_or_life="present",
    )
    assert RANK[lv] >= RANK["consultation"]


@pytest.mark.parametrize("finding", ["foot_cold_pale_or_blue", "sudden_leg_weakness_or_paralysis"])
def test_h14_blocked_artery_calls_an_ambulance(assessor: Assessor, finding: str) -> None:
    assert (
        level(assessor, age=76, sex="male", calf_pain="present", **{finding: "present"})
        == "emergency_ambulance"
    )


def test_h26_unsure_answers_never_lower_the_level(assessor: Assessor) -> None:
    """The day after a punishing gym session: hugely swollen, sore calves and nausea."""
    story = {
        "calf_pain": "present",
        "severe_muscle_pain_swelling_after_exertion": "present",
        "extreme_or_unaccustomed_exercise": "present",
        "headache_nausea_vomiting": "present",
        "both_legs_affected": "present",
    }
    noes = [
        "dark_or_cola_urine",
        "swelling_one_calf",
        "onset_during_exercise",
        "muscle_locked_or_knotted",
        "relieved_by_stretching",
        "direct_blow_to_calf",
    ]
    sure = level(assessor, age=28, sex="male", **story, **dict.fromkeys(noes, "absent"))
    unsure = level(assessor, age=28, sex="male", **story, **dict.fromkeys(noes, "unknown"))
    assert RANK[unsure] >= RANK[sure] >= RANK["consultation_24"]


def test_h28_the_interview_does_not_stop_while_a_clot_is_possible(assessor: Assessor) -> None:
    """A night 'cramp' that never let go, twelve days after a caesarean section."""
    evidence = [
        {"id": "calf_pain", "choice_id": "present", "source": "initial"},
        {"id": "onset_at_rest_or_night", "choice_id": "present", "source": "initial"},
    ]
    asked = []
    for _ in range(25):
        out = assessor.diagnose({"age": 31, "sex": "female", "evidence": evidence})
        if out["should_stop"]:
            break
        asked.append(out["question"]["id"])
        evidence += [
            {
                "id": i["id"],
                "choice_id": "present"
                if i["id"]
                in {"recent_surgery_or_bedrest", "pain_persists_hours_after", "calf_warm_or_red"}
                else "absent",
            }
            for i in out["question"]["items"]
        ]
    assert "clot_risk" in asked
    assert (
        level(assessor, age=31, sex="female", **{e["id"]: e["choice_id"] for e in evidence})
        != "self_care"
    )


def test_h29_a_pop_on_push_off_is_seen_the_same_day_even_on_tiptoe(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=44,
        sex="male",
        calf_pain="present",
        felt_pop_or_kick="present",
        sudden_sharp_pain_push_off="present",
        cannot_stand_on_tiptoe="absent",
        walks_flat_footed_weak_push_off="absent",
        calf_squeeze_no_foot_movement="unknown",
    )
    assert RANK[lv] >= RANK["consultation_24"]


def test_h30_a_vein_clot_towards_the_groin_is_scanned_the_same_day(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=61,
        sex="female",
        tender_cord_along_vein="present",
        cord_extends_above_knee="present",
        varicose_veins="absent",
        oestrogen_pill_or_hrt="present",
    )
    assert lv == "consultation_24"


def test_h31_headline_and_text_agree(assessor: Assessor) -> None:
    out = assessor.triage(
        make_request(
            age=52,
            sex="male",
            calf_pain="present",
            swelling_one_calf="present",
            long_travel_recent="present",
        )
    )
    assert out["triage_level"] == "consultation_24"
    assert "today" not in out["description"].split(". ")[0].lower()


def test_h33_signs_of_low_calcium_go_to_hospital(assessor: Assessor) -> None:
    lv = level(
        assessor,
        age=46,
        sex="female",
        muscle_locked_or_knotted="present",
        cramps_in_several_muscle_groups="present",
        tingling_around_mouth_or_hands="present",
    )
    assert RANK[lv] >= RANK["emergency"]
