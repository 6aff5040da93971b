"""Rehabilitation in a real Chromium, over simulated days.

A grade 2 calf strain from the first day to the end of the programme, all through the pages:
today's session, the morning check, the tests, the decision card and its button, with a
setback on the way (hold, then a step back, then recovery). The phases, their exercises, exit
criteria and fewest days come from the programme's YAML, so the flow keeps working when a
clinician changes a threshold. Beside it: a warning sign ends in a care card, the handout PDF,
axe-core on the rehabilitation pages, the Today form by keyboard alone, and phone screenshots
for the documentation.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import KB_DATA, ROOT, Clock, _yaml, level_label, submit
from tests.browser.test_accessibility import (
    axe_page,  # noqa: F401  (a fixture)
    axe_script,  # noqa: F401  (a fixture)
    blocking_at_every_width,
)
from tests.browser.test_accounts import sign_up

REHAB = KB_DATA / "rehab"
PROGRAMME_ID = "calf_strain"
VARIANT_ID = "grade2_gastrocnemius"
IMAGES = ROOT / "docs" / "images"
PHONE = {"width": 390, "height": 844}
#: The documentation's phone screenshots are the top 1400 px of a page at 390 px, like
#: docs/images/result-phone.png.
PHONE_CLIP = {"x": 0, "y": 0, "width": 390, "height": 1400}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Pain on getting up on an ordinary morning, and on the morning after the setback.
MORNING_PAIN = 1
WORSE_MORNING_PAIN = 3
#: Pain during an ordinary session.
SESSION_PAIN = 1
#: The most sessions a day the simulated person logs (the programme allows two or more).
MAX_SESSIONS_A_DAY = 2
#: The day of the injury in the simulated flow.
DAY0 = date(2026, 3, 2)
STATE = {"done": "Done", "current": "You are here", "upcoming": "Still to come"}


# ----------------------------------------------------------------------------- the programme


def programme() -> dict[str, Any]:
    data: dict[str, Any] = _yaml(REHAB / "programmes" / f"{PROGRAMME_ID}.yaml")
    return data


def variant() -> dict[str, Any]:
    return next(v for v in programme()["variants"] if v["id"] == VARIANT_ID)


def phases() -> list[dict[str, Any]]:
    """The phases this variant goes through, in order."""
    skip = set(variant().get("skip_phases") or [])
    return [ph for ph in programme()["phases"] if ph["id"] not in skip]


def exercise(exercise_id: str) -> dict[str, Any]:
    data: dict[str, Any] = _yaml(REHAB / "exercises" / f"{exercise_id}.yaml")
    return data


def pain_model() -> dict[str, Any]:
    data: dict[str, Any] = _yaml(REHAB / "pain_model.yaml")
    return data


@dataclass(frozen=True)
class Dose:
    exercise: str
    name: str
    sets: int
    amount: int


def prescribed(phase: dict[str, Any]) -> list[Dose]:
    """The phase's exercises for the variant's muscle, with their planned dose."""
    site = variant().get("site")
    out = []
    for rx in phase["exercises"]:
        if rx.get("sites") and site not in rx["sites"]:
            continue
        ex = exercise(rx["exercise"])
        out.append(
            Dose(
                ex["id"],
                ex["name"],
                rx.get("sets") or ex["dose"]["sets"],
                rx.get("amount") or ex["dose"]["amount"],
            )
        )
    return out


def criterion(phase: dict[str, Any], kind: str) -> float | None:
    return next((float(c["value"]) for c in phase["exit"] if c["kind"] == kind), None)


def min_days(phase: dict[str, Any]) -> int:
    """The variant's fewest days in the phase (the criterion's own number otherwise)."""
    by_variant = variant().get("min_days") or {}
    if phase["id"] in by_variant:
        return int(by_variant[phase["id"]])
    return int(criterion(phase, "days_in_phase_min") or 0)


def pain_limit(phase: dict[str, Any]) -> int:
    return min(int(phase["pain_ceiling"]), int(pain_model()["during_max"]))


@dataclass(frozen=True)
class Schedule:
    """Sessions on the days start..end-1 (`per_day[i]` on day start+i); the checks on `end`."""

    start: int
    per_day: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.per_day)


def schedule(phase: dict[str, Any], start: int) -> Schedule:
    """As few days as the phase allows: its fewest days, and enough days for its sessions.

    Moving on waits for the morning after the last session, so every day before the day of the
    checks has a session; the sessions the phase asks for are spread over those days.
    """
    sessions = max(1, math.ceil(criterion(phase, "sessions_in_phase_min") or 1))
    days = max(1, min_days(phase))
    while math.ceil(sessions / days) > MAX_SESSIONS_A_DAY:
        days += 1
    per_day = []
    for left in range(days, 0, -1):
        per_day.append(max(1, math.ceil(sessions / left)))
        sessions -= per_day[-1]
    return Schedule(start, tuple(per_day))


def passing_results(phase: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """The tests (kind and the values typed) whose results meet the phase's exit criteria."""
    kinds = {c["kind"]: float(c["value"]) for c in phase["exit"]}
    out: list[tuple[str, dict[str, str]]] = []
    known = {"days_in_phase_min", "sessions_in_phase_min"}
    if "walking_pain_max" in kinds:
        out.append(("walking", {"pain": f"{kinds['walking_pain_max']:.0f}"}))
    if "heel_raise_count_min" in kinds or "heel_raise_lsi_min" in kinds:
        other = 30
        injured = max(
            math.ceil(kinds.get("heel_raise_count_min", 0)),
            math.ceil(kinds.get("heel_raise_lsi_min", 0) * other / 100),
        )
        out.append(("heel_raise", {"injured": str(injured), "other": str(max(other, injured))}))
    if "lunge_lsi_min" in kinds:
        other = 10
        injured = math.ceil(kinds["lunge_lsi_min"] * other / 10) / 10
        out.append(("lunge", {"injured": f"{injured:g}", "other": str(other)}))
    if "hop_lsi_min" in kinds:
        other = 150
        injured = math.ceil(kinds["hop_lsi_min"] * other / 100)
        out.append(("hop", {"injured": str(injured), "other": str(other)}))
    if "run_minutes_min" in kinds:
        out.append(
            (
                "run",
                {
                    "injured": f"{math.ceil(kinds['run_minutes_min'])}",
                    "pain": str(min(SESSION_PAIN, pain_limit(phase))),
                },
            )
        )
    if "symptoms_max" in kinds:
        out.append(("symptoms", {"pain": f"{kinds['symptoms_max']:.0f}"}))
    if "full_training_min" in kinds:
        out.extend(
            ("training", {"pain": "0"}) for _ in range(math.ceil(kinds["full_training_min"]))
        )
    known |= {
        "walking_pain_max",
        "heel_raise_count_min",
        "heel_raise_lsi_min",
        "lunge_lsi_min",
        "hop_lsi_min",
        "run_minutes_min",
        "symptoms_max",
        "full_training_min",
    }
    unknown = set(kinds) - known
    assert not unknown, f"the flow does not know how to meet {sorted(unknown)} yet"
    return out


