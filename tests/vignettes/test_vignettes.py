"""The assessment on clinical vignettes: the dev set, our own sets and the published cases.

Static, interview and, as in the shared scorer's `--unsure` mode, interviews in which the
simulated patient says "I don't know" for 30% of the "no" answers (three seeds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from calfcare.services.assessment import Assessor
from calfcare.services.validation import validate_folder
from tests.vignettes import figures

HERE = Path(__file__).parent
OWN = ("dev", "extra", "hard")
TARGETS = {"top1": 0.90, "top3": 0.98, "triage_exact": 0.90}
SAFETY = ("under_triage", "emergencies_missed", "self_care_sent_to_emergency")
SEEDS = (1, 2, 3)
#: The published-case set is scored, not tuned to: these floors only stop it getting worse
#: than the figures in tests/vignettes/reports/SCORES.md.
REPORT_FLOORS = {
    "static": {"top1": 0.72, "top3": 0.86, "triage_exact": 0.70},
    "interview": {"top1": 0.75, "top3": 0.84, "triage_exact": 0.68},
}
REPORT_MAX_UNDER_TRIAGE = 3


@pytest.fixture(scope="module")
def reports(assessor: Assessor) -> dict[str, dict[str, dict[str, object]]]:
    return {name: validate_folder(HERE / name, assessor) for name in (*OWN, "reports")}


@pytest.fixture(scope="module")
def unsure(assessor: Assessor) -> dict[tuple[str, int], dict[str, object]]:
    return {
        (name, seed): validate_folder(HERE / name, assessor, unsure=0.3, seed=seed)["unsure"]
        for name in OWN
        for seed in SEEDS
    }


@pytest.mark.parametrize("folder", OWN)
@pytest.mark.parametrize("mode", ["static", "interview"])
def test_never_under_triage(reports: dict, folder: str, mode: str) -> None:
    part = reports[folder][mode]
    for key in SAFETY:
        assert part["figures"][key] == 0, (key, part["misses"])


@pytest.mark.parametrize("folder", OWN)
@pytest.mark.parametrize("seed", SEEDS)
def test_dont_know_never_under_triages(unsure: dict, folder: str, seed: int) -> None:
    part = unsure[(folder, seed)]
    for key in SAFETY:
        assert part["figures"][key] == 0, (key, part["misses"])
    assert part["figures"]["questions_max"] <= 20


@pytest.mark.parametrize("folder", OWN)
@pytest.mark.parametrize("mode", ["static", "interview"])
def test_accuracy_targets(reports: dict, folder: str, mode: str) -> None:
    figures = reports[folder][mode]["figures"]
    for key, target in TARGETS.items():
        assert figures[key] >= target, (key, figures, reports[folder][mode]["misses"])


@pytest.mark.parametrize("folder", OWN)
def test_interview_length(reports: dict, folder: str) -> None:
    figures = reports[folder]["interview"]["figures"]
    assert figures["questions_median"] <= 8
    assert figures["questions_max"] <= 20


@pytest.mark.parametrize("mode", ["static", "interview"])
def test_published_cases_do_not_get_worse(reports: dict, mode: str) -> None:
    part = reports["reports"][mode]
    for key, floor in REPORT_FLOORS[mode].items():
        assert part["figures"][key] >= floor, (key, part["figures"], part["misses"])
    assert part["figures"]["under_triage"] <= REPORT_MAX_UNDER_TRIAGE, part["misses"]
    assert part["figures"]["questions_max"] <= 20


def test_the_readme_shows_the_current_figures(assessor: Assessor) -> None:
    readme = (HERE.parents[1] / "README.md").read_text(encoding="utf-8")
    m = re.search(
        r"<!-- begin: vignette-figures -->\n(.*?)\n<!-- end: vignette-figures -->", readme, re.S
    )
    assert m, "README.md has no vignette-figures block"
    assert m.group(1) == figures.table(figures.compute(assessor)), (
        "the README's figures are stale: run `make docs`"
    )


def test_calibration_is_reported(reports: dict) -> None:
    figures = reports["dev"]["static"]["figures"]
    assert 0 <= figures["brier"] < 0.2
    assert 0 <= figures["ece"] < 0.2
