"""Accounts on SQLite and PostgreSQL: sign-up, sign-in and its rate limit, sessions, passwords,
reset tokens, deleting an account (everything goes), and clinician links."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import load_kb
from calfcare.services import accounts, activity, prevention, rehab
from calfcare.services.accounts import TooManyAttemptsError
from calfcare.storage import tables as t
from tests import activity_samples

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def sign_up(
    db: Session,
    email: str = "alex@example.com",
    *,
    role: str = "person",
    name: str = "Alex",
    password: str = PASSWORD,
) -> accounts.Account:
    return accounts.sign_up(
        db, email=email, password=password, display_name=name, role=role, units="metric", now=NOW
    )


def sign_in(
    db: Session,
    email: str = "alex@example.com",
    password: str = PASSWORD,
    client: str = "10.0.0.1",
    now: datetime = NOW,
) -> accounts.Account:
    return accounts.sign_in(one(db), email=email, password=password, client_key=client, now=now)


def one(db: Session) -> accounts.UnitOfWork:
    """Every step of a password check in the test's one session."""
    return accounts.one_session(db)


def count(db: Session, table: type[t.Base]) -> int:
    return db.scalar(select(func.count()).select_from(table)) or 0


# --- sign-up ------------------------------------------------------------------------------


def test_sign_up_stores_an_argon2id_hash_and_a_lower_case_email(db: Session) -> None:
    user = sign_up(db, "  Alex@Example.COM ")
    assert user.email == "alex@example.com"
    assert (user.role, user.units, user.display_name) == ("person", "metric", "Alex")
    assert user.created_at == NOW
    row = db.get(t.User, user.id)
    assert row is not None
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"email": "not-an-email"}, "email", "correct format"),
        ({"email": ""}, "email", "Enter your email"),
        ({"email": "a@b"}, "email", "correct format"),
        ({"password": "short"}, "password", "at least 10 characters"),
        ({"password": ""}, "password", "Enter a password"),
        ({"display_name": "  "}, "display_name", "Enter your name"),
        ({"display_name": "x" * 101}, "display_name", "100 characters or fewer"),
        ({"role": "admin"}, "role", "Select"),
        ({"units": "furlongs"}, "units", "metric or imperial"),
    ],
)
def test_sign_up_names_each_bad_field(
    db: Session, changes: dict[str, str], field: str, words: str
) -> None:
    values = {
        "email": "sam@example.com",
        "password": PASSWORD,
        "display_name": "Sam",
        "role": "person",
        "units": "metric",
        **changes,
    }
    with pytest.raises(FormError) as err:
        accounts.sign_up(db, now=NOW, **values)
    assert list(err.value.errors) == [field]
    assert words in err.value.errors[field]


def test_sign_up_reports_every_bad_field_at_once(db: Session) -> None:
    with pytest.raises(FormError) as err:
        accounts.sign_up(db, email="x", password="y", display_name="", role="", units="", now=NOW)
    assert set(err.value.errors) == {"email", "password", "display_name", "role", "units"}


def test_an_email_is_registered_once_whatever_its_case(db: Session) -> None:
    sign_up(db, "alex@example.com")
    with pytest.raises(FormError) as err:
        sign_up(db, "ALEX@example.com")
    assert "already exists" in err.value.errors["email"]
    assert count(db, t.User) == 1


def test_sign_up_refuses_a_naive_clock(db: Session) -> None:
    with pytest.raises(ValueError, match="timezone"):
        accounts.sign_up(
            db,
            email="a@example.com",
            password=PASSWORD,
            display_name="A",
            role="person",
            units="metric",
            now=datetime(2026, 1, 1),  # noqa: DTZ001
        )


# --- sign-in and its rate limit -----------------------------------------------------------


def test_sign_in_with_the_right_password_in_any_case(db: Session) -> None:
    user = sign_up(db)
    assert sign_in(db, "ALEX@example.com ").id == user.id


def test_a_wrong_password_and_an_unknown_email_give_the_same_error(db: Session) -> None:
    sign_up(db)
    with pytest.raises(FormError) as wrong_password:
        sign_in(db, password="not the password")
    with pytest.raises(FormError) as unknown_email:
        sign_in(db, email="nobody@example.com")
    assert wrong_password.value.errors == unknown_email.value.errors
    assert wrong_password.value.errors == {"email": accounts.WRONG_SIGN_IN}


