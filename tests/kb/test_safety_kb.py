"""The safety net, companion checks, re-checks and review fields of the knowledge base."""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from calfcare.errors import KnowledgeBaseError
from calfcare.kb.checks import check_kb
from calfcare.kb.loader import KnowledgeBase, load_kb, read_kb
from calfcare.kb.schema import TriageLevel


@pytest.fixture
def data(tmp_path: Path) -> Path:
    src = Path(str(resources.files("calfcare.kb").joinpath("data")))
    shutil.copytree(src, tmp_path / "data")
    return tmp_path / "data"


def _problems(data: Path) -> list[str]:
    return [str(p) for p in check_kb(read_kb(data))]


def test_every_cant_miss_condition_has_a_rule_out_line(kb: KnowledgeBase) -> None:
    urgent = {
        c for c, g in kb.guides.items() if g.usual_care.rank >= TriageLevel.consultation_24.rank
    }
    assert urgent == set(kb.safety_net)
    for entry in kb.safety_net.values():
        assert 0 < entry.rule_out < 0.1
        assert entry.key_findings or entry.evidence_gap


def test_key_findings_cite_published_accuracy(kb: KnowledgeBase) -> None:
    links = {(lk.condition, lk.finding): lk for lk in kb.likelihoods}
    keys = [(c, f) for c, e in kb.safety_net.items() for f in e.key_findings]
    assert len(keys) >= 10
    for key in keys:
        lk = links[key]
        assert lk.basis in {"study", "derived"}, key
        assert lk.references, key
        assert lk.note, key


def test_every_number_has_a_reason_and_an_empty_review(kb: KnowledgeBase) -> None:
    records = [
        *kb.likelihoods,
        *kb.backgrounds.values(),
        *kb.priors.values(),
        *kb.rules,
        *kb.safety_net.values(),
        *kb.companion_checks.values(),
        *kb.personal_advice,
    ]
    for record in records:
        assert record.reviewed_by == "", record
        assert record.reviewed_on is None, record
    for lk in kb.likelihoods:
        assert lk.note, (lk.condition, lk.finding)
    for bg in kb.backgrounds.values():
        assert bg.note, bg.finding


def test_review_columns_are_in_the_csv_files(data: Path) -> None:
    for name in ("likelihoods.csv", "backgrounds.csv"):
        with (data / "model" / name).open() as f:
            header = next(csv.reader(f))
        assert header[-2:] == ["reviewed_by", "reviewed_on"]


def test_a_name_without_a_date_is_refused(data: Path) -> None:
    path = data / "model" / "safety_net.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["conditions"][0]["reviewed_by"] = "Dr A Reviewer"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(KnowledgeBaseError, match="filled in together"):
        load_kb(data)


def test_a_key_finding_without_a_source_is_reported(data: Path) -> None:
    path = data / "model" / "likelihoods.csv"
    rows = list(csv.DictReader(path.open()))
    for row in rows:
        if (row["condition"], row["finding"]) == (
            "achilles_tendon_rupture",
            "calf_squeeze_no_foot_movement",
        ):
            row["basis"], row["references"] = "estimate", ""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert any("calf_squeeze_no_foot_movement" in p and "accuracy" in p for p in _problems(data))


def test_a_danger_sign_without_plainer_words_is_reported(data: Path) -> None:
    path = data / "findings.yaml"
    doc = yaml.safe_load(path.read_text())
    for f in doc["findings"]:
        if f["id"] == "chest_pain_or_breathless":
            del f["recheck"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert any("chest_pain_or_breathless" in p and "recheck" in p for p in _problems(data))


def test_a_rule_message_may_not_set_its_own_timing(data: Path) -> None:
    path = data / "alarm_rules.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["rules"][0]["message"] += " Go today."
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert any("today" in p and "headline" in p for p in _problems(data))


def test_a_companion_check_needs_its_drawing(data: Path) -> None:
    (data / "figures" / "calf_squeeze.svg").unlink()
    assert any("calf_squeeze" in p and "drawing" in p for p in _problems(data))


def test_a_question_with_more_than_eight_items_is_refused(data: Path) -> None:
    path = data / "questions.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["questions"][0]["items"] = [{"finding": f} for f in ["calf_pain"] * 9]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(KnowledgeBaseError, match="items"):
        load_kb(data)
