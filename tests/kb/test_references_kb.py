"""Reference records: locators in the right form, gaps flagged, and a count for editors."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from calfcare.cli import app
from calfcare.errors import KnowledgeBaseError
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.kb.report import editorial_line, unconfirmed_identifiers
from calfcare.kb.schema import Unconfirmed


def _kb_with(tmp_path: Path, **changes: Any) -> Path:
    """A copy of the shipped knowledge base whose first reference in rehab.yaml is changed."""
    src = Path(str(resources.files("calfcare.kb").joinpath("data")))
    data = tmp_path / "data"
    shutil.copytree(src, data)
    path = data / "references" / "rehab.yaml"
    doc = yaml.safe_load(path.read_text())
    record = doc["references"][0]
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return data


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"doi": "https://doi.org/10.1177/x"}, ["field doi", "a DOI starts '10.'"]),
        ({"doi": "doi:10.1177/x"}, ["field doi", "without 'doi:'"]),
        ({"pmid": "PMID 9617396"}, ["field pmid", "digits only"]),
        ({"pmcid": "7962362"}, ["field pmcid", "'PMC' and digits"]),
        ({"url": "www.example.org/paper"}, ["field url", "https://"]),
    ],
)
def test_a_malformed_locator_is_named_with_its_expected_form(
    tmp_path: Path, changes: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(_kb_with(tmp_path, **changes))
    message = str(info.value)
    assert "rehab.yaml" in message
    assert "alfredson1998" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"doi": None, "pmid": None, "url": "https://pubmed.ncbi.nlm.nih.gov/?term=calf"},
            "url is a search",
        ),
        (
            {"doi": None, "pmid": None, "search": "https://pubmed.ncbi.nlm.nih.gov/?term=calf"},
            "must flag 'identifier'",
        ),
        ({"search": "https://pubmed.ncbi.nlm.nih.gov/?term=calf"}, "search is only for"),
        ({"unconfirmed": ["identifier"]}, "'identifier' is flagged unconfirmed but"),
        ({"authors": None}, "authors left out"),
        ({"journal": None}, "journal left out"),
        ({"doi": None, "pmid": None}, "needs a doi, pmid, pmcid, url"),
        ({"unconfirmed": ["details"]}, "keep them in the note"),
        ({"unconfirmed": ["guessed"]}, "field unconfirmed"),
    ],
)
def test_an_inconsistent_reference_is_refused_in_words_an_editor_can_act_on(
    tmp_path: Path, changes: dict[str, Any], words: str
) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(_kb_with(tmp_path, **changes))
    assert words in str(info.value)
    assert "alfredson1998" in str(info.value)


def test_an_unquoted_pmid_is_read_as_the_same_pmid(tmp_path: Path) -> None:
    kb = load_kb(_kb_with(tmp_path, pmid=9617396))
    assert kb.references["alfredson1998"].pmid == "9617396"


def test_every_shipped_reference_is_located_or_admits_it_is_not(kb: KnowledgeBase) -> None:
    for ref in kb.references.values():
        assert ref.doi or ref.pmid or ref.pmcid or ref.url or ref.search, ref.id
        if ref.search:
            assert Unconfirmed.identifier in ref.unconfirmed, ref.id
        assert "not confirmed" not in (ref.journal or "").lower(), ref.id
        assert ref.authors != "Not known", ref.id


def test_editors_get_the_count_of_unconfirmed_identifiers(kb: KnowledgeBase) -> None:
    flagged = [r for r in kb.references.values() if Unconfirmed.identifier in r.unconfirmed]
    assert unconfirmed_identifiers(kb) == len(flagged) > 0
    assert f"{len(flagged)} of {len(kb.references)} references" in editorial_line(kb)


def test_kb_check_and_the_references_command_report_what_is_unconfirmed(kb: KnowledgeBase) -> None:
    runner = CliRunner()
    checked = runner.invoke(app, ["kb", "check"])
    assert checked.exit_code == 0, checked.output
    assert f"{unconfirmed_identifiers(kb)} of {len(kb.references)}" in checked.output
    listed = runner.invoke(app, ["kb", "references", "--unconfirmed"])
    assert listed.exit_code == 0, listed.output
    flagged = [r for r in kb.references.values() if r.unconfirmed]
    assert f"{len(flagged)} sources with a part not yet confirmed." in listed.output
    assert "fardet2017" in listed.output
    assert "Not confirmed: " in listed.output
    assert "alfredson1998" not in listed.output