TEST_TITLES = {
    "walking": "Walking check",
    "symptoms": "Symptom check",
    "heel_raise": "Single-leg heel-raise test",
    "hop": "Hop test",
    "lunge": "Knee-to-wall test",
    "run": "Run check",
    "training": "Full training session",
}
#: The label of each value on the Tests page, by test kind and field.
TEST_LABELS = {
    "walking": {"pain": "Highest pain while walking (0 to 10)"},
    "symptoms": {"pain": "Worst pain, tightness or cramp feeling (0 to 10)"},
    "heel_raise": {
        "injured": "Injured leg: number of raises",
        "other": "Other leg: number of raises",
    },
    "hop": {
        "injured": "Injured leg: centimetres (or hops)",
        "other": "Other leg: centimetres (or hops)",
    },
    "lunge": {
        "injured": "Injured side: centimetres from toe to wall",
        "other": "Other side: centimetres from toe to wall",
    },
    "run": {"injured": "Minutes you ran", "pain": "Highest pain during the run (0 to 10)"},
    "training": {"pain": "Highest pain, tightness or cramp feeling (0 to 10)"},
}


# ----------------------------------------------------------------------------- the pages


def open_plan(page: Any) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My rehab").click()
    expect(page.get_by_role("heading", level=1, name="My rehabilitation")).to_be_visible()


