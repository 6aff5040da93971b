"""diary_rules.yaml: typed on load, cross-checked by `calfcare kb check`."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from calfcare.errors import KnowledgeBaseError
from calfcare.kb.checks import check_kb
from calfcare.kb.loader import KnowledgeBase, load_kb, read_kb


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(Path(str(resources.files("calfcare.kb").joinpath("data"))), dst)
    return dst


def _edit(data: Path, change: object) -> None:
    path = data / "diary_rules.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))


def test_shipped_rules_load_and_cite_known_sources(kb: KnowledgeBase) -> None:
    rules = kb.diary_rules
    assert [p.id for p in rules.prompts] == [
        "regular_cramps",
        "cramps_disturb_sleep",
        "cramp_longer_than_10_minutes",
    ]
    assert "diary_rules.yaml" in kb.sources
    for prompt in rules.prompts:
        assert prompt.message
        assert prompt.level.value in ("consultation", "consultation_24")
        assert set(prompt.references) <= set(kb.references)
        if prompt.basis == "estimate":
            assert prompt.note
    assert "WBGT" in (rules.factors.heat.note or "")


def test_an_unknown_reference_and_an_unexplained_estimate_are_reported(tmp_path: Path) -> None:
    data = _copy(tmp_path)

    def change(doc: dict) -> None:  # type: ignore[type-arg]
        doc["prompts"][0]["references"] = ["no_such_guideline2099"]
        doc["prompts"][1]["note"] = None
        doc["factors"]["heat"]["references"].append("nobody2000")

    _edit(data, change)
    problems = [str(p) for p in check_kb(read_kb(data))]
    assert any("regular_cramps" in p and "no_such_guideline2099" in p for p in problems)
    assert any("cramps_disturb_sleep" in p and "needs a note" in p for p in problems)
    assert any("factors.heat" in p and "nobody2000" in p for p in problems)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("level", "emergency", "level"),
        ("basis", "guess", "basis"),
        ("criterion", {"kind": "episodes", "at_least": 0, "within_days": 30}, "at_least"),
        ("criterion", {"kind": "longest_episode", "at_least": 3, "within_days": 30}, "criterion"),
    ],
)
def test_a_broken_prompt_is_named(tmp_path: Path, field: str, value: object, named: str) -> None:
    data = _copy(tmp_path)
    _edit(data, lambda doc: doc["prompts"][2].__setitem__(field, value))
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(data)
    assert "diary_rules.yaml" in str(info.value)
    assert named in str(info.value)


def test_duplicate_prompt_ids_are_refused(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data, lambda doc: doc["prompts"].append(dict(doc["prompts"][0])))
    with pytest.raises(KnowledgeBaseError, match="duplicate id 'regular_cramps'"):
        load_kb(data)
