"""Races closed by the database, not by checks in Python: parallel requests through two server
processes on one database (SQLite, and PostgreSQL when it can be reached; on CI it must be).

- Twenty simultaneous "start programme" requests leave one active plan, and "Stop" stops it.
- The same next-morning check sent twice at once is stored once, without an error.
- Forty simultaneous wrong passwords are checked at most `MAX_FAILURES` times.
- Forty people signing in at once all succeed: hashing holds no write lock.

The clients say which address they come from with X-Forwarded-For, which the servers believe
from 127.0.0.1 (their trusted proxy), so each counts as a different person.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from calfcare.services.accounts import MAX_FAILURES
from calfcare.storage.migrate import upgrade
from tests.dbs import database_url  # noqa: F401  (a fixture)
from tests.web.forms import csrf_token
from tests.web.test_two_processes import server

PASSWORD = "correct horse battery"
PARALLEL = 20

pytestmark = pytest.mark.slow


def _sign_up(url: str, email: str, address: str = "10.0.0.1") -> dict[str, str]:
    with httpx.Client(base_url=url, headers={"x-forwarded-for": address}, timeout=60) as c:
        page = c.get("/account/sign-up")
        r = c.post(
            "/account/sign-up",
            data={
                "display_name": "Racing Person",
                "email": email,
                "password": PASSWORD,
                "role": "person",
                "units": "metric",
                "csrf_token": csrf_token(page.text),
            },
        )
        assert r.status_code == 303, r.text[:300]
        return dict(c.cookies.items())


def _post(
    url: str, cookies: dict[str, str], path: str, form_path: str, data: dict[str, str]
) -> httpx.Response:
    with httpx.Client(base_url=url, cookies=cookies, timeout=60) as c:
        token = csrf_token(c.get(form_path).text)
        return c.post(path, data={**data, "csrf_token": token})


def _at_once(calls: list[Any]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Any:  # noqa: F811
    upgrade(database_url)
    with (
        server(database_url, tmp_path, tmp_path / "a.log") as a,
        server(database_url, tmp_path, tmp_path / "b.log") as b,
    ):
        yield a, b


def _email(tag: str) -> str:
    return f"{tag}-{os.getpid()}-{time.monotonic_ns()}@example.com"


def test_parallel_starts_leave_one_active_plan_and_stop_stops_it(servers: Any) -> None:
    a, b = servers
    cookies = _sign_up(a, _email("plans"))
    injury = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    start = {
        "programme": "calf_strain",
        "variant": "grade1_gastrocnemius",
        "side": "left",
        "injury_day": injury,
    }
    calls = [
        lambda url=url: _post(url, cookies, "/rehab/start", "/rehab?programme=calf_strain", start)
        for url in [a, b] * (PARALLEL // 2)
    ]
    results = _at_once(calls)
    assert all(r.status_code < 500 for r in results), [r.status_code for r in results]
    assert sum(r.status_code == 303 for r in results) == 1
    assert all(r.status_code in (303, 422) for r in results)
    r = _post(b, cookies, "/rehab/stop", "/rehab/stop", {})
    assert r.status_code == 303
    with httpx.Client(base_url=a, cookies=cookies) as c:
        assert c.get("/api/v1/rehab/plan").status_code == 404  # no active plan is left


def test_the_same_morning_check_twice_at_once_is_stored_once(servers: Any) -> None:
    a, b = servers
    cookies = _sign_up(a, _email("morning"))
    today = datetime.now(UTC).date()
    start = {
        "programme": "calf_strain",
        "variant": "grade1_gastrocnemius",
        "side": "left",
        "injury_day": (today - timedelta(days=2)).isoformat(),
    }
    assert (
        _post(a, cookies, "/rehab/start", "/rehab?programme=calf_strain", start).status_code == 303
    )
    morning = {"day": today.isoformat(), "pain": "2"}
    calls = [
        lambda url=url: _post(url, cookies, "/rehab/mornings", "/rehab/today", morning)
        for url in [a, b] * 4
    ]
    results = _at_once(calls)
    assert all(r.status_code < 400 for r in results), [
        (r.status_code, r.text[:200]) for r in results
    ]


def test_a_burst_of_wrong_passwords_is_checked_at_most_the_limit(servers: Any) -> None:
    a, b = servers
    email = _email("burst")
    _sign_up(a, email)

    def wrong(url: str) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60) as c:
            token = csrf_token(c.get("/account/sign-in").text)
            return c.post(
                "/account/sign-in",
                data={"email": email, "password": "wrong guess", "csrf_token": token},
            )

    results = _at_once([lambda url=url: wrong(url) for url in [a, b] * PARALLEL])
    codes = [r.status_code for r in results]
    assert all(code in (422, 429) for code in codes), codes
    assert codes.count(422) <= MAX_FAILURES  # the rest never reached the password check


def test_people_signing_in_at_once_never_hit_a_locked_database(servers: Any) -> None:
    a, b = servers
    people = [(_email(f"many{n}"), f"10.1.{n // 200}.{n % 200}") for n in range(2 * PARALLEL)]
    for email, address in people:
        _sign_up(a, email, address)

    def right(url: str, email: str, address: str) -> httpx.Response:
        with httpx.Client(base_url=url, headers={"x-forwarded-for": address}, timeout=60) as c:
            token = csrf_token(c.get("/account/sign-in").text)
            return c.post(
                "/account/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
            )

    results = _at_once(
        [
            lambda url=url, e=e, ad=ad: right(url, e, ad)
            for url, (e, ad) in zip([a, b] * PARALLEL, people, strict=True)
        ]
    )
    assert [r.status_code for r in results] == [303] * len(results)
