"""axe-core (from npm, never a CDN) on every kind of page: no serious or critical violation."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    HERE,
    NAV_TIMEOUT_MS,
    answer_question,
    begin_interview,
    in_ci,
    page_kind,
    run_story,
    submit,
    vignette,
)

AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
VIEWPORTS = [(1280, 800), (390, 844)]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe.min.js from tests/browser/node_modules, installed with npm when missing."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        if in_ci():
            pytest.fail(
                "npm is missing in CI: the accessibility tests need it to install "
                "axe-core (`make browser-deps` installs npm with apt-get)."
            )
        pytest.skip(
            "npm not installed: cannot install axe-core for the accessibility tests "
            "(run `make test`, which installs it)"
        )
    proc = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(HERE)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or not AXE_JS.exists():
        pytest.fail(
            f"npm install of axe-core failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return AXE_JS


@pytest.fixture
def axe_page(browser: Any, base_url: str) -> Iterator[Any]:
    # The app's CSP (script-src 'self') blocks the inline script that add_script_tag(path=...)
    # makes, so this context alone bypasses CSP. The flows run with the CSP in force.
    context = browser.new_context(
        base_url=base_url, bypass_csp=True, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(NAV_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


# ----------------------------------------------------------------------------- reaching pages


def _about_errors(page: Any) -> None:
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("forty")
    submit(page)
    assert page.locator(".error-summary").is_visible()


def _start(page: Any) -> None:
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("30")
    page.get_by_label("Female", exact=True).check()
    submit(page)
    assert page_kind(page) == "start"


def _start_errors(page: Any) -> None:
    _start(page)
    submit(page)  # nothing ticked
    assert page.locator(".error-summary").is_visible()


def _group_question(page: Any) -> None:
    begin_interview(page, 30, "female", ["Pain in the calf"])
    assert page.locator('input[name="qtype"]').input_value() == "group_multiple"


def _single_question(page: Any) -> None:
    # A woman of 30 with a cramp is asked whether she is pregnant (a Yes/No question).
    begin_interview(page, 30, "female", ["A sudden cramp (the calf locked or knotted)"])
    for _ in range(40):
        assert page_kind(page) == "question"
        if page.locator('input[name="qtype"]').input_value() == "single":
            return
        answer_question(page, set())
    pytest.fail("no single (Yes/No) question was reached")


def _single_question_errors(page: Any) -> None:
    _single_question(page)
    submit(page)  # neither Yes, No nor I don't know chosen
    assert page.locator(".error-summary").is_visible()


def _emergency(page: Any) -> None:
    begin_interview(page, 58, "female", ["Pain in the calf"])
    page.locator("#i-chest_pain_or_breathless").check()
    submit(page)
    assert page_kind(page) == "emergency"


def _result(page: Any) -> None:
    case = vignette("D023")
    assert run_story(page, case["age"], case["sex"], case["evidence"]) == "result"


def _summary(page: Any) -> None:
    _result(page)
    submit(page, "Printable summary for a doctor")
    assert page.get_by_role("heading", level=1).inner_text() == "Calf assessment summary"


def _emergency_then_result(page: Any) -> None:
    case = vignette("D012")
    assert (
        run_story(page, case["age"], case["sex"], case["evidence"], through_emergency=True)
        == "result"
    )


def _second_part(page: Any) -> None:
    """The second part of a long question, reached with "I don't know" on the first."""
    begin_interview(page, 40, "male", ["Pain in the calf"])
    page.get_by_label("I don't know about the ones I have not ticked").check()
    submit(page)
    assert "part 2 of" in page.locator(".progress-text").inner_text()


def _too_young(page: Any) -> None:
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("9")
    page.get_by_label("Female", exact=True).check()
    submit(page)
    assert "and over" in page.get_by_role("heading", level=1).inner_text()


def _result_sections_open(page: Any) -> None:
    _result(page)
    for summary in page.locator("details.result-section > summary").all():
        summary.click()


def _menu_open(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.locator("summary.menu-button").click()


def _goto(path: str) -> Callable[[Any], None]:
    def go(page: Any) -> None:
        page.goto(path)

    return go


def _not_found(page: Any) -> None:
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404


PAGES: dict[str, Callable[[Any], None]] = {
    "home": _goto("/"),
    "about-you": _goto("/assess"),
    "about-you-errors": _about_errors,
    "start-options": _start,
    "start-options-errors": _start_errors,
    "group-question": _group_question,
    "single-question": _single_question,
    "single-question-errors": _single_question_errors,
    "emergency": _emergency,
    "result": _result,
    "result-emergency": _emergency_then_result,
    "summary": _summary,
    "question-second-part": _second_part,
    "too-young": _too_young,
    "result-sections-open": _result_sections_open,
    "menu-open": _menu_open,
    "conditions": _goto("/conditions"),
    "conditions-search": _goto("/conditions?q=cramp"),
    "condition-guide": _goto("/conditions/exercise_associated_muscle_cramp"),
    "references": _goto("/references"),
    "not-found": _not_found,
}


# ----------------------------------------------------------------------------- axe


def run_axe(page: Any, script: Path) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: tags})", AXE_TAGS
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def blocking_at_every_width(page: Any, script: Path, name: str) -> list[str]:
    """The serious or critical axe findings of the page as it stands, laid out at each viewport
    in turn (desktop, then phone), one description per width that has any."""
    found: list[str] = []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        serious = [v for v in run_axe(page, script) if v["impact"] in BLOCKING]
        if serious:
            found.append(f"{name} at {width}px ({page.url}):\n{describe(serious)}")
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(axe_script: Path, axe_page: Any, name: str) -> None:
    PAGES[name](axe_page)
    blocking: list[str] = []
    for width, height in VIEWPORTS:  # the same page state, desktop then phone
        axe_page.set_viewport_size({"width": width, "height": height})
        violations = run_axe(axe_page, axe_script)
        where = f"{name} at {width}px ({axe_page.url})"
        others = [v for v in violations if v["impact"] not in BLOCKING]
        if others:  # reported, not failed: shown with -rP or on failure
            print(f"{where}: minor or moderate axe findings:\n{describe(others)}")
        serious = [v for v in violations if v["impact"] in BLOCKING]
        if serious:
            blocking.append(f"{where}:\n{describe(serious)}")
    assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(blocking)


def test_axe_is_really_running(axe_script: Path, axe_page: Any) -> None:
    """A page with a known fault must be reported, or a clean run would prove nothing."""
    axe_page.goto("/")
    axe_page.evaluate(
        "() => { const i = document.createElement('img');"
        " i.src = '/static/img/favicon.svg'; document.body.appendChild(i); }"
    )
    ids = {v["id"] for v in run_axe(axe_page, axe_script)}
    assert "image-alt" in ids
