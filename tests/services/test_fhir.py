"""FHIR export and import: every resource passes the FHIR R4B models of `fhir.resources`,
an exported QuestionnaireResponse read back gives the same result, codes come only from the
knowledge base's confirmed list, a plan of any kind becomes a CarePlan, and a person's Bundle
holds their own records and nobody else's."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy.orm import Session

from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import activity, diary, interop, prevention, rehab
from calfcare.services.assessment import Assessor
from calfcare.services.interop.plan import rehab_plan_input
from calfcare.services.validation import load_vignettes
from tests import activity_samples as samples
from tests.services.test_diary import NOW, add_user, episode

VIGNETTES = Path(__file__).parents[1] / "vignettes"


def _requests() -> list[dict[str, Any]]:
    out = []
    for folder in ("dev", "hard"):
        for case in load_vignettes(VIGNETTES / folder):
            initial = set(case.get("initial", []))
            evidence = [
                {"id": k, "choice_id": v, **({"source": "initial"} if k in initial else {})}
                for k, v in case["evidence"].items()
            ]
            out.append({"age": case["age"], "sex": case["sex"], "evidence": evidence})
    return out


def _valid(resource: dict[str, Any]) -> None:
    """The resource passes its FHIR model, read again from JSON as a receiver would."""
    model = get_fhir_model_class(resource["resourceType"])
    parsed = model.model_validate_json(model.model_validate(resource).model_dump_json())
    assert parsed.model_dump(mode="json", by_alias=True, exclude_none=True) == resource


def test_every_vignette_round_trips_through_a_questionnaire_response(
    kb: KnowledgeBase, assessor: Assessor
) -> None:
    requests = _requests()
    assert len(requests) > 100
    for request in requests:
        qr = interop.response(kb, request, subject="Patient/p", authored=NOW)
        _valid(qr)
        back = interop.request_from_response(qr)
        assert back == request
        assert assessor.assess(back) == assessor.assess(request)


def test_answers_asked_again_keep_their_order_and_result(assessor: Assessor) -> None:
    request = {
        "age": 50,
        "sex": "male",
        "evidence": [
            {"id": "calf_pain", "choice_id": "present", "source": "initial"},
            {"id": "swelling_one_calf", "choice_id": "unknown"},
            {"id": "swelling_one_calf", "choice_id": "present", "source": "question"},
        ],
    }
    qr = interop.response(assessor.kb, request, subject="Patient/p", authored=NOW)
    back = interop.request_from_response(qr)
    assert back == request
    assert assessor.assess(back) == assessor.assess(request)


def test_the_questionnaire_and_a_risk_assessment_are_valid_fhir(
    kb: KnowledgeBase, assessor: Assessor
) -> None:
    _valid(interop.questionnaire(kb))
    for request in _requests()[:20]:
        ra = interop.risk_assessment(
            kb, assessor.assess(request), subject="Patient/p", basis="urn:uuid:x", when=NOW
        )
        _valid(ra)
        assert {e["valueString"] for e in ra["extension"] if "valueString" in e} == {
            kb.content_hash
        }


def test_codes_come_only_from_the_confirmed_list(kb: KnowledgeBase, assessor: Assessor) -> None:
    confirmed = {(c.system.uri, c.code) for entry in kb.interop.conditions for c in entry.codes} | {
        (c.system.uri, c.code) for c in kb.interop.observations.values()
    }
    seen: set[tuple[str, str]] = set()
    for request in _requests():
        ra = interop.risk_assessment(
            kb, assessor.assess(request), subject="Patient/p", basis=None, when=NOW
        )
        for p in ra["prediction"]:
            for c in p["outcome"].get("coding", []):
                if not c["system"].startswith("urn:calfcare"):
                    seen.add((c["system"], c["code"]))
    assert seen
    assert seen <= confirmed
    assert not any(s == "http://snomed.info/sct" for s, _ in seen)


def test_a_dvt_prediction_carries_its_confirmed_icd10_code(
    kb: KnowledgeBase, assessor: Assessor
) -> None:
    result = {
        "triage_level": "consultation_24",
        "description": "x",
        "kb_version": kb.content_hash,
        "conditions": [{"id": "deep_vein_thrombosis", "probability": 0.6, "why": "because"}],
    }
    ra = interop.risk_assessment(kb, result, subject="Patient/p", basis=None, when=NOW)
    codings = ra["prediction"][0]["outcome"]["coding"]
    assert {"system": "http://hl7.org/fhir/sid/icd-10", "code": "I80.2"} in [
        {"system": c["system"], "code": c["code"]} for c in codings
    ]


def test_any_plan_becomes_a_care_plan_with_its_goals() -> None:
    plan = interop.PlanInput(
        title="Prevention plan",
        description="Fewer cramps in long runs.",
        state="active",
        start=date(2026, 11, 1),
        goals=(
            interop.GoalInput("Finish a long run without a cramp", "active"),
            interop.GoalInput("Know your sweat rate", "completed"),
        ),
        activities=(interop.ActivityInput("Drink to thirst during long runs"),),
        kb_version="0123456789abcdef",
    )
    entries = interop.care_plan(plan, subject="urn:uuid:00000000-0000-0000-0000-000000000001")
    care, *goals = (r for _, r in entries)
    for r in (care, *goals):
        _valid(r)
    assert care["resourceType"] == "CarePlan"
    assert [g["reference"] for g in care["goal"]] == [u for u, _ in entries[1:]]
    assert [g["lifecycleStatus"] for g in goals] == ["active", "completed"]
    assert care["activity"][0]["detail"]["description"] == "Drink to thirst during long runs"
    assert care["extension"][0]["valueString"] == "0123456789abcdef"


def _fill(db: Session, kb: KnowledgeBase, assessor: Assessor, owner: str, mark: str) -> None:
    diary.create_episode(db, owner_id=owner, values=episode(notes=mark), now=NOW)
    diary.save_result(db, owner_id=owner, assessor=assessor, request=_requests()[0], now=NOW)
    activity.import_activities(
        db,
        owner_id=owner,
        files=[activity.ActivityFile("run.fit", samples.fit(NOW - timedelta(days=2)))],
        intensity=6,
        now=NOW,
    )
    rehab.start_plan(
        db,
        owner_id=owner,
        values={"programme": "calf_strain", "variant": "grade1_gastrocnemius", "side": "left",
                "injury_day": (NOW - timedelta(days=3)).date().isoformat()},
        today=NOW.date(),
        kb=kb,
    )  # fmt: skip


def test_a_persons_bundle_holds_their_records_only_and_every_one_is_valid(
    db: Session, kb: KnowledgeBase, assessor: Assessor
) -> None:
    alex, sam = add_user(db, "alex@example.org", "Alex"), add_user(db, "sam@example.org", "Sam")
    _fill(db, kb, assessor, alex, "alex-private")
    _fill(db, kb, assessor, sam, "sam-private")
    bundle = interop.person_bundle(db, owner_id=alex, assessor=assessor, now=NOW)
    _valid(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Patient") == 1
    assert {"QuestionnaireResponse", "RiskAssessment", "CarePlan", "Goal", "Observation"} <= set(
        kinds
    )
    for entry in bundle["entry"]:
        _valid(entry["resource"])
    text = str(bundle)
    assert "alex-private" in text
    assert "sam-private" not in text
    assert "Sam" not in text
    urls = {e["fullUrl"] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        ref = entry["resource"].get("subject", {}).get("reference")
        assert ref is None or ref in urls
    heart = [
        c
        for e in bundle["entry"]
        for c in e["resource"].get("component", [])
        if c["code"].get("coding", [{}])[0].get("code") == "55422-0"
    ]
    assert heart[0]["valueQuantity"]["value"] == 149


def test_the_rehab_plan_is_a_care_plan_at_its_current_phase(db: Session, kb: KnowledgeBase) -> None:
    owner = add_user(db, "alex@example.org")
    plan = rehab.start_plan(
        db,
        owner_id=owner,
        values={"programme": "calf_strain", "variant": "grade1_gastrocnemius", "side": "left",
                "injury_day": (NOW - timedelta(days=3)).date().isoformat()},
        today=NOW.date(),
        kb=kb,
    )  # fmt: skip
    got = rehab_plan_input(kb, plan)
    assert [g.state for g in got.goals][:2] == ["active", "planned"]
    assert got.activities
    assert got.kb_version == plan.kb_version


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda qr: qr.update(resourceType="Observation"), "resourceType"),
        (
            lambda qr: qr.update(questionnaire="http://example.org/Questionnaire/other"),
            "questionnaire",
        ),
        (lambda qr: qr["item"][2].update(answer=[]), "item[2].answer"),
        (
            lambda qr: qr["item"][2]["answer"][0]["valueCoding"].update(code="maybe"),
            "item[2].answer",
        ),
        (
            lambda qr: qr["item"][1]["answer"][0]["valueCoding"].update(code="other"),
            "item[1].answer",
        ),
        (lambda qr: qr.update(item="not a list"), "item"),
    ],
)
def test_a_wrong_response_is_refused_naming_the_element(
    kb: KnowledgeBase, change: Any, field: str
) -> None:
    qr = interop.response(kb, _requests()[0], subject="Patient/p", authored=NOW)
    change(qr)
    with pytest.raises(RequestError) as caught:
        interop.request_from_response(qr)
    assert caught.value.field == field


def test_a_saved_session_plan_is_a_care_plan_with_its_targets_as_goals(
    db: Session, kb: KnowledgeBase, assessor: Assessor
) -> None:
    alex, sam = add_user(db, "alex@example.org", "Alex"), add_user(db, "sam@example.org", "Sam")
    request = {"duration_min": 150, "intensity": 6, "temperature_c": 24, "humidity_percent": 60,
               "body_mass_kg": 70, "sweat_rate_l_per_h": 1.2, "sport": "cycling"}  # fmt: skip
    prevention.plan_session(kb, request, session=db, owner_id=alex, now=NOW, save=True)
    bundle = interop.person_bundle(db, owner_id=alex, assessor=assessor, now=NOW)
    _valid(bundle)
    plans = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    [session_plan] = [p for p in plans if p["title"].startswith("Session plan")]
    assert session_plan["title"] == "Session plan: cycling, 150 minutes"
    goals = {
        e["fullUrl"]: e["resource"]["description"]["text"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Goal"
    }
    targets = [goals[g["reference"]] for g in session_plan["goal"]]
    assert any(t.startswith("Fluid: about") for t in targets)
    assert any(t.startswith("Carbohydrate: about") for t in targets)
    assert session_plan["activity"], "the checklist travels as the plan's activities"
    other = interop.person_bundle(db, owner_id=sam, assessor=assessor, now=NOW)
    assert "Session plan" not in str(other)
