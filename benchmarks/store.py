"""Storage speed: the diary service on a large database, SQLite and PostgreSQL.

Seeds 10,000 persons with 100 cramp episodes each (1,000,000 episodes) and 20 training
sessions each, plus one clinician linked to 500 of the persons (clinician_links rows), into a
schema made by the Alembic migrations: a temporary SQLite file, and a throw-away PostgreSQL
database on 127.0.0.1:5432 (CALFCARE_BENCH_POSTGRES_URL names the server's admin database),
dropped at the end. Seeding uses bulk inserts (executemany on SQLite, COPY on PostgreSQL) in
a few transactions of 200,000 rows, in time order across persons as a real diary fills up (so
a person's rows are spread over the table, not side by side); SQLite seeds through its own
connections with a large page cache and no fsync, closed before measuring; on PostgreSQL
seeding ends with VACUUM ANALYZE, as autovacuum would soon do.

Each person's episodes fall in the 270 days before their last one, which is "now" for 90 % of
the persons and 31-60 days ago for the rest, so every episode is inside the insights' 12 months
and some persons have nothing in the clinician list's 30-day window.

Then it times the service calls as a web request makes them (a new ORM session each):

    (a) a person's diary page: diary.list_episodes(limit=50), over 200 random persons;
    (b) insights: diary.insights (all of the person's episodes), over the same persons;
    (c) a clinician's list: the person ids from clinician_links, then
        diary.clinician_overview for those 500 persons, 50 repetitions;

and, as the baseline for ratios, `SELECT 1` through a new session. It prints median, p95, the
SQL statements per call and PASS/FAIL for each target: (a) and (b) median <= 100 ms, (c) median
<= 200 ms. A measurement, not a test: the exit code is 0 even when a target fails.

Usage: python benchmarks/store.py [--persons 10000] [--episodes 100] [--sessions 20]
                                  [--linked 500] [--samples 200] [--repeats 50]
                                  [--skip-postgres] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from calfcare.kb.loader import load_kb
from calfcare.services import diary
from calfcare.storage import tables as t
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade

ADMIN_URL = os.environ.get(
    "CALFCARE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime.now(UTC).replace(microsecond=0)
SPAN = timedelta(days=270)
ROWS_PER_TRANSACTION = 200_000
#: Target per measurement: the largest acceptable median, in ms.
TARGETS = {"diary_page": 100.0, "insights": 100.0, "clinician_list": 200.0}

LEGS = ("left", "right", "both")
ACTIVITIES = (
    "sleeping",
    "resting",
    "walking",
    "running",
    "running",
    "cycling",
    "football",
    "gym",
    "hiking",
    "work",
    "other",
)
LOADS = (None, None, "less", "usual", "usual", "longer", "harder")
TRAINING = ("running", "cycling", "swimming", "football", "gym", "hiking")


# --- seeding ----------------------------------------------------------------------------------

EPISODE_COLUMNS = (
    "id",
    "user_id",
    "occurred_at",
    "leg",
    "muscle",
    "duration_s",
    "severity",
    "activity",
    "session_load",
    "woke_from_sleep",
    "temperature_c",
    "humidity_pct",
    "fluid_l",
    "carbohydrate_g",
    "helped",
    "notes",
    "created_at",
)
SESSION_COLUMNS = (
    "id",
    "user_id",
    "started_at",
    "activity",
    "duration_min",
    "intensity",
    "distance_km",
    "notes",
)
USER_COLUMNS = ("id", "email", "display_name", "password_hash", "role", "units", "created_at")
LINK_COLUMNS = ("person_id", "clinician_id", "created_at")


def _ids(n: int) -> list[str]:
    """n random 32-hex-digit ids (uuid4-like), quickly."""
    blob = os.urandom(16 * n).hex()
    return [blob[i : i + 32] for i in range(0, 32 * n, 32)]


class Writer:
    """Bulk rows into one table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        dt = t.Episode.__table__.c.occurred_at.type
        processor = dt.dialect_impl(engine.dialect).bind_processor(engine.dialect)
        # SQLite stores a DateTime as text in SQLAlchemy's format; format it the same way.
        self.moment: Callable[[datetime], Any] = (
            (lambda v: v) if self.postgres or processor is None else processor
        )

    def write(
        self, conn: Any, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        names = ", ".join(columns)
        if self.postgres:
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _episodes(
    w: Writer, rng: random.Random, person: str, n: int, end: datetime
) -> list[tuple[Any, ...]]:
    rows = []
    span_s = int(SPAN.total_seconds())
    for eid in _ids(n):
        at = end - timedelta(seconds=rng.randrange(span_s))
        activity = rng.choice(ACTIVITIES)
        sleeping = activity == "sleeping"
        hot = rng.random()
        rows.append(
            (
                eid,
                person,
                w.moment(at),
                rng.choice(LEGS),
                "calf",
                rng.randrange(700, 1500) if rng.random() < 0.02 else rng.randrange(10, 300),
                rng.randrange(1, 11),
                activity,
                None if sleeping else rng.choice(LOADS),
                sleeping,
                None if hot < 0.3 else round(5 + 30 * hot, 1),
                None if hot < 0.5 else round(100 * hot, 0),
                None if hot < 0.4 else 0.5,
                None if hot < 0.6 else round(60 * hot, 0),
                "stretching" if hot < 0.5 else "",
                "" if hot < 0.8 else "after a long run",
                w.moment(at + timedelta(minutes=5)),
            )
        )
    return rows


def _sessions(
    w: Writer, rng: random.Random, person: str, n: int, end: datetime
) -> list[tuple[Any, ...]]:
    span_s = int(SPAN.total_seconds())
    return [
        (
            sid,
            person,
            w.moment(end - timedelta(seconds=rng.randrange(span_s))),
            rng.choice(TRAINING),
            rng.randrange(20, 180),
            rng.randrange(3, 10),
            round(rng.uniform(3, 30), 1),
            "",
        )
        for sid in _ids(n)
    ]


@dataclass
class Seeded:
    persons: list[str]
    clinician: str
    seconds: float
    rows: dict[str, int]


def seeding_engine(url: str) -> Engine:
    """The app's engine, with SQLite connections set for bulk loading: a page cache big enough
    for the random-order indexes, and no fsync. Only for seeding: disposed afterwards."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _bulk(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA cache_size = -1000000")  # KiB: 1 GB
            cur.execute("PRAGMA synchronous = OFF")
            cur.close()

    return engine


def seed(
    engine: Engine, rng: random.Random, persons: int, episodes: int, sessions: int, linked: int
) -> Seeded:
    try:
        return _seed(engine, rng, persons, episodes, sessions, linked)
    finally:
        engine.dispose()


def _seed(
    engine: Engine, rng: random.Random, persons: int, episodes: int, sessions: int, linked: int
) -> Seeded:
    w = Writer(engine)
    person_ids = _ids(persons)
    clinician = uuid.uuid4().hex
    made = w.moment(NOW - timedelta(days=400))
    rows = {"users": 0, "episodes": 0, "training_sessions": 0, "clinician_links": 0}
    t0 = time.perf_counter()
    with engine.begin() as conn:
        users = [
            (pid, f"person{i}@bench.invalid", f"Person {i}", "x", "person", "metric", made)
            for i, pid in enumerate(person_ids)
        ]
        users.append(
            (clinician, "clinician@bench.invalid", "Clinician", "x", "clinician", "metric", made)
        )
        w.write(conn, "users", USER_COLUMNS, users)
        links = [(pid, clinician, made) for pid in rng.sample(person_ids, min(linked, persons))]
        w.write(conn, "clinician_links", LINK_COLUMNS, links)
        rows["users"], rows["clinician_links"] = len(users), len(links)
    # All rows first, then in time order, as a diary fills up: a person's episodes are spread
    # over the table, not side by side (which would flatter every per-person query).
    eps: list[tuple[Any, ...]] = []
    sess: list[tuple[Any, ...]] = []
    for pid in person_ids:
        end = NOW if rng.random() < 0.9 else NOW - timedelta(days=rng.uniform(31, 60))
        eps += _episodes(w, rng, pid, episodes, end)
        sess += _sessions(w, rng, pid, sessions, end)
    for table, columns, data in (
        ("episodes", EPISODE_COLUMNS, eps),
        ("training_sessions", SESSION_COLUMNS, sess),
    ):
        data.sort(key=itemgetter(2))  # occurred_at, started_at (SQLite's text sorts alike)
        for start in range(0, len(data), ROWS_PER_TRANSACTION):
            with engine.begin() as conn:
                w.write(conn, table, columns, data[start : start + ROWS_PER_TRANSACTION])
        rows[table] = len(data)
    if w.postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return Seeded(person_ids, clinician, time.perf_counter() - t0, rows)


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    name: str
    title: str
    times_ms: list[float]
    statements: int

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[round(0.95 * (len(ordered) - 1))]


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def measure(
    engine: Engine,
    database: str,
    name: str,
    title: str,
    call: Callable[[Session, Any], object],
    args: Sequence[Any],
) -> Result:
    def once(arg: Any) -> float:
        t0 = time.perf_counter()
        with Session(engine) as session:
            call(session, arg)
        return (time.perf_counter() - t0) * 1000

    for arg in args[:5]:  # warm up: connections, compiled statements, the knowledge base
        once(arg)
    with counting(engine) as statements:
        once(args[0])
    times = [once(arg) for arg in args]
    return Result(database, name, title, times, len(statements))


def clinician_list(session: Session, clinician: str) -> list[diary.PersonOverview]:
    ids = list(
        session.scalars(
            select(t.ClinicianLink.person_id).where(t.ClinicianLink.clinician_id == clinician)
        )
    )
    return diary.clinician_overview(session, person_ids=ids, now=NOW)


def bench(label: str, url: str, args: argparse.Namespace) -> list[Result]:
    rng = random.Random(args.seed)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql(
                "SELECT version()"
                if engine.dialect.name == "postgresql"
                else "SELECT 'SQLite ' || sqlite_version()"
            ).scalar()
        print(
            f"\n== {label}: {str(version).split(' on ')[0]} ({make_url(url).render_as_string()}) =="
        )
        s = seed(seeding_engine(url), rng, args.persons, args.episodes, args.sessions, args.linked)
        total = sum(s.rows.values())
        print(
            "seed      "
            + ", ".join(f"{n:,} {k}" for k, n in s.rows.items())
            + f" in {s.seconds:.1f} s ({total / s.seconds:,.0f} rows/s)"
        )
        kb = load_kb()
        sample = rng.sample(s.persons, min(args.samples, len(s.persons)))

        def page(session: Session, pid: str) -> None:
            got = diary.list_episodes(session, owner_id=pid, limit=50)
            assert len(got) == min(50, args.episodes)

        def insight(session: Session, pid: str) -> None:
            got = diary.insights(session, owner_id=pid, now=NOW, kb=kb)
            assert got.total == args.episodes

        def overview(session: Session, clinician: str) -> None:
            assert len(clinician_list(session, clinician)) == min(args.linked, args.persons)

        results = [
            measure(
                engine,
                label,
                "baseline",
                "SELECT 1 (baseline)",
                lambda session, _: session.execute(text("SELECT 1")).scalar(),
                sample,
            ),
            measure(engine, label, "diary_page", "(a) diary page: latest 50", page, sample),
            measure(engine, label, "insights", "(b) insights: all episodes", insight, sample),
            measure(
                engine,
                label,
                "clinician_list",
                f"(c) clinician list: {s.rows['clinician_links']} persons",
                overview,
                [s.clinician] * args.repeats,
            ),
        ]
        base = results[0].median
        for r in results:
            line = (
                f"{r.title:38s} n={len(r.times_ms):<4d} median={r.median:8.2f} ms "
                f"p95={r.p95:8.2f} ms  sql/call={r.statements:<4d} "
                f"x{r.median / base:,.0f} baseline"
            )
            if r.name in TARGETS:
                ok = r.median <= TARGETS[r.name]
                line += f"  target median<={TARGETS[r.name]:.0f} ms {'PASS' if ok else 'FAIL'}"
            print(line)
        return results
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"calfcare_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--episodes", type=int, default=100, help="per person")
    parser.add_argument("--sessions", type=int, default=20, help="training sessions per person")
    parser.add_argument("--linked", type=int, default=500, help="persons linked to the clinician")
    parser.add_argument("--samples", type=int, default=200, help="persons timed for (a), (b)")
    parser.add_argument("--repeats", type=int, default=50, help="clinician lists timed")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="calfcare-bench-") as tmp:
        results += bench("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args)
    if not args.skip_postgres:
        with postgres_database() as url:
            results += bench("postgresql", url, args)

    print("\nsummary")
    for r in results:
        if r.name in TARGETS:
            ok = r.median <= TARGETS[r.name]
            print(
                f"  {r.database:10s} {r.title:38s} median {r.median:8.2f} ms "
                f"<= {TARGETS[r.name]:.0f} ms  {'PASS' if ok else 'FAIL'}"
            )


if __name__ == "__main__":
    main()
