"""Which format a file is, told by its contents, and reading it with that format's reader.

The contents decide, not the name: a FIT file starts with a header that says ".FIT", a GPX
file's root element is <gpx> and a TCX file's is <TrainingCenterDatabase>. A name that claims
another format is refused, so that a mislabelled file is noticed rather than misread. XML with
a document type declaration is refused before any parser sees it: activity files never need
one, and entity expansion is how a small file becomes a huge one.
"""

from __future__ import annotations

import re

from calfcare.services.activity.fit import read_fit
from calfcare.services.activity.gpx import read_gpx
from calfcare.services.activity.summary import FORMATS, ActivitySummary, Format, fail
from calfcare.services.activity.tcx import read_tcx

#: The largest activity file read (a day-long FIT file with one record a second is ~5 MB).
MAX_FILE_BYTES = 16 * 1024 * 1024
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(gpx|TrainingCenterDatabase)[\s>/]")
_NAMES = {"gpx": "GPX", "tcx": "TCX", "fit": "FIT"}


def _is_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT"


def detect(name: str, data: bytes) -> Format:
    """The format the contents show; ActivityFileError if none, or not the one the name says."""
    if not data:
        raise fail(name, "is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise fail(name, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB.")
    found: Format | None = None
    if _is_fit(data):
        found = "fit"
    else:
        root = _ROOT.search(data[:4096])
        if root is not None:
            found = "gpx" if root.group(1) == b"gpx" else "tcx"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if found is None:
        raise fail(name, "is not a GPX, TCX or FIT activity file.")
    if suffix in FORMATS and suffix != found:
        raise fail(name, f"is named as a {_NAMES[suffix]} file but holds {_NAMES[found]}.")
    return found


def read_activity(name: str, data: bytes) -> ActivitySummary:
    """The training session one GPX, TCX or FIT file recorded; ActivityFileError otherwise."""
    fmt = detect(name, data)
    if fmt == "fit":
        return read_fit(name, data)
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise fail(name, "holds a document type declaration, which activity files never need.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(name, "is not UTF-8 text, as GPX and TCX files are.") from None
    return read_gpx(name, text) if fmt == "gpx" else read_tcx(name, data)
