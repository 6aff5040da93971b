"""Backup and restore on both databases and from one to the other.

Every table and every column of the models holds a value in the fixture (`everything.py`),
so a table or column type the backup does not carry fails here; values are compared exactly
after a restore. A bad file of any kind is refused with a message naming the table, row and
column, and changes nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Interval,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session as OrmSession

from calfcare.kb.loader import KnowledgeBase
from calfcare.storage import backup as backup_module
from calfcare.storage.backup import BackupError, backup, restore
from calfcare.storage.backup_types import codec_for
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade
from calfcare.storage.tables import Base, Episode, User
from calfcare.storage.tables import Session as WebSession
from tests.storage.everything import (
    NOW,
    fill_empty_tables,
    fill_through_services,
    read_everything,
    reflect,
    uncovered,
)

Rows = dict[str, list[dict[str, Any]]]


def _filled(url: str, kb: KnowledgeBase) -> Rows:
    upgrade(url)
    fill_through_services(url, kb)
    return read_everything(url)


def _scramble(url: str) -> None:
    """Change the database so that a restore has something to undo."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(User))  # and, by cascade, everything people own
        conn.execute(
            insert(User).values(
                id="u" * 32,
                email="new@example.org",
                display_name="New",
                password_hash="x",
                role="person",
                units="metric",
                created_at=NOW,
            )
        )
    engine.dispose()


def _backup(url: str, path: Path) -> backup_module.BackupReport:
    engine = make_engine(url)
    try:
        return backup(engine, path)
    finally:
        engine.dispose()


def _restore(url: str, path: Path) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return restore(engine, path)
    finally:
        engine.dispose()


# --- round trips -----------------------------------------------------------------------------


def test_round_trip_restores_every_value_exactly(
    database_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    before = _filled(database_url, kb)
    assert uncovered(before) == [], "the fixture must write every table and column"
    report = _backup(database_url, tmp_path / "b.json")
    assert report.problems == ()
    assert report.counts == {name: len(rows) for name, rows in before.items()}
    assert (tmp_path / "b.json").stat().st_mode & 0o777 == 0o600  # health data, hashes
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # scratch
    _scramble(database_url)
    assert _restore(database_url, tmp_path / "b.json") == report.counts
    assert read_everything(database_url) == before


@pytest.mark.postgres
@pytest.mark.parametrize("source", ["sqlite", "postgresql"])
def test_a_backup_moves_between_sqlite_and_postgresql(
    source: str, postgres_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'calfcare.db'}"
    origin, target = (
        (sqlite_url, postgres_url) if source == "sqlite" else (postgres_url, sqlite_url)
    )
    before = _filled(origin, kb)
    assert uncovered(before) == []
    assert _backup(origin, tmp_path / "b.json").problems == ()
    upgrade(target)
    _restore(target, tmp_path / "b.json")
    assert read_everything(target) == before


def _reflected_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in reflect(conn)
        }
    engine.dispose()
    return out


def test_round_trip_at_an_older_revision(database_url: str, tmp_path: Path) -> None:
    """Between two downgrades the schema is read from the database, not from the models."""
    upgrade(database_url, "0004")
    engine = make_engine(database_url)
    fill_empty_tables(engine)
    engine.dispose()
    before = _reflected_rows(database_url)
    report = _backup(database_url, tmp_path / "b.json")
    assert report.revision == "0004"
    assert report.problems == ()
    assert all(report.counts.values())
    _scramble(database_url)
    _restore(database_url, tmp_path / "b.json")
    assert _reflected_rows(database_url) == before


@pytest.mark.postgres
def test_new_ids_follow_the_restored_ones_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """Revision 0004's sign_in_attempts has an id sequence, which restore moves on."""
    upgrade(postgres_url, "0004")
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sign_in_attempts (id, key, at) VALUES (1, 'a', now()), (7, 'b', now())"
            )
        )
    backup(engine, tmp_path / "b.json")
    restore(engine, tmp_path / "b.json")
    with engine.begin() as conn:
        new_id = conn.scalar(
            text("INSERT INTO sign_in_attempts (key, at) VALUES ('c', now()) RETURNING id")
        )
    engine.dispose()
    assert new_id == 8


def _as_version_1(doc: dict[str, Any]) -> dict[str, Any]:
    """The same backup as `calfcare-backup/1` wrote it from SQLite: rows as objects, times
    without an offset."""

    def old(value: Any) -> Any:
        if isinstance(value, str) and value.endswith("+00:00") and "T" in value:
            return value.removesuffix("+00:00")
        return value

    return {
        "format": "calfcare-backup/1",
        "revision": doc["revision"],
        "tables": {
            name: [{c: old(v) for c, v in zip(t["columns"], row, strict=True)} for row in t["rows"]]
            for name, t in doc["tables"].items()
        },
    }


