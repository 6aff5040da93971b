"""What makes a reference record consistent: how it is located and what is flagged unconfirmed.

A reference is found by its DOI, PMID or PMCID, or by the address of the page that holds it;
a search is the last resort, allowed only when none of those is known and the record admits
that no identifier has been confirmed. Anything left out of a record (the authors, the
journal) must be flagged, so that a gap is always on the editors' list, and nothing a flag
hides may slip into another field a reader sees.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calfcare.kb.schema import Reference

#: Query keys that make an address a search rather than the page of one source.
SEARCH_QUERY = re.compile(r"[?&](?:term|keywords|q|query|search)=", re.IGNORECASE)
#: Volume, issue or pages in a journal field ("2004;38:488-492", "8(10):44").
VOLUME_OR_PAGES = re.compile(r"\d\s*[;:(]")


#: The shape of each locator, with an example an editor can copy, for precise errors.
LOCATOR_SHAPES = {
    "doi": (
        re.compile(r"10\.\d{4,9}/\S+"),
        "a DOI starts '10.', then a slash, without 'doi:' or https://doi.org/ in front "
        "(e.g. 10.1136/bjsm.2008.050401)",
    ),
    "pmid": (
        re.compile(r"[1-9][0-9]{0,8}"),
        "a PMID is digits only, without 'PMID' in front (e.g. '34185846')",
    ),
    "pmcid": (re.compile(r"PMC[0-9]+"), "a PMCID is 'PMC' and digits (e.g. PMC7962362)"),
    "url": (re.compile(r"https?://\S+"), "a url is a web address starting https:// or http://"),
    "search": (re.compile(r"https://\S+"), "a search is a web address starting https://"),
}


def locator_problem(field: str, value: str | None) -> str | None:
    """What is wrong with one locator's shape, or None: the error names the field and the form."""
    if value is None:
        return None
    pattern, shape = LOCATOR_SHAPES[field]
    if pattern.fullmatch(value):
        return None
    return f"{field} '{value}' is not in the expected form: {shape}"


def _location_problems(ref: Reference) -> list[str]:
    identifier = ref.doi or ref.pmid or ref.pmcid
    flags = set(ref.unconfirmed)
    problems = []
    if not (identifier or ref.url or ref.search):
        problems.append("needs a doi, pmid, pmcid, url or, failing those, a search")
    if ref.search and (identifier or ref.url):
        problems.append("search is only for a source with no identifier or address")
    if ref.url and SEARCH_QUERY.search(ref.url):
        problems.append("url is a search: put it in search and flag the identifier")
    if ref.search and "identifier" not in flags:
        problems.append("a source found only by a search must flag 'identifier' unconfirmed")
    if identifier and "identifier" in flags:
        problems.append("'identifier' is flagged unconfirmed but a doi, pmid or pmcid is given")
    return problems


def _flag_problems(ref: Reference) -> list[str]:
    flags = set(ref.unconfirmed)
    problems = []
    if len(flags) != len(ref.unconfirmed):
        problems.append("unconfirmed lists a part twice")
    if ref.authors is None and "authors" not in flags:
        problems.append("authors left out: flag 'authors' unconfirmed")
    if ref.journal is None and "journal" not in flags:
        problems.append("journal left out: flag 'journal' unconfirmed")
    if "author_list" in flags and "et al" not in (ref.authors or ""):
        problems.append("'author_list' is flagged: the authors must end in 'et al.'")
    if "year" in flags and str(ref.year) in (ref.journal or ""):
        problems.append("the year is flagged unconfirmed but the journal field shows it")
    if "details" in flags and VOLUME_OR_PAGES.search(ref.journal or ""):
        problems.append(
            "volume and pages are flagged unconfirmed: keep them in the note, not the journal"
        )
    return problems


def reference_problems(ref: Reference) -> list[str]:
    """Every way this record breaks the rules above, in words an editor can act on."""
    return _location_problems(ref) + _flag_problems(ref)
