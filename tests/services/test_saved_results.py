"""Saved results on SQLite and PostgreSQL: kept with the knowledge base that made them,
opened again with today's, and found only by their owner or a linked clinician."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from calfcare.errors import NotFoundError, RequestError
from calfcare.services import diary
from calfcare.services.assessment import Assessor
from calfcare.storage.tables import ClinicianLink, User
from tests.conftest import make_request

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OLD_KB = "0123456789abcdef"
#: A settled night cramp: looked after at home.
CRAMP = make_request(
    age=60,
    sex="female",
    muscle_locked_or_knotted="present",
    onset_at_rest_or_night="present",
    resolved_within_10_minutes="present",
)
#: A pop and no push-off: a torn Achilles tendon is possible, so it is seen the same day or
#: sooner.
POP = make_request(
    age=44,
    sex="male",
    felt_pop_or_kick="present",
    calf_pain="present",
    cannot_stand_on_tiptoe="present",
)


def add_user(db: Session, name: str, role: str = "person") -> str:
    uid = uuid.uuid4().hex
    db.add(
        User(
            id=uid,
            email=f"{uid[:10]}@example.org",
            display_name=name,
            password_hash="x",
            role=role,
            units="metric",
            created_at=NOW,
        )
    )
    db.flush()
    return uid


def keep(db: Session, owner: str, request: dict[str, Any], **stored: str) -> str:
    """A saved result as an older release might have kept it (level, cause and version)."""
    values = {
        "triage_level": "self_care",
        "top_condition": "nocturnal_leg_cramps",
        "kb_version": OLD_KB,
        **stored,
    }
    return diary.save_assessment(db, owner_id=owner, request=request, now=NOW, **values).id


def test_saving_keeps_the_servers_own_level_cause_and_knowledge_version(
    db: Session, assessor: Assessor
) -> None:
    me = add_user(db, "Alex")
    expected = assessor.assess(POP)
    saved = diary.save_result(db, owner_id=me, request=POP, assessor=assessor, now=NOW)
    db.commit()
    db.expire_all()
    got = diary.get_assessment(db, owner_id=me, assessment_id=saved.id)
    assert got.request == POP
    assert got.triage_level == expected["triage_level"]
    assert got.top_condition == expected["conditions"][0]["id"]
    assert got.kb_version == assessor.kb.content_hash
    assert got.created_at == NOW


def test_a_request_that_cannot_be_assessed_is_refused_and_nothing_is_kept(
    db: Session, assessor: Assessor
) -> None:
    me = add_user(db, "Alex")
    bad = {**CRAMP, "evidence": [{"id": "no_such_finding", "choice_id": "present"}]}
    with pytest.raises(RequestError) as info:
        diary.save_result(db, owner_id=me, request=bad, assessor=assessor, now=NOW)
    assert info.value.field == "evidence[0].id"
    assert diary.list_assessments(db, owner_id=me) == []


def test_a_saved_result_opens_again_with_todays_assessment(db: Session, assessor: Assessor) -> None:
    me = add_user(db, "Alex")
    saved = diary.save_result(db, owner_id=me, request=CRAMP, assessor=assessor, now=NOW)
    db.commit()
    got = diary.open_result(db, owner_id=me, assessment_id=saved.id, assessor=assessor)
    assert got.saved == saved
    assert got.result is not None
    assert got.result["triage_level"] == saved.triage_level == "self_care"
    assert got.result["conditions"][0]["id"] == saved.top_condition
    assert got.same_knowledge
    assert got.version_known
    assert got.level_change == 0
    assert got.problem is None


def test_reopening_says_when_todays_knowledge_gives_another_level(
    db: Session, assessor: Assessor
) -> None:
    me = add_user(db, "Alex")
    now_level = assessor.assess(POP)["triage_level"]
    assert now_level != "self_care"
    lower = keep(db, me, POP, triage_level="self_care")
    higher = keep(db, me, CRAMP, triage_level="emergency_ambulance")
    same = keep(db, me, CRAMP, triage_level="self_care")
    db.commit()

    def opened(assessment_id: str) -> diary.ReopenedResult:
        return diary.open_result(db, owner_id=me, assessment_id=assessment_id, assessor=assessor)

    assert opened(lower).level_change == 1  # today's is more urgent
    assert opened(lower).level_now == now_level
    assert opened(higher).level_change == -1
    assert opened(same).level_change == 0
    for assessment_id in (lower, higher, same):
        assert not opened(assessment_id).same_knowledge
        assert opened(assessment_id).saved.kb_version == OLD_KB
        assert opened(assessment_id).kb_version_now == assessor.kb.content_hash


def test_a_result_of_an_unknown_knowledge_base_says_so(db: Session, assessor: Assessor) -> None:
    me = add_user(db, "Alex")
    old = keep(db, me, CRAMP, kb_version="unknown")
    got = diary.open_result(db, owner_id=me, assessment_id=old, assessor=assessor)
    assert not got.version_known
    assert not got.same_knowledge


def test_a_request_todays_knowledge_cannot_read_opens_with_its_saved_level(
    db: Session, assessor: Assessor
) -> None:
    me = add_user(db, "Alex")
    gone = {**CRAMP, "evidence": [{"id": "a_finding_since_removed", "choice_id": "present"}]}
    old = keep(db, me, gone, triage_level="consultation")
    got = diary.open_result(db, owner_id=me, assessment_id=old, assessor=assessor)
    assert got.result is None
    assert got.level_now is None
    assert got.level_change == 0
    assert got.problem is not None
    assert "evidence[0].id" in got.problem
    assert got.saved.triage_level == "consultation"


def test_only_the_owner_and_a_linked_clinician_open_a_saved_result(
    db: Session, assessor: Assessor
) -> None:
    owner = add_user(db, "Owner")
    other = add_user(db, "Other")
    linked = add_user(db, "Dr Linked", role="clinician")
    unlinked = add_user(db, "Dr Unlinked", role="clinician")
    db.add(ClinicianLink(person_id=owner, clinician_id=linked, created_at=NOW))
    theirs = keep(db, owner, CRAMP)
    others = keep(db, other, CRAMP)
    db.commit()
    missing = uuid.uuid4().hex

    def refused(call: Any, **kwargs: Any) -> str:
        with pytest.raises(NotFoundError) as info:
            call(db, assessor=assessor, **kwargs)
        return str(info.value)

    # Another person's id answers exactly like an id that does not exist.
    assert refused(diary.open_result, owner_id=other, assessment_id=theirs) == refused(
        diary.open_result, owner_id=other, assessment_id=missing
    )
    assert refused(diary.open_result, owner_id=other, assessment_id="\x00") == refused(
        diary.open_result, owner_id=other, assessment_id=missing
    )
    who, got = diary.linked_result(
        db, clinician_id=linked, person_id=owner, assessment_id=theirs, assessor=assessor
    )
    assert who.id == owner
    assert got.saved.id == theirs
    # Not linked, or a result of someone else than the linked person: not found.
    refused(diary.linked_result, clinician_id=unlinked, person_id=owner, assessment_id=theirs)
    refused(diary.linked_result, clinician_id=linked, person_id=owner, assessment_id=others)
    refused(diary.linked_result, clinician_id=linked, person_id=other, assessment_id=others)
    refused(diary.linked_result, clinician_id=owner, person_id=linked, assessment_id=theirs)
