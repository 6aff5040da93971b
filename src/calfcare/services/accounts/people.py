"""Accounts themselves: signing up, reading and changing an account's settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NotRequired, TypedDict, Unpack

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.services.accounts.common import (
    _EMAIL,
    BAD_TIME_ZONE,
    DEFAULT_TIME_ZONE,
    MAX_EMAIL,
    MAX_NAME,
    MAX_SIGN_UPS,
    ROLES,
    SIGN_UP_WINDOW,
    TAKEN,
    UNITS,
    Account,
    TooManyAttemptsError,
    _account,
    _by_email,
    _now,
    _sha256,
    _user,
    normalise_email,
    normalise_time_zone,
)
from calfcare.services.accounts.passwords import _over_limit, _password_error, hash_password
from calfcare.storage import tables as t


class SignUpForm(TypedDict):
    """What a person types to make an account."""

    email: str
    password: str
    display_name: str
    role: str
    units: str
    time_zone: NotRequired[str]


@dataclass(frozen=True)
class SignUpLimit:
    """Sign-ups counted per client address (a web request passes its address)."""

    client_key: str
    per_hour: int = MAX_SIGN_UPS


def check_sign_up(**form: Unpack[SignUpForm]) -> None:
    """The sign-up form's own errors, without the database (raises `FormError`)."""
    errors = _sign_up_errors(form)
    if errors:
        raise FormError(errors)


def _sign_up_errors(form: SignUpForm) -> dict[str, str]:
    email = normalise_email(form["email"])
    display_name = form["display_name"].strip()
    errors: dict[str, str] = {}
    if not display_name:
        errors["display_name"] = "Enter your name"
    elif len(display_name) > MAX_NAME:
        errors["display_name"] = f"Your name must be {MAX_NAME} characters or fewer"
    if not email:
        errors["email"] = "Enter your email address"
    elif len(email) > MAX_EMAIL or not _EMAIL.match(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    errors |= _password_error(form["password"], "password")
    if form["role"] not in ROLES:
        errors["role"] = "Select whether this account is for you or for a clinician"
    if form["units"] not in UNITS:
        errors["units"] = "Select metric or imperial units"
    if normalise_time_zone(form.get("time_zone") or DEFAULT_TIME_ZONE) is None:
        errors["time_zone"] = BAD_TIME_ZONE
    return errors


def sign_up(
    db: Session,
    *,
    now: datetime,
    password_hash: str | None = None,
    limit: SignUpLimit | None = None,
    **form: Unpack[SignUpForm],
) -> Account:
    """Create an account. The email is stored in lower case and is unique regardless of case.

    `time_zone` is an IANA name (e.g. "Europe/London"), for typing and reading diary times.
    A web request passes `password_hash`, made by `hash_password` before its transaction,
    and a `limit`, so that sign-ups from one address are counted.
    """
    now = _now(now)
    errors = _sign_up_errors(form)
    if errors:
        raise FormError(errors)
    if limit is not None and _over_limit(
        db, ["signup:" + _sha256(limit.client_key)], now, limit.per_hour, SIGN_UP_WINDOW
    ):
        raise TooManyAttemptsError(
            {"email": "Too many accounts were made from here in the last hour. Try again later"}
        )
    email = normalise_email(form["email"])
    if _by_email(db, email) is not None:
        raise FormError({"email": TAKEN})
    row = t.User(
        id=uuid.uuid4().hex,
        email=email,
        display_name=form["display_name"].strip(),
        password_hash=password_hash or hash_password(form["password"]),
        role=form["role"],
        units=form["units"],
        time_zone=normalise_time_zone(form.get("time_zone") or DEFAULT_TIME_ZONE),
        created_at=now,
    )
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
        raise FormError(
            {"time_zone": "Enter a time zone" if not time_zone.strip() else BAD_TIME_ZONE}
        )
    row = _user(db, user_id)
    row.time_zone = zone
    db.flush()
    return _account(row)
