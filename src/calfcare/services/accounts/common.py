"""Accounts: the constants, the records the use cases return, and the helpers they share."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services.units import UNIT_SYSTEMS, UnitSystem, system_of
from calfcare.storage import tables as t

Role = Literal["person", "clinician"]
Units = UnitSystem  # the account setting: how numbers are shown and typed
ROLES: tuple[Role, ...] = get_args(Role)
UNITS: tuple[Units, ...] = UNIT_SYSTEMS

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
#: argon2id with the library's recommended parameters. Read it as `common.hasher` at each use:
#: the in-process tests put a cheaper argon2id in its place (as Django's test settings do), and
#: the tests that are about the parameters, and every server process, use this one.
hasher = PasswordHasher()
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)

#: A function that opens a transaction and yields its session (`sessionmaker.begin`). Each
#: call is one short transaction, committed when the block ends.
UnitOfWork = Callable[[], AbstractContextManager[Session]]

WRONG_SIGN_IN = "Enter a correct email address and password"
TAKEN = "An account with this email address already exists. Sign in instead"
TOO_MANY = "Too many attempts that were not right. For your security, wait 15 minutes and try again"
BAD_CODE = "This code is not right, or it has expired or been used. Ask the person for a new code"


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
    return Account(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=role,
        units=system_of(row.units),
        created_at=_utc(row.created_at),
        time_zone=row.time_zone or DEFAULT_TIME_ZONE,
    )


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
    return db.scalars(
        select(t.User).where(func.lower(t.User.email) == normalise_email(email))
    ).first()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def one_session(db: Session) -> UnitOfWork:
    """A unit of work that reuses one open session (for the command line and tests)."""
    return lambda: nullcontext(db)