def test_five_failures_for_an_email_block_even_the_right_password(db: Session) -> None:
    sign_up(db)
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(FormError):
            sign_in(db, password="wrong", client=f"10.0.1.{i}", now=NOW + timedelta(seconds=i))
    later = NOW + timedelta(minutes=1)
    with pytest.raises(TooManyAttemptsError) as err:
        sign_in(db, client="10.0.2.1", now=later)
    assert "wait 15 minutes" in err.value.errors["email"]
    # Only counts are stored, under hashed keys: no email address in the table.
    keys = db.scalars(select(t.RateCounter.key)).all()
    assert keys
    assert not any("alex" in k for k in keys)
    # Once the window has passed, the right password works again.
    assert (
        sign_in(db, client="10.0.2.1", now=NOW + timedelta(minutes=16)).email == "alex@example.com"
    )


def test_five_failures_from_one_client_block_that_client_for_any_email(db: Session) -> None:
    sign_up(db)
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(FormError):
            sign_in(db, email=f"guess{i}@example.com", client="10.9.9.9")
    with pytest.raises(TooManyAttemptsError):
        sign_in(db, client="10.9.9.9")
    assert sign_in(db, client="10.9.9.10").email == "alex@example.com"


def test_a_successful_sign_in_clears_the_email_failures(db: Session) -> None:
    sign_up(db)
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(FormError):
            sign_in(db, password="wrong", client="c1")
    sign_in(db, client="c2")
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(FormError):
            sign_in(db, password="wrong", client="c3")
    assert sign_in(db, client="c4").email == "alex@example.com"


@pytest.mark.real_password_cost
def test_a_hash_with_old_parameters_is_replaced_on_sign_in(db: Session) -> None:
    user = sign_up(db)
    row = db.get(t.User, user.id)
    assert row is not None
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    row.password_hash = weak.hash(PASSWORD)
    db.flush()
    old = row.password_hash
    sign_in(db)
    db.refresh(row)
    assert row.password_hash != old
    assert not PasswordHasher().check_needs_rehash(row.password_hash)
    assert sign_in(db).id == user.id


# --- sessions -----------------------------------------------------------------------------


def test_a_session_stores_only_the_hash_of_its_token(db: Session) -> None:
    user = sign_up(db)
    new = accounts.create_session(db, user_id=user.id, now=NOW)
    assert len(new.token) >= 43
    assert len(new.csrf_token) >= 43
    assert new.token != new.csrf_token
    assert new.expires_at == NOW + timedelta(days=14)
    stored = db.scalars(select(t.Session.token_hash)).one()
    assert stored == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token not in stored
    signed = accounts.resolve_session(db, token=new.token, now=NOW + timedelta(days=13))
    assert signed is not None
    assert signed.user == user
    assert signed.csrf_token == new.csrf_token


def test_a_session_expires_after_14_days(db: Session) -> None:
    user = sign_up(db)
    new = accounts.create_session(db, user_id=user.id, now=NOW)
    assert accounts.resolve_session(db, token=new.token, now=NOW + timedelta(days=14)) is None


def test_unknown_and_ended_sessions_resolve_to_nothing(db: Session) -> None:
    user = sign_up(db)
    new = accounts.create_session(db, user_id=user.id, now=NOW)
    assert accounts.resolve_session(db, token="planted-by-someone-else", now=NOW) is None
    assert accounts.resolve_session(db, token="", now=NOW) is None
    accounts.end_session(db, token=new.token)
    assert accounts.resolve_session(db, token=new.token, now=NOW) is None


def test_every_sign_in_gets_new_tokens(db: Session) -> None:
    user = sign_up(db)
    first = accounts.create_session(db, user_id=user.id, now=NOW)
    second = accounts.create_session(db, user_id=user.id, now=NOW)
    assert first.token != second.token
    assert first.csrf_token != second.csrf_token


