"""Rehabilitation speed: a progression decision, a plan's status page data, and the PDF handout.

Targets: a decision from a year of daily logs in under 5 ms (median); a plan's status with a
year of logs on SQLite in under 100 ms (median); the largest handout in under 1 s. Prints
figures; the ratio line compares a status call with a bare primary-key lookup in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from calfcare.engine.rehab import MorningCheck, PlanFacts, SessionLog, TestKind, TestResult, decide
from calfcare.kb.loader import load_kb
from calfcare.services import accounts, rehab
from calfcare.services.rehab import handout
from calfcare.storage import tables as t
from calfcare.storage.db import make_engine
from calfcare.storage.migrate import upgrade

DAYS = 365
START = date(2025, 1, 1)


def _median_ms(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _facts(as_of: date) -> PlanFacts:
    days = [START + timedelta(days=i) for i in range(DAYS)]
    return PlanFacts(
        phase_index=2,
        phase_started=START + timedelta(days=DAYS - 20),
        as_of=as_of,
        sessions=tuple(SessionLog(d, pain_during=i % 4) for i, d in enumerate(days)),
        mornings=tuple(MorningCheck(d, pain=1) for d in days),
        tests=tuple(
            TestResult(d, TestKind.heel_raise, 20 + i % 10, 30) for i, d in enumerate(days[::7])
        ),
    )


def main() -> None:
    kb = load_kb()
    prog = kb.programmes["calf_strain"]
    var = next(v for v in prog.variants if v.id == "grade2_soleus")
    facts = _facts(START + timedelta(days=DAYS - 1))
    decision_ms = _median_ms(lambda: decide(prog, var, kb.pain_model, facts), 200)
    print(f"decision  a year of daily logs: median={decision_ms:.3f} ms (target < 5 ms)")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as db, db.begin():
            owner = accounts.sign_up(
                db,
                email="bench@example.com",
                password="a long password",
                display_name="Bench",
                role="person",
                units="metric",
                now=datetime(2025, 1, 1, tzinfo=UTC),
            ).id
            rehab.start_plan(
                db,
                owner_id=owner,
                today=START,
                kb=kb,
                values={
                    "programme": "calf_strain",
                    "variant": "grade2_soleus",
                    "side": "left",
                    "injury_day": START.isoformat(),
                },
            )
            for i in range(DAYS):
                day = START + timedelta(days=i)
                rehab.log_session(
                    db,
                    owner_id=owner,
                    today=day,
                    kb=kb,
                    values={"day": day.isoformat(), "pain_during": i % 3},
                    exercises=[
                        {
                            "exercise": "seated_soleus_raise",
                            "sets": 3,
                            "amount": 15,
                            "load_kg": 10,
                            "pain": i % 3,
                        }
                    ],
                )
                rehab.log_morning(
                    db, owner_id=owner, today=day, values={"day": day.isoformat(), "pain": 1}
                )
                if i % 7 == 0:
                    rehab.log_test(
                        db,
                        owner_id=owner,
                        today=day,
                        kb=kb,
                        values={
                            "day": day.isoformat(),
                            "kind": "heel_raise",
                            "injured": 15 + i % 10,
                            "other": 30,
                        },
                    )
        last = START + timedelta(days=DAYS - 1)
        with Session(engine) as db:
            status_ms = _median_ms(lambda: rehab.status(db, owner_id=owner, today=last, kb=kb), 20)
            lookup_ms = _median_ms(lambda: db.get(t.User, owner), 200)
        engine.dispose()
    print(
        f"status    a year of logs (SQLite): median={status_ms:.1f} ms (target < 100 ms); "
        f"ratio to a primary-key lookup {status_ms / max(lookup_ms, 1e-6):.0f}x"
    )

    biggest = max(
        ((p.id, v.id) for p in kb.programmes.values() for v in p.variants),
        key=lambda pv: len(handout.programme_pdf(kb, *pv)),
    )
    pdf_ms = _median_ms(lambda: handout.programme_pdf(kb, *biggest), 5)
    size = len(handout.programme_pdf(kb, *biggest))
    print(
        f"handout   {biggest[0]}/{biggest[1]}: median={pdf_ms:.0f} ms, {size / 1024:.0f} KiB "
        "(target < 1000 ms)"
    )


if __name__ == "__main__":
    main()
