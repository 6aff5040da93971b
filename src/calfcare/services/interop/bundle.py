"""Everything calfcare holds about one person, as one FHIR Bundle (type collection).

The Bundle is made when it is asked for and holds only the owner's own records: a Patient
with their display name, each saved assessment as its QuestionnaireResponse and RiskAssessment,
each rehabilitation plan as a CarePlan with its Goals, and every diary episode and training
session as an Observation. Resources reference each other by `urn:uuid` full URLs, as a
collection does. A saved assessment's RiskAssessment is worked out again with the knowledge
base of the export (whose version it names); the level saved at the time is kept in its note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from calfcare.errors import NotFoundError
from calfcare.services import prevention
from calfcare.services.activity.records import activity_details
from calfcare.services.assessment import Assessor
from calfcare.services.diary.crud import list_assessments, list_episodes, list_training
from calfcare.services.diary.records import AssessmentRecord
from calfcare.services.interop.coding import full_url, new_id, validated
from calfcare.services.interop.observations import episode_observation, training_observation
from calfcare.services.interop.plan import care_plan, rehab_plan_input
from calfcare.services.interop.prevention_plan import prevention_plan_input
from calfcare.services.interop.questionnaire import response
from calfcare.services.interop.result import risk_assessment
from calfcare.services.rehab.plans import list_plans
from calfcare.services.rehab.records import ProgrammeChangedError
from calfcare.storage import tables as t

Entry = tuple[str, dict[str, Any]]


def _patient(db: Session, owner_id: str) -> dict[str, Any]:
    user = db.get(t.User, owner_id)
    if user is None:
        raise NotFoundError("No such account.")
    return validated(
        {"resourceType": "Patient", "id": owner_id, "name": [{"text": user.display_name}]}
    )


def _assessment(assessor: Assessor, saved: AssessmentRecord, patient: str) -> list[Entry]:
    kb = assessor.kb
    qr_url = full_url(new_id())
    qr = response(kb, saved.request, subject=patient, authored=saved.created_at)
    level = kb.levels.get(saved.triage_level)
    note = (
        f"When saved, the level of care was: {level.label if level else saved.triage_level} "
        f"(knowledge base {saved.kb_version})."
    )
    ra = risk_assessment(
        kb, assessor.assess(dict(saved.request)), subject=patient, basis=qr_url,
        when=saved.created_at, note=note,
    )  # fmt: skip
    return [(qr_url, qr), (full_url(new_id()), ra)]


def _plans(db: Session, assessor: Assessor, owner_id: str, patient: str) -> list[Entry]:
    entries: list[Entry] = []
    for plan in list_plans(db, owner_id=owner_id):
        try:
            entries += care_plan(rehab_plan_input(assessor.kb, plan), subject=patient)
        except ProgrammeChangedError:
            continue  # a programme gone from the knowledge base has nothing to describe it
    for saved in prevention.list_plans(db, owner_id=owner_id):
        entries += care_plan(prevention_plan_input(saved), subject=patient)
    return entries


def _diary(db: Session, assessor: Assessor, owner_id: str, patient: str) -> list[Entry]:
    kb = assessor.kb
    entries: list[Entry] = [
        (full_url(new_id()), episode_observation(kb, e, subject=patient))
        for e in list_episodes(db, owner_id=owner_id)
    ]
    sessions = list_training(db, owner_id=owner_id)
    details = activity_details(db, owner_id=owner_id, training_ids=[s.id for s in sessions])
    entries += [
        (full_url(new_id()), training_observation(kb, s, details.get(s.id), subject=patient))
        for s in sessions
    ]
    return entries


def person_bundle(
    db: Session, *, owner_id: str, assessor: Assessor, now: datetime
) -> dict[str, Any]:
    """The owner's records as one Bundle; NotFoundError if there is no such account."""
    patient_url = full_url(new_id())
    entries: list[Entry] = [(patient_url, _patient(db, owner_id))]
    for saved in list_assessments(db, owner_id=owner_id):
        try:
            entries += _assessment(assessor, saved, patient_url)
        except (KeyError, ValueError):
            continue  # a request this knowledge base no longer reads (a finding removed)
    entries += _plans(db, assessor, owner_id, patient_url)
    entries += _diary(db, assessor, owner_id, patient_url)
    return validated(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": now.isoformat(),
            "entry": [{"fullUrl": url, "resource": res} for url, res in entries],
        }
    )
