"""Speed of a session plan: the whole plan (validation, fluid, sodium, carbohydrate, the WBGT
with thermofeel, warnings and checklist) as the API computes it, and the engine alone.

Target: a median session plan under 5 ms. Prints the figures and PASS or FAIL.

    .venv/bin/python benchmarks/prevention.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from calfcare.engine.prevention import PlanInput, session_plan
from calfcare.kb.loader import load_kb
from calfcare.services import prevention

TARGET_MS = 5.0
ROUNDS = 2000


def _requests(n: int) -> list[dict[str, object]]:
    rnd = random.Random(1)
    return [
        {
            "duration_min": rnd.choice([30, 45, 60, 90, 120, 150, 180, 240, 360]),
            "intensity": rnd.randint(1, 10),
            "temperature_c": rnd.uniform(-5, 40),
            "humidity_percent": rnd.uniform(10, 95),
            "body_mass_kg": rnd.uniform(45, 110),
            "sweat_sodium": rnd.choice(["low", "typical", "salty"]),
            **({"sweat_rate_l_per_h": rnd.uniform(0.3, 2.5)} if rnd.random() < 0.5 else {}),
            **({"sun": rnd.choice(["shade", "cloud", "full"])} if rnd.random() < 0.3 else {}),
        }
        for _ in range(n)
    ]


def _time(
    label: str, call: Callable[[dict[str, object]], object], reqs: list[dict[str, object]]
) -> float:
    for r in reqs[:50]:
        call(r)  # warm up
    times = []
    for r in reqs:
        t0 = time.perf_counter()
        call(r)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(len(times) * 0.95)]
    print(
        f"{label:<22} calls={len(times)} median={median:.3f} ms p95={p95:.3f} ms "
        f"max={times[-1]:.3f} ms"
    )
    return median


def main() -> None:
    kb = load_kb()
    reqs = _requests(ROUNDS)
    full = _time("plan (service, API)", lambda r: prevention.plan_session(kb, r), reqs)
    _time(
        "plan (engine only)",
        lambda r: session_plan(
            PlanInput(
                float(r["duration_min"]),  # type: ignore[arg-type]
                int(r["intensity"]),  # type: ignore[call-overload]
                float(r["temperature_c"]),  # type: ignore[arg-type]
                float(r["humidity_percent"]),  # type: ignore[arg-type]
                float(r["body_mass_kg"]),  # type: ignore[arg-type]
            ),
            kb.prevention,
        ),
        reqs,
    )
    verdict = "PASS" if full < TARGET_MS else "FAIL"
    print(f"median session plan {full:.3f} ms (target < {TARGET_MS:g} ms): {verdict}")


if __name__ == "__main__":
    main()
