"""Full-page screenshots at phone and desktop widths, kept in artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import ROOT, begin_interview, page_kind, run_story, vignette

SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = [(390, 844), (1280, 800)]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _home(page: Any) -> None:
    page.goto("/")


def _question(page: Any) -> None:
    begin_interview(page, 34, "female", ["A sudden cramp (the calf locked or knotted)"])
    assert page_kind(page) == "question"


def _result(page: Any) -> None:
    case = vignette("D023")
    assert run_story(page, case["age"], case["sex"], case["evidence"]) == "result"


def _guide(page: Any) -> None:
    page.goto("/conditions/exercise_associated_muscle_cramp")


PAGES: dict[str, Callable[[Any], None]] = {
    "home": _home,
    "question": _question,
    "result": _result,
    "guide": _guide,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_full_page_screenshots(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    PAGES[name](page)
    for width, height in VIEWPORTS:  # the same page state, re-laid out at each width
        page.set_viewport_size({"width": width, "height": height})
        path = SHOTS / f"{name}-{width}.png"
        path.unlink(missing_ok=True)
        page.screenshot(path=str(path), full_page=True)
        assert path.is_file()
        assert path.stat().st_size > 1000, f"{path} is suspiciously small"
        assert path.read_bytes()[:8] == PNG_MAGIC
