"""Browser sessions: created at sign-in, resolved on every request, ended at sign-out."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from calfcare.services.accounts.common import (
    FETCH,
    SESSION_LIFETIME,
    NewSession,
    SignedIn,
    _account,
    _now,
    _sha256,
    _user,
    _utc,
)
from calfcare.storage import tables as t


def create_session(db: Session, *, user_id: str, now: datetime) -> NewSession:
    """A new session for a signed-in browser, with fresh random tokens."""
    now = _now(now)
    _user(db, user_id)
    db.execute(delete(t.Session).where(t.Session.expires_at <= now), execution_options=FETCH)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    db.add(
        t.Session(
            token_hash=_sha256(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    db.flush()
    return NewSession(token=token, csrf_token=csrf, expires_at=expires)


def resolve_session(db: Session, *, token: str, now: datetime) -> SignedIn | None:
    """The account and CSRF token of a live session, or None."""
    now = _now(now)
    if not token or len(token) > 200:
        return None
    found = db.execute(
        select(t.Session, t.User)
        .join(t.User, t.User.id == t.Session.user_id)
        .where(t.Session.token_hash == _sha256(token))
    ).first()
    if found is None:
        return None
    session, user = found
    if _utc(session.expires_at) <= now:
        return None
    return SignedIn(
        user=_account(user), csrf_token=session.csrf_token, expires_at=_utc(session.expires_at)
    )


def end_session(db: Session, *, token: str) -> None:
    db.execute(delete(t.Session).where(t.Session.token_hash == _sha256(token)))


def end_all_sessions(db: Session, *, user_id: str, keep_token: str | None = None) -> int:
    """End every session of the account (but `keep_token`'s); the number ended."""
    query = delete(t.Session).where(t.Session.user_id == user_id)
    if keep_token:
        query = query.where(t.Session.token_hash != _sha256(keep_token))
    return db.execute(query).rowcount  # type: ignore[attr-defined, no-any-return]