def start_programme(page: Any, injury_day: date, side: str = "Left leg") -> None:
    """From any page: My rehab, choose the programme and the variant, start it."""
    open_plan(page)
    name = programme()["name"]
    page.get_by_role("radio", name=re.compile("^" + re.escape(name))).check()
    submit(page)
    expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    page.get_by_role("radio", name=re.compile("^" + re.escape(variant()["label"]))).check()
    page.get_by_role("group", name="Which leg").get_by_label(side, exact=True).check()
    page.get_by_label("When did the injury happen?").fill(injury_day.isoformat())
    submit(page, "Start the programme")
    expect(page.get_by_role("status")).to_contain_text("Your programme has started")
    expect(page.get_by_role("heading", level=1, name="Today’s session")).to_be_visible()


def decision_heading(page: Any) -> str:
    return str(page.locator("#decision-heading").inner_text()).strip()


def reasons(page: Any) -> str:
    return str(page.locator("#decision").inner_text())


def timeline(page: Any) -> list[tuple[str, str]]:
    """(state, phase name) of each phase as the plan page lists them."""
    out = []
    for item in page.locator("ol.timeline > li").all():
        state = str(item.locator(".timeline-state").text_content()).strip()
        name = re.sub(r"^\d+\.\s*", "", str(item.locator("h3").inner_text()).strip())
        out.append((state, name))
    return out


def expected_timeline(current: int, *, finished: bool = False) -> list[tuple[str, str]]:
    return [
        (
            STATE["done"]
            if finished or i < current
            else STATE["current"]
            if i == current
            else STATE["upcoming"],
            ph["name"],
        )
        for i, ph in enumerate(phases())
    ]


@dataclass
class Person:
    """One person following the programme in the browser, day by day."""

    page: Any
    clock: Clock
    day0: date
    day: int = 0

    def go_to_day(self, n: int) -> None:
        assert n >= self.day
        self.day = n
        self.clock.set_day(self.day0 + timedelta(days=n))

    def iso(self) -> str:
        return (self.day0 + timedelta(days=self.day)).isoformat()

    def morning(self, pain: int = MORNING_PAIN) -> None:
        page = self.page
        open_plan(page)
        expect(page.get_by_label("Day", exact=True)).to_have_value(self.iso())
        page.get_by_label("Pain when you got up (0 to 10)").fill(str(pain))
        submit(page, "Save the morning check")
        expect(page.get_by_role("status")).to_contain_text("Your morning check has been logged")

    def session(
        self, phase: dict[str, Any], pain: int = SESSION_PAIN, *, full: bool = True
    ) -> None:
        """Today's session: the phase's exercises, done as planned, with this pain.

        `full` also types each exercise's sets, amount and pain (otherwise the planned dose is
        sent as the form shows it) and checks that the plan page records them.
        """
        page = self.page
        page.get_by_role("link", name="Today’s session").first.click()
        expect(page.get_by_role("heading", level=1, name="Today’s session")).to_be_visible()
        expect(page.locator(".plan-meta")).to_contain_text(
            f"{phase['name']}. Pain limit: {phase['pain_ceiling']} out of 10"
        )
        doses = prescribed(phase)
        expect(page.locator(".session-list > li h2")).to_have_text([d.name for d in doses])
        expect(page.locator(".exercise-log legend")).to_have_text([d.name for d in doses])
        shown = page.evaluate("""() => [...document.querySelectorAll('.exercise-log')].map(
            f => ['sets', 'amount'].map(n => f.querySelector(`[name$=".${n}"]`).value))""")
        assert shown == [[str(d.sets), str(d.amount)] for d in doses]  # the planned dose
        expect(page.get_by_label("Day of the session")).to_have_value(self.iso())
        if full:
            for i, dose in enumerate(doses):
                row = page.get_by_role("group", name=dose.name, exact=True)
                row.get_by_label("Sets done").fill(str(dose.sets))
                row.get_by_label(re.compile("per set$")).fill(str(dose.amount))
                row.get_by_label("Highest pain (0 to 10)").fill(
                    str(pain if i == 0 else min(pain, SESSION_PAIN))
                )
        page.get_by_label("Highest pain during the whole session (0 to 10)").fill(str(pain))
        page.get_by_label(re.compile("^Pain an hour or so after the session")).fill(str(pain))
        submit(page, "Log the session")
        expect(page.get_by_role("status")).to_contain_text("Your session has been logged")
        latest = page.locator(".record-list .record").first
        expect(latest).to_contain_text(f"highest pain {pain} out of 10, afterwards {pain}")
        if full:
            first = doses[0]
            measure = exercise(first.exercise)["dose"]["measure"]
            expect(latest).to_contain_text(
                f"{first.name} {first.sets} × {first.amount} {measure} (pain {pain})"
            )

    def tests(self, phase: dict[str, Any]) -> None:
        """Log on the Tests page each test the phase's exit criteria need."""
        page = self.page
        page.get_by_role("link", name="Log a test").click()
        expect(page.get_by_role("heading", level=1, name="Tests")).to_be_visible()
        for kind, values in passing_results(phase):
            form = page.locator("form.test-form").filter(
                has=page.locator(f'input[name="kind"][value="{kind}"]')
            )
            expect(form.get_by_label("Day of the test")).to_have_value(self.iso())
            for name, value in values.items():
                form.get_by_label(TEST_LABELS[kind][name], exact=True).fill(value)
            with page.expect_navigation(wait_until="load"):
                form.get_by_role("button", name="Log the result").click()
            expect(page.get_by_role("status")).to_contain_text("Your test result has been logged")
            if "other" in values:  # the limb symmetry index, in the latest results
                lsi = 100 * float(values["injured"]) / float(values["other"])
                row = page.locator("#results ~ table tbody tr").filter(has_text=TEST_TITLES[kind])
                expect(row.locator("td").last).to_have_text(f"{lsi:.0f}%")
        open_plan(page)

    def expect_hold(self, phase: dict[str, Any], *texts: str) -> None:
        expect(self.page.locator("#decision-heading")).to_have_text(
            f"Stay in this phase for now: {phase['name']}"
        )
        for text in texts:
            expect(self.page.locator("#decision .reasons")).to_contain_text(text)
        expect(self.page.locator(".apply-form")).to_have_count(0)

    def accept(self, button: str, notice: str) -> None:
        submit(self.page, button)
        expect(self.page.get_by_role("status")).to_contain_text(notice)


