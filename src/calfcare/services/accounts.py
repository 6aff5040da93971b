"""Accounts: sign-up, sign-in with a rate limit, sessions, passwords, clinician links.

Every function takes a SQLAlchemy `Session` and keyword-only arguments. The clock is never read
here: the web or command-line layer passes `now` (timezone-aware), so tests can move time.
Results are small frozen dataclasses, never ORM rows.

Functions flush but never commit: the caller owns the transaction. Invalid input raises
`FormError` naming each bad field; a name that does not exist raises `NotFoundError`.

Secrets are never stored as given: passwords as argon2id hashes (rehashed on the next sign-in
when the parameters change), and session cookies, reset tokens and link codes as the SHA-256 of
the value, so that a copy of the database cannot be used to sign in.

The rate limits live in the `sign_in_attempts` table (so that every server process agrees):
at most `MAX_FAILURES` failures in `FAILURE_WINDOW` per email address and per client (the
browser's address), and the same for re-entering the password of a signed-in account and for
the link codes a clinician types. Once the limit is reached even the right password is refused
until the window has passed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.storage import tables as t

Role = Literal["person", "clinician"]
Units = Literal["metric", "imperial"]
ROLES: tuple[Role, ...] = get_args(Role)
UNITS: tuple[Units, ...] = get_args(Units)

SESSION_LIFETIME = timedelta(days=14)
RESET_LIFETIME = timedelta(hours=1)
LINK_CODE_LIFETIME = timedelta(hours=48)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_NAME = 100
MAX_EMAIL = 254
MAX_TIME_ZONE = 64
DEFAULT_TIME_ZONE = "UTC"
BAD_TIME_ZONE = "Enter a time zone from the list, like Europe/London or America/New_York"
#: Link codes: uppercase letters and digits without the ambiguous 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Bulk deletes by time: find the rows in the database, not by comparing loaded objects in Python
# (SQLite hands back times without an offset).
FETCH: dict[str, object] = {"synchronize_session": "fetch"}
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters

WRONG_SIGN_IN = "Enter a correct email address and password"
TOO_MANY = ("Too many attempts that were not right. For your security, wait 15 minutes "
            "and try again")
BAD_CODE = ("This code is not right, or it has expired or been used. Ask the person for a "
            "new code")


# --- results ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    id: str
    email: str
    display_name: str
    role: Role
    units: Units
    created_at: datetime
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def zone(self) -> ZoneInfo:
        """The account's time zone (UTC if the stored name is no longer known)."""
        return zone_of(self.time_zone)


