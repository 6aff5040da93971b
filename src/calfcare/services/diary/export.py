"""Exporting all of a person's diary, the complete copy they can keep or take elsewhere.

* JSON: one document (`"format": "calfcare-diary/1"`) holding episodes, training sessions and
  saved assessments.
* CSV: one file per record type, each with a header row: `episodes.csv`,
  `training_sessions.csv` and `saved_assessments.csv` (its `request` column holds the request
  as JSON text). Text cells that a spreadsheet would read as a formula are written with a
  leading `'`, which import removes again.

Records come oldest first, with times in UTC (ISO 8601) and quantities in SI.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from calfcare.services.diary.crud import list_assessments, list_episodes, list_training
from calfcare.services.diary.records import (
    ASSESSMENT_COLUMNS,
    ASSESSMENT_FIELDS,
    EPISODE_COLUMNS,
    TRAINING_COLUMNS,
    aware_now,
)

FORMAT = "calfcare-diary/1"
#: The keys of an exported JSON document.
DOCUMENT_KEYS = (
    "format",
    "exported_at",
    "units",
    "episodes",
    "training_sessions",
    "saved_assessments",
)
CSV_FILES = {
    "episodes.csv": "episodes",
    "training_sessions.csv": "training_sessions",
    "saved_assessments.csv": "saved_assessments",
}
CSV_COLUMNS = {
    "episodes": EPISODE_COLUMNS,
    "training_sessions": TRAINING_COLUMNS,
    "saved_assessments": ASSESSMENT_COLUMNS,
}
#: The columns every row of an import must have (the others may be left out).
REQUIRED = {
    "episodes": ("occurred_at", "leg", "duration_s", "severity", "activity"),
    "training_sessions": ("started_at", "activity", "duration_min", "intensity"),
    "saved_assessments": ASSESSMENT_FIELDS,
}
#: Free-text columns, the only ones a person can start with a formula's character.
TEXT_COLUMNS = {"muscle", "helped", "notes"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


@dataclass(frozen=True)
class ExportFile:
    """An export as a download: its file name, media type and bytes."""

    name: str
    media_type: str
    data: bytes


def plain(value: object) -> object:
    """A value as JSON holds it (times as ISO 8601 text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def _all_records(session: Session, owner_id: str) -> dict[str, list[dict[str, object]]]:
    episodes = sorted(
        list_episodes(session, owner_id=owner_id), key=lambda e: (e.occurred_at, e.id)
    )
    sessions = sorted(list_training(session, owner_id=owner_id), key=lambda s: (s.started_at, s.id))
    assessments = sorted(
        list_assessments(session, owner_id=owner_id), key=lambda a: (a.created_at, a.id)
    )
    return {
        "episodes": [{c: plain(getattr(e, c)) for c in EPISODE_COLUMNS} for e in episodes],
        "training_sessions": [
            {c: plain(getattr(s, c)) for c in TRAINING_COLUMNS} for s in sessions
        ],
        "saved_assessments": [
            {
                c: plain(getattr(a, c)) if c != "request" else dict(a.request)
                for c in ASSESSMENT_COLUMNS
            }
            for a in assessments
        ],
    }


def export_bundle(
    session: Session, *, owner_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """All of the owner's diary as one JSON-ready document (oldest first)."""
    return {
        "format": FORMAT,
        "exported_at": aware_now(now).isoformat(),
        "units": {
            "temperature_c": "°C",
            "humidity_pct": "%",
            "fluid_l": "L",
            "carbohydrate_g": "g",
            "duration_s": "s",
            "duration_min": "min",
            "distance_km": "km",
            "times": "ISO 8601, UTC",
        },
        **_all_records(session, owner_id),
    }


def export_json(session: Session, *, owner_id: str, now: datetime | None = None) -> str:
    return (
        json.dumps(export_bundle(session, owner_id=owner_id, now=now), indent=2, ensure_ascii=False)
        + "\n"
    )


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if column in TEXT_COLUMNS and text.startswith(_FORMULA_START):
        return "'" + text  # a spreadsheet must not read it as a formula; import strips it
    return text


def export_csv(session: Session, *, owner_id: str) -> dict[str, str]:
    """All of the owner's diary as CSV texts, one per record type, keyed by file name."""
    records = _all_records(session, owner_id)
    out: dict[str, str] = {}
    for file_name, kind in CSV_FILES.items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_COLUMNS[kind])
        for rec in records[kind]:
            writer.writerow([_cell(c, rec[c]) for c in CSV_COLUMNS[kind]])
        out[file_name] = buf.getvalue()
    return out


def _utf8(text: str) -> bytes:
    """An export as UTF-8, even if it holds a lone surrogate stored before imports refused them.

    Such a character is written as its escape (`\\ud800`), which is what JSON would use.
    """
    return text.encode("utf-8", "backslashreplace")


def export_file(session: Session, *, owner_id: str, kind: str, now: datetime) -> ExportFile:
    """The owner's diary as a file to download: `json`, or `csv` (a zip of the CSV files).

    The file name carries the day (`calfcare-diary-20261125.json`). ValueError for another
    kind.
    """
    stamp = now.strftime("%Y%m%d")
    if kind == "json":
        return ExportFile(
            f"calfcare-diary-{stamp}.json",
            "application/json",
            _utf8(export_json(session, owner_id=owner_id, now=now)),
        )
    if kind == "csv":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in export_csv(session, owner_id=owner_id).items():
                zf.writestr(name, _utf8(text))
        return ExportFile(f"calfcare-diary-{stamp}-csv.zip", "application/zip", buf.getvalue())
    raise ValueError(f"unknown export format {kind!r} (json or csv)")
