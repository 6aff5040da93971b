"""References as readers see them: one formatter for the web pages, the PDF and the terminal.

A citation gives the authors (the first three, then "et al."), the title, the journal or
publisher and the year, then the links that find the source: its DOI and PMID (and PMCID) as
real links, the address of the page when that is how it is found, and a search only when
nothing else is known, labelled as a search. Parts an editor has flagged unconfirmed
(`Reference.unconfirmed`) are left out, and the record's `note` is for editors only: neither
ever reaches a reader. The editors' view lists them (`editorial_flags`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from calfcare.kb.schema import EvidenceLevel, Reference, Unconfirmed

LinkKind = Literal["doi", "pmid", "pmcid", "url", "search"]
PartKind = Literal["authors", "title", "journal", "year"]

#: How many authors a citation names before "et al.".
MAX_AUTHORS = 3
#: Sites searched by some references, by the name readers know them by.
SEARCH_SITES = {"pubmed.ncbi.nlm.nih.gov": "PubMed", "www.gov.uk": "GOV.UK"}
#: What each editorial flag means, in the editors' words.
FLAG_WORDS = {
    Unconfirmed.authors: "authors (left out of the citation)",
    Unconfirmed.author_list: "full author list",
    Unconfirmed.year: "year (left out of the citation)",
    Unconfirmed.exact_title: "exact title",
    Unconfirmed.journal: "journal (left out of the citation)",
    Unconfirmed.details: "volume, issue or pages",
    Unconfirmed.identifier: "identifier (no DOI, PMID or PMCID)",
}


@dataclass(frozen=True)
class Part:
    """One piece of the citation's sentence, with its full stop."""

    kind: PartKind
    text: str


@dataclass(frozen=True)
class Link:
    """A way to find the source: `label` is the link's words, `href` where it goes."""

    kind: LinkKind
    label: str
    href: str
    site: str = ""

    @property
    def text(self) -> str:
        """The link as plain text, for print and the terminal (an address without a stop)."""
        if self.kind == "url":
            return self.href
        if self.kind == "search":
            return f"Find it by searching {self.site}."
        return f"{self.label}."


@dataclass(frozen=True)
class Citation:
    """A reference as a reader sees it."""

    id: str
    parts: tuple[Part, ...]
    links: tuple[Link, ...]

    @property
    def text(self) -> str:
        """The whole citation on one line, e.g. for the PDF handout or the command line."""
        return " ".join([p.text for p in self.parts] + [link.text for link in self.links])


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _split_authors(authors: str) -> tuple[list[str], str]:
    """The names of an author field and what closes it ("et al.", a group's name)."""
    names: list[str] = []
    for chunk in (c.strip() for c in authors.split(",")):
        if chunk.lower().startswith("et al"):
            return names, chunk
        if chunk:
            names.append(chunk)
    return names, ""


def author_list(authors: str) -> str:
    """The first three authors, then "et al." when there are more."""
    names, closing = _split_authors(authors)
    if len(names) > MAX_AUTHORS:
        names, closing = names[:MAX_AUTHORS], closing or "et al."
    return ", ".join([*names, closing] if closing else names)


def _parts(ref: Reference) -> tuple[Part, ...]:
    hidden = set(ref.unconfirmed)
    parts: list[Part] = []
    if ref.authors and Unconfirmed.authors not in hidden:
        parts.append(Part("authors", _sentence(author_list(ref.authors))))
    parts.append(Part("title", _sentence(ref.title)))
    journal = ref.journal if Unconfirmed.journal not in hidden else None
    if journal:
        parts.append(Part("journal", _sentence(journal)))
    if Unconfirmed.year not in hidden and str(ref.year) not in (journal or ""):
        parts.append(Part("year", f"{ref.year}."))
    return tuple(parts)


def _site(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _links(ref: Reference) -> tuple[Link, ...]:
    links: list[Link] = []
    if ref.doi:
        links.append(Link("doi", f"doi:{ref.doi}", f"https://doi.org/{ref.doi}"))
    if ref.pmid:
        links.append(
            Link("pmid", f"PMID {ref.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/")
        )
    if ref.pmcid:
        links.append(
            Link("pmcid", ref.pmcid, f"https://pmc.ncbi.nlm.nih.gov/articles/{ref.pmcid}/")
        )
    if ref.url and not links:
        links.append(Link("url", _site(ref.url), ref.url))
    if ref.search and not links:
        host = urlsplit(ref.search).hostname or ""
        site = SEARCH_SITES.get(host, _site(ref.search))
        links.append(Link("search", f"Search {site} for this source", ref.search, site))
    return tuple(links)


def citation(ref: Reference) -> Citation:
    """The reader's citation of one reference."""
    return Citation(id=ref.id, parts=_parts(ref), links=_links(ref))


def citation_text(ref: Reference) -> str:
    """The reader's citation as one line of plain text."""
    return citation(ref).text


def short_citation(ref: Reference) -> str:
    """A short mention for a list of sources, e.g. 'Miller et al. 2022' or 'NHS 2025'."""
    hidden = set(ref.unconfirmed)
    names, closing = _split_authors(ref.authors or "")
    if not names or Unconfirmed.authors in hidden:
        words = ref.title.split()
        who = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    else:
        first = re.sub(r"\s*\(.*?\)", "", names[0])
        last = first.rsplit(" ", 1)
        who = last[0] if len(last) == 2 and re.fullmatch(r"[A-Z-]+", last[1]) else first
        who += " et al." if len(names) > 1 or closing else ""
    return who if Unconfirmed.year in hidden else f"{who} {ref.year}"


def sort_key(ref: Reference) -> tuple[str, str, int]:
    """Alphabetical by the first author as shown (the title when none is), then year."""
    shown = citation(ref).parts[0].text
    return (shown.casefold(), ref.title.casefold(), ref.year)


def editorial_flags(ref: Reference) -> list[str]:
    """What is not yet confirmed about a reference, in the editors' words."""
    return [FLAG_WORDS[flag] for flag in ref.unconfirmed]


def common_level(levels: Iterable[EvidenceLevel]) -> EvidenceLevel | None:
    """The evidence level most items of a list share, when a list can say it once.

    It must be shared by at least two items and by more than half of them; otherwise there is
    none, and each item shows its own.
    """
    found = list(levels)
    best = max(set(found), key=found.count, default=None)
    if best is None or found.count(best) < 2 or 2 * found.count(best) <= len(found):
        return None
    return best
