"""The diary in a real Chromium: a new person logs two episodes and reads the insights; axe on
the diary pages (list, form with an error, insights) and the clinician's pages."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import activity_samples as samples
from tests.browser.conftest import ROOT, submit
from tests.browser.test_accessibility import (
    axe_page,  # noqa: F401  (a fixture)
    axe_script,  # noqa: F401  (a fixture)
    blocking_at_every_width,
)
from tests.browser.test_accounts import sign_up


def _recent(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _part_of_day(hours_ago: int) -> str:
    """The row of the time-of-day table an episode `hours_ago` falls in (UTC)."""
    hour = (datetime.now(UTC) - timedelta(hours=hours_ago)).hour
    return ("Night", "Morning", "Afternoon", "Evening")[hour // 6]


def log_episode(
    page: Any,
    *,
    when: str,
    leg: str,
    duration: str,
    severity: str,
    activity: str,
    woke: bool = False,
    load: str | None = None,
    temperature: str = "",
) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My diary").click()
    page.get_by_role("link", name="Log an episode").click()
    page.get_by_label("When did it start?").fill(when)
    page.get_by_role("group", name="Which leg?").get_by_label(leg, exact=True).check()
    page.get_by_label("How long did it last?").fill(duration)
    page.get_by_label("How bad was it, from 0 to 10?").fill(severity)
    page.get_by_label("What were you doing when it started?").select_option(label=activity)
    if load:
        page.get_by_label(load, exact=True).check()
    page.get_by_role("group", name="Did it wake you from sleep?").get_by_label(
        "Yes" if woke else "No", exact=True
    ).check()
    if temperature:
        page.get_by_label("Air temperature (°C)").fill(temperature)
    submit(page, "Add to my diary")
    expect(page.get_by_role("status")).to_contain_text("The episode has been added")


def _two_episodes(page: Any) -> None:
    log_episode(
        page,
        when=_recent(3),
        leg="Left",
        duration="12m",
        severity="6",
        activity="Running",
        load="Longer than usual",
        temperature="27",
    )
    log_episode(
        page,
        when=_recent(30),
        leg="Right",
        duration="45s",
        severity="8",
        activity="Sleeping",
        woke=True,
    )


def test_a_new_person_logs_two_episodes_and_reads_the_insights(page: Any) -> None:
    sign_up(page, name="Robin Runner")
    _two_episodes(page)
    records = page.locator(".record-list").first.locator(".record")
    expect(records).to_have_count(2)
    expect(records.first).to_contain_text("Left calf")
    expect(page.locator(".record-list").first).to_contain_text("woke me up")
    # A cramp longer than 10 minutes: a doctor prompt with its criterion and source.
    prompt = page.locator(".prompt")
    expect(prompt).to_contain_text("A cramp that lasted longer than 10 minutes")
    expect(prompt).to_contain_text("Criterion")
    expect(prompt).to_contain_text("Source: NHS")

    page.get_by_role("link", name="Insights and charts").click()
    expect(page.get_by_role("heading", level=1, name="Insights")).to_be_visible()
    summary = page.locator(".insight-summary")
    expect(summary).to_contain_text("2 episodes in the last 12 months")
    expect(summary).to_contain_text(
        "A cramp that lasted longer than 10 minutes: get seen by a doctor within 24 hours."
    )
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(3)
    for i in range(3):
        expect(charts.nth(i)).to_be_visible()
        assert charts.nth(i).get_attribute("role") == "img"
    # Each chart's table is folded away until asked for; no list repeats the chart.
    expect(page.locator(".chart-facts")).to_have_count(0)
    tables = page.locator("table.chart-table")
    expect(tables).to_have_count(3)
    expect(tables.nth(1)).to_be_hidden()
    page.get_by_text("Show as a table: by time of day").click()
    expect(tables.nth(1)).to_be_visible()
    # Only the parts of the day with an episode (3 and 30 hours ago, in UTC) have a row.
    parts = {_part_of_day(hours) for hours in (3, 30)}
    rows = tables.nth(1).locator("tbody tr")
    expect(rows).to_have_count(len(parts))
    for part in parts:
        expect(tables.nth(1)).to_contain_text(part)
    page.get_by_text("Show as a table: by activity").click()
    expect(tables.nth(2)).to_contain_text("Running")
    expect(tables.nth(2)).to_contain_text("Sleeping")
    expect(page.locator(".share-list")).to_contain_text(
        "In a longer or harder session than usual: 1 of 2 episodes (50%)"
    )
    expect(page.locator(".share-list")).to_contain_text("In heat: 1 of 2 episodes (50%)")
    # The weekly chart fits a phone screen.
    page.set_viewport_size({"width": 390, "height": 844})
    box = charts.first.bounding_box()
    assert box is not None
    assert box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_first_screen_of_insights_on_a_phone_is_the_summary(page: Any) -> None:
    sign_up(page)
    _two_episodes(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/diary/insights")
    summary = page.locator(".insight-summary")
    expect(summary.get_by_role("heading", name="Summary")).to_be_in_viewport()
    expect(summary.locator("li").last).to_be_in_viewport()  # the whole summary fits
    expect(summary).to_contain_text("2 episodes in the last 12 months")
    expect(summary).to_contain_text("A cramp that lasted longer than 10 minutes")
    # No table and no chart come before it, and no table is open on the first screen.
    heading_top = summary.bounding_box()["y"]
    for other in page.locator("main table, main svg.chart").all():
        box = other.bounding_box()
        assert box is None or box["y"] > heading_top
    for table in page.locator("main table").all():
        expect(table).not_to_be_in_viewport()
    # The link in the summary leads to the card that says why.
    summary.get_by_role(
        "link", name="Why see a doctor for a cramp that lasted longer than 10 minutes"
    ).click()
    expect(page.locator("#prompt-cramp_longer_than_10_minutes")).to_be_in_viewport()


def test_a_bad_episode_keeps_what_was_typed(page: Any) -> None:
    sign_up(page)
    page.goto("/diary/episodes/new")
    page.get_by_label("How long did it last?").fill("a while")
    page.get_by_label("How bad was it, from 0 to 10?").fill("12")
    submit(page, "Add to my diary")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Select which leg it was")
    expect(summary).to_contain_text("Enter how long it lasted")
    expect(page.get_by_label("How long did it last?")).to_have_value("a while")
    expect(page.get_by_label("How bad was it, from 0 to 10?")).to_have_value("12")
    summary.get_by_role("link", name="Select which leg it was").click()
    assert page.url.endswith("#leg")


# ----------------------------------------------------------------------------- axe


def _diary_list(page: Any, base_url: str) -> None:
    sign_up(page)
    _two_episodes(page)
    page.goto("/diary")


def _episode_error(page: Any, base_url: str) -> None:
    sign_up(page)
    page.goto("/diary/episodes/new")
    page.get_by_label("How bad was it, from 0 to 10?").fill("eleven")
    submit(page, "Add to my diary")
    assert page.locator(".error-summary").is_visible()


def _insights(page: Any, base_url: str) -> None:
    sign_up(page)
    _two_episodes(page)
    page.goto("/diary/insights")


def _activity_upload(page: Any, base_url: str) -> None:
    """Several activity files at once (a GPX, a TCX and a broken FIT) from the diary's link."""
    folder = Path(tempfile.gettempdir())
    files = []
    for name, data in (
        ("morning.gpx", samples.gpx(samples.START)),
        ("evening.tcx", samples.tcx(samples.START + timedelta(hours=8))),
        ("broken.fit", b"not a fit file"),
    ):
        path = folder / f"calfcare-{uuid.uuid4().hex}-{name}"
        path.write_bytes(data)
        files.append(str(path))
    sign_up(page)
    page.goto("/diary")
    page.get_by_role("link", name="Import from a watch or app").click()
    page.get_by_label("Activity files").set_input_files(files)
    page.get_by_label("How hard were these sessions?").fill("6")
    submit(page, "Import")
    expect(page.locator(".notice")).to_contain_text("Imported 2 training sessions.")
    expect(page.locator(".error-summary")).to_contain_text("1 file was not imported")
    for path in files:
        Path(path).unlink()