def test_a_version_1_file_still_restores(
    database_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    before = _filled(database_url, kb)
    _backup(database_url, tmp_path / "b.json")
    doc = json.loads((tmp_path / "b.json").read_text())
    (tmp_path / "v1.json").write_text(json.dumps(_as_version_1(doc)))
    _scramble(database_url)
    _restore(database_url, tmp_path / "v1.json")
    assert read_everything(database_url) == before


# --- one snapshot ----------------------------------------------------------------------------


def _sign_up_with_session(url: str, name: str) -> None:
    """What a sign-up writes: an account and its first session, in one transaction."""
    engine = make_engine(url)
    with OrmSession(engine) as db, db.begin():
        db.add(
            User(
                id=name.ljust(32, "-"),
                email=f"{name}@example.org",
                display_name=name,
                password_hash="x",
                role="person",
                units="metric",
                created_at=datetime.now(UTC),
            )
        )
        db.flush()
        db.add(
            WebSession(
                token_hash=name.ljust(64, "-"),
                user_id=name.ljust(32, "-"),
                csrf_token="c",
                created_at=datetime.now(UTC),
                expires_at=datetime.now(UTC),
            )
        )
    engine.dispose()


def test_a_backup_is_one_snapshot(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sign-up committed after `users` was read, before `sessions`, is not half in it."""
    upgrade(database_url)
    _sign_up_with_session(database_url, "early")
    read_table = backup_module._read_table

    def read_then_sign_up(conn: Any, table: Table) -> dict[str, Any]:
        out = read_table(conn, table)
        if table.name == "users":
            _sign_up_with_session(database_url, "late")
        return out

    monkeypatch.setattr(backup_module, "_read_table", read_then_sign_up)
    report = _backup(database_url, tmp_path / "b.json")
    assert report.problems == ()
    assert (report.counts["users"], report.counts["sessions"]) == (1, 1)
    _restore(database_url, tmp_path / "b.json")


def test_backups_taken_during_sign_ups_can_all_be_restored(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    stop = threading.Event()
    errors: list[BaseException] = []

    def sign_ups() -> None:
        n = 0
        while not stop.is_set():
            try:
                _sign_up_with_session(database_url, f"p{n}")
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                return
            n += 1

    writer = threading.Thread(target=sign_ups)
    writer.start()
    try:
        reports = [_backup(database_url, tmp_path / f"b{i}.json") for i in range(8)]
    finally:
        stop.set()
        writer.join()
    assert not errors
    for report in reports:
        assert report.problems == ()
        assert report.counts["users"] == report.counts["sessions"]
    assert reports[-1].counts["users"] > 0
    _restore(database_url, reports[-1].path)


# --- what a restore refuses ------------------------------------------------------------------


def _column(doc: dict[str, Any], table: str, column: str) -> int:
    return int(doc["tables"][table]["columns"].index(column))


def _set(table: str, row: int, column: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["tables"][table]["rows"][row - 1][_column(doc, table, column)] = value

    return change


def _add_column(doc: dict[str, Any]) -> None:
    doc["tables"]["users"]["columns"].append("colour")
    for row in doc["tables"]["users"]["rows"]:
        row.append("blue")


def _drop_email(doc: dict[str, Any]) -> None:
    at = _column(doc, "users", "email")
    doc["tables"]["users"]["columns"].pop(at)
    for row in doc["tables"]["users"]["rows"]:
        row.pop(at)


def _repeat_user_id(doc: dict[str, Any]) -> None:
    rows, at = doc["tables"]["users"]["rows"], _column(doc, "users", "id")
    rows[1][at] = rows[0][at]


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("format", lambda d: d.update(format="other/1"), "not a calfcare backup"),
    ("revision", lambda d: d.update(revision="0001"), "taken at schema revision 0001"),
    (
        "unknown table",
        lambda d: d["tables"].update(pets={"columns": [], "rows": []}),
        "table pets: not a table of this schema revision",
    ),
    (
        "missing table",
        lambda d: d["tables"].pop("episodes"),
        "table episodes: missing from the backup",
    ),
    ("unknown column", _add_column, "table users, column colour: not a column of this table"),
    ("missing column", _drop_email, "table users, column email: missing from the backup"),
    (
        "text for a number",
        _set("episodes", 1, "severity", "high"),
        "table episodes, row 1, column severity: must be a whole number",
    ),
    (
        "NUL",
        _set("users", 1, "display_name", "A\u0000B"),
        "table users, row 1, column display_name: contains a NUL character (U+0000)",
    ),
    (
        "lone surrogate",
        _set("episodes", 1, "notes", "ok \ud83e"),
        "table episodes, row 1, column notes: contains a lone surrogate (U+D83E)",
    ),
    (
        "too long",
        _set("users", 2, "email", "x" * 300),
        "table users, row 2, column email: has 300 characters; the column holds at most 254",
    ),
    (
        "too big",
        _set("episodes", 1, "duration_s", 2**40),
        "table episodes, row 1, column duration_s: 1099511627776 does not fit in a 32-bit",
    ),
    (
        "NaN",
        _set("episodes", 1, "temperature_c", float("nan")),
        "table episodes, row 1, column temperature_c: nan is not a finite number",
    ),
    (
        "huge number",
        _set("episodes", 1, "fluid_l", 10**400),
        "table episodes, row 1, column fluid_l: is too large for a floating-point column",
    ),
    (
        "time out of range",
        _set("users", 1, "created_at", "0001-01-01T00:00:00+01:00"),
        "table users, row 1, column created_at: '0001-01-01T00:00:00+01:00' is not a date",
    ),
    (
        "bad day",
        _set("rehab_mornings", 1, "day", "2026-13-01"),
        "table rehab_mornings, row 1, column day: '2026-13-01' is not a date",
    ),
    (
        "number for a boolean",
        _set("reset_tokens", 1, "used", 1),
        "table reset_tokens, row 1, column used: must be true or false",
    ),
    (
        "empty",
        _set("episodes", 1, "leg", None),
        "table episodes, row 1, column leg: is empty, but the column needs a value",
    ),
    (
        "NUL in JSON",
        _set("saved_assessments", 1, "request", {"a": ["\u0000"]}),
        "table saved_assessments, row 1, column request: at .a[0]: contains a NUL",
    ),
    (
        "dangling reference",
        _set("sessions", 1, "user_id", "0" * 32),
        "table sessions, row 1, column user_id: '00000000000000000000000000000000' points to "
        "no row of users in the backup",
    ),
    ("repeated key", _repeat_user_id, "table users, row 2, column id:"),
]


def test_a_bad_file_is_refused_and_nothing_changes(
    database_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    before = _filled(database_url, kb)
    _backup(database_url, tmp_path / "good.json")
    good = (tmp_path / "good.json").read_text()
    engine = make_engine(database_url)
    for name, change, message in BAD:
        doc = json.loads(good)
        change(doc)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc))
        with pytest.raises(BackupError) as err:
            restore(engine, bad)
        assert message in str(err.value), f"{name}: {err.value}"
        assert read_everything(database_url) == before, name
    for content in (good[:100], good.replace('"rows": [', '"rows": [' + "9" * 5000, 1)):
        (tmp_path / "bad.json").write_text(content)
        with pytest.raises(BackupError, match="cannot read the backup"):
            restore(engine, tmp_path / "bad.json")
    engine.dispose()


def test_a_nul_in_a_sqlite_name_is_reported_by_the_backup(tmp_path: Path) -> None:
    """SQLite stores it, PostgreSQL cannot: the backup says so at once, restore refuses."""
    url = f"sqlite:///{tmp_path / 'calfcare.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(User).values(
                id="u1",
                email="a@example.org",
                display_name="Ann\0",
                password_hash="x",
                role="person",
                units="metric",
                created_at=NOW,
            )
        )
    report = backup(engine, tmp_path / "b.json")
    assert report.problems == (
        "table users, row 1, column display_name: contains a NUL "
        "character (U+0000) at position 4, which PostgreSQL cannot "
        "store",
    )
    with pytest.raises(BackupError, match="display_name"):
        restore(engine, tmp_path / "b.json")
    engine.dispose()


# --- column types ----------------------------------------------------------------------------


def test_every_column_of_the_models_has_a_codec() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            codec_for(column.type, f"{table.name}.{column.name}")


def test_a_column_type_without_a_codec_stops_the_backup() -> None:
    table = Table("t", MetaData(), Column("span", Interval))
    with pytest.raises(BackupError, match="cannot carry columns of type Interval"):
        codec_for(table.c.span.type, "table t, column span")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (LargeBinary(), b"\x00\xff bytes"),
        (Numeric(10, 3), Decimal("1234567.125")),
        (Time(), time(7, 30, 15, 5)),
    ],
)
def test_other_column_types_round_trip(kind: Any, value: Any) -> None:
    codec = codec_for(kind, "t.c")
    written = json.loads(json.dumps(codec.encode(value, kind)))
    assert codec.decode(written, kind) == value


# --- accounts own their rows -----------------------------------------------------------------


def test_deleting_a_user_removes_everything_it_owns(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with OrmSession(engine) as s, s.begin():
        s.add(
            User(
                id="u1",
                email="a@example.org",
                display_name="A",
                password_hash="x",
                role="person",
                units="metric",
                created_at=NOW,
            )
        )
        s.flush()
        s.add(
            Episode(
                id="e1",
                user_id="u1",
                occurred_at=NOW,
                leg="left",
                muscle="calf",
                duration_s=90,
                severity=6,
                activity="running",
                created_at=NOW,
            )
        )
    with OrmSession(engine) as s, s.begin():
        s.delete(s.get(User, "u1"))
    with OrmSession(engine) as s:
        assert s.scalar(select(func.count()).select_from(Episode)) == 0
    engine.dispose()


def test_date_values_are_written_as_iso_days(tmp_path: Path) -> None:
    codec = codec_for(Base.metadata.tables["rehab_mornings"].c.day.type, "t.c")
    assert codec.encode(date(2026, 11, 25), None) == "2026-11-25"
