"""Importing an export (`export.py`) into a person's diary: all of it, or nothing.

Import checks every row first and imports nothing if any row is bad; errors name the row and
the field (`episodes[3].severity` in JSON, `episodes.csv row 5, severity` in CSV, counting the
header as row 1 as a spreadsheet does). Imported records get new ids; a record identical to one
the person already has is skipped, so importing the same file twice adds nothing.

Import refuses whatever export could not have written: unknown fields and columns, text that a
database cannot store (NUL, lone surrogates, control characters; `services/text.py`), numbers
outside a column's range, and JSON nested deeper than calfcare's own documents. So a refused
file leaves the diary as it was, and an accepted one always exports again.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from calfcare.errors import FormError
from calfcare.services.diary.crud import list_assessments, list_episodes, list_training
from calfcare.services.diary.export import (
    CSV_COLUMNS,
    CSV_FILES,
    DOCUMENT_KEYS,
    FORMAT,
    REQUIRED,
    TEXT_COLUMNS,
    plain,
)
from calfcare.services.diary.records import (
    ASSESSMENT_FIELDS,
    EPISODE_FIELDS,
    TRAINING_FIELDS,
    ImportResult,
    aware_now,
)
from calfcare.services.diary.upload import read_upload
from calfcare.services.diary.validation import assessment_values, episode_values, training_values
from calfcare.services.forms import FormReader
from calfcare.services.text import MAX_JSON_DEPTH, JsonError, load_json, shown
from calfcare.storage import tables as t

MAX_IMPORT_RECORDS = 100_000
MAX_REPORTED_ERRORS = 100
KINDS = ("episodes", "training_sessions", "saved_assessments")
_FIELDS = {
    "episodes": EPISODE_FIELDS,
    "training_sessions": TRAINING_FIELDS,
    "saved_assessments": ASSESSMENT_FIELDS,
}
_TABLES: dict[str, type[t.Episode | t.TrainingSession | t.SavedAssessment]] = {
    "episodes": t.Episode,
    "training_sessions": t.TrainingSession,
    "saved_assessments": t.SavedAssessment,
}


@dataclass(frozen=True)
class _Row:
    """One record to import: its kind, where it came from, and its raw values."""

    kind: str
    key: Callable[[str], str]
    values: Mapping[str, object]


def _locator(where: str, sep: str) -> Callable[[str], str]:
    """Names a field of one imported row: `episodes[3].severity`, `episodes.csv row 5, leg`."""
    return lambda field: f"{where}{sep}{field}"


def _row_values(row: _Row, now: datetime, tz: tzinfo) -> tuple[dict[str, Any], FormReader]:
    """The clean values of one row, and the reader holding its errors."""
    values = {k: v for k, v in row.values.items() if k not in ("id", "created_at")}
    has_created = row.kind != "training_sessions"
    allowed = (
        (*_FIELDS[row.kind], "id", "created_at") if has_created else (*_FIELDS[row.kind], "id")
    )
    form = FormReader(row.values, allowed, key=row.key)
    if row.kind == "episodes":
        out = episode_values(values, now=now, tz=tz, form=form)
    elif row.kind == "training_sessions":
        out = training_values(values, now=now, tz=tz, form=form)
    else:
        out = assessment_values(values, form=form)
    if has_created:
        out["created_at"] = form.moment("created_at", now=now, tz=tz, required=False) or now
    return out, form


def _validate_rows(
    rows: Sequence[_Row], now: datetime, tz: tzinfo
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, str]]:
    clean: list[tuple[str, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    for row in rows:
        out, form = _row_values(row, now, tz)
        errors.update(form.errors)
        clean.append((row.kind, out))
    return clean, errors


def _identity(kind: str, values: Mapping[str, Any]) -> str:
    """What makes two records the same for import (everything but id and created_at)."""
    return kind + json.dumps(
        {k: plain(v) for k, v in values.items() if k != "created_at"}, sort_keys=True, default=str
    )


def _existing(session: Session, owner_id: str) -> set[str]:
    have: set[str] = set()
    for e in list_episodes(session, owner_id=owner_id):
        have.add(_identity("episodes", {k: getattr(e, k) for k in EPISODE_FIELDS}))
    for s in list_training(session, owner_id=owner_id):
        have.add(_identity("training_sessions", {k: getattr(s, k) for k in TRAINING_FIELDS}))
    for a in list_assessments(session, owner_id=owner_id):
        have.add(
            _identity(
                "saved_assessments",
                {
                    "request": dict(a.request),
                    "triage_level": a.triage_level,
                    "top_condition": a.top_condition,
                    "kb_version": a.kb_version,
                },
            )
        )
    return have


def _refuse(errors: dict[str, str]) -> None:
    """FormError with the errors, if any; only the first MAX_REPORTED_ERRORS in full."""
    if not errors:
        return
    if len(errors) > MAX_REPORTED_ERRORS:
        shown_errors = dict(list(errors.items())[:MAX_REPORTED_ERRORS])
        shown_errors["..."] = f"and {len(errors) - MAX_REPORTED_ERRORS} more problems."
        errors = shown_errors
    raise FormError(errors)


def _import(
    session: Session,
    owner_id: str,
    rows: Sequence[_Row],
    errors: dict[str, str],
    now: datetime | None,
    tz: tzinfo,
) -> ImportResult:
    at = aware_now(now)
    if len(rows) > MAX_IMPORT_RECORDS:
        raise FormError(
            {"file": f"Too many records ({len(rows)}); at most {MAX_IMPORT_RECORDS} at a time."}
        )
    clean, row_errors = _validate_rows(rows, at, tz)
    _refuse({**errors, **row_errors})
    have = _existing(session, owner_id)
    counts = dict.fromkeys(KINDS, 0)
    duplicates = 0
    for kind, values in clean:
        if _identity(kind, values) in have:
            duplicates += 1
            continue
        session.add(_TABLES[kind](id=uuid.uuid4().hex, user_id=owner_id, **values))
        counts[kind] += 1
    session.flush()
    return ImportResult(
        episodes=counts["episodes"],
        training_sessions=counts["training_sessions"],
        saved_assessments=counts["saved_assessments"],
        duplicates=duplicates,
    )


def import_json(
    session: Session, *, owner_id: str, text: str, now: datetime | None = None, tz: tzinfo = UTC
) -> ImportResult:
    """Import a document written by `export_json`: everything, or nothing if a row is bad."""
    try:  # deeper than a request may be, so that too deep a request is named by its row
        doc = load_json(text, max_depth=2 * MAX_JSON_DEPTH)
    except JsonError as exc:
        raise FormError({"file": f"Not valid JSON: {exc}."}) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FormError({"format": f"Not a calfcare diary export (format {FORMAT})."})
    rows: list[_Row] = []
    errors: dict[str, str] = {
        shown(str(key)): "Unknown field." for key in doc if key not in DOCUMENT_KEYS
    }
    for kind in KINDS:
        items = doc.get(kind, [])
        if not isinstance(items, list):
            errors[kind] = "Must be a list of records."
            continue
        for i, item in enumerate(items):
            where = f"{kind}[{i}]"
            if not isinstance(item, dict):
                errors[where] = "Must be an object with the record's fields."
                continue
            rows.append(_Row(kind, _locator(where, "."), item))
    return _import(session, owner_id, rows, errors, now, tz)


def _uncell(column: str, value: str | None) -> str | None:
    if value is None:
        return None
    if column in TEXT_COLUMNS and value.startswith("'"):
        return value[1:]
    return value


def _header_problem(kind: str, header: Sequence[str]) -> str | None:
    """What is wrong with a CSV file's header row, or None."""
    unknown = [shown(h) for h in header if h not in CSV_COLUMNS[kind]]
    twice = sorted({h for h in header if header.count(h) > 1} - set(unknown))
    missing = [h for h in REQUIRED[kind] if h not in header]
    problems = (
        ([f"unknown column(s): {', '.join(unknown)}"] if unknown else [])
        + ([f"column(s) given twice: {', '.join(twice)}"] if twice else [])
        + ([f"missing column(s): {', '.join(missing)}"] if missing else [])
    )
    return "Header: " + "; ".join(problems) + "." if problems else None


