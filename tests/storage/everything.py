"""A database in which every feature has written rows, and ways to read it back for comparing.

`fill_through_services` writes what people and clinicians write, through the services, with
values that are hard to carry: microseconds, non-ASCII text, long text, nested JSON, floats
that have no short decimal form, true and false, nulls. `uncovered` names every table without
a row and every column without a value, so that a new table or column makes the tests that use
this fixture fail until the fixture writes it too.

`fill_empty_tables` writes made-up rows into any table of any schema revision, read from the
database itself, for the migration tests that step through old revisions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from calfcare.errors import FormError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import accounts, activity, diary, prevention, rehab
from calfcare.storage.db import make_engine
from calfcare.storage.tables import Base

NOW = datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=UTC)
TODAY = NOW.date()
INJURY = TODAY - timedelta(days=6)
PASSWORD = "correct horse battery staple"
LONG_TEXT = ('Crampe nocturne — mollet gauche. 小腿抽筋. 🦵🏃‍♀️ "quotes" \\ back\\slash\n' * 70)[
    :5000
]
REQUEST = {
    "age": 44,
    "sex": "male",
    "note": "naïve ☃ \u2028 \t tab",
    "evidence": [
        {"id": "calf_pain", "choice_id": "present"},
        {"id": "felt_pop_or_kick", "choice_id": "unknown"},
    ],
    "nested": {"list": [1, 2.5, True, False, None, "x"], "empty": {}},
}


def _people(db: Session) -> tuple[str, str]:
    """A person and a clinician, linked by a code; a session, a reset code, failed sign-ins."""
    person = accounts.sign_up(
        db,
        email="Ann.OBrien@example.org",
        password=PASSWORD,
        display_name="Ann Ó'Brien 🦵",
        role="person",
        units="imperial",
        now=NOW,
        time_zone="Europe/London",
        client_key="203.0.113.7",
    )
    clinician = accounts.sign_up(
        db,
        email="dr.lee@example.org",
        password=PASSWORD,
        display_name="Dr Lee",
        role="clinician",
        units="metric",
        now=NOW,
        time_zone="America/New_York",
    )
    accounts.create_session(db, user_id=person.id, now=NOW)
    accounts.create_reset_token(db, email=person.email, now=NOW)
    with pytest.raises(FormError):
        accounts.sign_in(
            accounts.one_session(db),
            email=person.email,
            password="wrong one!",
            client_key="198.51.100.9",
            now=NOW,
        )
    code = accounts.create_link_code(db, person_id=person.id, now=NOW)
    accounts.link_with_code(db, clinician_id=clinician.id, code=code.value, now=NOW)
    accounts.create_link_code(db, person_id=person.id, now=NOW)  # one left unused
    return person.id, clinician.id


def _diary(db: Session, owner: str) -> None:
    diary.create_episode(
        db,
        owner_id=owner,
        now=NOW,
        values={
            "occurred_at": (NOW - timedelta(hours=3)).isoformat(),
            "leg": "left",
            "muscle": "soleus",
            "duration_s": 95,
            "severity": 7,
            "activity": "running",
            "session_load": "harder",
            "woke_from_sleep": True,
            "temperature_c": 28.5,
            "humidity_pct": 0.1 + 0.2,
            "fluid_l": 1 / 3,
            "carbohydrate_g": 1e-7,
            "helped": "stretching 🧘",
            "notes": LONG_TEXT,
        },
    )
    diary.create_training(
        db,
        owner_id=owner,
        now=NOW,
        values={
            "started_at": (NOW - timedelta(hours=4)).isoformat(),
            "activity": "running",
            "duration_min": 42,
            "intensity": 6,
            "distance_km": 10.000000000000002,
            "notes": "tempo\nintervals",
        },
    )
    diary.save_assessment(
        db,
        owner_id=owner,
        request=REQUEST,
        triage_level="self_care",
        top_condition="calf_muscle_strain",
        kb_version="636bb5cc87a47d90",
        now=NOW,
    )


def _rehab(db: Session, person: str, clinician: str, kb: KnowledgeBase) -> None:
    rehab.clinician_assign(
        db,
        clinician_id=clinician,
        person_id=person,
        kb=kb,
        today=TODAY,
        values={
            "programme": "calf_strain",
            "variant": "grade2_soleus",
            "side": "left",
            "injury_day": INJURY.isoformat(),
            "notes": "From the clinic, ½ dose",
        },
    )
    rehab.log_session(
        db,
        owner_id=person,
        kb=kb,
        today=TODAY,
        values={
            "day": TODAY.isoformat(),
            "pain_during": 2,
            "pain_after": 3,
            "flags": ["new_swelling_or_bruising"],
            "notes": "ok",
        },
        exercises=[{"exercise": "ankle_pumps", "sets": 3, "amount": 20, "load_kg": 2.5, "pain": 2}],
    )
    rehab.log_morning(
        db, owner_id=person, today=TODAY, values={"day": TODAY.isoformat(), "pain": 1}
    )
    rehab.log_test(
        db,
        owner_id=person,
        today=TODAY,
        kb=kb,
        values={
            "day": TODAY.isoformat(),
            "kind": "heel_raise",
            "injured": 12,
            "other": 20.5,
            "pain": 1,
            "limp": True,
        },
    )
    rehab.clinician_adjust(
        db,
        clinician_id=clinician,
        person_id=person,
        kb=kb,
        values={
            "phase": "protect",
            "exercise": "ankle_pumps",
            "sets": 2,
            "amount": 12,
            "load": "body weight",
            "note": "slowly",
        },
    )
    rehab.clinician_set_phase(
        db, clinician_id=clinician, person_id=person, phase="foundation", today=TODAY, kb=kb
    )


def _activities(db: Session, owner: str) -> None:
    """A watch's FIT file, with heart rate, climb and temperature, as an imported session."""
    from tests.activity_samples import fit

    got = activity.import_activities(
        db,
        owner_id=owner,
        files=[activity.ActivityFile("Évening run ☃.fit", fit(NOW - timedelta(days=2)))],
        intensity=7,
        now=NOW,
    )
    assert len(got.imported) == 1, got.errors