def test_end_all_sessions_can_keep_one(db: Session) -> None:
    user = sign_up(db)
    tokens = [accounts.create_session(db, user_id=user.id, now=NOW).token for _ in range(3)]
    assert accounts.end_all_sessions(db, user_id=user.id, keep_token=tokens[0]) == 2
    assert accounts.resolve_session(db, token=tokens[0], now=NOW) is not None
    assert accounts.end_all_sessions(db, user_id=user.id) == 1
    assert count(db, t.Session) == 0


# --- passwords ----------------------------------------------------------------------------


def test_change_password_needs_the_current_one_and_ends_the_other_sessions(db: Session) -> None:
    user = sign_up(db)
    here = accounts.create_session(db, user_id=user.id, now=NOW).token
    elsewhere = accounts.create_session(db, user_id=user.id, now=NOW).token
    with pytest.raises(FormError) as err:
        accounts.change_password(
            one(db),
            user_id=user.id,
            current_password="wrong password",
            new_password="a new password",
            keep_token=here,
            now=NOW,
        )
    assert "current password is not right" in err.value.errors["current_password"]
    with pytest.raises(FormError) as err:
        accounts.change_password(
            one(db),
            user_id=user.id,
            current_password=PASSWORD,
            new_password="short",
            keep_token=here,
            now=NOW,
        )
    assert "at least 10" in err.value.errors["new_password"]
    assert accounts.resolve_session(db, token=elsewhere, now=NOW) is not None

    accounts.change_password(
        one(db),
        user_id=user.id,
        current_password=PASSWORD,
        new_password="a new password",
        keep_token=here,
        now=NOW,
    )
    assert accounts.resolve_session(db, token=here, now=NOW) is not None
    assert accounts.resolve_session(db, token=elsewhere, now=NOW) is None
    assert sign_in(db, password="a new password").id == user.id
    with pytest.raises(FormError):
        sign_in(db)


def test_guessing_the_current_password_is_rate_limited(db: Session) -> None:
    user = sign_up(db)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(FormError):
            accounts.change_password(
                one(db),
                user_id=user.id,
                current_password="guess",
                new_password="a new password",
                keep_token=None,
                now=NOW,
            )
    with pytest.raises(TooManyAttemptsError):
        accounts.change_password(
            one(db),
            user_id=user.id,
            current_password=PASSWORD,
            new_password="a new password",
            keep_token=None,
            now=NOW,
        )


def test_a_reset_token_works_once_within_an_hour(db: Session) -> None:
    user = sign_up(db)
    session = accounts.create_session(db, user_id=user.id, now=NOW).token
    issued = accounts.create_reset_token(db, email="ALEX@example.com", now=NOW)
    assert issued.expires_at == NOW + timedelta(hours=1)
    assert (
        db.scalars(select(t.ResetToken.token_hash)).one()
        == hashlib.sha256(issued.value.encode()).hexdigest()
    )

    with pytest.raises(FormError) as err:
        accounts.reset_password(one(db), token=issued.value, new_password="short", now=NOW)
    assert set(err.value.errors) == {"new_password"}

    done = accounts.reset_password(
        one(db),
        token=issued.value,
        new_password="reset password 1",
        now=NOW + timedelta(minutes=59),
    )
    assert done.id == user.id
    assert sign_in(db, password="reset password 1").id == user.id
    assert accounts.resolve_session(db, token=session, now=NOW) is None  # signed out everywhere

    with pytest.raises(FormError) as err:
        accounts.reset_password(
            one(db),
            token=issued.value,
            new_password="reset password 2",
            now=NOW + timedelta(minutes=59),
        )
    assert "used" in err.value.errors["token"]


def test_an_expired_or_unknown_reset_token_is_refused(db: Session) -> None:
    sign_up(db)
    issued = accounts.create_reset_token(db, email="alex@example.com", now=NOW)
    for token in (issued.value, "made-up-token", ""):
        with pytest.raises(FormError) as err:
            accounts.reset_password(
                one(db),
                token=token,
                new_password="a good new password",
                now=NOW + timedelta(hours=1),
            )
        assert "token" in err.value.errors
    assert sign_in(db).email == "alex@example.com"


def test_a_reset_token_for_an_unknown_email_is_a_clear_error(db: Session) -> None:
    with pytest.raises(NotFoundError, match=r"nobody@example\.com"):
        accounts.create_reset_token(db, email="nobody@example.com", now=NOW)