# ----------------------------------------------------------------------------- the flow


def _check_charts(page: Any, *, heel: tuple[str, str, str] | None) -> None:
    """The pain chart (and the heel-raise chart) with their text alternative and table."""
    pain = page.locator("svg#chart-pain")
    expect(pain).to_be_visible()
    assert pain.get_attribute("role") == "img"
    assert pain.get_attribute("aria-labelledby") == "chart-pain-title chart-pain-desc"
    expect(pain.locator("title")).to_have_text("Pain during sessions and in the morning (0 to 10)")
    expect(pain.locator("desc")).to_contain_text("session")
    expect(pain.locator("desc")).to_contain_text("morning")
    expect(pain.locator("desc")).to_contain_text("The limit in this phase is")
    expect(page.locator("#h-pain ~ table.chart-table tbody tr").first).to_be_attached()
    if heel is None:
        return
    injured, other, lsi = heel
    chart = page.locator("svg#chart-heel-raises")
    expect(chart).to_be_visible()
    assert chart.get_attribute("role") == "img"
    expect(chart.locator("title")).to_have_text("Single-leg heel raises, injured and other leg")
    expect(chart.locator("desc")).to_contain_text(f"injured {injured}, other {other}")
    last = page.locator("#h-heel ~ table.chart-table tbody tr").last
    expect(last.locator("td")).to_have_text([re.compile(r"\d"), injured, other, lsi])


def _phone_screenshot(page: Any, path: Path) -> None:
    """The top of the page at phone width, for the documentation; no sideways scrolling."""
    page.set_viewport_size(PHONE)
    IMAGES.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True, clip=PHONE_CLIP)
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert path.stat().st_size > 10_000, f"{path} is suspiciously small"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "sideways scrolling on a phone"
    )
    page.set_viewport_size({"width": 1280, "height": 800})


