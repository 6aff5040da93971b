"""The Sources page and every citation link in the app: grouped, anchored, reader-clean."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from calfcare.kb.loader import KnowledgeBase

_IDS = re.compile(r'\sid="([^"]+)"')
_REF_LINKS = re.compile(r'href="([^"]*#ref-[^"]+)"')
#: Words that belong to the editors' notes and flags, never to a reader's page.
EDITORIAL = ("not confirmed", "identifier not", "title not", "not known", "unconfirmed")


def _ids(html: str) -> Counter[str]:
    return Counter(_IDS.findall(html))


def _what_to_do_now(client: TestClient, kb: KnowledgeBase) -> str:
    """The advice lists of every result page ("What to do now", "Looking after yourself"), as
    result.html renders them for each leading condition, without walking an interview."""
    templates = client.app.state.ctx.templates  # type: ignore[attr-defined]
    lists = templates.from_string(
        '{% from "_citations.html" import statements %}'
        "{% for g in guides %}<h2>What to do now</h2>"
        "{{ statements(g.do_now, references=references) }}"
        "<h2>Looking after yourself</h2>{{ statements(g.self_care, references=references) }}"
        "{% endfor %}<h2>End</h2>"
    )
    return str(lists.render(guides=list(kb.guides.values()), references=kb.references))


@pytest.fixture(scope="module")
def pages(client: TestClient, kb: KnowledgeBase) -> dict[str, str]:
    paths = ["/references", "/references?view=all"]
    paths += [f"/conditions/{cid}" for cid in kb.guides]
    paths += [f"/rehab/exercises/{eid}" for eid in kb.exercises]
    paths += [f"/rehab/programmes/{pid}" for pid in kb.programmes]
    out = {path: client.get(path).text for path in paths}
    out["result"] = _what_to_do_now(client, kb)
    return out


def test_every_reference_has_one_stable_anchor_on_the_sources_page(
    client: TestClient, kb: KnowledgeBase
) -> None:
    html = client.get("/references").text
    ids = _ids(html)
    for rid in kb.references:
        assert ids[f"ref-{rid}"] == 1, rid
    assert not [i for i, n in ids.items() if n > 1]


def test_the_sources_page_is_folded_into_topics(client: TestClient) -> None:
    html = client.get("/references").text
    topics = re.findall(r'<details class="details ref-topic" id="(topic-[a-z_]+)"( open)?>', html)
    assert len(topics) >= 5
    assert not [t for t, opened in topics if opened]
    for topic, _ in topics:
        assert f'href="#{topic}"' in html
    every = client.get("/references?view=all").text
    assert every.count('class="details ref-topic"') == every.count(" open>") == len(topics)


def test_every_citation_link_in_the_app_lands_on_an_anchor(
    client: TestClient, pages: dict[str, str]
) -> None:
    targets: dict[str, Counter[str]] = {}
    checked = 0
    for path, html in pages.items():
        for href in _REF_LINKS.findall(html):
            page, _, anchor = href.partition("#")
            if page:
                targets.setdefault(page, _ids(client.get(page).text))
            ids = targets[page] if page else _ids(html)
            assert ids[anchor] == 1, f"{path} links {href}, which lands on no single anchor"
            checked += 1
    assert checked > 500
    assert "/references" in targets, "the result page cites the Sources page"


def test_readers_never_see_an_editorial_flag_or_note(
    pages: dict[str, str], kb: KnowledgeBase
) -> None:
    notes = [r.note for r in kb.references.values() if r.note and len(r.note) > 30]
    for path, html in pages.items():
        cited = " ".join(re.findall(r'<ol class="references">(.*?)</ol>', html, re.S)).lower()
        for words in EDITORIAL:
            assert words not in cited, (path, words)
        for note in notes:
            assert note not in html, (path, note)


def test_no_citation_runs_into_its_links(pages: dict[str, str]) -> None:
    text = re.sub(r"<[^>]+>", "", pages["/references?view=all"])
    assert not re.search(r"Link[A-Z]|\d(PMID|doi:)|[a-z](doi:|PMID )", text)
    assert "Search PubMed for this source" in text


def test_the_editors_view_lists_the_flags(client: TestClient, kb: KnowledgeBase) -> None:
    html = client.get("/references?view=editors").text
    flagged = [r for r in kb.references.values() if r.unconfirmed]
    assert f"{len(flagged)} with a part not yet confirmed" in html
    assert html.count("<strong>Not confirmed:</strong>") == len(flagged)
    assert 'id="ref-fardet2017"' in html
    assert "exact title" in html


def test_a_list_sharing_one_level_says_it_once(pages: dict[str, str]) -> None:
    shared_lists = 0
    for block in pages["result"].split("<h2>")[1:-1]:
        items = re.findall(r'<li data-evidence="([a-z_]+)">(.*?)</li>', block, re.S)
        shared = re.search(r'class="evidence-shared">.*?class="evidence evidence-([a-z_]+)"', block)
        levels = Counter(level for level, _ in items)
        for own, body in items:
            assert 'href="/references#ref-' in body, body
            badge = 'class="evidence ' in body
            assert badge == (shared is None or own != shared.group(1)), body
            assert "visually-hidden" in body or badge, "every item names its level"
        if shared:
            shared_lists += 1
            assert 2 * levels[shared.group(1)] > len(items) >= 2
        else:
            assert not levels or max(levels.values()) < 2 or 2 * max(levels.values()) <= len(items)
    assert shared_lists >= 10


def test_the_result_page_uses_the_shared_advice_lists() -> None:
    from pathlib import Path

    import calfcare

    template = Path(calfcare.__file__).parent / "web" / "templates" / "_result_body.html"
    text = template.read_text(encoding="utf-8")
    assert "statements(lead.do_now, references=references)" in text
    assert "statements(lead.self_care, references=references)" in text
