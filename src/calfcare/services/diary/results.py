"""Saved results: keeping the result a person was shown, and opening it again later.

A saved result keeps the request (age, sex and every answer), the level of care and the
leading cause it gave, and the knowledge base that gave them (`kb_version`, the content hash
of `KnowledgeBase`). The level and the cause are always computed here from the request, never
taken from a page, so what is kept is what this server's knowledge base says.

Opening a saved result assesses the stored request again with today's knowledge base, because
only the request is kept, not the wording of the page. The caller gets both: the level the
result had when it was saved and the level the same answers give today, so that a page can
say when they differ and an old result is never read as today's advice. A request that
today's knowledge base can no longer read is reported (`problem`), never a failure.

Like the rest of the diary, a saved result is found only by its owner (or, read-only, by a
clinician linked to the owner); anyone else's id is `NotFoundError`, the same as a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from calfcare.errors import RequestError
from calfcare.kb.schema import TriageLevel
from calfcare.services import accounts
from calfcare.services.diary.clinician import linked_person
from calfcare.services.diary.crud import get_assessment, save_assessment
from calfcare.services.diary.records import AssessmentRecord

if TYPE_CHECKING:
    from calfcare.services.assessment import Assessor

#: The version a saved result may carry when it came from a diary file whose knowledge base
#: was not known (the column itself has been filled since the first schema).
UNKNOWN_VERSION = "unknown"
_RANK = {level.value: level.rank for level in TriageLevel}


@dataclass(frozen=True)
class PreparedResult:
    """A request assessed and ready to keep: what `keep_result` stores."""

    request: Mapping[str, Any]
    triage_level: str
    top_condition: str
    kb_version: str


def prepare_result(request: Mapping[str, Any], assessor: Assessor) -> PreparedResult:
    """Assess `request` with this knowledge base; RequestError when it cannot be assessed.

    Kept apart from `keep_result` so that a caller can check a request before it opens a
    transaction (signing up and saving a result commit together, or not at all).
    """
    result = assessor.assess(request)
    return PreparedResult(
        request=request,
        triage_level=result["triage_level"],
        top_condition=result["conditions"][0]["id"],
        kb_version=assessor.kb.content_hash,
    )


def keep_result(
    session: Session, *, owner_id: str, prepared: PreparedResult, now: datetime | None = None
) -> AssessmentRecord:
    """Store a prepared result in the owner's diary."""
    return save_assessment(
        session,
        owner_id=owner_id,
        request=prepared.request,
        triage_level=prepared.triage_level,
        top_condition=prepared.top_condition,
        kb_version=prepared.kb_version,
        now=now,
    )


def save_result(
    session: Session,
    *,
    owner_id: str,
    request: Mapping[str, Any],
    assessor: Assessor,
    now: datetime | None = None,
) -> AssessmentRecord:
    """Assess `request` again and keep the result the person was shown.

    RequestError for a request that cannot be assessed; nothing is stored then.
    """
    prepared = prepare_result(request, assessor)
    return keep_result(session, owner_id=owner_id, prepared=prepared, now=now)


@dataclass(frozen=True)
class ReopenedResult:
    """A saved result with today's assessment of the same answers.

    `result` is the full assessment (the dict `Assessor.assess` returns) of the stored request
    with today's knowledge base, or None when that knowledge base cannot read the request any
    more; `problem` then says why.
    """

    saved: AssessmentRecord
    kb_version_now: str
    result: dict[str, Any] | None
    problem: str | None = None

    @property
    def version_known(self) -> bool:
        return self.saved.kb_version != UNKNOWN_VERSION

    @property
    def same_knowledge(self) -> bool:
        """Whether the result was made with the knowledge base in use today."""
        return self.saved.kb_version == self.kb_version_now

    @property
    def level_now(self) -> str | None:
        return None if self.result is None else str(self.result["triage_level"])

    @property
    def level_change(self) -> int:
        """How today's level compares with the saved one: 1 more urgent, -1 less, 0 the same.

        0 also when today's level cannot be worked out (see `problem`).
        """
        now = self.level_now
        if now is None or now == self.saved.triage_level:
            return 0
        return 1 if _RANK[now] > _RANK.get(self.saved.triage_level, -1) else -1


def _reopened(saved: AssessmentRecord, assessor: Assessor) -> ReopenedResult:
    try:
        result = assessor.assess(saved.request)
    except RequestError as exc:
        return ReopenedResult(
            saved=saved, kb_version_now=assessor.kb.content_hash, result=None, problem=str(exc)
        )
    return ReopenedResult(saved=saved, kb_version_now=assessor.kb.content_hash, result=result)


def open_result(
    session: Session, *, owner_id: str, assessment_id: str, assessor: Assessor
) -> ReopenedResult:
    """One of the owner's saved results, assessed again; NotFoundError for anyone else's."""
    saved = get_assessment(session, owner_id=owner_id, assessment_id=assessment_id)
    return _reopened(saved, assessor)


def linked_result(
    session: Session, *, clinician_id: str, person_id: str, assessment_id: str, assessor: Assessor
) -> tuple[accounts.LinkedAccount, ReopenedResult]:
    """A saved result of a person linked to the clinician, read-only.

    NotFoundError, with the same message, for a person who is not linked and for a result
    that is not theirs, so that neither id reveals anything.
    """
    who = linked_person(session, clinician_id=clinician_id, person_id=person_id)
    return who, open_result(
        session, owner_id=who.id, assessment_id=assessment_id, assessor=assessor
    )
