"""Creating, reading, changing and deleting a person's episodes, sessions and saved results.

Every function takes a SQLAlchemy `Session` and, keyword-only, the id of the person who owns
the records (`owner_id`). Every read, update and delete filters by that owner: another
person's record is reported exactly like one that does not exist (`NotFoundError`, same
message), so an id reveals nothing.

Functions flush but never commit: the caller (a web request, a CLI command) owns the
transaction, so a use case and whatever surrounds it commit or roll back together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services.diary.records import (
    EPISODE_FIELDS,
    TRAINING_FIELDS,
    AssessmentRecord,
    EpisodeRecord,
    Person,
    TrainingRecord,
    assessment_record,
    aware_now,
    episode_record,
    training_record,
)
from calfcare.services.diary.validation import assessment_values, episode_values, training_values
from calfcare.services.text import shown, text_problem
from calfcare.services.units import system_of
from calfcare.storage import tables as t

Row = TypeVar("Row", t.Episode, t.TrainingSession)
Record = TypeVar("Record", EpisodeRecord, TrainingRecord)


# --- people ---------------------------------------------------------------------------------


def person_by_email(session: Session, *, email: str) -> Person:
    """The account with this email (case-insensitive); NotFoundError if there is none."""
    storable_id(email, f"No account with the email '{shown(email)}'.")
    row = session.scalars(
        select(t.User).where(func.lower(t.User.email) == email.strip().lower())
    ).first()
    if row is None:
        raise NotFoundError(f"No account with the email '{email}'.")
    return Person(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=row.role,
        units=system_of(row.units),
        time_zone=row.time_zone or "UTC",
    )


def storable_id(record_id: str, missing: str) -> str:
    """An id that can be looked up; one no database could hold names nothing (NotFoundError).

    PostgreSQL refuses a query with NUL in text, so such an id is never sent to it.
    """
    if text_problem(record_id) is not None:
        raise NotFoundError(missing)
    return record_id


def _changed(
    session: Session,
    row: Row,
    to_record: Callable[[Row], Record],
    fields: Sequence[str],
    values: Mapping[str, object],
    check: Callable[[Mapping[str, object]], dict[str, Any]],
) -> Record:
    """Apply the given fields to `row`; the others keep their value. All are checked again."""
    unknown = {k: "Unknown field." for k in values if k not in fields}
    if unknown:
        raise FormError(unknown)
    current = to_record(row)
    merged: dict[str, object] = {k: getattr(current, k) for k in fields}
    merged.update(values)
    for key, value in check(merged).items():
        setattr(row, key, value)
    session.flush()
    return to_record(row)


# --- episodes -------------------------------------------------------------------------------


def own_episode(session: Session, owner_id: str, episode_id: str) -> t.Episode:
    """The owner's episode row; NotFoundError for anyone else's or none."""
    episode_id = storable_id(episode_id, "No such episode in your diary.")
    row = session.scalars(
        select(t.Episode).where(t.Episode.id == episode_id, t.Episode.user_id == owner_id)
    ).first()
    if row is None:
        raise NotFoundError("No such episode in your diary.")
    return row


def create_episode(
    session: Session,
    *,
    owner_id: str,
    values: Mapping[str, object],
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> EpisodeRecord:
    """Add an episode to the owner's diary."""
    at = aware_now(now)
    clean = episode_values(values, now=at, tz=tz)
    row = t.Episode(id=uuid.uuid4().hex, user_id=owner_id, created_at=at, **clean)
    session.add(row)
    session.flush()
    return episode_record(row)


def get_episode(session: Session, *, owner_id: str, episode_id: str) -> EpisodeRecord:
    return episode_record(own_episode(session, owner_id, episode_id))