def _csv_records(
    name: str, kind: str, text: str, errors: dict[str, str]
) -> list[dict[str, str | None]]:
    """The records of one CSV file under its checked header; its problems go to `errors`."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        problem = _header_problem(kind, header)
        if problem is not None:
            errors[f"{name} row 1"] = problem
            return []
        reader.fieldnames = header
        return list(reader)
    except csv.Error as exc:
        errors[name] = f"Not valid CSV: {exc}."
        return []


def _csv_rows(name: str, kind: str, text: str, errors: dict[str, str]) -> list[_Row]:
    """The rows of one CSV file; its problems go to `errors`."""
    rows: list[_Row] = []
    for n, record in enumerate(_csv_records(name, kind, text, errors), start=2):
        where = f"{name} row {n}"
        if None in record:
            errors[where] = "More values than columns in the header."
            continue
        values: dict[str, object] = {k: _uncell(k, v) for k, v in record.items()}
        if kind == "saved_assessments":
            raw = values.get("request")
            try:
                values["request"] = load_json(raw) if isinstance(raw, str) else raw
            except JsonError as exc:
                errors[f"{where}, request"] = f"Must be the request as JSON text ({exc})."
                continue
        rows.append(_Row(kind, _locator(where, ", "), values))
    return rows


def import_csv(
    session: Session,
    *,
    owner_id: str,
    files: Mapping[str, str],
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> ImportResult:
    """Import CSV texts written by `export_csv`, keyed by file name; any subset of the files.

    Everything is imported, or nothing if any row is bad.
    """
    rows: list[_Row] = []
    errors: dict[str, str] = {}
    for name, text in files.items():
        kind = CSV_FILES.get(name)
        if kind is None:
            errors[shown(name)] = "Unknown file; expected " + ", ".join(CSV_FILES) + "."
            continue
        rows += _csv_rows(name, kind, text, errors)
    return _import(session, owner_id, rows, errors, now, tz)


def import_file(
    session: Session,
    *,
    owner_id: str,
    name: str,
    data: bytes,
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> ImportResult:
    """Import an uploaded file (`upload.py`): JSON, one CSV file, or the zip of CSV files."""
    content = read_upload(name, data)
    if isinstance(content, str):
        return import_json(session, owner_id=owner_id, text=content, now=now, tz=tz)
    return import_csv(session, owner_id=owner_id, files=content, now=now, tz=tz)
