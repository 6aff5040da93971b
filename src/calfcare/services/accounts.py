"""Accounts: sign-up, sign-in with a rate limit, sessions, passwords, clinician links.

Every function takes a SQLAlchemy `Session` and keyword-only arguments. The clock is never read
here: the web or command-line layer passes `now` (timezone-aware), so tests can move time.
Results are small frozen dataclasses, never ORM rows.

Functions flush but never commit: the caller owns the transaction. Invalid input raises
`FormError` naming each bad field; a name that does not exist raises `NotFoundError`.

Secrets are never stored as given: passwords as argon2id hashes (rehashed on the next sign-in
when the parameters change), and session cookies, reset tokens and link codes as the SHA-256 of
the value, so that a copy of the database cannot be used to sign in.

The rate limits live in the `rate_counters` table (so that every server process agrees) and
are counted by one atomic statement before any password is checked: at most `MAX_FAILURES`
attempts that were not right in `FAILURE_WINDOW` per email address and per client (the
browser's address), and the same for re-entering the password of a signed-in account, for the
link codes a clinician types (per clinician and per address) and, more loosely, for sign-ups
per address. Once the limit is reached even the right password is refused until the window has
passed.

Password hashing (argon2id, 64 MiB and tens of milliseconds each) never happens inside a write
transaction: the functions that check or set a password take a `UnitOfWork` and run their
database steps in short transactions of their own around it, so a sign-in never holds the
SQLite write lock while it hashes. At most `HASHING_AT_ONCE` hashes run at a time in one
process, so a burst of requests cannot exhaust the memory.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
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
from calfcare.storage.atomic import (
    clear_attempts,
    count_attempt,
    forget_old_attempts,
    give_back_attempt,
)

Role = Literal["person", "clinician"]
Units = Literal["metric", "imperial"]
ROLES: tuple[Role, ...] = get_args(Role)
UNITS: tuple[Units, ...] = get_args(Units)

SESSION_LIFETIME = timedelta(days=14)
RESET_LIFETIME = timedelta(hours=1)
LINK_CODE_LIFETIME = timedelta(hours=48)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
#: Sign-ups from one address: enough for a family or a clinic behind one address.
MAX_SIGN_UPS = 10
SIGN_UP_WINDOW = timedelta(hours=1)
#: Link codes typed from one address, whoever types them.
MAX_CODE_TRIES_PER_CLIENT = 20
HASHING_AT_ONCE = 2
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
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)

#: A function that opens a transaction and yields its session (`sessionmaker.begin`). Each
#: call is one short transaction, committed when the block ends.
UnitOfWork = Callable[[], AbstractContextManager[Session]]

WRONG_SIGN_IN = "Enter a correct email address and password"
TAKEN = "An account with this email address already exists. Sign in instead"
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


def one_session(db: Session) -> UnitOfWork:
    """A unit of work that reuses one open session (for the command line and tests)."""
    return lambda: nullcontext(db)


def hash_password(password: str) -> str:
    """The argon2id hash of a password (call it outside any database transaction)."""
    with _hashing:
        return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _verify(stored_hash: str, password: str) -> bool:
    with _hashing:
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


def _over_limit(db: Session, keys: list[str], now: datetime, limit: int = MAX_FAILURES,
                window: timedelta = FAILURE_WINDOW) -> bool:
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


def _password_attempt(unit: UnitOfWork, user_id: str, now: datetime, field: str
                      ) -> _Credentials:
    """Re-entering the password of a signed-in account: count it (per account), read the hash."""
    with unit() as db:
        row = _user(db, user_id)
        if _over_limit(db, ["account:" + user_id], now):
            raise TooManyAttemptsError({field: TOO_MANY})
        return _read_credentials(db, row)


def _wrong_password(field: str) -> FormError:
    return FormError({field: "Your current password is not right" if
                      field == "current_password" else "Your password is not right"})


# --- accounts -----------------------------------------------------------------------------

def check_sign_up(*, email: str, password: str, display_name: str, role: str, units: str,
                  time_zone: str = DEFAULT_TIME_ZONE) -> None:
    """The sign-up form's own errors, without the database (raises `FormError`)."""
    errors = _sign_up_errors(normalise_email(email), password, display_name.strip(), role,
                             units, time_zone)
    if errors:
        raise FormError(errors)


