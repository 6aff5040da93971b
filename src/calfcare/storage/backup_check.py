"""Everything a restore proves about a backup file before it touches the database.

The whole file is read and checked first: its format and schema revision, that every table and
column is one this revision has, that every value has the right type for its column and can be
stored by SQLite and PostgreSQL alike, that keys are unique, and that every foreign key points
to a row in the file. Only a file without a single problem is restored, so a failed check
changes nothing. `calfcare db backup` runs the same check on what it has just written, so a
backup that could not be restored is reported at once, not on the day it is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, UniqueConstraint

from calfcare.storage.backup_types import BackupError, BadValueError, Codec, codec_for

FORMAT = "calfcare-backup/2"
#: Version 1 kept each row as an object of column names; it is still read.
FORMAT_V1 = "calfcare-backup/1"
MAX_SHOWN = 20
_MISSING = object()

Rows = dict[str, list[dict[str, Any]]]
#: Rows with their 1-based position in the file, so that every message can name the row.
Numbered = list[tuple[int, dict[str, Any]]]


@dataclass
class Problems:
    """What is wrong with a file, in the words a person fixing it needs."""

    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self, source: str) -> None:
        if not self.items:
            return
        shown = "\n  ".join(self.items[:MAX_SHOWN])
        more = len(self.items) - MAX_SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        count = f"{len(self.items)} problem{'s' if len(self.items) > 1 else ''}"
        raise BackupError(f"{source}: {count}, so nothing was restored:\n  {shown}{tail}")


@dataclass(frozen=True)
class Checked:
    """A backup that passed or failed the checks: its rows, decoded, and the problems."""

    rows: Rows
    problems: Problems


def check_header(doc: Any, revision: str | None, source: str) -> Mapping[str, Any]:
    """The tables of a calfcare backup at `revision`; BackupError for any other file."""
    if not isinstance(doc, dict) or doc.get("format") not in (FORMAT, FORMAT_V1):
        raise BackupError(
            f"{source}: not a calfcare backup (expected format {FORMAT} or {FORMAT_V1})"
        )
    if doc.get("revision") != revision:
        taken = doc.get("revision")
        raise BackupError(
            f"{source}: taken at schema revision {taken}, but the database is "
            f"{f'at {revision}' if revision else 'empty'}; bring it to {taken} "
            f"first (`calfcare db upgrade {taken}` or `calfcare db downgrade "
            f"{taken}`), restore, then `calfcare db upgrade`"
        )
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise BackupError(f"{source}: the backup has no tables")
    if doc["format"] == FORMAT_V1:
        return {name: _from_v1(rows) for name, rows in tables.items()}
    return tables


def _from_v1(rows: Any) -> Any:
    """A version 1 table (a list of row objects) in the version 2 shape."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return rows
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return {"columns": columns, "rows": [[row.get(c, _MISSING) for c in columns] for row in rows]}


def check_rows(doc_tables: Mapping[str, Any], tables: Sequence[Table]) -> Checked:
    """Decode and check every row of every table (the tables in dependency order)."""
    problems = Problems()
    known = {t.name for t in tables}
    for name in doc_tables:
        if name not in known:
            problems.add(f"table {name}: not a table of this schema revision")
    numbered: dict[str, Numbered] = {}
    for table in tables:
        if table.name not in doc_tables:
            problems.add(f"table {table.name}: missing from the backup")
            continue
        numbered[table.name] = _table_rows(table, doc_tables[table.name], problems)
        _check_unique(table, numbered[table.name], problems)
    for table in tables:
        _check_references(table, numbered, problems)
    return Checked({name: [row for _, row in rows] for name, rows in numbered.items()}, problems)