def test_a_reset_lifts_the_sign_in_limit_for_the_email(db: Session) -> None:
    sign_up(db)
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(FormError):
            sign_in(db, password="wrong", client=f"c{i}")
    token = accounts.create_reset_token(db, email="alex@example.com", now=NOW).value
    accounts.reset_password(one(db), token=token, new_password="my new password", now=NOW)
    assert sign_in(db, password="my new password", client="c9").email == "alex@example.com"


# --- settings and deletion ----------------------------------------------------------------


def test_set_units(db: Session) -> None:
    user = sign_up(db)
    assert accounts.set_units(db, user_id=user.id, units="imperial").units == "imperial"
    assert accounts.get_account(db, user_id=user.id).units == "imperial"
    with pytest.raises(FormError) as err:
        accounts.set_units(db, user_id=user.id, units="cubits")
    assert "units" in err.value.errors


def _fill_every_table(db: Session, user_id: str, other_id: str) -> None:
    """One or more rows owned by `user_id` in every table that can hold one."""
    accounts.create_session(db, user_id=user_id, now=NOW)
    accounts.create_reset_token(db, email=accounts.get_account(db, user_id=user_id).email, now=NOW)
    accounts.create_link_code(db, person_id=user_id, now=NOW)
    db.add_all(
        [
            t.ClinicianLink(person_id=user_id, clinician_id=other_id, created_at=NOW),
            t.Episode(
                id=uuid.uuid4().hex,
                user_id=user_id,
                occurred_at=NOW,
                leg="left",
                duration_s=60,
                severity=5,
                activity="running",
                created_at=NOW,
            ),
            t.TrainingSession(
                id=uuid.uuid4().hex,
                user_id=user_id,
                started_at=NOW,
                activity="running",
                duration_min=30,
                intensity=5,
            ),
            t.SavedAssessment(
                id=uuid.uuid4().hex,
                user_id=user_id,
                created_at=NOW,
                triage_level="self_care",
                top_condition="nocturnal_leg_cramps",
                kb_version="x",
                request={"age": 40, "sex": "male", "evidence": []},
            ),
        ]
    )
    db.flush()
    # A rehabilitation plan assigned by the clinician, with a row in each of its tables.
    today = NOW.date()
    kb = load_kb()
    rehab.clinician_assign(
        db,
        clinician_id=other_id,
        person_id=user_id,
        today=today,
        kb=kb,
        values={
            "programme": "calf_strain",
            "variant": "grade2_soleus",
            "side": "left",
            "injury_day": today - timedelta(days=3),
        },
    )
    rehab.clinician_adjust(
        db,
        clinician_id=other_id,
        person_id=user_id,
        kb=kb,
        values={"phase": "protect", "exercise": "ankle_pumps", "sets": 2},
    )
    rehab.log_session(
        db,
        owner_id=user_id,
        today=today,
        kb=kb,
        exercises=[{"exercise": "ankle_pumps", "sets": 2, "amount": 20}],
        values={"day": today, "pain_during": 1},
    )
    rehab.log_morning(db, owner_id=user_id, today=today, values={"day": today, "pain": 1})
    activity.import_activities(
        db,
        owner_id=user_id,
        files=[activity.ActivityFile("run.fit", activity_samples.fit(NOW - timedelta(days=1)))],
        intensity=5,
        now=NOW,
    )
    rehab.log_test(
        db,
        owner_id=user_id,
        today=today,
        kb=kb,
        values={"day": today, "kind": "walking", "pain": 1},
    )
    # A sweat test and a saved session plan.
    sweat = {
        "body_mass_before_kg": 70,
        "body_mass_after_kg": 69,
        "fluid_drunk_l": 0.5,
        "urine_l": 0,
        "duration_min": 60,
    }
    prevention.record_sweat_test(db, kb, owner_id=user_id, data=sweat, now=NOW)
    session = {
        "duration_min": 120,
        "intensity": 6,
        "temperature_c": 20,
        "humidity_percent": 50,
        "body_mass_kg": 70,
    }
    prevention.plan_session(kb, session, session=db, owner_id=user_id, now=NOW, save=True)


