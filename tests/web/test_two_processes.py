"""Two server processes, one database: a browser signed in on one is signed in on the other.

Starts two `uvicorn calfcare.web.asgi:app` processes on two ports with the same
CALFCARE_DATABASE_URL (SQLite in a temporary folder; PostgreSQL too when it can be reached),
signs up and signs in on A, logs an episode on B with the same cookies, and reads it back on A.
Nothing is kept in process memory, so this works.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from calfcare.storage.migrate import upgrade
from tests.dbs import database_url  # noqa: F401  (a fixture)
from tests.web.forms import csrf_token

ROOT = Path(__file__).parents[2]
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(database: str, data_dir: Path, log: Path) -> Iterator[str]:
    """One uvicorn process on a free port; its URL while it runs."""
    port = _free_port()
    env = {
        **os.environ,
        "CALFCARE_DATABASE_URL": database,
        "CALFCARE_DATA_DIR": str(data_dir),
        "CALFCARE_ENVIRONMENT": "test",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "calfcare.web.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"uvicorn exited with {proc.returncode}:\n{log.read_text()}")
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not start within 30 s:\n{log.read_text()}")
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_two_processes_share_sessions_and_the_diary(database_url: str, tmp_path: Path) -> None:  # noqa: F811
    upgrade(database_url)
    email = f"two-{os.getpid()}-{time.monotonic_ns()}@example.com"
    with (
        server(database_url, tmp_path, tmp_path / "a.log") as a_url,
        server(database_url, tmp_path, tmp_path / "b.log") as b_url,
    ):
        # Sign up on A, then sign in afresh on A.
        with httpx.Client(base_url=a_url) as a:
            page = a.get("/account/sign-up")
            r = a.post(
                "/account/sign-up",
                data={
                    "display_name": "Two Processes",
                    "email": email,
                    "password": PASSWORD,
                    "role": "person",
                    "units": "metric",
                    "csrf_token": csrf_token(page.text),
                },
            )
            assert r.status_code == 303, r.text
        with httpx.Client(base_url=a_url) as a:
            page = a.get("/account/sign-in")
            r = a.post(
                "/account/sign-in",
                data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
            )
            assert r.status_code == 303, r.text
            assert r.headers["location"] == "/account"
            cookies = dict(a.cookies.items())
        assert "calfcare_session" in cookies

        # Process B knows the session: fetch its form (for the CSRF token) and log an episode.
        when = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        with httpx.Client(base_url=b_url, cookies=cookies) as b:
            form = b.get("/diary/episodes/new")
            assert form.status_code == 200, form.text[:300]
            r = b.post(
                "/diary/episodes/new",
                data={
                    "occurred_at": when,
                    "leg": "right",
                    "duration": "45s",
                    "severity": "4",
                    "activity": "walking",
                    "woke_from_sleep": "no",
                    "notes": "logged on B",
                    "csrf_token": csrf_token(form.text),
                },
            )
            assert r.status_code == 303, r.text[:500]
            assert r.headers["location"] == "/diary?done=episode_added"

        # ...and A reads it back.
        with httpx.Client(base_url=a_url, cookies=cookies) as a:
            diary_page = a.get("/diary")
            assert diary_page.status_code == 200
            assert "logged on B" in diary_page.text
            assert re.search(r"Right calf</strong> · 45 s", diary_page.text)
