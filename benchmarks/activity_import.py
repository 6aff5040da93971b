"""How long importing 500 activity files takes: a third each GPX, TCX and FIT, an hour each
with a point every minute (as a watch's summary export), into one person's diary on SQLite,
through the command line's own path (`import_activities`, committed in batches of 200).

Target: 500 files in under 30 s. Run: `.venv/bin/python benchmarks/activity_import.py [files]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import activity_samples as samples  # noqa: E402

from calfcare.services import activity  # noqa: E402
from calfcare.storage.db import make_engine  # noqa: E402
from calfcare.storage.migrate import upgrade  # noqa: E402
from calfcare.storage.tables import User  # noqa: E402

TARGET_S = 30.0
BATCH = 200


def files(count: int) -> list[activity.ActivityFile]:
    makers = [("gpx", samples.gpx), ("tcx", samples.tcx), ("fit", samples.fit)]
    out = []
    for i in range(count):
        ext, make = makers[i % 3]
        start = samples.START - timedelta(days=i // 3, hours=i % 3 * 4)
        out.append(activity.ActivityFile(f"{i:04}.{ext}", make(start, minutes=60)))
    return out


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        batch = files(count)
        size = sum(len(f.data) for f in batch)
        with Session(engine) as db:
            owner = uuid.uuid4().hex
            db.add(User(id=owner, email="bench@example.org", display_name="Bench",
                        password_hash="x", role="person", units="metric",
                        created_at=datetime.now(UTC)))  # fmt: skip
            db.commit()
            begin = time.perf_counter()
            imported = 0
            for start in range(0, count, BATCH):
                got = activity.import_activities(
                    db, owner_id=owner, files=batch[start : start + BATCH], intensity=5
                )
                db.commit()
                imported += len(got.imported)
                assert not got.errors, got.errors[:3]
            took = time.perf_counter() - begin
        engine.dispose()
    verdict = "meets" if took < TARGET_S and imported == count else "MISSES"
    print(f"files: {count} ({size / 1e6:.1f} MB: GPX, TCX and FIT, 61 points each)")
    print(
        f"imported: {imported} training sessions in {took:.2f} s "
        f"({took / count * 1000:.1f} ms a file)"
    )
    print(f"target: under {TARGET_S:.0f} s for 500 files: {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
