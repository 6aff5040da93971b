"""Citations as readers see them: authors, title, journal, year, then real links."""

from __future__ import annotations

from typing import Any

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import EvidenceLevel, Reference
from calfcare.services.references import (
    author_list,
    citation,
    citation_text,
    common_level,
    editorial_flags,
    short_citation,
)


def _ref(**fields: Any) -> Reference:
    base: dict[str, Any] = {
        "id": "smith2020",
        "authors": "Smith AB, Jones CD, Brown EF, Green GH, White IJ",
        "year": 2020,
        "title": "A trial of calf stretching",
        "journal": "J Calf Res 2020;3(2):10-20",
    }
    return Reference.model_validate(base | fields)


def test_more_than_three_authors_become_the_first_three_et_al() -> None:
    assert (
        author_list("Smith AB, Jones CD, Brown EF, Green GH")
        == "Smith AB, Jones CD, Brown EF, et al."
    )
    assert author_list("Smith AB, Jones CD") == "Smith AB, Jones CD"
    assert author_list("Smith AB, et al.") == "Smith AB, et al."


def test_a_citation_with_doi_and_pmid_links_both_and_keeps_parts_apart() -> None:
    c = citation(_ref(doi="10.1000/xyz.1", pmid="12345678"))
    assert [p.kind for p in c.parts] == ["authors", "title", "journal"]
    assert [(link.kind, link.href) for link in c.links] == [
        ("doi", "https://doi.org/10.1000/xyz.1"),
        ("pmid", "https://pubmed.ncbi.nlm.nih.gov/12345678/"),
    ]
    text = c.text
    assert text.startswith("Smith AB, Jones CD, Brown EF, et al. A trial of calf stretching. ")
    assert "doi:10.1000/xyz.1. PMID 12345678." in text
    assert "0PMID" not in text
    assert "LinkIdentifier" not in text


def test_the_year_is_added_when_the_journal_does_not_show_it() -> None:
    c = citation(_ref(journal="J Calf Res", doi="10.1000/xyz.1"))
    assert [p.text for p in c.parts][-2:] == ["J Calf Res.", "2020."]


def test_a_source_found_only_by_a_search_says_so_and_hides_the_flag() -> None:
    ref = _ref(
        search="https://pubmed.ncbi.nlm.nih.gov/?term=calf",
        unconfirmed=["identifier"],
        note="Identifier not confirmed; checked against a news report only.",
    )
    c = citation(ref)
    assert [(link.kind, link.label) for link in c.links] == [
        ("search", "Search PubMed for this source")
    ]
    assert c.text.endswith("Find it by searching PubMed.")
    assert "confirmed" not in c.text.lower()
    assert "news report" not in c.text
    assert editorial_flags(ref) == ["identifier (no DOI, PMID or PMCID)"]


def test_a_web_page_links_its_own_address_by_site_name() -> None:
    c = citation(_ref(authors="NHS", journal="NHS website", url="https://www.nhs.uk/leg-cramps/"))
    assert [(link.kind, link.label) for link in c.links] == [("url", "nhs.uk")]


def test_flagged_parts_are_left_out_of_what_readers_see() -> None:
    ref = _ref(
        authors=None, journal=None, doi="10.1000/xyz.1", unconfirmed=["authors", "journal", "year"]
    )
    c = citation(ref)
    assert [p.kind for p in c.parts] == ["title"]
    assert "2020" not in c.text
    assert short_citation(ref) == "A trial of calf stretching"


def test_short_citation_names_the_first_author_and_year() -> None:
    assert short_citation(_ref(pmid="1")) == "Smith et al. 2020"
    nhs = _ref(authors="NHS", journal="NHS website", url="https://www.nhs.uk/")
    assert short_citation(nhs) == "NHS 2020"


def test_no_shipped_citation_runs_together_or_shows_an_editorial_note(kb: KnowledgeBase) -> None:
    for ref in kb.references.values():
        text = citation_text(ref)
        assert "not confirmed" not in text.lower(), ref.id
        assert "Not known" not in text, ref.id
        if ref.note:
            assert ref.note not in text, ref.id
        for part in citation(ref).parts:
            assert part.text.endswith((".", "?", "!")), (ref.id, part.text)


def test_a_level_is_said_once_only_when_most_items_share_it() -> None:
    eo, weak = EvidenceLevel.expert_opinion, EvidenceLevel.weak
    assert common_level([eo, eo, eo]) == eo
    assert common_level([eo, eo, weak]) == eo
    assert common_level([eo, weak]) is None
    assert common_level([eo]) is None
    assert common_level([]) is None
