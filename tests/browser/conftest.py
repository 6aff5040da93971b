"""Browser tests: one uvicorn server and one Debian Chromium shared by the whole session.

No browser is ever downloaded: Playwright drives /usr/bin/chromium. `make test` installs it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import calfcare

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
ROOT = HERE.parents[1]
KB_DATA = Path(calfcare.__file__).parent / "kb" / "data"
MAX_PAGES = 40
NAV_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# ----------------------------------------------------------------------------- knowledge base


def _yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def level_label(level_id: str) -> str:
    """The label a person reads for a level of care, from levels.yaml."""
    for level in _yaml(KB_DATA / "levels.yaml")["levels"]:
        if level["id"] == level_id:
            return str(level["label"])
    raise KeyError(level_id)


def level_labels_from(level_id: str) -> list[str]:
    """Labels of this level and of every more urgent one."""
    ids = [lv["id"] for lv in _yaml(KB_DATA / "levels.yaml")["levels"]]
    return [level_label(i) for i in ids[ids.index(level_id) :]]


def common_name(condition_id: str) -> str:
    return str(_yaml(KB_DATA / "conditions" / f"{condition_id}.yaml")["common_name"])


def start_options() -> list[dict[str, Any]]:
    return list(_yaml(KB_DATA / "questions.yaml")["start_options"])


def vignette(case_id: str) -> dict[str, Any]:
    with (ROOT / "tests" / "vignettes" / "dev" / f"{case_id}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


# ----------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def clock_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's clock file (CALFCARE_CLOCK_FILE). It does not exist unless a test writes it
    through the `clock_file` fixture, so every other test sees the real time."""
    return tmp_path_factory.mktemp("calfcare-clock") / "now.txt"


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory, clock_path: Path) -> Iterator[str]:
    """Start `uvicorn calfcare.web.asgi:app` on a free port; stop it at the end."""
    data_dir = tmp_path_factory.mktemp("calfcare-data")
    log_path = tmp_path_factory.mktemp("calfcare-log") / "uvicorn.log"
    port = _free_port()
    # Every test signs up its own people from this one address: allow them all.
    env = {
        **os.environ,
        "CALFCARE_DATA_DIR": str(data_dir),
        "CALFCARE_ENVIRONMENT": "test",
        "CALFCARE_CLOCK_FILE": str(clock_path),
        "CALFCARE_MAX_SIGN_UPS_PER_HOUR": "10000",
    }
    env.pop("CALFCARE_DATABASE_URL", None)
    from calfcare.settings import load_settings
    from calfcare.storage.migrate import upgrade

    upgrade(load_settings(data_dir=data_dir, database_url="").database_url)  # for the accounts
    with log_path.open("wb") as log:
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
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    pytest.fail(
                        f"uvicorn exited with {proc.returncode}:\n"
                        f"{log_path.read_text(errors='replace')}"
                    )
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        "uvicorn did not answer /healthz within 30 s:\n"
                        f"{log_path.read_text(errors='replace')}"
                    )
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Clock:
    """Sets the server's time by writing its clock file (an ISO date-time with offset)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock needs a time with an offset")
        self.path.write_text(moment.isoformat(timespec="seconds"), encoding="utf-8")

    def set_day(self, day: date, hour: int = 8) -> None:
        """That day at `hour`:00 UTC, e.g. "2026-03-02T08:00:00+00:00"."""
        self.set(datetime.combine(day, time_of_day(hour), tzinfo=UTC))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@pytest.fixture
def clock_file(clock_path: Path, base_url: str) -> Iterator[Clock]:
    """Simulated days for one test: the server reads its time from the clock file while it
    exists. The file is deleted at teardown, so later tests see the real time again."""
    clock = Clock(clock_path)
    clock.clear()
    try:
        yield clock
    finally:
        clock.clear()


# ----------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if in_ci():
            pytest.fail(
                f"{CHROMIUM} is missing in CI: the browser tests need Debian's chromium "
                "(`make browser-deps` installs it with apt-get)."
            )
        pytest.skip("Debian chromium not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh context and page per test, so that no state leaks between tests."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(NAV_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


# ----------------------------------------------------------------------------- the interview


def present_findings(findings: Mapping[str, str]) -> set[str]:
    """{'calf_pain': 'present', 'smoker': 'absent'} -> {'calf_pain'}."""
    return {f for f, choice in findings.items() if choice == "present"}


def start_picks(present: set[str]) -> list[str]:
    """The labels of the start options whose findings are all present."""
    return [o["label"] for o in start_options() if set(o["findings"]) <= present]


def page_kind(page: Any) -> str:
    """'question', 'emergency', 'result', 'start', 'about' or 'other' for the page shown."""
    return str(
        page.evaluate("""() => {
      if (document.querySelector('form[action="/assess/answer"]')) return 'question';
      if (document.querySelector('form[action="/assess/continue"]')) return 'emergency';
      if (document.querySelector('form[action="/assess/summary"]')) return 'result';
      if (document.querySelector('form[action="/assess/start"]')) return 'start';
      if (document.querySelector('form[action="/assess/about"]')) return 'about';
      return 'other';
    }""")
    )


def submit(page: Any, name: str = "Continue", *, exact: bool = True) -> None:
    """Press a submit button and wait for the next page to load."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=name, exact=exact).click()


def begin_interview(page: Any, age: int, sex: str, starts: list[str]) -> None:
    """Home -> about you -> what brings you here, with the given start option labels ticked."""
    page.goto("/assess")
    page.get_by_label("How old are you?").fill(str(age))
    page.get_by_label("Female" if sex == "female" else "Male", exact=True).check()
    submit(page)
    assert page_kind(page) == "start", page.content()
    for label in starts:
        page.get_by_label(label, exact=True).check()
    submit(page)


def question_heading(page: Any) -> str:
    return str(page.locator("legend h1").inner_text()).strip()


def answer_question(page: Any, present: set[str]) -> None:
    """Answer the question on the page: tick what is present, or choose yes or no (whatever
    the labels say: a companion check words its answers its own way)."""
    qtype = page.locator('input[name="qtype"]').input_value()
    items = [i for i in page.locator('input[name="items"]').input_value().split(",") if i]
    if qtype == "single":
        choice = "present" if items[0] in present else "absent"
        page.locator(f'input[name="choice"][value="{choice}"]').check()
    else:
        for fid in items:
            if fid in present:
                page.locator(f"#i-{fid}").check()
    submit(page)


def answer_interview(page: Any, findings: Mapping[str, str]) -> str:
    """Answer question pages until the result or the emergency page; return which one.

    `findings` maps finding ids to choices as the vignettes do; only "present" ones are ticked
    (or answered Yes), everything else is left unticked (or answered No).
    """
    present = present_findings(findings)
    for _ in range(MAX_PAGES):
        kind = page_kind(page)
        if kind in ("result", "emergency"):
            return kind
        assert kind == "question", f"unexpected page {page.url}: {page.title()}"
        answer_question(page, present)
    pytest.fail(f"the interview did not end within {MAX_PAGES} pages")


def run_story(
    page: Any, age: int, sex: str, findings: Mapping[str, str], *, through_emergency: bool = False
) -> str:
    """A whole interview from the about-you form; optionally continue past emergency pages."""
    present = present_findings(findings)
    begin_interview(page, age, sex, start_picks(present))
    for _ in range(MAX_PAGES):
        kind = answer_interview(page, findings)
        if kind == "emergency" and through_emergency:
            submit(page, "I have got help: continue")
            continue
        return kind
    pytest.fail(f"the interview did not end within {MAX_PAGES} pages")