@dataclass(frozen=True)
class NewSession:
    """A session just created: `token` goes in the cookie, `csrf_token` in every form."""

    token: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    user: Account
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A reset token or link code, shown once: only its hash is stored."""

    value: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkedAccount:
    id: str
    display_name: str
    email: str
    linked_at: datetime
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.time_zone)


class TooManyAttemptsError(FormError):
    """The rate limit is reached: refused whatever the password or code."""


# --- helpers ------------------------------------------------------------------------------

def _utc(moment: datetime) -> datetime:
    """Times from storage in UTC (SQLite gives them back without an offset)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _now(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _account(row: t.User) -> Account:
    role: Role = "clinician" if row.role == "clinician" else "person"
    units: Units = "imperial" if row.units == "imperial" else "metric"
    return Account(id=row.id, email=row.email, display_name=row.display_name, role=role,
                   units=units, created_at=_utc(row.created_at),
                   time_zone=row.time_zone or DEFAULT_TIME_ZONE)


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zone names this system knows, sorted (for a form's list)."""
    return tuple(sorted(available_timezones()))


def normalise_time_zone(name: str) -> str | None:
    """The canonical spelling of a known IANA zone name, or None if it is not one."""
    name = name.strip()
    if not name or len(name) > MAX_TIME_ZONE:
        return None
    known = {z.lower(): z for z in time_zones()}
    found = known.get(name.lower())
    if found is None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return None
        found = name
    return found


@cache
def zone_of(name: str) -> ZoneInfo:
    """The ZoneInfo of a stored zone name; UTC for a name this system does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _user(db: Session, user_id: str) -> t.User:
    row = db.get(t.User, user_id)
    if row is None:
        raise NotFoundError("No such account.")
    return row


def _by_email(db: Session, email: str) -> t.User | None:
    return db.scalars(select(t.User).where(func.lower(t.User.email) == normalise_email(email))
                      ).first()


def normalise_email(email: str) -> str:
    return email.strip().lower()


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
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


def _failures(db: Session, key: str, now: datetime) -> int:
    return db.scalar(select(func.count()).select_from(t.SignInAttempt).where(
        t.SignInAttempt.key == key, t.SignInAttempt.at > now - FAILURE_WINDOW)) or 0


def _limited(db: Session, keys: list[str], now: datetime) -> bool:
    db.execute(delete(t.SignInAttempt).where(t.SignInAttempt.at <= now - FAILURE_WINDOW),
               execution_options=FETCH)
    return any(_failures(db, key, now) >= MAX_FAILURES for key in keys)


def _record_failure(db: Session, keys: list[str], now: datetime) -> None:
    db.add_all([t.SignInAttempt(key=key, at=now) for key in keys])
    db.flush()


def _clear_failures(db: Session, key: str) -> None:
    db.execute(delete(t.SignInAttempt).where(t.SignInAttempt.key == key))


def _check_password(db: Session, row: t.User, password: str, field: str,
                    now: datetime) -> None:
    """Re-entering the password of a signed-in account: rate-limited per account."""
    key = "account:" + row.id
    if _limited(db, [key], now):
        raise TooManyAttemptsError({field: TOO_MANY})
    if not _verify(row.password_hash, password):
        _record_failure(db, [key], now)
        raise FormError({field: "Your current password is not right" if
                         field == "current_password" else "Your password is not right"})


# --- accounts -----------------------------------------------------------------------------

def sign_up(db: Session, *, email: str, password: str, display_name: str, role: str,
            units: str, now: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> Account:
    """Create an account. The email is stored in lower case and is unique regardless of case.

    `time_zone` is an IANA name (e.g. "Europe/London"), for typing and reading diary times.
    """
    now = _now(now)
    email = normalise_email(email)
    display_name = display_name.strip()
    errors: dict[str, str] = {}
    if not display_name:
        errors["display_name"] = "Enter your name"
    elif len(display_name) > MAX_NAME:
        errors["display_name"] = f"Your name must be {MAX_NAME} characters or fewer"
    if not email:
        errors["email"] = "Enter your email address"
    elif len(email) > MAX_EMAIL or not _EMAIL.match(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    elif _by_email(db, email) is not None:
        errors["email"] = "An account with this email address already exists. Sign in instead"
    errors |= _password_error(password, "password")
    if role not in ROLES:
        errors["role"] = "Select whether this account is for you or for a clinician"
    if units not in UNITS:
        errors["units"] = "Select metric or imperial units"
    zone = normalise_time_zone(time_zone or DEFAULT_TIME_ZONE)
    if zone is None:
        errors["time_zone"] = BAD_TIME_ZONE
    if errors:
        raise FormError(errors)
    row = t.User(id=uuid.uuid4().hex, email=email, display_name=display_name,
                 password_hash=_hasher.hash(password), role=role, units=units,
                 time_zone=zone, created_at=now)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # signed up at the same moment in another request
        raise FormError({"email": "An account with this email address already exists. "
                                  "Sign in instead"}) from None
    return _account(row)


def get_account(db: Session, *, user_id: str) -> Account:
    return _account(_user(db, user_id))


def account_by_email(db: Session, *, email: str) -> Account:
    row = _by_email(db, email)
    if row is None:
        raise NotFoundError(f"No account has the email address {normalise_email(email)!r}.")
    return _account(row)


def authenticate(db: Session, *, email: str, password: str, client_key: str,
                 now: datetime) -> Account:
    """The account for this email and password.

    Wrong email and wrong password give the same error and take the same time. After
    `MAX_FAILURES` failures for the email or the client within `FAILURE_WINDOW`, every attempt
    is refused with `TooManyAttemptsError`, even with the right password.
    """
    now = _now(now)
    keys = [_email_key(email), _client_key(client_key)]
    if _limited(db, keys, now):
        raise TooManyAttemptsError({"email": TOO_MANY})
    row = _by_email(db, email) if email.strip() else None
    if row is None:
        _verify(_dummy_hash(), password)  # the same work as for a real account
        ok = False
    else:
        ok = _verify(row.password_hash, password)
    if row is None or not ok:
        _record_failure(db, keys, now)
        raise FormError({"email": WRONG_SIGN_IN})
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    _clear_failures(db, keys[0])
    db.flush()
    return _account(row)


def set_units(db: Session, *, user_id: str, units: str) -> Account:
    if units not in UNITS:
        raise FormError({"units": "Select metric or imperial units"})
    row = _user(db, user_id)
    row.units = units
    db.flush()
    return _account(row)


def set_time_zone(db: Session, *, user_id: str, time_zone: str) -> Account:
    """Set the IANA time zone in which the account types and reads diary times."""
    zone = normalise_time_zone(time_zone)
    if zone is None:
        raise FormError({"time_zone": "Enter a time zone" if not time_zone.strip()
                         else BAD_TIME_ZONE})
    row = _user(db, user_id)
    row.time_zone = zone
    db.flush()
    return _account(row)


def delete_account(db: Session, *, user_id: str, password: str, now: datetime) -> None:
    """Delete the account and, by ON DELETE CASCADE, everything it owns."""
    now = _now(now)
    row = _user(db, user_id)
    if not password:
        raise FormError({"password": "Enter your password"})
    _check_password(db, row, password, "password", now)
    email_key = _email_key(row.email)
    db.execute(delete(t.SignInAttempt).where(
        or_(t.SignInAttempt.key == email_key, t.SignInAttempt.key == "account:" + user_id)))
    db.execute(delete(t.User).where(t.User.id == user_id))
    db.expunge(row)
    db.flush()


# --- sessions -----------------------------------------------------------------------------

def create_session(db: Session, *, user_id: str, now: datetime) -> NewSession:
    """A new session for a signed-in browser, with fresh random tokens."""
    now = _now(now)
    _user(db, user_id)
    db.execute(delete(t.Session).where(t.Session.expires_at <= now),
               execution_options=FETCH)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    db.add(t.Session(token_hash=_sha256(token), user_id=user_id, csrf_token=csrf,
                     created_at=now, expires_at=expires))
    db.flush()
    return NewSession(token=token, csrf_token=csrf, expires_at=expires)


def resolve_session(db: Session, *, token: str, now: datetime) -> SignedIn | None:
    """The account and CSRF token of a live session, or None."""
    now = _now(now)
    if not token or len(token) > 200:
        return None
    found = db.execute(select(t.Session, t.User).join(t.User, t.User.id == t.Session.user_id)
                       .where(t.Session.token_hash == _sha256(token))).first()
    if found is None:
        return None
    session, user = found
    if _utc(session.expires_at) <= now:
        return None
    return SignedIn(user=_account(user), csrf_token=session.csrf_token,
                    expires_at=_utc(session.expires_at))


def end_session(db: Session, *, token: str) -> None:
    db.execute(delete(t.Session).where(t.Session.token_hash == _sha256(token)))


def end_all_sessions(db: Session, *, user_id: str, keep_token: str | None = None) -> int:
    """End every session of the account (but `keep_token`'s); the number ended."""
    query = delete(t.Session).where(t.Session.user_id == user_id)
    if keep_token:
        query = query.where(t.Session.token_hash != _sha256(keep_token))
    return db.execute(query).rowcount  # type: ignore[attr-defined, no-any-return]


# --- passwords ----------------------------------------------------------------------------

def change_password(db: Session, *, user_id: str, current_password: str, new_password: str,
                    keep_token: str | None, now: datetime) -> None:
    """Change the password (the current one is needed); end every other session."""
    now = _now(now)
    row = _user(db, user_id)
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = "Enter your current password"
    errors |= _password_error(new_password, "new_password")
    if errors:
        raise FormError(errors)
    _check_password(db, row, current_password, "current_password", now)
    row.password_hash = _hasher.hash(new_password)
    end_all_sessions(db, user_id=user_id, keep_token=keep_token)
    db.flush()


def create_reset_token(db: Session, *, email: str, now: datetime) -> IssuedToken:
    """A one-time password reset token, valid for an hour (for `calfcare users reset-token`)."""
    now = _now(now)
    row = _by_email(db, email)
    if row is None:
        raise NotFoundError(f"No account has the email address {normalise_email(email)!r}.")
    db.execute(delete(t.ResetToken).where(t.ResetToken.expires_at <= now),
               execution_options=FETCH)
    token = secrets.token_urlsafe(32)
    expires = now + RESET_LIFETIME
    db.add(t.ResetToken(token_hash=_sha256(token), user_id=row.id, expires_at=expires,
                        used=False))
    db.flush()
    return IssuedToken(value=token, expires_at=expires)


def reset_password(db: Session, *, token: str, new_password: str, now: datetime) -> Account:
    """Set a new password with a reset token; the token is used up and every session ends."""
    now = _now(now)
    token = token.strip()
    errors: dict[str, str] = {}
    row = db.get(t.ResetToken, _sha256(token)) if token else None
    if not token:
        errors["token"] = "Enter the reset code you were given"
    elif row is None or row.used or _utc(row.expires_at) <= now:
        errors["token"] = ("This reset code is not right, or it has expired or been used. "
                           "Ask for a new one")
    errors |= _password_error(new_password, "new_password")
    if errors:
        raise FormError(errors)
    assert row is not None
    # Use the token up in one statement, so that two requests cannot both use it.
    used = db.execute(update(t.ResetToken).where(t.ResetToken.token_hash == row.token_hash,
                                                 t.ResetToken.used.is_(False))
                      .values(used=True)).rowcount  # type: ignore[attr-defined]
    if used != 1:
        raise FormError({"token": "This reset code has already been used. Ask for a new one"})
    user = _user(db, row.user_id)
    user.password_hash = _hasher.hash(new_password)
    end_all_sessions(db, user_id=user.id)
    _clear_failures(db, _email_key(user.email))
    db.flush()
    return _account(user)


# --- clinician links ----------------------------------------------------------------------

def normalise_code(code: str) -> str:
    """What a person typed ('abcd-efgh ', 'ABCD EFGH') as the stored form ('ABCDEFGH')."""
    return re.sub(r"[\s-]", "", code).upper()


def create_link_code(db: Session, *, person_id: str, now: datetime) -> IssuedToken:
    """A one-time code, valid for 48 hours, that a person gives to their clinician."""
    now = _now(now)
    row = _user(db, person_id)
    if row.role != "person":
        raise FormError({"code": "Only a personal account can make a link code"})
    db.execute(delete(t.LinkCode).where(t.LinkCode.expires_at <= now),
               execution_options=FETCH)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + LINK_CODE_LIFETIME
    db.add(t.LinkCode(code_hash=_sha256(code), person_id=person_id, expires_at=expires,
                      used=False))
    db.flush()
    return IssuedToken(value=code, expires_at=expires)


def link_with_code(db: Session, *, clinician_id: str, code: str, now: datetime
                   ) -> LinkedAccount:
    """Link a clinician to the person who made the code. The code works once."""
    now = _now(now)
    clinician = _user(db, clinician_id)
    if clinician.role != "clinician":
        raise FormError({"code": "Only a clinician account can link to a person with a code"})
    code = normalise_code(code)
    if not code:
        raise FormError({"code": "Enter the code the person gave you"})
    key = "link:" + clinician_id
    if _limited(db, [key], now):
        raise TooManyAttemptsError({"code": TOO_MANY})
    row = db.get(t.LinkCode, _sha256(code)) if len(code) == CODE_LENGTH else None
    if row is None or row.used or _utc(row.expires_at) <= now:
        _record_failure(db, [key], now)
        raise FormError({"code": BAD_CODE})
    used = db.execute(update(t.LinkCode).where(t.LinkCode.code_hash == row.code_hash,
                                               t.LinkCode.used.is_(False))
                      .values(used=True)).rowcount  # type: ignore[attr-defined]
    if used != 1:
        raise FormError({"code": BAD_CODE})
    person = _user(db, row.person_id)
    link = db.get(t.ClinicianLink, (person.id, clinician_id))
    if link is None:
        link = t.ClinicianLink(person_id=person.id, clinician_id=clinician_id, created_at=now)
        db.add(link)
    db.flush()
    return LinkedAccount(id=person.id, display_name=person.display_name, email=person.email,
                         linked_at=_utc(link.created_at), time_zone=person.time_zone)


def unlink(db: Session, *, user_id: str, other_id: str) -> None:
    """End the link between a person and a clinician; either of the two may do it."""
    deleted = db.execute(delete(t.ClinicianLink).where(or_(
        (t.ClinicianLink.person_id == user_id) & (t.ClinicianLink.clinician_id == other_id),
        (t.ClinicianLink.person_id == other_id) & (t.ClinicianLink.clinician_id == user_id),
    ))).rowcount  # type: ignore[attr-defined]
    if not deleted:
        raise NotFoundError("These two accounts are not linked.")
    db.flush()


def linked_clinicians(db: Session, *, person_id: str) -> list[LinkedAccount]:
    rows = db.execute(select(t.User, t.ClinicianLink.created_at)
                      .join(t.ClinicianLink, t.ClinicianLink.clinician_id == t.User.id)
                      .where(t.ClinicianLink.person_id == person_id)
                      .order_by(t.User.display_name, t.User.email)).all()
    return [LinkedAccount(id=u.id, display_name=u.display_name, email=u.email,
                          linked_at=_utc(at), time_zone=u.time_zone or DEFAULT_TIME_ZONE)
            for u, at in rows]


def linked_persons(db: Session, *, clinician_id: str) -> list[LinkedAccount]:
    rows = db.execute(select(t.User, t.ClinicianLink.created_at)
                      .join(t.ClinicianLink, t.ClinicianLink.person_id == t.User.id)
                      .where(t.ClinicianLink.clinician_id == clinician_id)
                      .order_by(t.User.display_name, t.User.email)).all()
    return [LinkedAccount(id=u.id, display_name=u.display_name, email=u.email,
                          linked_at=_utc(at), time_zone=u.time_zone or DEFAULT_TIME_ZONE)
            for u, at in rows]


def is_linked(db: Session, *, person_id: str, clinician_id: str) -> bool:
    return db.get(t.ClinicianLink, (person_id, clinician_id)) is not None