def test_deleting_an_account_removes_every_row_it_owns(db: Session) -> None:
    user = sign_up(db)
    keep = sign_up(db, "kim@example.com", name="Kim")
    clinician = sign_up(db, "dr@example.com", role="clinician", name="Dr Lee")
    _fill_every_table(db, user.id, clinician.id)
    _fill_every_table(db, keep.id, clinician.id)
    with pytest.raises(FormError):  # a failed password check: one counter for the account
        accounts.delete_account(one(db), user_id=user.id, password="not my password", now=NOW)
    with pytest.raises(FormError):
        sign_in(db, password="wrong", client="c1")
    before = {name: count(db, table) for name, table in _tables().items()}
    assert all(before.values()), before  # every table has rows to lose

    accounts.delete_account(one(db), user_id=user.id, password=PASSWORD, now=NOW)

    after = {name: count(db, table) for name, table in _tables().items()}
    expected = {
        "users": 2,
        "sessions": 1,
        "reset_tokens": 1,
        "link_codes": 1,
        "clinician_links": 1,
        "episodes": 1,
        "training_sessions": 2,
        "saved_assessments": 1,
        "activity_files": 1,
        # The email's and the account's counters go; the client c1's count stays (it names
        # no account), and so do the counts of the accounts that remain.
        "rate_counters": 1,
        "rehab_plans": 1,
        "rehab_adjustments": 1,
        "rehab_sessions": 1,
        "rehab_mornings": 1,
        "rehab_tests": 1,
        "rehab_phase_changes": 1,
        "sweat_tests": 1,
        "prevention_plans": 1,
    }
    assert after == expected
    assert set(after) == set(t.Base.metadata.tables)
    for name, table in _tables().items():
        if "user_id" in table.__table__.c:
            owners = set(db.scalars(select(table.__table__.c.user_id)).all())
            assert user.id not in owners, name
    kept = db.scalars(select(t.RehabPlan)).one()
    assert (kept.user_id, kept.assigned_by) == (keep.id, clinician.id)
    for table in (
        t.RehabAdjustment,
        t.RehabSession,
        t.RehabMorning,
        t.RehabTest,
        t.RehabPhaseChange,
    ):
        assert set(db.scalars(select(table.__table__.c.plan_id)).all()) == {kept.id}, table
    with pytest.raises(NotFoundError):
        accounts.get_account(db, user_id=user.id)
    with pytest.raises(FormError):
        sign_in(db, client="c2")


def _tables() -> dict[str, type[t.Base]]:
    return {m.class_.__tablename__: m.class_ for m in t.Base.registry.mappers}


def test_deleting_an_account_needs_the_password(db: Session) -> None:
    user = sign_up(db)
    for password in ("", "wrong password"):
        with pytest.raises(FormError) as err:
            accounts.delete_account(one(db), user_id=user.id, password=password, now=NOW)
        assert "password" in err.value.errors
    assert accounts.get_account(db, user_id=user.id) == user


# --- clinician links ----------------------------------------------------------------------


