"""What a clinician reads of the diaries: only the persons linked to them, never anyone else.

A person who is not linked (or does not exist) is reported as `NotFoundError`, the same either
way, so an id reveals nothing. Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from calfcare.errors import NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import accounts
from calfcare.services.diary.overview import clinician_overview
from calfcare.services.diary.page import DiaryPage, read_diary
from calfcare.services.diary.records import PersonOverview


def linked_overview(
    session: Session, *, clinician_id: str, now: datetime, kb: KnowledgeBase
) -> list[PersonOverview]:
    """The overview of every person linked to the clinician, most urgent first."""
    linked = accounts.linked_persons(session, clinician_id=clinician_id)
    return clinician_overview(session, person_ids=[p.id for p in linked], now=now, kb=kb)


def linked_person(session: Session, *, clinician_id: str, person_id: str) -> accounts.LinkedAccount:
    """The person with this id if they are linked to the clinician; NotFoundError otherwise."""
    linked = {p.id: p for p in accounts.linked_persons(session, clinician_id=clinician_id)}
    who = linked.get(person_id)
    if who is None:
        raise NotFoundError("No such person among yours.")
    return who


def linked_diary(
    session: Session,
    *,
    clinician_id: str,
    person_id: str,
    page: int,
    now: datetime,
    kb: KnowledgeBase,
) -> tuple[accounts.LinkedAccount, DiaryPage]:
    """A linked person and a page of their diary, in their own time zone."""
    who = linked_person(session, clinician_id=clinician_id, person_id=person_id)
    return who, read_diary(
        session, owner_id=who.id, page=page, now=now, tz=accounts.zone_of(who.time_zone), kb=kb
    )
