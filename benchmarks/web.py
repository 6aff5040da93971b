"""Web speed: latency and throughput of the running app under concurrent load, and its memory.

Starts `uvicorn calfcare.web.asgi:app` (one worker) in a subprocess with a temporary
CALFCARE_DATA_DIR, then drives it from this process with asyncio + httpx (32 concurrent
clients by default, 127.0.0.1 only): a warm-up, then a fixed duration per scenario.

Each virtual client has its own httpx.AsyncClient and keep-alive connection (32 connections
in all). `--pool shared` uses one AsyncClient with a 32-connection pool instead; that pool
costs the load generator about 3x more CPU per request than the server spends, so it mostly
measures httpx. The server's CPU per request and both processes' CPU use are printed so a
client-bound run can be recognised (load generator near 1.0 core).

Scenarios:
    diagnosis  POST /api/v1/diagnosis, requests built from tests/vignettes/dev/*.json
               (the first 2 findings of each vignette, and its full evidence);
    healthz    GET /healthz, the baseline;
    html       GET /, /conditions, /conditions/calf_muscle_strain and /assess, mixed.

For each scenario it prints requests, errors (non-2xx or exceptions), throughput (req/s) and
p50/p95/p99 latency in ms. Targets, each printed PASS/FAIL:
    diagnosis p95 <= 50 ms;
    diagnosis throughput >= 0.5 x healthz throughput in the same run;
    HTML pages p95 <= 80 ms;
    server peak memory (VmHWM / sampled VmRSS from /proc) <= 250 MB.

A measurement, not a test: the exit code is 0 even when a target fails.
Usage: python benchmarks/web.py [--seconds 8] [--warmup 2] [--clients 32]
                                [--pool per-client|shared] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = sorted((ROOT / "tests" / "vignettes" / "dev").glob("*.json"))
HOST = "127.0.0.1"
HTML_PATHS = ["/", "/conditions", "/conditions/calf_muscle_strain", "/assess"]
STARTUP_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 10.0  # bounds each request; a scenario lasts at most seconds + this
SAMPLE_EVERY_S = 0.05

DIAGNOSIS_P95_MS = 50.0
THROUGHPUT_RATIO = 0.5
HTML_P95_MS = 80.0
PEAK_MEMORY_MB = 250.0


@dataclass(frozen=True)
class Call:
    """One HTTP request a client can send."""

    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass
class Result:
    """The figures of one scenario."""

    name: str
    requests: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_ms_per_request: float  # server CPU time / requests: the app's cost
    server_cpu_util: float  # server CPU seconds per second; 1.0 = one core busy
    client_cpu_util: float  # the same for this load generator; near 1.0 = client-bound
    first_error: str = ""


@dataclass
class Recorder:
    """Latencies and errors collected by the clients during one phase."""

    latencies_ms: list[float] = field(default_factory=list)  # one per response received
    failed_status: int = 0  # responses that were not 2xx
    exceptions: int = 0  # requests that got no response (timeout, connection error)
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.exceptions

    @property
    def errors(self) -> int:
        return self.failed_status + self.exceptions

    def note(self, text: str) -> None:
        if not self.first_error:
            self.first_error = text[:200]


# --- requests ------------------------------------------------------------------------------
def diagnosis_bodies() -> list[dict[str, Any]]:
    """Case-format v1 requests: each vignette's first 2 findings, and its full evidence."""
    bodies = []
    for path in VIGNETTES:
        case = json.loads(path.read_text())
        evidence = [{"id": k, "choice_id": v} for k, v in case["evidence"].items()]
        for ev in (evidence[:2], evidence):
            bodies.append({"age": case["age"], "sex": case["sex"], "evidence": ev})
    return bodies


def scenarios() -> dict[str, list[Call]]:
    return {
        "diagnosis": [Call("POST", "/api/v1/diagnosis", b) for b in diagnosis_bodies()],
        "healthz": [Call("GET", "/healthz")],
        "html": [Call("GET", p) for p in HTML_PATHS],
    }


# --- the server ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CALFCARE_DATA_DIR": str(data_dir)}
    env.pop("CALFCARE_DATABASE_URL", None)  # the SQLite database in the temporary data dir
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "calfcare.web.asgi:app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--workers",
        "1",
    ]
    return subprocess.Popen(cmd, env=env, cwd=data_dir)


