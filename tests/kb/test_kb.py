"""The shipped knowledge base is whole and packaged."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from calfcare.errors import KnowledgeBaseError
from calfcare.kb.checks import check_kb
from calfcare.kb.loader import KnowledgeBase, load_kb, read_kb

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"


def test_kb_check_finds_no_problem(kb: KnowledgeBase) -> None:
    assert check_kb(kb) == []


def test_data_files_ship_inside_the_package() -> None:
    root = resources.files("calfcare.kb").joinpath("data")
    assert root.joinpath("findings.yaml").is_file()
    assert root.joinpath("model").joinpath("likelihoods.csv").is_file()


def test_every_contract_condition_and_finding_exists(kb: KnowledgeBase) -> None:
    assert set(kb.contract.conditions) <= set(kb.guides)
    if (SPEC / "findings.yaml").exists():
        spec = yaml.safe_load((SPEC / "findings.yaml").read_text())["findings"]
        assert {f["id"] for f in spec} <= set(kb.findings)
        assert all(kb.findings[f["id"]].who == f["who"] for f in spec)
        assert kb.contract.findings == len(spec)


def test_the_contract_file_is_the_shared_specification(kb: KnowledgeBase) -> None:
    if not (SPEC / "conditions.yaml").exists():
        pytest.skip("the shared specification is not next to this checkout")
    spec = yaml.safe_load((SPEC / "conditions.yaml").read_text())["conditions"]
    assert {c["id"]: c["usual_care"] for c in spec} == {
        cid: level.value for cid, level in kb.contract.conditions.items()
    }


def test_load_kb_refuses_a_knowledge_base_with_a_cross_file_problem(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    path = data / "conditions" / "calf_contusion.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["do_now"][0]["references"] = ["no_such_paper2099"]
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(KnowledgeBaseError, match="no_such_paper2099"):
        load_kb(data)


def test_every_number_says_where_it_comes_from(kb: KnowledgeBase) -> None:
    for lk in kb.likelihoods:
        assert lk.basis in {"estimate", "study", "derived"}
        if lk.basis != "estimate":
            assert lk.references, (lk.condition, lk.finding)


def test_every_reference_has_a_locator(kb: KnowledgeBase) -> None:
    for ref in kb.references.values():
        assert ref.doi or ref.pmid or ref.pmcid or ref.url or ref.search, ref.id


def _copy_kb(tmp_path: Path) -> Path:
    import shutil

    src = Path(str(resources.files("calfcare.kb").joinpath("data")))
    dst = tmp_path / "data"
    shutil.copytree(src, dst)
    return dst


def test_a_broken_field_is_named(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    path = data / "conditions" / "calf_contusion.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["usual_care"] = "whenever"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(data)
    assert "calf_contusion.yaml" in str(info.value)
    assert "usual_care" in str(info.value)


def test_an_unknown_reference_is_reported(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    path = data / "conditions" / "calf_contusion.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["do_now"][0]["references"] = ["no_such_paper2099"]
    path.write_text(yaml.safe_dump(doc))
    problems = [str(p) for p in check_kb(read_kb(data))]
    assert any("no_such_paper2099" in p and "calf_contusion" in p for p in problems)


def test_an_unreachable_condition_is_reported(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    path = data / "model" / "likelihoods.csv"
    lines = [
        ln
        for ln in path.read_text().splitlines()
        if not ln.startswith("popliteal_artery_entrapment,")
    ]
    path.write_text("\n".join(lines) + "\n")
    problems = [str(p) for p in check_kb(read_kb(data))]
    assert any("popliteal_artery_entrapment" in p and "cannot be reached" in p for p in problems)


def test_the_youngest_age_served_is_read_from_the_contract(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    path = data / "contract.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["min_supported_age"] = 14
    path.write_text(yaml.safe_dump(doc))
    assert read_kb(data).min_supported_age == 14
    doc["min_supported_age"] = 0
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(KnowledgeBaseError) as info:
        read_kb(data)
    assert "contract.yaml" in str(info.value)
    assert "min_supported_age" in str(info.value)
