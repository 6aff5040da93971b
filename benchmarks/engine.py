"""Engine speed: diagnose and triage call times, and the start-up time of `calfcare --help`.

Targets: a diagnose call median <= 2 ms; `calfcare --help` under 0.3 s. Prints figures; the
ratio line compares a diagnose call with a bare knowledge-base lookup in the same run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from calfcare import api
from calfcare.kb.loader import load_kb

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*/*.json"))


def _requests() -> list[dict]:
    out = []
    for path in VIGNETTES:
        case = json.loads(path.read_text())
        ev = [{"id": k, "choice_id": v} for k, v in case["evidence"].items()]
        out.append({"age": case["age"], "sex": case["sex"], "evidence": ev})
        out.append({"age": case["age"], "sex": case["sex"], "evidence": ev[:2]})
    return out


def _times(fn, requests: list[dict], rounds: int = 5) -> list[float]:
    times = []
    for _ in range(rounds):
        for req in requests:
            t0 = time.perf_counter()
            fn(req)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    requests = _requests()
    api.diagnose(requests[0])  # warm up: load and compile the knowledge base
    kb = load_kb()
    baseline = _times(lambda r: kb.findings[r["evidence"][0]["id"]], requests)
    for name, fn in (("diagnose", api.diagnose), ("triage", api.triage), ("assess", api.assess)):
        t = sorted(_times(fn, requests))
        print(
            f"{name:9s} calls={len(t)} median={statistics.median(t):.3f} ms "
            f"p95={t[int(0.95 * (len(t) - 1))]:.3f} ms p99={t[int(0.99 * (len(t) - 1))]:.3f} ms"
        )
    d = statistics.median(_times(api.diagnose, requests, rounds=2))
    print(f"ratio    diagnose median / dict lookup median = {d / statistics.median(baseline):.0f}x")
    exe = Path(sys.executable).with_name("calfcare")
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - t0)
    py = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        py.append(time.perf_counter() - t0)
    print(
        f"startup  calfcare --help median={statistics.median(runs):.3f} s "
        f"(bare python {statistics.median(py):.3f} s, "
        f"ratio {statistics.median(runs) / statistics.median(py):.1f}x)"
    )


if __name__ == "__main__":
    main()
