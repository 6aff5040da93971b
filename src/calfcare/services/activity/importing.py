"""Importing activity files into a person's diary as training sessions.

Every file is read whole before anything is written, and each becomes one training session
together with its `activity_files` row, or nothing at all: a broken, cut-short or mislabelled
file is reported with its reason and adds nothing, while the other files of the same upload
are imported. A file is a duplicate, and is skipped, when the person already has the same bytes
(its SHA-256) or a training session that started at the same moment and lasted as long; the
unique (user_id, content_hash) lets the database enforce the first even for parallel imports.

Imported sessions feed what reads the diary's training sessions, such as the comparison of a
session with the person's usual ones. A file has no rating of effort, so the person gives one
(`intensity`, 1 to 10) for the files they import together.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calfcare.errors import FormError
from calfcare.services.activity.formats import read_activity
from calfcare.services.activity.summary import ActivityFileError, ActivitySummary
from calfcare.services.diary.records import TrainingRecord, as_utc, aware_now, training_record
from calfcare.services.diary.validation import training_values
from calfcare.services.text import shown
from calfcare.storage import tables as t

#: The most files one import takes (the command line may import more, in several batches).
MAX_FILES = 1000
NAME_LIMIT = 120


@dataclass(frozen=True)
class ActivityFile:
    """One file to import: the name it was given and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ImportedActivity:
    file_name: str
    session: TrainingRecord
    summary: ActivitySummary


@dataclass(frozen=True)
class ActivityImport:
    """What one import did, file by file: imported, skipped as duplicates, refused (why)."""

    imported: tuple[ImportedActivity, ...]
    duplicates: tuple[str, ...]
    errors: tuple[tuple[str, str], ...]  # (file name, message)


def _intensity(value: object) -> int:
    """The effort the person gives the files (1 to 10); FormError naming `intensity`."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10:
        return value
    if isinstance(value, str) and value.strip().isdigit() and 1 <= int(value) <= 10:
        return int(value)
    raise FormError(
        {
            "intensity": "How hard the sessions were: a whole number from 1 (very easy) to 10 "
            "(maximal effort)."
        }
    )


def _known(session: Session, owner_id: str) -> tuple[set[str], set[tuple[datetime, int]]]:
    """The hashes of the owner's imported files, and the (start, minutes) of their sessions."""
    hashes = set(
        session.scalars(
            select(t.ActivityFile.content_hash).where(t.ActivityFile.user_id == owner_id)
        )
    )
    rows = session.execute(
        select(t.TrainingSession.started_at, t.TrainingSession.duration_min).where(
            t.TrainingSession.user_id == owner_id
        )
    )
    return hashes, {(_second(s), m) for s, m in rows}


def _second(moment: datetime) -> datetime:
    return as_utc(moment).replace(microsecond=0)


def _name(name: str) -> str:
    """A file's name, safe to store and show."""
    return shown(name, NAME_LIMIT)


def _minutes(summary: ActivitySummary) -> int:
    return max(1, round(summary.duration_s / 60))


def _notes(file_name: str, s: ActivitySummary) -> str:
    return f"Imported from {shown(file_name)} ({s.format.upper()})."


def _store(
    session: Session,
    owner_id: str,
    f: ActivityFile,
    digest: str,
    s: ActivitySummary,
    intensity: int,
    now: datetime,
) -> TrainingRecord:
    """One session and its file row, in a savepoint: both are written or neither is."""
    values = training_values(
        {
            "started_at": s.started_at,
            "activity": s.activity,
            "duration_min": _minutes(s),
            "intensity": intensity,
            "distance_km": None if s.distance_m is None else round(s.distance_m / 1000, 3),
            "notes": _notes(f.name, s),
        },
        now=now,
        tz=UTC,
    )
    with session.begin_nested():
        row = t.TrainingSession(id=uuid.uuid4().hex, user_id=owner_id, **values)
        session.add(row)
        session.flush()
        session.add(
            t.ActivityFile(
                id=uuid.uuid4().hex,
                user_id=owner_id,
                training_id=row.id,
                format=s.format,
                file_name=_name(f.name)[:255],
                content_hash=digest,
                started_at=s.started_at,
                duration_s=s.duration_s,
                distance_m=s.distance_m,
                elevation_gain_m=s.elevation_gain_m,
                heart_rate_avg=s.heart_rate_avg,
                heart_rate_max=s.heart_rate_max,
                temperature_c=s.temperature_c,
                created_at=now,
            )
        )
        session.flush()
    return training_record(row)


def _read(f: ActivityFile) -> ActivitySummary | str:
    """The file's summary, or the message that says why it cannot be imported."""
    try:
        return read_activity(f.name, f.data)
    except ActivityFileError as exc:
        return str(exc)


def import_activities(
    session: Session,
    *,
    owner_id: str,
    files: Sequence[ActivityFile],
    intensity: object,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ActivityImport:
    """Import `files` into the owner's diary; see the module's description.

    `progress`, if given, is called with the number of files dealt with so far. FormError
    (naming `intensity` or `files`) when the import as a whole cannot start.
    """
    effort = _intensity(intensity)
    if not files:
        raise FormError({"files": "Choose at least one GPX, TCX or FIT file."})
    if len(files) > MAX_FILES:
        raise FormError({"files": f"Import at most {MAX_FILES} files at once."})
    at = aware_now(now)
    hashes, starts = _known(session, owner_id)
    imported: list[ImportedActivity] = []
    duplicates: list[str] = []
    errors: list[tuple[str, str]] = []
    for done, f in enumerate(files, start=1):
        digest = hashlib.sha256(f.data).hexdigest()
        read = _read(f) if digest not in hashes else None
        if isinstance(read, str):
            errors.append((_name(f.name), read))
        elif read is None or (_second(read.started_at), _minutes(read)) in starts:
            duplicates.append(_name(f.name))
        else:
            outcome = _try_store(session, owner_id, f, digest, read, effort, at)
            if isinstance(outcome, str):
                errors.append((_name(f.name), outcome))
            elif outcome is None:
                duplicates.append(_name(f.name))
            else:
                imported.append(ImportedActivity(_name(f.name), outcome, read))
                hashes.add(digest)
                starts.add((_second(read.started_at), _minutes(read)))
        if progress is not None:
            progress(done)
    return ActivityImport(tuple(imported), tuple(duplicates), tuple(errors))


def _try_store(
    session: Session,
    owner_id: str,
    f: ActivityFile,
    digest: str,
    s: ActivitySummary,
    effort: int,
    now: datetime,
) -> TrainingRecord | str | None:
    """The stored session; a message if the diary refuses it; None if a parallel import won."""
    try:
        return _store(session, owner_id, f, digest, s, effort, now)
    except FormError as exc:
        return f"{_name(f.name)}: " + " ".join(exc.errors.values())
    except IntegrityError:
        return None