def test_several_activity_files_import_at_once(page: Any, base_url: str) -> None:
    _activity_upload(page, base_url)
    page.goto("/diary")
    expect(page.locator('a[href^="/diary/sessions/"][href$="/edit"]')).to_have_count(2)


def linked_clinician(page: Any, base_url: str, *, open_person: bool) -> None:
    """A person (in a browser context of their own) logs an episode and gives a code; this
    page signs up as a clinician, links with it and opens My patients (and the person)."""
    person_ctx = page.context.browser.new_context(base_url=base_url)
    try:
        person = person_ctx.new_page()
        sign_up(person, name="Pat Patient")
        log_episode(
            person,
            when=_recent(2),
            leg="Left",
            duration="12m",
            severity="7",
            activity="Running",
            temperature="26",
        )
        person.goto("/account")
        submit(person, "Get a code for my clinician")
        code = person.locator("#link-code").inner_text().strip()
    finally:
        person_ctx.close()
    sign_up(page, name="Dr Chart", role="A clinician")
    page.get_by_label("Code from the person").fill(code)
    submit(page, "Link to this person")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My patients").click()
    expect(page.locator(".patient")).to_contain_text("Pat Patient")
    expect(page.locator(".patient")).to_contain_text("A cramp that lasted longer than 10 minutes")
    if open_person:
        page.get_by_role("link", name="Open Pat Patient’s diary").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Pat Patient’s diary")
        expect(page.locator("svg.chart")).to_have_count(3)


PAGES: dict[str, Callable[[Any, str], None]] = {
    "diary-list": _diary_list,
    "episode-form-error": _episode_error,
    "insights": _insights,
    "activity-upload": _activity_upload,
    "clinician-list": lambda page, url: linked_clinician(page, url, open_person=False),
    "clinician-person": lambda page, url: linked_clinician(page, url, open_person=True),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_diary_pages_have_no_serious_accessibility_violations(
    axe_script: Path,  # noqa: F811
    axe_page: Any,  # noqa: F811
    base_url: str,
    name: str,
) -> None:
    PAGES[name](axe_page, base_url)
    blocking = blocking_at_every_width(axe_page, axe_script, name)
    assert not blocking, "\n".join(blocking)


SHOTS: dict[str, Callable[[Any, str], None]] = {
    "diary": _diary_list,
    "diary-insights": _insights,
    "diary-episode-error": _episode_error,
    "clinician": lambda page, url: linked_clinician(page, url, open_person=False),
}


@pytest.mark.parametrize("name", list(SHOTS))
def test_diary_screenshots_at_390px(page: Any, base_url: str, name: str) -> None:
    """Full-page screenshots at phone width, kept in artifacts/screenshots/."""
    shots = ROOT / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    SHOTS[name](page, base_url)
    page.set_viewport_size({"width": 390, "height": 844})
    path = shots / f"{name}-390.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"
