"""The diary service on SQLite and PostgreSQL: CRUD, ownership, validation, export and import."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from calfcare.engine.doctor_prompts import doctor_prompts
from calfcare.engine.episodes import EpisodeFacts, SessionFacts, episode_flags
from calfcare.errors import CalfcareError, FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase
from calfcare.services import diary
from calfcare.services.assessment import Assessor
from calfcare.services.database import ensure_schema
from calfcare.services.diary import overview as overview_module
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import current_revision, head_revision
from calfcare.storage.tables import Episode, SavedAssessment, TrainingSession, User
from tests.conftest import make_request

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def add_user(db: Session, email: str, name: str = "Alex", units: str = "metric") -> str:
    uid = uuid.uuid4().hex
    db.add(
        User(
            id=uid,
            email=email,
            display_name=name,
            password_hash="x",
            role="person",
            units=units,
            created_at=NOW,
        )
    )
    db.flush()
    return uid


def episode(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "occurred_at": NOW - timedelta(days=1),
        "leg": "left",
        "duration_s": 90,
        "severity": 6,
        "activity": "running",
        "session_load": "harder",
        "woke_from_sleep": False,
        "temperature_c": 27.5,
        "humidity_pct": 40.0,
        "fluid_l": 0.5,
        "carbohydrate_g": 0.0,
        "helped": "stretching",
        "notes": "last 5 km of a half marathon",
    }
    values.update(changes)
    return values


def training(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "started_at": NOW - timedelta(days=1, hours=1),
        "activity": "running",
        "duration_min": 95,
        "intensity": 8,
        "distance_km": 21.1,
        "notes": "race",
    }
    values.update(changes)
    return values


def count(db: Session, table: type[Any]) -> int:
    return db.scalar(select(func.count()).select_from(table)) or 0


# --- episodes ---------------------------------------------------------------------------------


def test_episode_create_read_update_delete(db: Session) -> None:
    me = add_user(db, "me@example.org")
    created = diary.create_episode(db, owner_id=me, values=episode(), now=NOW)
    assert created.occurred_at == NOW - timedelta(days=1)
    assert created.occurred_at.tzinfo is not None
    assert created.muscle == "calf"
    assert created.created_at == NOW
    db.commit()
    db.expire_all()

    got = diary.get_episode(db, owner_id=me, episode_id=created.id)
    assert got == created

    changed = diary.update_episode(
        db, owner_id=me, episode_id=created.id, values={"severity": 8, "notes": ""}, now=NOW
    )
    assert changed.severity == 8
    assert changed.notes == ""
    assert changed.leg == "left"  # untouched fields stay
    assert changed.temperature_c == 27.5

    second = diary.create_episode(
        db,
        owner_id=me,
        values=episode(
            occurred_at=NOW - timedelta(hours=2),
            leg="both",
            activity="sleeping",
            woke_from_sleep=True,
        ),
        now=NOW,
    )
    assert [e.id for e in diary.list_episodes(db, owner_id=me)] == [second.id, created.id]
    assert [e.id for e in diary.list_episodes(db, owner_id=me, limit=1)] == [second.id]
    assert [e.id for e in diary.list_episodes(db, owner_id=me, since=NOW - timedelta(hours=3))] == [
        second.id
    ]

    diary.delete_episode(db, owner_id=me, episode_id=created.id)
    db.commit()
    with pytest.raises(NotFoundError):
        diary.get_episode(db, owner_id=me, episode_id=created.id)
    assert [e.id for e in diary.list_episodes(db, owner_id=me)] == [second.id]


def test_times_are_stored_in_utc_and_a_time_without_offset_uses_tz(db: Session) -> None:
    me = add_user(db, "me@example.org")
    paris = timezone(timedelta(hours=1))
    a = diary.create_episode(
        db, owner_id=me, values=episode(occurred_at="2026-11-24T07:30:00+01:00"), now=NOW
    )
    b = diary.create_episode(
        db, owner_id=me, values=episode(occurred_at="2026-11-24T07:30"), now=NOW, tz=paris
    )
    c = diary.create_episode(
        db, owner_id=me, values=episode(occurred_at="2026-11-24T06:30:00Z"), now=NOW
    )
    db.commit()
    db.expire_all()
    expected = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    for rec in (a, b, c):
        stored = diary.get_episode(db, owner_id=me, episode_id=rec.id).occurred_at
        assert stored == expected
        assert stored.utcoffset() == timedelta(0)


def test_another_persons_records_are_not_found(db: Session) -> None:
    me = add_user(db, "me@example.org")
    other = add_user(db, "other@example.org", "Sam")
    theirs = diary.create_episode(db, owner_id=other, values=episode(), now=NOW)
    their_session = diary.create_training(db, owner_id=other, values=training(), now=NOW)
    their_assessment = diary.save_assessment(
        db,
        owner_id=other,
        request={"age": 30, "sex": "female", "evidence": []},
        triage_level="self_care",
        top_condition="nocturnal_leg_cramps",
        kb_version="636bb5cc87a47d90",
        now=NOW,
    )
    db.commit()

    def message(call: Any, **kwargs: Any) -> str:
        with pytest.raises(NotFoundError) as info:
            call(db, owner_id=me, **kwargs)
        return str(info.value)

    # The same answer as for an id that does not exist: nothing is revealed.
    missing = uuid.uuid4().hex
    assert message(diary.get_episode, episode_id=theirs.id) == message(
        diary.get_episode, episode_id=missing
    )
    message(diary.update_episode, episode_id=theirs.id, values={"severity": 0})
    message(diary.delete_episode, episode_id=theirs.id)
    assert message(diary.get_training, training_id=their_session.id) == message(
        diary.get_training, training_id=missing
    )
    message(diary.update_training, training_id=their_session.id, values={"intensity": 1})
    message(diary.delete_training, training_id=their_session.id)
    assert message(diary.get_assessment, assessment_id=their_assessment.id) == message(
        diary.get_assessment, assessment_id=missing
    )
    message(diary.delete_assessment, assessment_id=their_assessment.id)
    db.rollback()

    # Nothing of theirs changed, and none of it shows in my lists.
    assert diary.get_episode(db, owner_id=other, episode_id=theirs.id) == theirs
    assert diary.get_training(db, owner_id=other, training_id=their_session.id) == their_session
    assert diary.list_episodes(db, owner_id=me) == []
    assert diary.list_training(db, owner_id=me) == []
    assert diary.list_assessments(db, owner_id=me) == []
    assert diary.export_bundle(db, owner_id=me)["episodes"] == []


def test_validation_names_every_bad_field(db: Session) -> None:
    me = add_user(db, "me@example.org")
    bad = {
        "occurred_at": NOW + timedelta(hours=2),
        "leg": "middle",
        "duration_s": 0,
        "severity": 11,
        "activity": "chess",
        "session_load": "huge",
        "woke_from_sleep": "perhaps",
        "temperature_c": 60,
        "humidity_pct": -1,
        "fluid_l": 12,
        "carbohydrate_g": 501,
        "helped": "x" * 201,
        "notes": "ok",
    }
    with pytest.raises(FormError) as info:
        diary.create_episode(db, owner_id=me, values=bad, now=NOW)
    errors = info.value.errors
    assert set(errors) == set(bad) - {"notes"}
    assert errors["occurred_at"] == "Cannot be more than 1 hour in the future."
    assert "left, right or both" in errors["leg"]
    assert "86400 (24 hours)" in errors["duration_s"]
    assert "0 to 10" in errors["severity"]
    assert "11" in errors["severity"]
    assert "or other" in errors["activity"]
    assert "-30 to 55 °C" in errors["temperature_c"]
    assert "0 to 100 %" in errors["humidity_pct"]
    assert "0 to 10 litres" in errors["fluid_l"]
    assert "0 to 500 grams" in errors["carbohydrate_g"]
    assert "200 characters" in errors["helped"]
    assert count(db, Episode) == 0


def test_validation_edges_and_required_fields(db: Session) -> None:
    me = add_user(db, "me@example.org")
    with pytest.raises(FormError) as info:
        diary.create_episode(db, owner_id=me, values={}, now=NOW)
    assert set(info.value.errors) == {"occurred_at", "leg", "duration_s", "severity", "activity"}
    assert all(m.startswith("Required") for m in info.value.errors.values())

    # the limits themselves are allowed; strings as a form or CSV sends them are read
    ok = diary.create_episode(
        db,
        owner_id=me,
        values=episode(
            occurred_at=(NOW + timedelta(minutes=59)).isoformat(),
            duration_s="86400",
            severity="0",
            temperature_c="-30",
            humidity_pct="100",
            fluid_l="10",
            carbohydrate_g="500",
            woke_from_sleep="yes",
            leg="Both",
            session_load="",
        ),
        now=NOW,
    )
    assert (ok.duration_s, ok.severity, ok.leg, ok.woke_from_sleep, ok.session_load) == (
        86400,
        0,
        "both",
        True,
        None,
    )
    assert diary.create_episode(db, owner_id=me, values=episode(duration_s=1), now=NOW)

    for field, value in [
        ("duration_s", 86401),
        ("duration_s", 1.5),
        ("severity", True),
        ("severity", "7.5"),
        ("temperature_c", "nan"),
        ("temperature_c", "hot"),
        ("occurred_at", "yesterday"),
        ("occurred_at", "1850-01-01T00:00"),
        ("notes", "a\x00b"),
        ("notes", 42),
    ]:
        with pytest.raises(FormError) as info:
            diary.create_episode(db, owner_id=me, values=episode(**{field: value}), now=NOW)
        assert list(info.value.errors) == [field], (field, value)
    with pytest.raises(FormError) as info:
        diary.create_episode(db, owner_id=me, values=episode(severty=3), now=NOW)
    assert info.value.errors == {"severty": "Unknown field."}


def test_update_validates_the_merged_record(db: Session) -> None:
    me = add_user(db, "me@example.org")
    rec = diary.create_episode(db, owner_id=me, values=episode(), now=NOW)
    with pytest.raises(FormError) as info:
        diary.update_episode(
            db, owner_id=me, episode_id=rec.id, values={"severity": -1, "leg": "up"}, now=NOW
        )
    assert set(info.value.errors) == {"severity", "leg"}
    with pytest.raises(FormError):
        diary.update_episode(db, owner_id=me, episode_id=rec.id, values={"id": "x"}, now=NOW)
    assert diary.get_episode(db, owner_id=me, episode_id=rec.id).severity == 6


# --- training sessions and saved assessments --------------------------------------------------


def test_training_sessions(db: Session) -> None:
    me = add_user(db, "me@example.org")
    rec = diary.create_training(db, owner_id=me, values=training(), now=NOW)
    assert rec.duration_min == 95
    assert rec.distance_km == 21.1
    assert (
        diary.update_training(
            db, owner_id=me, training_id=rec.id, values={"intensity": "5"}, now=NOW
        ).intensity
        == 5
    )
    with pytest.raises(FormError) as info:
        diary.create_training(
            db,
            owner_id=me,
            values=training(duration_min=1441, intensity=0, activity="sleeping"),
            now=NOW,
        )
    assert set(info.value.errors) == {"duration_min", "intensity", "activity"}
    assert "1 to 1440" in info.value.errors["duration_min"]
    assert "1 (very easy)" in info.value.errors["intensity"]
    assert [s.id for s in diary.list_training(db, owner_id=me)] == [rec.id]
    diary.delete_training(db, owner_id=me, training_id=rec.id)
    assert diary.list_training(db, owner_id=me) == []


def test_saved_assessment_keeps_request_level_condition_and_version(
    db: Session, assessor: Assessor
) -> None:
    me = add_user(db, "me@example.org")
    request = make_request(
        age=44,
        sex="male",
        felt_pop_or_kick="present",
        calf_pain="present",
        cannot_stand_on_tiptoe="present",
    )
    result = assessor.assess(request)
    saved = diary.save_assessment(
        db,
        owner_id=me,
        request=request,
        triage_level=result["triage_level"],
        top_condition=result["conditions"][0]["id"],
        kb_version=result["kb_version"],
        now=NOW,
    )
    db.commit()
    db.expire_all()
    got = diary.get_assessment(db, owner_id=me, assessment_id=saved.id)
    assert got.request == request
    assert got.triage_level == result["triage_level"]
    assert got.kb_version == assessor.kb.content_hash
    assert diary.list_assessments(db, owner_id=me) == [got]

    with pytest.raises(FormError) as info:
        diary.save_assessment(
            db,
            owner_id=me,
            request=["not", "a", "dict"],  # type: ignore[arg-type]
            triage_level="soon",
            top_condition="Bad Id",
            kb_version="",
            now=NOW,
        )
    assert set(info.value.errors) == {"request", "triage_level", "top_condition", "kb_version"}
    diary.delete_assessment(db, owner_id=me, assessment_id=saved.id)
    assert diary.list_assessments(db, owner_id=me) == []


# --- export and import ------------------------------------------------------------------------


def fill(db: Session, owner: str) -> None:
    diary.create_episode(db, owner_id=owner, values=episode(), now=NOW)
    diary.create_episode(
        db,
        owner_id=owner,
        values=episode(
            occurred_at=NOW - timedelta(days=3, hours=4),
            leg="right",
            duration_s=700,
            severity=9,
            activity="sleeping",
            session_load=None,
            woke_from_sleep=True,
            temperature_c=None,
            humidity_pct=None,
            fluid_l=None,
            carbohydrate_g=None,
            helped="",
            notes='=HYPERLINK("x") said "ouch",\nthen walked; ünïcödé',
        ),
        now=NOW,
    )
    diary.create_episode(
        db,
        owner_id=owner,
        values=episode(
            occurred_at=NOW - timedelta(days=40),
            notes="-5 °C outside",
            helped="+walking",
            temperature_c=-5.25,
            fluid_l=1 / 3,
        ),
        now=NOW,
    )
    diary.create_training(db, owner_id=owner, values=training(), now=NOW)
    diary.create_training(
        db,
        owner_id=owner,
        values=training(started_at=NOW - timedelta(days=10), distance_km=None, notes=""),
        now=NOW,
    )
    diary.save_assessment(
        db,
        owner_id=owner,
        request=make_request(calf_pain="present"),
        triage_level="consultation",
        top_condition="calf_muscle_strain",
        kb_version="636bb5cc87a47d90",
        now=NOW - timedelta(days=2),
    )
    db.commit()


def without_ids(bundle: dict[str, Any]) -> dict[str, Any]:
    return {
        kind: [{k: v for k, v in rec.items() if k != "id"} for rec in bundle[kind]]
        for kind in ("episodes", "training_sessions", "saved_assessments")
    }


def test_json_export_import_round_trip(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    text = diary.export_json(db, owner_id=me, now=NOW)
    doc = json.loads(text)
    assert doc["format"] == "calfcare-diary/1"
    assert (len(doc["episodes"]), len(doc["training_sessions"]), len(doc["saved_assessments"])) == (
        3,
        2,
        1,
    )

    copy = add_user(db, "copy@example.org")
    result = diary.import_json(db, owner_id=copy, text=text, now=NOW)
    assert result == diary.ImportResult(3, 2, 1, 0)
    db.commit()
    db.expire_all()
    theirs = diary.export_bundle(db, owner_id=copy, now=NOW)
    assert without_ids(theirs) == without_ids(doc)
    my_ids = {e["id"] for e in doc["episodes"]}
    assert not my_ids & {e["id"] for e in theirs["episodes"]}  # new ids, never reused

    # Importing the same file again adds nothing.
    again = diary.import_json(db, owner_id=copy, text=text, now=NOW)
    assert again == diary.ImportResult(0, 0, 0, 6)
    assert count(db, Episode) == 6


def test_csv_export_import_round_trip(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    files = diary.export_csv(db, owner_id=me)
    assert set(files) == {"episodes.csv", "training_sessions.csv", "saved_assessments.csv"}
    header = files["episodes.csv"].splitlines()[0]
    assert header.startswith("id,occurred_at,leg,muscle,duration_s,severity,activity")
    # a cell a spreadsheet would run as a formula is quoted
    assert "'=HYPERLINK" in files["episodes.csv"]
    assert "'-5 °C outside" in files["episodes.csv"]

    copy = add_user(db, "copy@example.org")
    assert diary.import_csv(db, owner_id=copy, files=files, now=NOW) == diary.ImportResult(
        3, 2, 1, 0
    )
    db.commit()
    db.expire_all()
    assert without_ids(diary.export_bundle(db, owner_id=copy)) == without_ids(
        diary.export_bundle(db, owner_id=me)
    )

    # Only some of the files, with a spreadsheet's byte-order mark, is fine too.
    other = add_user(db, "other@example.org")
    assert (
        diary.import_csv(
            db, owner_id=other, files={"episodes.csv": "\ufeff" + files["episodes.csv"]}, now=NOW
        ).episodes
        == 3
    )


def test_a_bad_json_import_changes_nothing(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    doc = json.loads(diary.export_json(db, owner_id=me, now=NOW))
    doc["episodes"][1]["severity"] = 12
    doc["training_sessions"][0]["duration_min"] = "long"
    before = (count(db, Episode), count(db, TrainingSession), count(db, SavedAssessment))
    target = add_user(db, "target@example.org")
    with pytest.raises(FormError) as info:
        diary.import_json(db, owner_id=target, text=json.dumps(doc), now=NOW)
    assert set(info.value.errors) == {"episodes[1].severity", "training_sessions[0].duration_min"}
    db.commit()
    assert (count(db, Episode), count(db, TrainingSession), count(db, SavedAssessment)) == before

    with pytest.raises(FormError) as info:
        diary.import_json(db, owner_id=target, text="{broken", now=NOW)
    assert "Not valid JSON" in info.value.errors["file"]
    with pytest.raises(FormError) as info:
        diary.import_json(db, owner_id=target, text='{"format": "other"}', now=NOW)
    assert "format" in info.value.errors


def test_a_bad_csv_import_changes_nothing_and_names_row_and_field(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    files = diary.export_csv(db, owner_id=me)
    lines = files["episodes.csv"].splitlines()
    header = lines[0].split(",")
    row = next(csv_row for csv_row in _rows(files["episodes.csv"]) if csv_row["leg"] == "left")
    bad_row = dict(row, leg="middle", occurred_at="not a date")
    text = _csv(header, [*_rows(files["episodes.csv"]), bad_row])
    target = add_user(db, "target@example.org")
    with pytest.raises(FormError) as info:
        diary.import_csv(db, owner_id=target, files={**files, "episodes.csv": text}, now=NOW)
    # header is row 1, the three good rows are rows 2-4, the bad one row 5
    assert set(info.value.errors) == {"episodes.csv row 5, leg", "episodes.csv row 5, occurred_at"}
    db.commit()
    assert diary.list_episodes(db, owner_id=target) == []
    assert diary.list_training(db, owner_id=target) == []

    with pytest.raises(FormError) as info:
        diary.import_csv(
            db,
            owner_id=target,
            files={"episodes.csv": "when,leg\n2026-01-01,left\n", "notes.txt": ""},
            now=NOW,
        )
    assert "unknown column(s): when" in info.value.errors["episodes.csv row 1"]
    assert "missing column(s): occurred_at" in info.value.errors["episodes.csv row 1"]
    assert "notes.txt" in info.value.errors


def _deep(levels: int) -> object:
    value: object = []
    for _ in range(levels):
        value = [value]
    return value


#: (where in the exported document, the value put there, the field the error names)
UNWRITABLE = [
    (("episodes", 0, "notes"), "a\x00b", "episodes[0].notes"),
    (("episodes", 0, "notes"), "lone \ud800", "episodes[0].notes"),
    (("episodes", 0, "helped"), "\x1b[31m", "episodes[0].helped"),
    (("episodes", 0, "muscle"), "calf\x00", "episodes[0].muscle"),
    (("episodes", 0, "leg"), "\ud800", "episodes[0].leg"),
    (("episodes", 0, "id"), "a\x00", "episodes[0].id"),
    (("episodes", 0, "severity"), 2**40, "episodes[0].severity"),
    (("episodes", 0, "duration_s"), "٤٠", "episodes[0].duration_s"),
    (("episodes", 0, "duration_s"), 2**31, "episodes[0].duration_s"),
    (("episodes", 0, "temperature_c"), 1e308, "episodes[0].temperature_c"),
    (("episodes", 0, "colour"), "red", "episodes[0].colour"),
    (("episodes", 0, "\ud800"), 1, "episodes[0].\\ud800"),
    (("training_sessions", 0, "intensity"), "²", "training_sessions[0].intensity"),
    (("training_sessions", 0, "notes"), "\x00", "training_sessions[0].notes"),
    (("saved_assessments", 0, "request", "note"), "\ud800", "saved_assessments[0].request.note"),
    (("saved_assessments", 0, "request", "n\x00"), 1, "saved_assessments[0].request.n\\x00"),
    (
        ("saved_assessments", 0, "request", "deep"),
        _deep(40),
        "saved_assessments[0].request.deep" + "[0]" * 32,
    ),
    (("saved_assessments", 0, "top_condition"), "calf\x00", "saved_assessments[0].top_condition"),
    (("extra",), 1, "extra"),
]


@pytest.mark.parametrize(("where", "value", "field"), UNWRITABLE)
def test_import_refuses_what_export_could_not_write(
    db: Session, where: tuple[Any, ...], value: Any, field: str
) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    doc = json.loads(diary.export_json(db, owner_id=me, now=NOW))
    target: Any = doc
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    other = add_user(db, "other@example.org")
    db.commit()
    with pytest.raises(FormError) as info:
        diary.import_json(db, owner_id=other, text=json.dumps(doc), now=NOW)
    assert set(info.value.errors) == {field}
    str(info.value).encode("utf-8")  # every message can be shown
    db.commit()
    assert diary.export_bundle(db, owner_id=other, now=NOW)["episodes"] == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            '{"format": "calfcare-diary/1", "episodes": [{"severity": ' + "9" * 5000 + "}]}",
            "too large",
        ),
        (
            '{"format": "calfcare-diary/1", "episodes": ' + "[" * 10_000 + "]" * 10_000 + "}",
            "nested",
        ),
        ('{"format": "calfcare-diary/1", "episodes": [{"fluid_l": NaN}]}', "NaN"),
    ],
)
def test_import_refuses_json_it_cannot_read(db: Session, text: str, words: str) -> None:
    me = add_user(db, "me@example.org")
    with pytest.raises(FormError) as info:
        diary.import_json(db, owner_id=me, text=text, now=NOW)
    assert words in info.value.errors["file"]


def test_a_csv_import_refuses_unwritable_cells_naming_row_and_field(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    files = diary.export_csv(db, owner_id=me)
    rows = _rows(files["episodes.csv"])
    header = list(rows[0])
    rows[1]["notes"] = "a\x00b"
    rows[2]["severity"] = "9" * 5000
    other = add_user(db, "other@example.org")
    db.commit()
    with pytest.raises(FormError) as info:
        diary.import_csv(
            db,
            owner_id=other,
            files={
                "episodes.csv": _csv(header, rows),
                "saved_assessments.csv": files["saved_assessments.csv"].replace(
                    '""calf_pain""', '""\\ud800""'
                ),
                "training_sessions.csv": "id,started_at,started_at,activity,duration_min,"
                "intensity\n",
            },
            now=NOW,
        )
    assert info.value.errors == {
        "episodes.csv row 3, notes": "Must not contain NUL characters.",
        "episodes.csv row 4, severity": "Must be a whole number from 0 to 10 (got '"
        + "9" * 37
        + "...').",
        "saved_assessments.csv row 2, request.evidence[0].id": (
            "Must not contain invalid characters (a lone UTF-16 surrogate)."
        ),
        "training_sessions.csv row 1": "Header: column(s) given twice: started_at.",
    }
    assert diary.list_episodes(db, owner_id=other) == []


def test_an_export_of_any_size_imports_again(db: Session) -> None:
    me = add_user(db, "me@example.org")
    for i in range(300):
        diary.create_episode(
            db,
            owner_id=me,
            values=episode(
                occurred_at=NOW - timedelta(hours=i + 1), notes=f"episode {i} " + "x" * 200
            ),
            now=NOW,
        )
    text = diary.export_json(db, owner_id=me, now=NOW)
    assert len(text.encode()) > 64 * 1024
    copy = add_user(db, "copy@example.org")
    assert diary.import_json(db, owner_id=copy, text=text, now=NOW).episodes == 300


def test_an_id_no_database_could_hold_names_nothing(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    for get in (diary.get_episode, diary.delete_episode):
        with pytest.raises(NotFoundError):
            get(db, owner_id=me, episode_id="a\x00")
    for get in (diary.get_training, diary.delete_training):
        with pytest.raises(NotFoundError):
            get(db, owner_id=me, training_id="\x00")
    for get in (diary.get_assessment, diary.delete_assessment):
        with pytest.raises(NotFoundError):
            get(db, owner_id=me, assessment_id="\x00")
    with pytest.raises(NotFoundError):
        diary.person_by_email(db, email="me\x00@example.org")


def test_episodes_page_by_offset(db: Session) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    every = diary.list_episodes(db, owner_id=me)
    assert diary.list_episodes(db, owner_id=me, offset=1, limit=1) == every[1:2]
    assert diary.list_episodes(db, owner_id=me, offset=10) == []


def _rows(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


# --- insights, the clinician list, people and the schema --------------------------------------


def test_insights_from_the_database(db: Session, kb: KnowledgeBase) -> None:
    me = add_user(db, "me@example.org")
    fill(db, me)
    for days in (5, 6):
        diary.create_episode(
            db,
            owner_id=me,
            values=episode(
                occurred_at=NOW - timedelta(days=days),
                activity="sleeping",
                session_load=None,
                woke_from_sleep=True,
            ),
            now=NOW,
        )
    other = add_user(db, "other@example.org")
    for days in range(10):
        diary.create_episode(
            db,
            owner_id=other,
            values=episode(occurred_at=NOW - timedelta(days=days, hours=1)),
            now=NOW,
        )
    db.commit()
    got = diary.insights(db, owner_id=me, now=NOW, kb=kb)
    assert got.total == 5  # only mine, all within 12 months
    assert {p.id for p in got.prompts} == {
        "regular_cramps",
        "cramps_disturb_sleep",
        "cramp_longer_than_10_minutes",
    }
    without_fuel = next(s for s in got.shares if s.id == "without_fuel")
    # the 1-day-old episode is inside the 95-minute session and has 0 g carbohydrate;
    # the 40-day-old one has no session; the sleeping ones are not in a session
    assert without_fuel.count == 1
    assert diary.insights(db, owner_id=uuid.uuid4().hex, now=NOW, kb=kb).total == 0


def test_insights_follow_the_persons_time_zone_and_its_daylight_saving(
    db: Session, kb: KnowledgeBase
) -> None:
    from zoneinfo import ZoneInfo

    me = add_user(db, "zone@example.org")
    # 22:30 UTC is 23:30 in London in summer (BST) and 22:30 in winter (GMT): evening both
    # times. In New York it is 18:30 in summer (EDT, evening) but 17:30 in winter (EST).
    for at in (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), datetime(2026, 1, 10, 22, 30, tzinfo=UTC)):
        diary.create_episode(db, owner_id=me, values=episode(occurred_at=at), now=NOW)
    diary.create_episode(
        db,
        owner_id=me,
        values=episode(occurred_at="2026-11-24T23:30"),
        now=NOW,
        tz=ZoneInfo("America/New_York"),
    )
    db.commit()
    got = diary.insights(db, owner_id=me, now=NOW, tz=ZoneInfo("Europe/London"), kb=kb)
    assert {c.key: c.count for c in got.time_of_day}["evening"] == 2
    assert {c.key: c.count for c in got.time_of_day}["night"] == 1  # 04:30 in London
    ny = diary.insights(db, owner_id=me, now=NOW, tz=ZoneInfo("America/New_York"), kb=kb)
    assert {c.key: c.count for c in ny.time_of_day}["evening"] == 2
    assert {c.key: c.count for c in ny.time_of_day}["afternoon"] == 1
    assert ny.now == NOW
    assert ny.utc_offset == timedelta(hours=-5)
    assert ny.period_start == datetime(2025, 12, 1, 5, 0, tzinfo=UTC)  # midnight EST


def test_clinician_overview(db: Session, kb: KnowledgeBase) -> None:
    busy = add_user(db, "busy@example.org", "Busy")
    quiet = add_user(db, "quiet@example.org", "Quiet")
    empty = add_user(db, "empty@example.org", "Empty")
    fill(db, busy)
    diary.create_episode(
        db,
        owner_id=quiet,
        values=episode(occurred_at=NOW - timedelta(hours=1), temperature_c=18.0),
        now=NOW,
    )
    db.commit()
    overview = diary.clinician_overview(
        db, person_ids=[quiet, uuid.uuid4().hex, empty, busy, quiet], now=NOW, latest=2, kb=kb
    )
    assert [p.display_name for p in overview] == ["Busy", "Quiet", "Empty"]
    busy_view = overview[0]
    assert busy_view.recent_count == 2
    assert [p.id for p in busy_view.prompts] == ["cramp_longer_than_10_minutes"]
    assert len(busy_view.latest) == 2
    newest, older = busy_view.latest
    assert newest.flags == ("longer_or_harder", "heat", "without_fuel")
    assert older.flags == ("woke_from_sleep", "long")
    assert overview[1].latest[0].flags == ("longer_or_harder",)
    assert overview[2].latest == ()


def overview_one_by_one(db: Session, pid: str, latest: int, kb: KnowledgeBase) -> tuple[Any, ...]:
    """What clinician_overview gives for one person, computed with one query per part."""
    rules = kb.diary_rules
    window = max(p.criterion.within_days for p in rules.prompts)
    since = NOW - timedelta(days=window)
    recent = diary.list_episodes(db, owner_id=pid, since=since)
    newest = diary.list_episodes(db, owner_id=pid, limit=latest)
    oldest = min([e.occurred_at for e in newest] + [since])
    reach = timedelta(minutes=1440 + rules.factors.without_fuel.after_session_min)
    sessions = [
        SessionFacts(started_at=s.started_at, duration_min=s.duration_min)
        for s in diary.list_training(db, owner_id=pid, since=oldest - reach)
    ]
    flagged = tuple(
        diary.FlaggedEpisode(e, episode_flags(facts(e), sessions, rules)) for e in newest
    )
    return (flagged, len(recent), doctor_prompts([facts(e) for e in recent], rules, NOW))


def facts(e: diary.EpisodeRecord) -> EpisodeFacts:
    return EpisodeFacts(
        id=e.id,
        occurred_at=e.occurred_at,
        duration_s=e.duration_s,
        severity=e.severity,
        activity=e.activity,
        session_load=e.session_load,
        woke_from_sleep=e.woke_from_sleep,
        temperature_c=e.temperature_c,
        humidity_pct=e.humidity_pct,
        carbohydrate_g=e.carbohydrate_g,
    )


def test_clinician_overview_matches_one_by_one_in_a_fixed_number_of_queries(
    db: Session, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    people = [add_user(db, f"p{i}@example.org", f"P{i:02d}") for i in range(24)]
    for i, pid in enumerate(people):
        # none, one or two, or many episodes; recent ones, only old ones, or both
        count = (0, 1, 2, 9)[i % 4]
        oldest_days = 25 if i % 3 == 0 else 200
        newest_days = 40 if i % 5 == 1 else 0
        moments = [
            NOW - timedelta(days=rng.uniform(newest_days, oldest_days)) for _ in range(count)
        ]
        moments.sort(reverse=True)
        if count > 1 and i % 2:
            moments[1] = moments[0]  # the newest two at once: the id decides the order
        for at in moments:
            diary.create_training(
                db,
                owner_id=pid,
                values=training(
                    started_at=at - timedelta(minutes=rng.choice((10, 200))),
                    duration_min=rng.choice((45, 95)),
                ),
                now=NOW,
            )
            diary.create_episode(
                db,
                owner_id=pid,
                values=episode(
                    occurred_at=at,
                    duration_s=rng.choice((60, 700)),
                    woke_from_sleep=rng.random() < 0.4,
                    carbohydrate_g=rng.choice((None, 0, 30)),
                    temperature_c=rng.choice((None, 15.0, 30.0)),
                    session_load=rng.choice((None, "usual", "harder")),
                ),
                now=NOW,
            )
    db.commit()
    bind = db.get_bind()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    for latest in (0, 1, 3, 5):
        statements.clear()
        event.listen(bind, "before_cursor_execute", count)
        try:
            overview = diary.clinician_overview(
                db, person_ids=[*people, uuid.uuid4().hex], now=NOW, latest=latest, kb=kb
            )
        finally:
            event.remove(bind, "before_cursor_execute", count)
        assert len(statements) <= 5  # not per person
        assert sorted(p.person_id for p in overview) == sorted(people)
        for p in overview:
            assert (p.latest, p.recent_count, p.prompts) == overview_one_by_one(
                db, p.person_id, latest, kb
            )
        monkeypatch.setattr(overview_module, "IN_BATCH", 5)
        assert (
            diary.clinician_overview(db, person_ids=people, now=NOW, latest=latest, kb=kb)
            == overview
        )
        monkeypatch.undo()
    with pytest.raises(ValueError, match="latest"):
        diary.clinician_overview(db, person_ids=people, now=NOW, latest=-1, kb=kb)


def test_person_by_email(db: Session) -> None:
    me = add_user(db, "Me@Example.org", units="imperial")
    person = diary.person_by_email(db, email=" me@example.ORG ")
    assert (person.id, person.units) == (me, "imperial")
    with pytest.raises(NotFoundError):
        diary.person_by_email(db, email="nobody@example.org")


def test_ensure_schema(database_url: str) -> None:
    assert ensure_schema(database_url) is True
    engine = make_engine(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert ensure_schema(database_url) is False


def test_ensure_schema_refuses_a_foreign_database(tmp_path: Any) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE something (x INTEGER)")
    with pytest.raises(CalfcareError, match="calfcare db upgrade"):
        ensure_schema(f"sqlite:///{path}")