def test_a_link_code_is_8_unambiguous_characters_stored_as_a_hash(db: Session) -> None:
    person = sign_up(db)
    codes = {accounts.create_link_code(db, person_id=person.id, now=NOW).value for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 8
        assert code == code.upper()
        assert not set(code) & set("0O1IL")
        assert set(code) <= set(accounts.CODE_ALPHABET)
    stored = set(db.scalars(select(t.LinkCode.code_hash)).all())
    assert stored == {hashlib.sha256(c.encode()).hexdigest() for c in codes}


def test_link_unlink_and_list_from_both_sides(db: Session) -> None:
    person = sign_up(db)
    clinician = sign_up(db, "dr@example.com", role="clinician", name="Dr Lee")
    issued = accounts.create_link_code(db, person_id=person.id, now=NOW)
    assert issued.expires_at == NOW + timedelta(hours=48)
    typed = f" {issued.value[:4].lower()}-{issued.value[4:]} "
    linked = accounts.link_with_code(
        db, clinician_id=clinician.id, code=typed, now=NOW + timedelta(hours=47)
    )
    assert (linked.id, linked.display_name) == (person.id, "Alex")
    assert [c.id for c in accounts.linked_clinicians(db, person_id=person.id)] == [clinician.id]
    assert [p.id for p in accounts.linked_persons(db, clinician_id=clinician.id)] == [person.id]
    assert accounts.is_linked(db, person_id=person.id, clinician_id=clinician.id)

    accounts.unlink(db, user_id=person.id, other_id=clinician.id)  # the person unlinks
    assert accounts.linked_clinicians(db, person_id=person.id) == []
    with pytest.raises(NotFoundError):
        accounts.unlink(db, user_id=person.id, other_id=clinician.id)

    code = accounts.create_link_code(db, person_id=person.id, now=NOW).value
    accounts.link_with_code(db, clinician_id=clinician.id, code=code, now=NOW)
    accounts.unlink(db, user_id=clinician.id, other_id=person.id)  # the clinician unlinks
    assert accounts.linked_persons(db, clinician_id=clinician.id) == []


def test_a_link_code_is_refused_when_used_expired_wrong_or_for_a_person(db: Session) -> None:
    person = sign_up(db)
    other_person = sign_up(db, "sam@example.com", name="Sam")
    clinician = sign_up(db, "dr@example.com", role="clinician", name="Dr Lee")
    second = sign_up(db, "dr2@example.com", role="clinician", name="Dr Kay")
    code = accounts.create_link_code(db, person_id=person.id, now=NOW).value

    with pytest.raises(FormError) as err:  # only a clinician can link
        accounts.link_with_code(db, clinician_id=other_person.id, code=code, now=NOW)
    assert "clinician" in err.value.errors["code"]
    with pytest.raises(FormError):  # a clinician cannot make a code
        accounts.create_link_code(db, person_id=clinician.id, now=NOW)

    accounts.link_with_code(db, clinician_id=clinician.id, code=code, now=NOW)
    with pytest.raises(FormError) as err:  # used
        accounts.link_with_code(db, clinician_id=second.id, code=code, now=NOW)
    assert err.value.errors == {"code": accounts.BAD_CODE}

    late = accounts.create_link_code(db, person_id=person.id, now=NOW).value
    with pytest.raises(FormError):  # expired
        accounts.link_with_code(
            db, clinician_id=second.id, code=late, now=NOW + timedelta(hours=48)
        )
    with pytest.raises(FormError):  # made up
        accounts.link_with_code(db, clinician_id=second.id, code="ABCDEFGH", now=NOW)
    with pytest.raises(FormError) as err:
        accounts.link_with_code(db, clinician_id=second.id, code="  ", now=NOW)
    assert "Enter the code" in err.value.errors["code"]
    assert accounts.linked_persons(db, clinician_id=second.id) == []


def test_guessing_link_codes_is_rate_limited(db: Session) -> None:
    person = sign_up(db)
    clinician = sign_up(db, "dr@example.com", role="clinician", name="Dr Lee")
    code = accounts.create_link_code(db, person_id=person.id, now=NOW).value
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"):
        with pytest.raises(FormError):
            accounts.link_with_code(db, clinician_id=clinician.id, code=guess, now=NOW)
    with pytest.raises(TooManyAttemptsError):
        accounts.link_with_code(db, clinician_id=clinician.id, code=code, now=NOW)
    accounts.link_with_code(
        db, clinician_id=clinician.id, code=code, now=NOW + timedelta(minutes=16)
    )
    assert accounts.is_linked(db, person_id=person.id, clinician_id=clinician.id)


# --- time zone ----------------------------------------------------------------------------


def test_new_accounts_are_in_utc_unless_a_zone_is_given(db: Session) -> None:
    assert sign_up(db).time_zone == "UTC"
    other = accounts.sign_up(
        db,
        email="sam@example.com",
        password=PASSWORD,
        display_name="Sam",
        role="person",
        units="metric",
        now=NOW,
        time_zone="America/New_York",
    )
    assert other.time_zone == "America/New_York"
    with pytest.raises(FormError) as caught:
        accounts.sign_up(
            db,
            email="kim@example.com",
            password=PASSWORD,
            display_name="Kim",
            role="person",
            units="metric",
            now=NOW,
            time_zone="Mars/Olympus",
        )
    assert set(caught.value.errors) == {"time_zone"}


def test_set_time_zone_rejects_an_unknown_zone_and_accepts_a_real_one(db: Session) -> None:
    user = sign_up(db)
    for bad in ("Mars/Olympus", "", "../../etc/passwd"):
        with pytest.raises(FormError) as caught:
            accounts.set_time_zone(db, user_id=user.id, time_zone=bad)
        assert set(caught.value.errors) == {"time_zone"}
    assert accounts.get_account(db, user_id=user.id).time_zone == "UTC"
    saved = accounts.set_time_zone(db, user_id=user.id, time_zone=" europe/london ")
    assert saved.time_zone == "Europe/London"
    assert accounts.get_account(db, user_id=user.id).time_zone == "Europe/London"
    assert db.get(t.User, user.id).time_zone == "Europe/London"  # type: ignore[union-attr]


# --- abuse limits -----------------------------------------------------------------------------


def test_a_reset_code_dies_when_a_newer_one_is_made(db: Session) -> None:
    sign_up(db)
    first = accounts.create_reset_token(db, email="alex@example.com", now=NOW)
    second = accounts.create_reset_token(db, email="alex@example.com", now=NOW)
    with pytest.raises(FormError):
        accounts.reset_password(
            one(db), token=first.value, new_password="a new password 1", now=NOW
        )
    accounts.reset_password(one(db), token=second.value, new_password="a new password 2", now=NOW)


def test_a_reset_code_dies_when_the_password_changes(db: Session) -> None:
    user = sign_up(db)
    issued = accounts.create_reset_token(db, email="alex@example.com", now=NOW)
    accounts.change_password(
        one(db),
        user_id=user.id,
        current_password=PASSWORD,
        new_password="another good password",
        keep_token=None,
        now=NOW,
    )
    with pytest.raises(FormError):
        accounts.reset_password(
            one(db), token=issued.value, new_password="a new password 1", now=NOW
        )


def test_sign_ups_from_one_address_are_limited(db: Session) -> None:
    for n in range(accounts.MAX_SIGN_UPS):
        accounts.sign_up(
            db,
            email=f"p{n}@example.com",
            password=PASSWORD,
            display_name="P",
            role="person",
            units="metric",
            now=NOW,
            limit=accounts.SignUpLimit("10.3.3.3"),
        )
    with pytest.raises(TooManyAttemptsError):
        accounts.sign_up(
            db,
            email="late@example.com",
            password=PASSWORD,
            display_name="P",
            role="person",
            units="metric",
            now=NOW,
            limit=accounts.SignUpLimit("10.3.3.3"),
        )
    accounts.sign_up(
        db,
        email="next@example.com",
        password=PASSWORD,
        display_name="P",
        role="person",
        units="metric",
        now=NOW + accounts.SIGN_UP_WINDOW,
        limit=accounts.SignUpLimit("10.3.3.3"),
    )


def test_link_code_guesses_from_one_address_are_limited_across_clinicians(db: Session) -> None:
    clinicians = [
        sign_up(db, f"dr{n}@example.com", role="clinician", name=f"Dr {n}")
        for n in range(accounts.MAX_CODE_TRIES_PER_CLIENT // accounts.MAX_FAILURES + 1)
    ]
    tries = 0
    with pytest.raises(TooManyAttemptsError):  # noqa: PT012  (the limit comes mid-loop)
        for clinician in clinicians:
            for _ in range(accounts.MAX_FAILURES):
                tries += 1
                with pytest.raises(FormError) as err:
                    accounts.link_with_code(
                        db,
                        clinician_id=clinician.id,
                        code="ABCDEFGH",
                        now=NOW,
                        client_key="10.4.4.4",
                    )
                if isinstance(err.value, TooManyAttemptsError):
                    raise err.value
    assert tries == accounts.MAX_CODE_TRIES_PER_CLIENT + 1


def test_a_right_password_does_not_use_up_the_clients_attempts(db: Session) -> None:
    sign_up(db)
    for _ in range(accounts.MAX_FAILURES * 2):
        sign_in(db, client="10.5.5.5")  # each success gives its attempt back
    sign_in(db, client="10.5.5.5")
