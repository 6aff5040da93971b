"""Clinician links: one-time codes a person gives, and the links they make."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services.accounts.common import (
    BAD_CODE,
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_TIME_ZONE,
    FETCH,
    LINK_CODE_LIFETIME,
    MAX_CODE_TRIES_PER_CLIENT,
    TOO_MANY,
    IssuedToken,
    LinkedAccount,
    TooManyAttemptsError,
    _now,
    _sha256,
    _user,
    _utc,
)
from calfcare.services.accounts.passwords import _over_limit
from calfcare.storage import tables as t
from calfcare.storage.atomic import give_back_attempt


def normalise_code(code: str) -> str:
    """What a person typed ('abcd-efgh ', 'ABCD EFGH') as the stored form ('ABCDEFGH')."""
    return re.sub(r"[\s-]", "", code).upper()


def create_link_code(db: Session, *, person_id: str, now: datetime) -> IssuedToken:
    """A one-time code, valid for 48 hours, that a person gives to their clinician."""
    now = _now(now)
    row = _user(db, person_id)
    if row.role != "person":
        raise FormError({"code": "Only a personal account can make a link code"})
    db.execute(delete(t.LinkCode).where(t.LinkCode.expires_at <= now), execution_options=FETCH)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + LINK_CODE_LIFETIME
    db.add(t.LinkCode(code_hash=_sha256(code), person_id=person_id, expires_at=expires, used=False))
    db.flush()
    return IssuedToken(value=code, expires_at=expires)


def link_with_code(
    db: Session, *, clinician_id: str, code: str, now: datetime, client_key: str | None = None
) -> LinkedAccount:
    """Link a clinician to the person who made the code. The code works once.

    Tries are limited per clinician and, when `client_key` is given, per address.
    """
    now = _now(now)
    clinician = _user(db, clinician_id)
    if clinician.role != "clinician":
        raise FormError({"code": "Only a clinician account can link to a person with a code"})
    code = normalise_code(code)
    if not code:
        raise FormError({"code": "Enter the code the person gave you"})
    key = "link:" + clinician_id
    if _over_limit(db, [key], now) or (
        client_key is not None
        and _over_limit(db, ["link-client:" + _sha256(client_key)], now, MAX_CODE_TRIES_PER_CLIENT)
    ):
        raise TooManyAttemptsError({"code": TOO_MANY})
    row = db.get(t.LinkCode, _sha256(code)) if len(code) == CODE_LENGTH else None
    if row is None or row.used or _utc(row.expires_at) <= now:
        raise FormError({"code": BAD_CODE})
    used = db.execute(
        update(t.LinkCode)
        .where(t.LinkCode.code_hash == row.code_hash, t.LinkCode.used.is_(False))
        .values(used=True)
    ).rowcount  # type: ignore[attr-defined]
    if used != 1:
        raise FormError({"code": BAD_CODE})
    give_back_attempt(db, key)
    person = _user(db, row.person_id)
    link = db.get(t.ClinicianLink, (person.id, clinician_id))
    if link is None:
        link = t.ClinicianLink(person_id=person.id, clinician_id=clinician_id, created_at=now)
        db.add(link)
    db.flush()
    return LinkedAccount(
        id=person.id,
        display_name=person.display_name,
        email=person.email,
        linked_at=_utc(link.created_at),
        time_zone=person.time_zone,
    )


def unlink(db: Session, *, user_id: str, other_id: str) -> None:
    """End the link between a person and a clinician; either of the two may do it."""
    deleted = db.execute(
        delete(t.ClinicianLink).where(
            or_(
                (t.ClinicianLink.person_id == user_id) & (t.ClinicianLink.clinician_id == other_id),
                (t.ClinicianLink.person_id == other_id) & (t.ClinicianLink.clinician_id == user_id),
            )
        )
    ).rowcount  # type: ignore[attr-defined]
    if not deleted:
        raise NotFoundError("These two accounts are not linked.")
    db.flush()


def linked_clinicians(db: Session, *, person_id: str) -> list[LinkedAccount]:
    return _linked(
        db, mine=t.ClinicianLink.person_id, theirs=t.ClinicianLink.clinician_id, me=person_id
    )


def linked_persons(db: Session, *, clinician_id: str) -> list[LinkedAccount]:
    return _linked(
        db, mine=t.ClinicianLink.clinician_id, theirs=t.ClinicianLink.person_id, me=clinician_id
    )


def _linked(db: Session, *, mine: Any, theirs: Any, me: str) -> list[LinkedAccount]:
    """The accounts at the other end of `me`'s links (`mine` is the link's column for `me`,
    `theirs` the other side's), by name."""
    rows = db.execute(
        select(t.User, t.ClinicianLink.created_at)
        .join(t.ClinicianLink, theirs == t.User.id)
        .where(mine == me)
        .order_by(t.User.display_name, t.User.email)
    ).all()
    return [
        LinkedAccount(
            id=u.id,
            display_name=u.display_name,
            email=u.email,
            linked_at=_utc(at),
            time_zone=u.time_zone or DEFAULT_TIME_ZONE,
        )
        for u, at in rows
    ]


def is_linked(db: Session, *, person_id: str, clinician_id: str) -> bool:
    return db.get(t.ClinicianLink, (person_id, clinician_id)) is not None
