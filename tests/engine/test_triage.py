"""Safety rules: every alarm finding forces at least its minimum level of care."""

from __future__ import annotations

import pytest

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import TriageLevel
from calfcare.services.assessment import Assessor
from tests.conftest import make_request

RANK = {lv.value: lv.rank for lv in TriageLevel}

# The least each alarm finding must trigger on its own, added to a harmless exercise cramp.
# Written from the clinical notes (calf-clinical.md C.2), independently of the rule file.
ALARM_MINIMUM = {
    "chest_pain_or_breathless": "emergency_ambulance",
    "confusion_or_collapse": "emergency_ambulance",
    "body_temperature_over_40": "emergency_ambulance",
    "foot_cold_pale_or_blue": "emergency_ambulance",
    "sudden_leg_weakness_or_paralysis": "emergency_ambulance",
    "pain_out_of_proportion": "emergency",
    "leg_tense_and_hard": "emergency",
    "pain_on_passive_toe_stretch": "emergency",
    "dark_or_cola_urine": "emergency",
    "saddle_numbness_or_bladder_change": "emergency",
    "headache_nausea_vomiting": "emergency",  # during exercise: heat illness or hyponatraemia
    # Symptomatic low calcium is treated in hospital (Society for Endocrinology, 2016).
    "tingling_around_mouth_or_hands": "emergency",
    "recent_fracture_or_crush": "consultation_24",
    "severe_muscle_pain_swelling_after_exertion": "consultation_24",
    "dizzy_or_faint": "consultation_24",  # during exercise
    "numbness_or_tingling_foot": "consultation",
    "weak_or_absent_foot_pulses": "consultation",
    "foot_cold_or_numb_during_exercise": "consultation",
    "generalised_weakness": "consultation",
    "fever_or_chills": "consultation",
    "progressive_weakness_or_wasting": "consultation",
    "muscle_twitching": "consultation",
}

BENIGN_CRAMP = {
    "calf_pain": "present",
    "muscle_locked_or_knotted": "present",
    "onset_during_exercise": "present",
    "relieved_by_stretching": "present",
    "resolved_within_10_minutes": "present",
    "pain_persists_hours_after": "absent",
}


def test_every_alarm_finding_has_a_minimum(kb: KnowledgeBase) -> None:
    alarms = {f.id for f in kb.findings.values() if f.alarm}
    assert alarms == set(ALARM_MINIMUM)


def test_benign_cramp_is_self_care(assessor: Assessor) -> None:
    assert assessor.triage(make_request(**BENIGN_CRAMP))["triage_level"] == "self_care"


@pytest.mark.parametrize(("finding", "minimum"), sorted(ALARM_MINIMUM.items()))
def test_alarm_finding_forces_minimum(assessor: Assessor, finding: str, minimum: str) -> None:
    out = assessor.triage(make_request(**{**BENIGN_CRAMP, finding: "present"}))
    assert RANK[out["triage_level"]] >= RANK[minimum]
    assert finding in {s["id"] for s in out["serious"]}


@pytest.mark.parametrize(
    ("combo", "minimum"),
    [
        (
            {
                "hot_or_humid_conditions": "present",
                "headache_nausea_vomiting": "present",
                "dizzy_or_faint": "present",
            },
            "emergency_ambulance",
        ),
        ({"drank_large_volumes": "present", "headache_nausea_vomiting": "present"}, "emergency"),
        ({"swelling_one_calf": "present", "dizzy_or_faint": "present"}, "emergency"),
        ({"swelling_one_calf": "present"}, "consultation_24"),
        ({"red_hot_spreading_skin": "present"}, "consultation_24"),
        ({"episodes_affect_sleep_or_life": "present"}, "consultation"),
        ({"calf_squeeze_no_foot_movement": "present"}, "emergency"),
    ],
)
def test_triage_tuples(assessor: Assessor, combo: dict[str, str], minimum: str) -> None:
    out = assessor.triage(make_request(**{**BENIGN_CRAMP, **combo}))
    assert RANK[out["triage_level"]] >= RANK[minimum]


def test_wells_score_likely_forces_same_day(assessor: Assessor) -> None:
    req = make_request(
        age=60,
        sex="male",
        calf_pain="present",
        active_cancer="present",
        calf_3cm_larger="present",
        pitting_oedema_one_leg="present",
        tender_along_deep_veins="present",
    )
    out = assessor.triage(req)
    assert out["extras"]["wells"]["points"] >= 2
    assert out["extras"]["wells"]["likely"] is True
    assert RANK[out["triage_level"]] >= RANK["consultation_24"]
    assert any(r["rule"] == "wells_dvt_likely" for r in out["extras"]["reasons"])


def test_wells_not_computed_without_examination(assessor: Assessor) -> None:
    out = assessor.triage(make_request(calf_pain="present", active_cancer="present"))
    assert "wells" not in out["extras"]


def test_wells_subtracts_two_for_a_likelier_alternative(assessor: Assessor) -> None:
    req = make_request(
        age=30,
        sex="male",
        calf_pain="present",
        direct_blow_to_calf="present",
        calf_bruising="present",
        calf_3cm_larger="present",
        tender_along_deep_veins="absent",
    )
    wells = assessor.triage(req)["extras"]["wells"]
    assert wells["alternative_as_likely"] is True
    assert wells["points"] == 1 - 2
