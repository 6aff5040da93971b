"""Forty people signing up at once: the server's memory stays bounded.

Password hashing (argon2id) takes 64 MiB for each hash; unbounded, forty at once pushed a
server from about 160 MB to over 1 GB. calfcare runs at most two hashes at once per process.
This script starts the server (one worker, SQLite), measures its resident memory after start-
up, signs up 40 people at once from 40 client addresses (X-Forwarded-For, trusted from
127.0.0.1), and prints the peak and the ratio to the start-up figure. Target: peak <= 300 MB,
no request failing. Run: `.venv/bin/python benchmarks/signups.py`.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from web import MemorySampler, free_port, start_server, stop_server, wait_until_healthy

PEOPLE = 40
TARGET_MB = 300.0
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_up(base_url: str, n: int) -> int:
    headers = {"x-forwarded-for": f"10.8.{n // 200}.{n % 200}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as c:
        match = TOKEN.search(c.get("/account/sign-up").text)
        assert match
        r = c.post(
            "/account/sign-up",
            data={
                "display_name": f"Person {n}",
                "email": f"p{n}-{time.time_ns()}@example.com",
                "password": "a long enough password",
                "role": "person",
                "units": "metric",
                "csrf_token": match.group(1),
            },
        )
        return r.status_code


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="calfcare-bench-") as tmp:
        upgrade(load_settings(data_dir=Path(tmp), database_url="").database_url)
        port = free_port()
        proc = start_server(port, Path(tmp))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, proc)
            with MemorySampler(proc.pid) as sampler:
                began = time.perf_counter()
                with ThreadPoolExecutor(PEOPLE) as pool:
                    codes = list(pool.map(lambda n: sign_up(base, n), range(PEOPLE)))
                elapsed = time.perf_counter() - began
        finally:
            stop_server(proc)
    failed = sum(code != 303 for code in codes)
    print(f"signups  people={PEOPLE} failed={failed} time={elapsed:.1f} s")
    print(
        f"memory   after start-up={sampler.start_mb:.1f} MB peak={sampler.peak_mb:.1f} MB "
        f"ratio={sampler.peak_mb / max(sampler.start_mb, 1):.2f}x"
    )
    ok = failed == 0 and sampler.peak_mb <= TARGET_MB
    print(f"{'PASS' if ok else 'FAIL'} peak <= {TARGET_MB:.0f} MB and every sign-up succeeded")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