def fill_through_services(url: str, kb: KnowledgeBase) -> None:
    """Every feature writes its rows, through the services, as the web pages would."""
    engine = make_engine(url)
    with Session(engine) as db:
        person, clinician = _people(db)
        _diary(db, person)
        _rehab(db, person, clinician, kb)
        _prevention(db, person, kb)
        _activities(db, person)
        db.commit()
    engine.dispose()


def _prevention(db: Session, person: str, kb: KnowledgeBase) -> None:
    """A sweat test with every condition, and a saved plan that uses it."""
    prevention.record_sweat_test(
        db,
        kb,
        owner_id=person,
        data={
            "body_mass_before_kg": 70.1234567,
            "body_mass_after_kg": 69.0,
            "fluid_drunk_l": 0.5,
            "urine_l": 0.1,
            "duration_min": 61,
            "temperature_c": 27.5,
            "humidity_percent": 55,
            "intensity": 6,
            "sport": "course à pied 🦵",
        },
        now=NOW,
    )
    plan = {
        "duration_min": 150,
        "intensity": 6,
        "temperature_c": 28,
        "humidity_percent": 60,
        "body_mass_kg": 70,
        "sport": "course à pied 🦵",
    }
    prevention.plan_session(kb, plan, session=db, owner_id=person, now=NOW, save=True)


def _plain(value: Any) -> Any:
    """Times in UTC with their offset: SQLite returns them without one, PostgreSQL with."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def read_everything(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the models, in primary-key order."""
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            table.name: [
                {k: _plain(v) for k, v in row.items()}
                for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return out


def uncovered(rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Tables of the models without a row, and columns without a single non-null value."""
    missing = []
    for table in Base.metadata.sorted_tables:
        found = rows.get(table.name, [])
        if not found:
            missing.append(f"table {table.name}")
        missing += [
            f"column {table.name}.{c.name}"
            for c in table.columns
            if found and all(r[c.name] is None for r in found)
        ]
    return missing


# --- any revision ----------------------------------------------------------------------------


def reflect(conn: Connection) -> list[Table]:
    meta = MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name != "alembic_version"]


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in reflect(conn)
        }


def _made_up(table: Table, column: Any, i: int, conn: Connection) -> Any:
    """A value for one column of row `i`; foreign keys point to existing rows."""
    fk = next(iter(column.foreign_keys), None)
    if fk is not None:
        parents = conn.execute(select(fk.column).order_by(fk.column)).scalars().all()
        return parents[i % len(parents)]
    kind = column.type
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, Integer):
        return i + 1
    if isinstance(kind, Float):
        return i + 0.25
    if isinstance(kind, DateTime):
        return NOW + timedelta(minutes=i)
    if isinstance(kind, Date):
        return date(2026, 11, 1) + timedelta(days=i)
    if isinstance(kind, JSON):
        return {"row": i}
    if isinstance(kind, String):
        return f"{table.name[:8]}-{column.name[:8]}-{i}"[: kind.length or 64]
    raise AssertionError(f"no made-up value for {table.name}.{column.name} ({kind!r})")


def fill_empty_tables(engine: Engine, rows: int = 3) -> None:
    """Give every empty table of the database's current schema `rows` made-up rows."""
    with engine.begin() as conn:
        for table in reflect(conn):
            if conn.scalar(select(func.count()).select_from(table)):
                continue
            conn.execute(
                insert(table),
                [{c.name: _made_up(table, c, i, conn) for c in table.columns} for i in range(rows)],
            )
