"""Passwords: hashing outside transactions, the atomic attempt limits, signing in, changing,
resetting and deleting with a password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services.accounts import common
from calfcare.services.accounts.common import (
    FAILURE_WINDOW,
    FETCH,
    MAX_FAILURES,
    MAX_PASSWORD,
    MIN_PASSWORD,
    RESET_LIFETIME,
    SIGN_UP_WINDOW,
    TOO_MANY,
    WRONG_SIGN_IN,
    Account,
    IssuedToken,
    TooManyAttemptsError,
    UnitOfWork,
    _account,
    _by_email,
    _hashing,
    _now,
    _sha256,
    _user,
    normalise_email,
)
from calfcare.services.accounts.sessions import end_all_sessions
from calfcare.storage import tables as t
from calfcare.storage.atomic import (
    clear_attempts,
    count_attempt,
    forget_old_attempts,
    give_back_attempt,
)


def hash_password(password: str) -> str:
    """The argon2id hash of a password (call it outside any database transaction)."""
    with _hashing:
        return common.hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _verify(stored_hash: str, password: str) -> bool:
    with _hashing:
        try:
            return common.hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def _password_error(password: str, field: str) -> dict[str, str]:
    if not password:
        return {field: "Enter a password"}
    if len(password) < MIN_PASSWORD:
        return {field: f"Your password must be at least {MIN_PASSWORD} characters long"}
    if len(password) > MAX_PASSWORD:
        return {field: f"Your password must be {MAX_PASSWORD:,} characters or fewer"}
    return {}


def _email_key(email: str) -> str:
    return "email:" + _sha256(normalise_email(email))


def _client_key(client_key: str) -> str:
    return "client:" + _sha256(client_key)


def _over_limit(
    db: Session,
    keys: list[str],
    now: datetime,
    limit: int = MAX_FAILURES,
    window: timedelta = FAILURE_WINDOW,
) -> bool:
    """Count one attempt for every key, atomically; True if any key is now over its limit."""
    forget_old_attempts(db, now, max(window, FAILURE_WINDOW, SIGN_UP_WINDOW))
    counts = [count_attempt(db, key, now, window) for key in keys]
    return any(count > limit for count in counts)


@dataclass(frozen=True)
class _Credentials:
    """What a password check needs, read in a short transaction before the check."""

    user_id: str | None
    email: str
    password_hash: str


def _read_credentials(db: Session, row: t.User | None) -> _Credentials:
    if row is None:
        return _Credentials(None, "", _dummy_hash())  # the same work as for a real account
    return _Credentials(row.id, row.email, row.password_hash)


def _password_attempt(unit: UnitOfWork, user_id: str, now: datetime, field: str) -> _Credentials:
    """Re-entering the password of a signed-in account: count it (per account), read the hash."""
    with unit() as db:
        row = _user(db, user_id)
        if _over_limit(db, ["account:" + user_id], now):
            raise TooManyAttemptsError({field: TOO_MANY})
        return _read_credentials(db, row)


def _wrong_password(field: str) -> FormError:
    return FormError(
        {
            field: "Your current password is not right"
            if field == "current_password"
            else "Your password is not right"
        }
    )


def sign_in(
    unit: UnitOfWork, *, email: str, password: str, client_key: str, now: datetime
) -> Account:
    """The account for this email and password, checked in three steps.

    1. One short transaction counts the attempt for the email and the client, atomically, and
       reads the password hash. Over `MAX_FAILURES` in `FAILURE_WINDOW` for either, the attempt
       is refused with `TooManyAttemptsError`, even with the right password.
    2. The password is checked outside any transaction. A wrong email and a wrong password give
       the same error and take the same time.
    3. A right password gives the attempt back, clears the email's count and, when the
       hashing parameters have changed, stores a new hash made before the transaction.
    """
    now = _now(now)
    keys = [_email_key(email), _client_key(client_key)]
    with unit() as db:
        if _over_limit(db, keys, now):
            raise TooManyAttemptsError({"email": TOO_MANY})
        creds = _read_credentials(db, _by_email(db, email) if email.strip() else None)
    if not _verify(creds.password_hash, password) or creds.user_id is None:
        raise FormError({"email": WRONG_SIGN_IN})
    stale = common.hasher.check_needs_rehash(creds.password_hash)
    new_hash = hash_password(password) if stale else None
    with unit() as db:
        row = _user(db, creds.user_id)
        if new_hash is not None:
            row.password_hash = new_hash
        clear_attempts(db, [keys[0]])
        give_back_attempt(db, keys[1])
        db.flush()
        return _account(row)


def delete_account(unit: UnitOfWork, *, user_id: str, password: str, now: datetime) -> None:
    """Delete the account and, by ON DELETE CASCADE, everything it owns (the password is
    needed, checked outside the transactions)."""
    now = _now(now)
    if not password:
        raise FormError({"password": "Enter your password"})
    creds = _password_attempt(unit, user_id, now, "password")
    if not _verify(creds.password_hash, password):
        raise _wrong_password("password")
    with unit() as db:
        clear_attempts(db, [_email_key(creds.email), "account:" + user_id])
        db.execute(delete(t.User).where(t.User.id == user_id))
        db.flush()


def change_password(
    unit: UnitOfWork,
    *,
    user_id: str,
    current_password: str,
    new_password: str,
    keep_token: str | None,
    now: datetime,
) -> None:
    """Change the password (the current one is needed); end every other session and every
    reset code of the account. Both hashes are made outside the transactions."""
    now = _now(now)
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = "Enter your current password"
    errors |= _password_error(new_password, "new_password")
    if errors:
        raise FormError(errors)
    creds = _password_attempt(unit, user_id, now, "current_password")
    if not _verify(creds.password_hash, current_password):
        raise _wrong_password("current_password")
    new_hash = hash_password(new_password)
    with unit() as db:
        row = _user(db, user_id)
        row.password_hash = new_hash
        give_back_attempt(db, "account:" + user_id)
        end_all_sessions(db, user_id=user_id, keep_token=keep_token)
        _end_reset_tokens(db, user_id)
        db.flush()


def _end_reset_tokens(db: Session, user_id: str) -> None:
    """A new password, or a newer code, ends every reset code the account had."""
    db.execute(delete(t.ResetToken).where(t.ResetToken.user_id == user_id))


def create_reset_token(db: Session, *, email: str, now: datetime) -> IssuedToken:
    """A one-time password reset token, valid for an hour (for `calfcare users reset-token`)."""
    now = _now(now)
    row = _by_email(db, email)
    if row is None:
        raise NotFoundError(f"No account has the email address {normalise_email(email)!r}.")
    db.execute(delete(t.ResetToken).where(t.ResetToken.expires_at <= now), execution_options=FETCH)
    _end_reset_tokens(db, row.id)
    token = secrets.token_urlsafe(32)
    expires = now + RESET_LIFETIME
    db.add(t.ResetToken(token_hash=_sha256(token), user_id=row.id, expires_at=expires, used=False))
    db.flush()
    return IssuedToken(value=token, expires_at=expires)


def reset_password(unit: UnitOfWork, *, token: str, new_password: str, now: datetime) -> Account:
    """Set a new password with a reset token; the token is used up and every session ends.

    The new hash is made before the transaction; the token is used up in one statement, so
    two requests cannot both use it.
    """
    now = _now(now)
    token = token.strip()
    errors: dict[str, str] = {}
    if not token:
        errors["token"] = "Enter the reset code you were given"
    errors |= _password_error(new_password, "new_password")
    if errors:
        raise FormError(errors)
    new_hash = hash_password(new_password)
    with unit() as db:
        used = db.execute(
            update(t.ResetToken)
            .where(
                t.ResetToken.token_hash == _sha256(token),
                t.ResetToken.used.is_(False),
                t.ResetToken.expires_at > now,
            )
            .values(used=True)
            .returning(t.ResetToken.user_id)
        ).scalar_one_or_none()
        if used is None:
            raise FormError(
                {
                    "token": "This reset code is not right, or it has expired or "
                    "been used. Ask for a new one"
                }
            )
        user = _user(db, used)
        user.password_hash = new_hash
        end_all_sessions(db, user_id=user.id)
        _end_reset_tokens(db, user.id)
        clear_attempts(db, [_email_key(user.email)])
        db.flush()
        return _account(user)