def _handout(page: Any) -> None:
    """The person's programme as a PDF from the plan page, read back with pypdf."""
    from pypdf import PdfReader

    with page.expect_download() as info:
        page.get_by_role("link", name="Download your programme (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"calfcare-{PROGRAMME_ID}-{VARIANT_ID}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert programme()["name"] in text
    for ph in phases():
        assert ph["name"] in text, f"phase {ph['name']!r} is missing from the handout"
    assert prescribed(phases()[0])[0].name in text


def _ready_to_move_on(person: Person, index: int) -> None:
    """On the day of the checks: the decision says move on (or finish), every goal met."""
    page = person.page
    all_phases = phases()
    phase = all_phases[index]
    last = index == len(all_phases) - 1
    heading = (
        "You have met every goal of the last phase"
        if last
        else f"You are ready to move on to the next phase: {all_phases[index + 1]['name']}"
    )
    expect(page.locator("#decision-heading")).to_have_text(heading)
    done = page.locator("#decision .reasons li")
    expect(done).to_have_count(len(phase["exit"]))
    for item, c in zip(done.all(), phase["exit"], strict=True):
        expect(item).to_contain_text("Done: " + " ".join(c["text"].split()).rstrip("."))
    expect(page.locator(".criteria .criterion-met")).to_have_count(len(phase["exit"]))
    expect(page.locator(".criteria .criterion-not-met")).to_have_count(0)


def _run_phase(
    person: Person, index: int, *, setback: bool = False, on_ready: Callable[[], None] | None = None
) -> bool:
    """Follow one phase from its first day to its checks and accept the decision.

    `on_ready` runs on the plan page once the decision offers to move on, before it is accepted.
    With `setback`, the second session day goes wrong: pain above the phase's limit and a worse
    next morning hold the phase, a second bad session offers a step back, which is accepted.
    Returns whether the phase was finished (False after a step back).
    """
    page = person.page
    all_phases = phases()
    phase = all_phases[index]
    plan = schedule(phase, person.day)
    limit = pain_limit(phase)
    for day in range(plan.start, plan.end):
        if day != plan.start:
            person.go_to_day(day)
            person.morning()
            person.expect_hold(phase, "Not yet:")
        if setback and day == plan.start + 1:
            bad = limit + 1
            person.session(phase, pain=bad, full=False)
            person.expect_hold(
                phase, f"pain reached {bad}/10; the limit for this phase is {limit}/10"
            )
            person.go_to_day(day + 1)
            person.morning(WORSE_MORNING_PAIN)
            person.expect_hold(
                phase, f"next morning pain was {WORSE_MORNING_PAIN}/10, up from {MORNING_PAIN}/10"
            )
            person.session(phase, pain=bad)
            previous = all_phases[index - 1]["name"]
            expect(page.locator("#decision-heading")).to_have_text(
                f"Go back to the previous phase for now: {previous}"
            )
            expect(page.locator("#decision .reasons")).to_contain_text(
                "Pain broke the limits in 2 of your last"
            )
            person.accept(f"Go back to {previous}", "You have gone back a phase")
            assert timeline(page) == expected_timeline(index - 1)
            expect(page.locator(".timeline-current")).to_have_attribute("aria-current", "step")
            return False
        for _ in range(plan.per_day[day - plan.start]):
            person.session(phase, full=day == plan.start)
            person.expect_hold(
                phase, "Log how your calf feels on the morning after your last session"
            )
    person.go_to_day(plan.end)
    person.morning()
    person.tests(phase)
    _ready_to_move_on(person, index)
    if on_ready is not None:
        on_ready()
    if index == len(all_phases) - 1:
        person.accept("Finish the programme", "Well done: you have finished the programme")
    else:
        following = all_phases[index + 1]["name"]
        person.accept(f"Move on to {following}", "You have moved on to the next phase")
        assert timeline(page) == expected_timeline(index + 1)
        person.expect_hold(all_phases[index + 1], "Log your first session of this phase")
    return True


def test_a_grade_2_calf_strain_from_the_first_day_back_to_running_and_sport(
    page: Any, clock_file: Clock
) -> None:
    all_phases = phases()
    ids = [ph["id"] for ph in all_phases]
    assert "running" in ids
    running = all_phases[ids.index("running")]["name"]
    # The account signs up on the real clock, so its session outlives every simulated day,
    # which all lie in the past; a fixed day 0 keeps the screenshots the same from run to run.
    day0 = DAY0
    assert day0 + timedelta(days=120) < datetime.now(UTC).date()
    sign_up(page, name="Sam Sprinter")
    expect(
        page.locator("dt", has_text="Time zone").locator("xpath=following-sibling::dd")
    ).to_have_text("UTC")
    person = Person(page, clock_file, day0)
    person.go_to_day(0)
    start_programme(page, day0)
    open_plan(page)
    expect(page.locator(".plan-meta")).to_contain_text(
        f"{programme()['name']} · {variant()['label']} · Left leg"
    )
    assert timeline(page) == expected_timeline(0)
    person.expect_hold(all_phases[0], "Log your first session of this phase")

    def strength_done() -> None:
        # The heel-raise test of the strength phase: chart, table and LSI; the plan page on a
        # phone; the handout.
        heel = dict(passing_results(all_phases[ids.index("strength")]))["heel_raise"]
        lsi = f"{100 * int(heel['injured']) / int(heel['other']):.0f}%"
        _check_charts(page, heel=(heel["injured"], heel["other"], lsi))
        _phone_screenshot(page, IMAGES / "rehab-plan-phone.png")
        _handout(page)

    index, setback_done = 0, False
    while index < len(all_phases):
        setback = not setback_done and index == 1
        ready = strength_done if ids[index] == "strength" else None
        if _run_phase(person, index, setback=setback, on_ready=ready):
            index += 1
        else:
            setback_done = True
            index -= 1
            continue
        moved_to = ids[index] if index < len(ids) else "finished"
        if moved_to == "strength":
            _check_charts(page, heel=None)
        if ids[index - 1] == "running":
            # Return to running is done: the running phase is behind the person.
            assert {n: s for s, n in timeline(page)}[running] == STATE["done"]
    assert setback_done
    # The programme is finished: the plan page offers a new one, listing this one as finished.
    expect(page.get_by_role("heading", level=2, name="Your earlier programmes")).to_be_visible()
    expect(page.get_by_text(f"{programme()['name']}: started")).to_contain_text("finished")


# ----------------------------------------------------------------------------- warning signs


def test_a_warning_sign_stops_the_programme_with_a_care_card(page: Any) -> None:
    sign_up(page, name="Wren Warning")
    start_programme(page, datetime.now(UTC).date())
    model = pain_model()
    flag_text = next(iter(model["flags"].values()))
    page.get_by_label(flag_text, exact=True).check()
    page.get_by_label("Highest pain during the whole session (0 to 10)").fill("2")
    submit(page, "Log the session")
    card = page.locator("#decision .care-card")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", level=2)).to_contain_text(level_label(model["flag_level"]))
    expect(card).to_contain_text("Stop the programme and see a professional")
    expect(card).to_contain_text(flag_text)
    expect(page.get_by_role("button", name=re.compile("^(Move on|Go back|Finish)"))).to_have_count(
        0
    )
    expect(page.locator(".apply-form")).to_have_count(0)
    # The same card on today's page, and the emergency numbers one step away on every page.
    page.get_by_role("link", name="Today’s session").click()
    expect(page.locator("#decision .care-card")).to_contain_text(
        "Stop the programme and see a professional"
    )
    emergency = page.get_by_role("region", name="Emergency").get_by_role("link", name="999")
    expect(emergency).to_be_visible()
    expect(emergency).to_have_attribute("href", "tel:999")
    page.keyboard.press("Tab")  # the skip link first, then the emergency numbers
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "tel:999"


# ----------------------------------------------------------------------------- keyboard


def test_the_session_form_works_with_the_keyboard_alone(page: Any) -> None:
    sign_up(page, name="Kit Keys")
    start_programme(page, datetime.now(UTC).date())
    page.goto("/rehab/today")
    typed = {"pain_during": "1", "pain_after": "0", "notes": "Easy today"}
    exercise_pains = 0
    for _ in range(400):
        page.keyboard.press("Tab")
        active = page.evaluate("""() => { const e = document.activeElement;
            return {id: e.id, name: e.getAttribute('name') || '', tag: e.tagName,
                    text: (e.textContent || '').trim()}; }""")
        if active["name"].endswith(".pain"):
            page.keyboard.type("1")
            exercise_pains += 1
        elif active["id"] in typed:
            page.keyboard.type(typed.pop(active["id"]))
        elif active["tag"] == "BUTTON" and active["text"] == "Log the session":
            break
    else:
        pytest.fail("Tab never reached the Log the session button")
    assert not typed, f"Tab never reached {sorted(typed)}"
    assert exercise_pains == len(prescribed(phases()[0]))
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your session has been logged")
    record = page.locator(".record-list .record").first
    expect(record).to_contain_text("highest pain 1 out of 10, afterwards 0")
    expect(record).to_contain_text("Easy today")


# ----------------------------------------------------------------------------- axe


def _plan_with_data(page: Any) -> None:
    """A new person with a plan, a session, a morning check and a heel-raise test."""
    sign_up(page)
    start_programme(page, datetime.now(UTC).date())
    page.get_by_label("Highest pain during the whole session (0 to 10)").fill("1")
    submit(page, "Log the session")
    page.get_by_label("Pain when you got up (0 to 10)").fill("1")
    submit(page, "Save the morning check")
    page.goto("/rehab/tests")
    form = page.locator("form.test-form").filter(
        has=page.locator('input[name="kind"][value="heel_raise"]')
    )
    form.get_by_label("Injured leg: number of raises").fill("12")
    form.get_by_label("Other leg: number of raises").fill("25")
    with page.expect_navigation(wait_until="load"):
        form.get_by_role("button", name="Log the result").click()


def _today_with_error(page: Any) -> None:
    page.goto("/rehab/today")
    page.get_by_label("Highest pain during the whole session (0 to 10)").fill("eleven")
    submit(page, "Log the session")
    expect(page.locator(".error-summary")).to_be_visible()


AXE_PAGES: dict[str, Any] = {
    "plan": "/rehab",
    "today": "/rehab/today",
    "today-error": _today_with_error,
    "tests": "/rehab/tests",
    "exercises": "/rehab/exercises",
    "exercise": "/rehab/exercises/" + prescribed(phases()[2])[0].exercise,
    "programme": f"/rehab/programmes/{PROGRAMME_ID}",
}


def test_rehab_pages_have_no_serious_accessibility_violations(
    axe_script: Path,  # noqa: F811
    axe_page: Any,  # noqa: F811
) -> None:
    _plan_with_data(axe_page)
    blocking: list[str] = []
    for name, where in AXE_PAGES.items():
        if callable(where):
            where(axe_page)
        else:
            axe_page.goto(where)
        blocking += blocking_at_every_width(axe_page, axe_script, name)
        axe_page.set_viewport_size({"width": 1280, "height": 800})
    assert not blocking, "\n".join(blocking)


def test_choosing_a_version_has_no_serious_accessibility_violations(
    axe_script: Path,  # noqa: F811
    axe_page: Any,  # noqa: F811
) -> None:
    """The start page with the plain-words guide and the "not sure which muscle" choices,
    as first shown and after a start without a version."""
    sign_up(axe_page)
    blocking: list[str] = []
    for name in ("calf_strain", "return_to_running", "calf_strain-error"):
        axe_page.goto(f"/rehab?programme={name.removesuffix('-error')}")
        if name.endswith("-error"):
            submit(axe_page, "Start the programme")
            expect(axe_page.locator(".error-summary")).to_be_visible()
        else:
            expect(axe_page.get_by_text("Which muscle is it?").first).to_be_visible()
        blocking += blocking_at_every_width(axe_page, axe_script, name)
        axe_page.set_viewport_size({"width": 1280, "height": 800})
    assert not blocking, "\n".join(blocking)


# ----------------------------------------------------------------------------- screenshots


def test_an_exercise_page_on_a_phone(page: Any) -> None:
    ex = prescribed(phases()[2])[0]
    page.goto(f"/rehab/exercises/{ex.exercise}")
    expect(page.get_by_role("heading", level=1, name=ex.name)).to_be_visible()
    figure = page.locator("svg.exercise-figure")
    expect(figure).to_be_visible()
    assert figure.get_attribute("role") == "img"
    assert figure.get_attribute("aria-label") == " ".join(
        exercise(ex.exercise)["figure_alt"].split()
    )
    _phone_screenshot(page, IMAGES / "exercise-phone.png")


@pytest.fixture(autouse=True)
def _no_clock_leaks(clock_path: Path) -> Iterator[None]:
    """Whatever a test does, the next one sees the real time."""
    yield
    assert not clock_path.exists()