def _sign_up_errors(email: str, password: str, display_name: str, role: str, units: str,
                    time_zone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not display_name:
        errors["display_name"] = "Enter your name"
    elif len(display_name) > MAX_NAME:
        errors["display_name"] = f"Your name must be {MAX_NAME} characters or fewer"
    if not email:
        errors["email"] = "Enter your email address"
    elif len(email) > MAX_EMAIL or not _EMAIL.match(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    errors |= _password_error(password, "password")
    if role not in ROLES:
        errors["role"] = "Select whether this account is for you or for a clinician"
    if units not in UNITS:
        errors["units"] = "Select metric or imperial units"
    if normalise_time_zone(time_zone or DEFAULT_TIME_ZONE) is None:
        errors["time_zone"] = BAD_TIME_ZONE
    return errors


def sign_up(db: Session, *, email: str, password: str, display_name: str, role: str,
            units: str, now: datetime, time_zone: str = DEFAULT_TIME_ZONE,
            password_hash: str | None = None, client_key: str | None = None,
            sign_up_limit: int = MAX_SIGN_UPS) -> Account:
    """Create an account. The email is stored in lower case and is unique regardless of case.

    `time_zone` is an IANA name (e.g. "Europe/London"), for typing and reading diary times.
    A web request passes `password_hash`, made by `hash_password` before its transaction,
    and `client_key`, so that sign-ups from one address are limited.
    """
    now = _now(now)
    email = normalise_email(email)
    display_name = display_name.strip()
    errors = _sign_up_errors(email, password, display_name, role, units, time_zone)
    if errors:
        raise FormError(errors)
    if client_key is not None and _over_limit(db, ["signup:" + _sha256(client_key)], now,
                                              sign_up_limit, SIGN_UP_WINDOW):
        raise TooManyAttemptsError({"email": "Too many accounts were made from here in the "
                                             "last hour. Try again later"})
    if _by_email(db, email) is not None:
        raise FormError({"email": TAKEN})
    row = t.User(id=uuid.uuid4().hex, email=email, display_name=display_name,
                 password_hash=password_hash or hash_password(password), role=role,
                 units=units, time_zone=normalise_time_zone(time_zone or DEFAULT_TIME_ZONE),
                 created_at=now)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # signed up at the same moment in another request
        raise FormError({"email": TAKEN}) from None
    return _account(row)


def get_account(db: Session, *, user_id: str) -> Account:
    return _account(_user(db, user_id))


def account_by_email(db: Session, *, email: str) -> Account:
    row = _by_email(db, email)
    if row is None:
        raise NotFoundError(f"No account has the email address {normalise_email(email)!r}.")
    return _account(row)


def sign_in(unit: UnitOfWork, *, email: str, password: str, client_key: str,
            now: datetime) -> Account:
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
    new_hash = (hash_password(password) if _hasher.check_needs_rehash(creds.password_hash)
                else None)
    with unit() as db:
        row = _user(db, creds.user_id)
        if new_hash is not None:
            row.password_hash = new_hash
        clear_attempts(db, [keys[0]])
        give_back_attempt(db, keys[1])
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

def change_password(unit: UnitOfWork, *, user_id: str, current_password: str,
                    new_password: str, keep_token: str | None, now: datetime) -> None:
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
    db.execute(delete(t.ResetToken).where(t.ResetToken.expires_at <= now),
               execution_options=FETCH)
    _end_reset_tokens(db, row.id)
    token = secrets.token_urlsafe(32)
    expires = now + RESET_LIFETIME
    db.add(t.ResetToken(token_hash=_sha256(token), user_id=row.id, expires_at=expires,
                        used=False))
    db.flush()
    return IssuedToken(value=token, expires_at=expires)


def reset_password(unit: UnitOfWork, *, token: str, new_password: str, now: datetime
                   ) -> Account:
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
        used = db.execute(update(t.ResetToken).where(
            t.ResetToken.token_hash == _sha256(token), t.ResetToken.used.is_(False),
            t.ResetToken.expires_at > now).values(used=True)
            .returning(t.ResetToken.user_id)).scalar_one_or_none()
        if used is None:
            raise FormError({"token": "This reset code is not right, or it has expired or "
                                      "been used. Ask for a new one"})
        user = _user(db, used)
        user.password_hash = new_hash
        end_all_sessions(db, user_id=user.id)
        _end_reset_tokens(db, user.id)
        clear_attempts(db, [_email_key(user.email)])
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


def link_with_code(db: Session, *, clinician_id: str, code: str, now: datetime,
                   client_key: str | None = None) -> LinkedAccount:
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
    if _over_limit(db, [key], now) or (client_key is not None and _over_limit(
            db, ["link-client:" + _sha256(client_key)], now, MAX_CODE_TRIES_PER_CLIENT)):
        raise TooManyAttemptsError({"code": TOO_MANY})
    row = db.get(t.LinkCode, _sha256(code)) if len(code) == CODE_LENGTH else None
    if row is None or row.used or _utc(row.expires_at) <= now:
        raise FormError({"code": BAD_CODE})
    used = db.execute(update(t.LinkCode).where(t.LinkCode.code_hash == row.code_hash,
                                               t.LinkCode.used.is_(False))
                      .values(used=True)).rowcount  # type: ignore[attr-defined]
    if used != 1:
        raise FormError({"code": BAD_CODE})
    give_back_attempt(db, key)
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