def update_episode(
    session: Session,
    *,
    owner_id: str,
    episode_id: str,
    values: Mapping[str, object],
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> EpisodeRecord:
    """Change the given fields of one of the owner's episodes; the others stay as they are."""
    row = own_episode(session, owner_id, episode_id)
    at = aware_now(now)
    return _changed(
        session,
        row,
        episode_record,
        EPISODE_FIELDS,
        values,
        lambda merged: episode_values(merged, now=at, tz=tz),
    )


def delete_episode(session: Session, *, owner_id: str, episode_id: str) -> None:
    session.delete(own_episode(session, owner_id, episode_id))
    session.flush()


def list_episodes(
    session: Session,
    *,
    owner_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EpisodeRecord]:
    """The owner's episodes, newest first; `offset` skips that many of the newest."""
    query = select(t.Episode).where(t.Episode.user_id == owner_id)
    if since is not None:
        query = query.where(t.Episode.occurred_at >= aware_now(since))
    if until is not None:
        query = query.where(t.Episode.occurred_at <= aware_now(until))
    query = query.order_by(t.Episode.occurred_at.desc(), t.Episode.id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [episode_record(r) for r in session.scalars(query)]


# --- training sessions ----------------------------------------------------------------------


def own_training(session: Session, owner_id: str, training_id: str) -> t.TrainingSession:
    """The owner's training session row; NotFoundError for anyone else's or none."""
    training_id = storable_id(training_id, "No such training session in your diary.")
    row = session.scalars(
        select(t.TrainingSession).where(
            t.TrainingSession.id == training_id, t.TrainingSession.user_id == owner_id
        )
    ).first()
    if row is None:
        raise NotFoundError("No such training session in your diary.")
    return row


def create_training(
    session: Session,
    *,
    owner_id: str,
    values: Mapping[str, object],
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> TrainingRecord:
    clean = training_values(values, now=aware_now(now), tz=tz)
    row = t.TrainingSession(id=uuid.uuid4().hex, user_id=owner_id, **clean)
    session.add(row)
    session.flush()
    return training_record(row)


def get_training(session: Session, *, owner_id: str, training_id: str) -> TrainingRecord:
    return training_record(own_training(session, owner_id, training_id))


def update_training(
    session: Session,
    *,
    owner_id: str,
    training_id: str,
    values: Mapping[str, object],
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> TrainingRecord:
    """Change the given fields of one of the owner's sessions; the others stay as they are."""
    row = own_training(session, owner_id, training_id)
    at = aware_now(now)
    return _changed(
        session,
        row,
        training_record,
        TRAINING_FIELDS,
        values,
        lambda merged: training_values(merged, now=at, tz=tz),
    )


def delete_training(session: Session, *, owner_id: str, training_id: str) -> None:
    session.delete(own_training(session, owner_id, training_id))
    session.flush()


def list_training(
    session: Session, *, owner_id: str, since: datetime | None = None, limit: int | None = None
) -> list[TrainingRecord]:
    """The owner's training sessions, newest first."""
    query = select(t.TrainingSession).where(t.TrainingSession.user_id == owner_id)
    if since is not None:
        query = query.where(t.TrainingSession.started_at >= aware_now(since))
    query = query.order_by(t.TrainingSession.started_at.desc(), t.TrainingSession.id)
    if limit is not None:
        query = query.limit(limit)
    return [training_record(r) for r in session.scalars(query)]


# --- saved assessments ----------------------------------------------------------------------


def _own_assessment(session: Session, owner_id: str, assessment_id: str) -> t.SavedAssessment:
    assessment_id = storable_id(assessment_id, "No such saved assessment.")
    row = session.scalars(
        select(t.SavedAssessment).where(
            t.SavedAssessment.id == assessment_id, t.SavedAssessment.user_id == owner_id
        )
    ).first()
    if row is None:
        raise NotFoundError("No such saved assessment.")
    return row


def save_assessment(
    session: Session,
    *,
    owner_id: str,
    request: Mapping[str, Any],
    triage_level: str,
    top_condition: str,
    kb_version: str,
    now: datetime | None = None,
) -> AssessmentRecord:
    """Keep an assessment: the request as sent, its level of care, top condition, kb version."""
    clean = assessment_values(
        {
            "request": request,
            "triage_level": triage_level,
            "top_condition": top_condition,
            "kb_version": kb_version,
        }
    )
    row = t.SavedAssessment(
        id=uuid.uuid4().hex, user_id=owner_id, created_at=aware_now(now), **clean
    )
    session.add(row)
    session.flush()
    return assessment_record(row)


def get_assessment(session: Session, *, owner_id: str, assessment_id: str) -> AssessmentRecord:
    return assessment_record(_own_assessment(session, owner_id, assessment_id))


def delete_assessment(session: Session, *, owner_id: str, assessment_id: str) -> None:
    session.delete(_own_assessment(session, owner_id, assessment_id))
    session.flush()


def list_assessments(
    session: Session, *, owner_id: str, limit: int | None = None
) -> list[AssessmentRecord]:
    """The owner's saved assessments, newest first."""
    query = (
        select(t.SavedAssessment)
        .where(t.SavedAssessment.user_id == owner_id)
        .order_by(t.SavedAssessment.created_at.desc(), t.SavedAssessment.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [assessment_record(r) for r in session.scalars(query)]