def wait_until_healthy(base_url: str, proc: subprocess.Popen[bytes]) -> float:
    """Poll GET /healthz until it answers 200; return the start-up time in seconds."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < STARTUP_TIMEOUT_S:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} during start-up")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return time.perf_counter() - t0
        time.sleep(0.05)
    raise RuntimeError(f"server did not answer /healthz within {STARTUP_TIMEOUT_S:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def running_server() -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """A started, healthy server in a temporary data dir; always stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="calfcare-bench-") as tmp:
        port = free_port()
        proc = start_server(port, Path(tmp))
        try:
            base_url = f"http://{HOST}:{port}"
            yield base_url, proc, wait_until_healthy(base_url, proc)
        finally:
            stop_server(proc)


# --- memory --------------------------------------------------------------------------------
def read_memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (current) and VmHWM (peak resident set) of a process, in kB; {} if unreadable."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class MemorySampler:
    """Samples a process's memory in a background thread; `peak_mb` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.start_rss_kb = read_memory_kb(pid).get("VmRSS", 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        mem = read_memory_kb(self.pid)
        self.peak_kb = max(self.peak_kb, mem.get("VmRSS", 0), mem.get("VmHWM", 0))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()  # once more after the load

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    @property
    def start_mb(self) -> float:
        return self.start_rss_kb / 1024


# --- load ----------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0.0 if unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop (installed with uvicorn[standard]) makes the load generator cheaper; else asyncio."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def send(client: httpx.AsyncClient, call: Call, rec: Recorder) -> None:
    t0 = time.perf_counter()
    try:
        response = await client.request(call.method, call.path, json=call.body)
    except httpx.HTTPError as exc:
        rec.exceptions += 1
        rec.note(f"{call.method} {call.path}: {type(exc).__name__}: {exc}")
        return
    rec.latencies_ms.append((time.perf_counter() - t0) * 1000)
    if not response.is_success:
        rec.failed_status += 1
        rec.note(f"{call.method} {call.path}: {response.status_code} {response.text}")


async def client_loop(
    client: httpx.AsyncClient, calls: list[Call], offset: int, deadline: float, rec: Recorder
) -> None:
    """One client: send the calls in turn (starting at `offset`) until the deadline."""
    start = offset % len(calls)
    for call in cycle(calls[start:] + calls[:start]):
        if time.perf_counter() >= deadline:
            return
        await send(client, call, rec)


async def load_phase(
    clients: list[httpx.AsyncClient], calls: list[Call], seconds: float
) -> tuple[Recorder, float]:
    """Run one loop per client for `seconds`; return what they saw and the duration."""
    rec = Recorder()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    await asyncio.gather(*(client_loop(c, calls, i, deadline, rec) for i, c in enumerate(clients)))
    return rec, time.perf_counter() - t0


async def open_clients(
    stack: contextlib.AsyncExitStack, base_url: str, count: int, pool: str
) -> list[httpx.AsyncClient]:
    """`count` virtual clients with `count` connections in all: one AsyncClient each
    ("per-client"), or one AsyncClient with a pool of `count` connections ("shared")."""

    def make(connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT_S)

    if pool == "shared":
        return [await stack.enter_async_context(make(count))] * count
    return [await stack.enter_async_context(make(1)) for _ in range(count)]


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(
    name: str, rec: Recorder, elapsed: float, server_cpu: float, client_cpu: float
) -> Result:
    lat = sorted(rec.latencies_ms)
    return Result(
        name=name,
        requests=rec.requests,
        errors=rec.errors,
        seconds=elapsed,
        throughput=rec.requests / elapsed if elapsed else 0.0,
        p50_ms=percentile(lat, 50),
        p95_ms=percentile(lat, 95),
        p99_ms=percentile(lat, 99),
        server_cpu_ms_per_request=1000 * server_cpu / max(rec.requests, 1),
        server_cpu_util=server_cpu / elapsed if elapsed else 0.0,
        client_cpu_util=client_cpu / elapsed if elapsed else 0.0,
        first_error=rec.first_error,
    )


async def run_scenario(
    base_url: str, server_pid: int, name: str, calls: list[Call], opts: argparse.Namespace
) -> Result:
    """Warm up, then measure `opts.seconds` of load with `opts.clients` concurrent clients."""
    async with contextlib.AsyncExitStack() as stack:
        clients = await open_clients(stack, base_url, opts.clients, opts.pool)
        await load_phase(clients, calls, opts.warmup)
        server0, client0 = cpu_seconds(server_pid), time.process_time()
        rec, elapsed = await load_phase(clients, calls, opts.seconds)
        server_cpu = cpu_seconds(server_pid) - server0
        client_cpu = time.process_time() - client0
    return summarise(name, rec, elapsed, server_cpu, client_cpu)


# --- report --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    name: str
    value: float
    target: str
    passed: bool


def checks(results: dict[str, Result], peak_mb: float) -> list[Check]:
    diag, health, html = results["diagnosis"], results["healthz"], results["html"]
    ratio = diag.throughput / health.throughput if health.throughput else 0.0
    return [
        Check(
            "diagnosis p95 (ms)",
            diag.p95_ms,
            f"<= {DIAGNOSIS_P95_MS:.0f}",
            diag.p95_ms <= DIAGNOSIS_P95_MS,
        ),
        Check(
            "diagnosis/healthz throughput ratio",
            ratio,
            f">= {THROUGHPUT_RATIO}",
            ratio >= THROUGHPUT_RATIO,
        ),
        Check(
            "HTML pages p95 (ms)", html.p95_ms, f"<= {HTML_P95_MS:.0f}", html.p95_ms <= HTML_P95_MS
        ),
        Check(
            "server peak memory (MB)",
            peak_mb,
            f"<= {PEAK_MEMORY_MB:.0f}",
            peak_mb <= PEAK_MEMORY_MB,
        ),
    ]


def print_result(r: Result) -> None:
    print(
        f"{r.name:10s} requests={r.requests:6d} errors={r.errors:4d} "
        f"throughput={r.throughput:8.1f} req/s  p50={r.p50_ms:7.2f} ms "
        f"p95={r.p95_ms:7.2f} ms  p99={r.p99_ms:7.2f} ms"
    )
    print(
        f"{'':10s} server CPU {r.server_cpu_ms_per_request:.2f} ms/request; CPU use: "
        f"server {r.server_cpu_util:.2f} core, load generator {r.client_cpu_util:.2f} core"
    )
    if r.first_error:
        print(f"{'':10s} first error: {r.first_error}")


def print_checks(items: list[Check]) -> None:
    print("targets:")
    for c in items:
        print(f"  {'PASS' if c.passed else 'FAIL'}  {c.name:36s} {c.value:9.2f}  ({c.target})")
    failed = [c.name for c in items if not c.passed]
    if failed:
        print(
            f"SUMMARY: {len(items) - len(failed)}/{len(items)} targets met; "
            f"FAILED: {', '.join(failed)}"
        )
    else:
        print(f"SUMMARY: all {len(items)} targets met")


# --- main ----------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="measured duration per scenario (default 8)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="warm-up duration per scenario, not measured (default 2)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=32,
        help="concurrent clients and connection limit (default 32, min 32)",
    )
    parser.add_argument(
        "--pool",
        choices=("per-client", "shared"),
        default="per-client",
        help="one AsyncClient per virtual client (default), or one shared "
        "AsyncClient with a pool of --clients connections",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line with all figures at the end"
    )
    args = parser.parse_args(argv)
    if args.clients < 32:
        parser.error("--clients must be at least 32")
    if args.seconds <= 0 or args.warmup < 0:
        parser.error("--seconds must be > 0 and --warmup >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = scenarios()
    results: dict[str, Result] = {}
    loop_factory = event_loop_factory()
    loop_name = "uvloop" if loop_factory else "asyncio"
    with running_server() as (base_url, proc, startup_s):
        print(
            f"server     pid={proc.pid} {base_url} ready in {startup_s:.2f} s; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
        )
        print(
            f"load       clients={args.clients} pool={args.pool} loop={loop_name} "
            f"warm-up={args.warmup:g} s measured={args.seconds:g} s per scenario; "
            f"{len(plan['diagnosis'])} diagnosis bodies from {len(VIGNETTES)} vignettes"
        )
        with MemorySampler(proc.pid) as memory, asyncio.Runner(loop_factory=loop_factory) as run:
            for name, calls in plan.items():
                results[name] = run.run(run_scenario(base_url, proc.pid, name, calls, args))
                print_result(results[name])
        print(
            f"memory     RSS after start-up={memory.start_mb:.1f} MB "
            f"peak (VmHWM)={memory.peak_mb:.1f} MB"
        )
    items = checks(results, memory.peak_mb)
    print_checks(items)
    if args.json:
        print(
            json.dumps(
                {
                    "clients": args.clients,
                    "pool": args.pool,
                    "loop": loop_name,
                    "warmup_s": args.warmup,
                    "seconds": args.seconds,
                    "cpus": os.cpu_count(),
                    "startup_s": round(startup_s, 3),
                    "scenarios": {n: asdict(r) for n, r in results.items()},
                    "memory_mb": {
                        "start_rss": round(memory.start_mb, 1),
                        "peak": round(memory.peak_mb, 1),
                    },
                    "checks": [asdict(c) for c in items],
                    "all_passed": all(c.passed for c in items),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
