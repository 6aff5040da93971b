"""Durability: an episode acknowledged after its commit survives the writer being SIGKILLed.

A child process adds episodes one by one through the diary service, each in its own
transaction, and prints each id once its commit has returned ("acknowledged"). The parent
kills it with SIGKILL mid-stream, opens the database again with a new engine (for SQLite: the
file, with its write-ahead log) and finds every acknowledged id there, and at most one more:
the episode committed just before the kill but not yet acknowledged.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade
from calfcare.storage.tables import Episode, User

pytestmark = pytest.mark.slow

RUN_S = 1.5  # how long the child writes after its first acknowledgement
START_TIMEOUT_S = 30.0
ID = re.compile(r"^[0-9a-f]{32}\n$")

CHILD = """
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from calfcare.services import diary
from calfcare.storage.db import make_engine

url, owner = sys.argv[1], sys.argv[2]
engine = make_engine(url)
n = 0
while True:
    with Session(engine) as session:
        record = diary.create_episode(session, owner_id=owner, values={
            "occurred_at": datetime.now(UTC) - timedelta(minutes=1), "leg": "left",
            "duration_s": 30 + n % 600, "severity": n % 11, "activity": "running"})
        session.commit()
    sys.stdout.write(record.id + "\\n")  # acknowledged: only after the commit returned
    sys.stdout.flush()
    n += 1
"""


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)  # end of output: the child is gone


def _add_person(url: str) -> str:
    engine = make_engine(url)
    owner = uuid.uuid4().hex
    with Session(engine) as session:
        session.add(
            User(
                id=owner,
                email="durable@example.org",
                display_name="Durable",
                password_hash="x",
                role="person",
                units="metric",
                created_at=datetime.now(UTC),
            )
        )
        session.commit()
    engine.dispose()
    return owner


def test_acknowledged_episodes_survive_sigkill(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    owner = _add_person(database_url)
    errors = tmp_path / "child.stderr"
    with errors.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, database_url, owner],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert child.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True)
    reader.start()
    received: list[str] = []
    try:
        try:
            first = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            first = None
        if first is None:
            child.kill()
            child.wait()
            pytest.fail(f"the child acknowledged nothing:\n{errors.read_text()}")
        received.append(first)
        time.sleep(RUN_S)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        reader.join(timeout=10)
    while (line := lines.get_nowait()) is not None:
        received.append(line)  # printed before the kill, still in the pipe
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    # A line cut short by the kill was never acknowledged.
    acknowledged = [line.strip() for line in received if ID.match(line)]
    assert len(acknowledged) == len(set(acknowledged))
    assert len(acknowledged) >= 5, f"too few episodes to mean anything: {len(acknowledged)}"

    engine = make_engine(database_url)  # reopen: a new engine, new connections
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            stored = set(conn.execute(select(Episode.id).where(Episode.user_id == owner)).scalars())
    finally:
        engine.dispose()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged episodes lost"
    assert len(stored - set(acknowledged)) <= 1
