"""Activity files into the diary, on SQLite and PostgreSQL: each format read, each broken file
refused with its reason and nothing of it stored, duplicates skipped, sessions owned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calfcare.errors import FormError
from calfcare.services import activity, diary
from calfcare.services.activity import ActivityFile, ActivityFileError
from calfcare.storage.tables import ActivityFile as ActivityRow
from calfcare.storage.tables import TrainingSession
from tests import activity_samples as samples
from tests.services.test_diary import NOW, add_user


def _count(db: Session) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(TrainingSession)) or 0,
        db.scalar(select(func.count()).select_from(ActivityRow)) or 0,
    )


@pytest.mark.parametrize(
    ("name", "make", "temperature"),
    [
        ("run.gpx", samples.gpx, 18.0),
        ("run.tcx", samples.tcx, None),
        ("run.fit", samples.fit, 17.0),
    ],
)
def test_each_format_becomes_a_training_session_with_its_figures(
    db: Session, name: str, make: object, temperature: float | None
) -> None:
    uid = add_user(db, "runner@example.org")
    data = make(minutes=42)  # type: ignore[operator]
    got = activity.import_activities(
        db, owner_id=uid, files=[ActivityFile(name, data)], intensity=6, now=NOW
    )
    assert got.errors == ()
    assert got.duplicates == ()
    (one,) = got.imported
    assert one.session.started_at == samples.START
    assert one.session.duration_min == 42
    assert one.session.activity == "running"
    assert one.session.intensity == 6
    assert one.session.distance_km == pytest.approx(42 * 0.166, rel=0.05)
    assert one.summary.elevation_gain_m == pytest.approx(84, abs=1)
    assert one.summary.heart_rate_max == 149
    assert one.summary.temperature_c == temperature
    assert [s.id for s in diary.list_training(db, owner_id=uid)] == [one.session.id]
    details = activity.activity_details(db, owner_id=uid, training_ids=[one.session.id])
    assert details[one.session.id].format == name[-3:]


BROKEN = {
    "cut.fit": lambda: samples.fit()[:300],
    "flipped.fit": lambda: (
        samples.fit()[:200] + bytes([samples.fit()[200] ^ 0xFF]) + samples.fit()[201:]
    ),
    "cut.gpx": lambda: samples.gpx()[:900],
    "cut.tcx": lambda: samples.tcx()[:900],
    "tcx-named.gpx": lambda: samples.tcx(),
    "gpx-named.fit": lambda: samples.gpx(),
    "notes.txt": lambda: b"went for a run",
    "empty.fit": lambda: b"",
    "entities.gpx": lambda: (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>'
    ),
    "timeless.gpx": lambda: (
        samples.gpx().replace(b"<time>", b"<desc>").replace(b"</time>", b"</desc>")
    ),
    "backwards.fit": lambda: samples.fit(minutes=0, session=False),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_named_with_its_reason_and_adds_nothing(db: Session, name: str) -> None:
    uid = add_user(db, "runner@example.org")
    got = activity.import_activities(
        db, owner_id=uid, files=[ActivityFile(name, BROKEN[name]())], intensity=5, now=NOW
    )
    assert got.imported == ()
    ((where, message),) = got.errors
    assert where == name
    assert message.startswith(f"{name}: ")
    assert len(message) > len(name) + 10
    assert _count(db) == (0, 0)


def test_the_good_files_of_an_upload_are_imported_beside_a_broken_one(db: Session) -> None:
    uid = add_user(db, "runner@example.org")
    files = [
        ActivityFile("a.gpx", samples.gpx()),
        ActivityFile("b.fit", samples.fit()[:-5]),
        ActivityFile("c.tcx", samples.tcx(samples.START + timedelta(days=1))),
    ]
    got = activity.import_activities(db, owner_id=uid, files=files, intensity=5, now=NOW)
    assert [i.file_name for i in got.imported] == ["a.gpx", "c.tcx"]
    assert [e[0] for e in got.errors] == ["b.fit"]
    assert _count(db) == (2, 2)


def test_the_same_file_or_the_same_session_twice_is_a_duplicate(db: Session) -> None:
    uid = add_user(db, "runner@example.org")
    first = activity.import_activities(
        db, owner_id=uid, files=[ActivityFile("a.gpx", samples.gpx())], intensity=5, now=NOW
    )
    assert len(first.imported) == 1
    again = activity.import_activities(
        db,
        owner_id=uid,
        files=[
            ActivityFile("copy.gpx", samples.gpx()),  # the same bytes
            ActivityFile("same.fit", samples.fit(minutes=30)),  # same start and length
            ActivityFile("same-twice.tcx", samples.tcx(samples.START + timedelta(hours=5))),
            ActivityFile("same-twice-again.tcx", samples.tcx(samples.START + timedelta(hours=5))),
        ],
        intensity=5,
        now=NOW,
    )
    assert [i.file_name for i in again.imported] == ["same-twice.tcx"]
    assert again.duplicates == ("copy.gpx", "same.fit", "same-twice-again.tcx")
    assert _count(db) == (2, 2)


def test_another_persons_identical_file_is_theirs_alone(db: Session) -> None:
    alex = add_user(db, "alex@example.org")
    sam = add_user(db, "sam@example.org")
    for uid in (alex, sam):
        got = activity.import_activities(
            db, owner_id=uid, files=[ActivityFile("a.fit", samples.fit())], intensity=5, now=NOW
        )
        assert len(got.imported) == 1
    (alex_session,) = diary.list_training(db, owner_id=alex)
    assert activity.activity_details(db, owner_id=sam, training_ids=[alex_session.id]) == {}


def test_deleting_the_session_deletes_what_the_file_added(db: Session) -> None:
    uid = add_user(db, "runner@example.org")
    got = activity.import_activities(
        db, owner_id=uid, files=[ActivityFile("a.fit", samples.fit())], intensity=5, now=NOW
    )
    diary.delete_training(db, owner_id=uid, training_id=got.imported[0].session.id)
    db.flush()
    db.expire_all()
    assert _count(db) == (0, 0)
    again = activity.import_activities(
        db, owner_id=uid, files=[ActivityFile("a.fit", samples.fit())], intensity=5, now=NOW
    )
    assert len(again.imported) == 1


@pytest.mark.parametrize("intensity", [0, 11, "hard", None, True, 5.5])
def test_the_effort_must_be_given_from_1_to_10(db: Session, intensity: object) -> None:
    uid = add_user(db, "runner@example.org")
    with pytest.raises(FormError) as caught:
        activity.import_activities(
            db, owner_id=uid, files=[ActivityFile("a.fit", samples.fit())], intensity=intensity
        )
    assert set(caught.value.errors) == {"intensity"}


def test_no_files_is_a_clear_error(db: Session) -> None:
    uid = add_user(db, "runner@example.org")
    with pytest.raises(FormError) as caught:
        activity.import_activities(db, owner_id=uid, files=[], intensity=5)
    assert set(caught.value.errors) == {"files"}


def test_progress_is_reported_file_by_file(db: Session) -> None:
    uid = add_user(db, "runner@example.org")
    seen: list[int] = []
    files = [
        ActivityFile(f"{i}.fit", samples.fit(samples.START + timedelta(days=i))) for i in range(3)
    ]
    activity.import_activities(
        db, owner_id=uid, files=files, intensity=5, now=NOW, progress=seen.append
    )
    assert seen == [1, 2, 3]


def test_a_session_in_the_future_is_refused_like_a_typed_one(db: Session) -> None:
    uid = add_user(db, "runner@example.org")
    got = activity.import_activities(
        db,
        owner_id=uid,
        files=[ActivityFile("later.fit", samples.fit(NOW + timedelta(days=2)))],
        intensity=5,
        now=NOW,
    )
    assert got.imported == ()
    assert "future" in got.errors[0][1]
    assert _count(db) == (0, 0)


def test_the_sport_of_the_file_becomes_the_diary_activity() -> None:
    assert activity.read_activity("r.gpx", samples.gpx(sport="cycling")).activity == "cycling"
    assert activity.read_activity("r.tcx", samples.tcx(sport="Biking")).activity == "cycling"
    assert activity.read_activity("r.fit", samples.fit(sport=2)).activity == "cycling"
    assert activity.read_activity("r.gpx", samples.gpx(sport="kitesurfing")).activity == "other"


def test_heart_rate_and_temperature_are_left_out_when_the_file_has_none() -> None:
    got = activity.read_activity("r.gpx", samples.gpx(heart=False, temperature=None))
    assert got.heart_rate_avg is None
    assert got.heart_rate_max is None
    assert got.temperature_c is None
    with pytest.raises(ActivityFileError):
        activity.read_activity("r.gpx", b"<gpx></gpx>")
