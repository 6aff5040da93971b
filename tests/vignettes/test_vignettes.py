"""The assessment on clinical vignettes: the dev set and our own, static and interview."""

from __future__ import annotations

from pathlib import Path

import pytest

from calfcare.services.assessment import Assessor
from calfcare.services.validation import validate_folder

HERE = Path(__file__).parent
TARGETS = {"top1": 0.90, "top3": 0.98, "triage_exact": 0.90}
SAFETY = ("under_triage", "emergencies_missed", "self_care_sent_to_emergency")


@pytest.fixture(scope="module")
def reports(assessor: Assessor) -> dict[str, dict[str, dict[str, object]]]:
    return {name: validate_folder(HERE / name, assessor) for name in ("dev", "extra", "hard")}


@pytest.mark.parametrize("folder", ["dev", "extra", "hard"])
@pytest.mark.parametrize("mode", ["static", "interview"])
def test_never_under_triage(reports: dict, folder: str, mode: str) -> None:
    part = reports[folder][mode]
    for key in SAFETY:
        assert part["figures"][key] == 0, (key, part["misses"])


@pytest.mark.parametrize("folder", ["dev", "extra", "hard"])
@pytest.mark.parametrize("mode", ["static", "interview"])
def test_accuracy_targets(reports: dict, folder: str, mode: str) -> None:
    figures = reports[folder][mode]["figures"]
    for key, target in TARGETS.items():
        assert figures[key] >= target, (key, figures, reports[folder][mode]["misses"])


@pytest.mark.parametrize("folder", ["dev", "extra", "hard"])
def test_interview_length(reports: dict, folder: str) -> None:
    figures = reports[folder]["interview"]["figures"]
    assert figures["questions_median"] <= 10
    assert figures["questions_max"] <= 25
