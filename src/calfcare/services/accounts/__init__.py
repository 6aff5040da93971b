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

from calfcare.services.accounts.common import (
    BAD_CODE,
    BAD_TIME_ZONE,
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_TIME_ZONE,
    FAILURE_WINDOW,
    HASHING_AT_ONCE,
    LINK_CODE_LIFETIME,
    MAX_CODE_TRIES_PER_CLIENT,
    MAX_EMAIL,
    MAX_FAILURES,
    MAX_NAME,
    MAX_PASSWORD,
    MAX_SIGN_UPS,
    MAX_TIME_ZONE,
    MIN_PASSWORD,
    RESET_LIFETIME,
    SESSION_LIFETIME,
    SIGN_UP_WINDOW,
    TAKEN,
    TOO_MANY,
    WRONG_SIGN_IN,
    Account,
    IssuedToken,
    LinkedAccount,
    NewSession,
    Role,
    SignedIn,
    TooManyAttemptsError,
    UnitOfWork,
    Units,
    normalise_email,
    normalise_time_zone,
    one_session,
    time_zones,
    zone_of,
)
from calfcare.services.accounts.links import (
    create_link_code,
    is_linked,
    link_with_code,
    linked_clinicians,
    linked_persons,
    normalise_code,
    unlink,
)
from calfcare.services.accounts.passwords import (
    change_password,
    create_reset_token,
    delete_account,
    hash_password,
    reset_password,
    sign_in,
)
from calfcare.services.accounts.people import (
    SignUpForm,
    SignUpLimit,
    account_by_email,
    check_sign_up,
    get_account,
    set_time_zone,
    set_units,
    sign_up,
)
from calfcare.services.accounts.sessions import (
    create_session,
    end_all_sessions,
    end_session,
    resolve_session,
)

__all__ = [
    "BAD_CODE",
    "BAD_TIME_ZONE",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_TIME_ZONE",
    "FAILURE_WINDOW",
    "HASHING_AT_ONCE",
    "LINK_CODE_LIFETIME",
    "MAX_CODE_TRIES_PER_CLIENT",
    "MAX_EMAIL",
    "MAX_FAILURES",
    "MAX_NAME",
    "MAX_PASSWORD",
    "MAX_SIGN_UPS",
    "MAX_TIME_ZONE",
    "MIN_PASSWORD",
    "RESET_LIFETIME",
    "SESSION_LIFETIME",
    "SIGN_UP_WINDOW",
    "TAKEN",
    "TOO_MANY",
    "WRONG_SIGN_IN",
    "Account",
    "IssuedToken",
    "LinkedAccount",
    "NewSession",
    "Role",
    "SignUpForm",
    "SignUpLimit",
    "SignedIn",
    "TooManyAttemptsError",
    "UnitOfWork",
    "Units",
    "account_by_email",
    "change_password",
    "check_sign_up",
    "create_link_code",
    "create_reset_token",
    "create_session",
    "delete_account",
    "end_all_sessions",
    "end_session",
    "get_account",
    "hash_password",
    "is_linked",
    "link_with_code",
    "linked_clinicians",
    "linked_persons",
    "normalise_code",
    "normalise_email",
    "normalise_time_zone",
    "one_session",
    "reset_password",
    "resolve_session",
    "set_time_zone",
    "set_units",
    "sign_in",
    "sign_up",
    "time_zones",
    "unlink",
    "zone_of",
]