def _column_problems(table: Table, columns: Any, problems: Problems) -> bool:
    """Report unknown, missing and repeated columns; True when there were none."""
    where = f"table {table.name}"
    before = len(problems.items)
    names = [c if isinstance(c, str) else repr(c) for c in columns]
    for name in dict.fromkeys(names):
        if names.count(name) > 1:
            problems.add(f"{where}, column {name}: listed twice")
        if name not in table.c:
            problems.add(f"{where}, column {name}: not a column of this table")
    for column in table.columns:
        if column.name not in names:
            problems.add(f"{where}, column {column.name}: missing from the backup")
    return len(problems.items) == before


def _table_rows(table: Table, raw: Any, problems: Problems) -> Numbered:
    where = f"table {table.name}"
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("columns"), list)
        or not isinstance(raw.get("rows"), list)
    ):
        problems.add(f"{where}: expected an object with a list of columns and a list of rows")
        return []
    columns: list[str] = raw["columns"]
    if not _column_problems(table, columns, problems):
        return []
    codecs = {c.name: codec_for(c.type, f"{where}, column {c.name}") for c in table.columns}
    out = []
    for number, values in enumerate(raw["rows"], start=1):
        row = _decode_row(table, columns, values, codecs, f"{where}, row {number}", problems)
        if row is not None:
            out.append((number, row))
    return out


def _decode_row(
    table: Table,
    columns: list[str],
    values: Any,
    codecs: Mapping[str, Codec],
    where: str,
    problems: Problems,
) -> dict[str, Any] | None:
    if not isinstance(values, list) or len(values) != len(columns):
        problems.add(f"{where}: expected a list of {len(columns)} values")
        return None
    row: dict[str, Any] = {}
    ok = True
    for name, value in zip(columns, values, strict=True):
        try:
            row[name] = _decode_value(table, name, value, codecs[name])
        except BadValueError as exc:
            problems.add(f"{where}, column {name}: {exc}")
            ok = False
    return row if ok else None


def _decode_value(table: Table, name: str, value: Any, codec: Codec) -> Any:
    if value is _MISSING:
        raise BadValueError("missing from this row")
    if value is None:
        if not table.c[name].nullable:
            raise BadValueError("is empty, but the column needs a value")
        return None
    return codec.decode(value, table.c[name].type)


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    """Primary key, unique constraints and unique indexes that apply to every row.

    A partial unique index (with a WHERE) is left to the database, which refuses the restore
    as a whole if it is broken.
    """
    sets = [tuple(c.name for c in table.primary_key.columns)]
    sets += [
        tuple(c.name for c in con.columns)
        for con in table.constraints
        if isinstance(con, UniqueConstraint)
    ]
    sets += [
        tuple(c.name for c in ix.columns)
        for ix in table.indexes
        if ix.unique
        and not any(k.endswith("_where") and v is not None for k, v in ix.dialect_kwargs.items())
    ]
    return [s for s in dict.fromkeys(sets) if s]


def _check_unique(table: Table, rows: Numbered, problems: Problems) -> None:
    for columns in _unique_sets(table):
        seen: dict[tuple[Any, ...], int] = {}
        for number, row in rows:
            key = tuple(row[c] for c in columns)
            if any(v is None for v in key):
                continue
            if key in seen:
                problems.add(
                    f"table {table.name}, row {number}, column {', '.join(columns)}: "
                    f"{_show(key)} repeats row {seen[key]}"
                )
            else:
                seen[key] = number


def _check_references(table: Table, rows: Mapping[str, Numbered], problems: Problems) -> None:
    for fk in table.foreign_key_constraints:
        target = fk.referred_table.name
        if table.name not in rows or target not in rows:
            continue  # already reported as missing
        local = [el.parent.name for el in fk.elements]
        remote = [el.column.name for el in fk.elements]
        present = {tuple(r[c] for c in remote) for _, r in rows[target]}
        for number, row in rows[table.name]:
            key = tuple(row[c] for c in local)
            if all(v is not None for v in key) and key not in present:
                problems.add(
                    f"table {table.name}, row {number}, column {', '.join(local)}: "
                    f"{_show(key)} points to no row of {target} in the backup"
                )


def _show(key: Iterable[Any]) -> str:
    return ", ".join(repr(v) for v in key)
