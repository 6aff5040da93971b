"""Reading an uploaded export: the JSON file, one CSV file, or the zip of CSV files.

A zip is opened with limits (members, unpacked size, the methods export uses), so that a
crafted one cannot fill the memory; each problem raises `FormError` naming `file`.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from calfcare.errors import FormError
from calfcare.services.diary.export import CSV_FILES
from calfcare.services.text import shown

MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
#: An export holds three files; a zip with many more is not one.
MAX_ZIP_MEMBERS = 10
#: How export writes its zip; other methods (deflate64, encryption...) cannot all be read.
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _csv_kind(name: str, text: str) -> str:
    """The export file name a single CSV stands for (by its name, else by its header)."""
    base = _base_name(name).lower()
    if base in CSV_FILES:
        return base
    header = text.removeprefix("\ufeff").split("\n", 1)[0]
    if "occurred_at" in header:
        return "episodes.csv"
    if "started_at" in header:
        return "training_sessions.csv"
    return "saved_assessments.csv"


def _member_text(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> str:
    """One file of an uploaded zip as text; FormError naming `file` if it cannot be read."""
    name = shown(member.filename)
    if member.flag_bits & 0x1:
        raise FormError(
            {"file": f"{name} in the zip file is encrypted; export again without a password."}
        )
    if member.compress_type not in ZIP_METHODS:
        raise FormError(
            {
                "file": f"{name} in the zip file is compressed in a way calfcare "
                "cannot read; zip the files again with ordinary (deflate) "
                "compression."
            }
        )
    try:
        return zf.read(member).decode("utf-8")
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise FormError({"file": f"{name} in the zip file is damaged."}) from None


def _unzip(data: bytes) -> dict[str, str]:
    """The files of an uploaded zip by base name; FormError naming `file` otherwise."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise FormError(
                {"file": f"The zip file holds {len(members)} files; an export holds 3."}
            )
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise FormError({"file": "The zip file is too large once unpacked."})
        files: dict[str, str] = {}
        for m in members:
            base = _base_name(m.filename)
            if base in files:
                raise FormError({"file": f"The zip file holds {shown(base)} twice."})
            files[base] = _member_text(zf, m)
    if not files:
        raise FormError({"file": "The zip file is empty."})
    return files


def read_upload(name: str, data: bytes) -> str | dict[str, str]:
    """The JSON text, or the CSV texts by export file name; FormError naming `file` otherwise.

    A single CSV file counts as the export file its name or header stands for.
    """
    try:
        if data[:2] == b"PK":
            return _unzip(data)
        text = data.decode("utf-8")
    except zipfile.BadZipFile:
        raise FormError({"file": "The file looks like a zip file but cannot be opened."}) from None
    except UnicodeDecodeError:
        raise FormError({"file": "The file must be UTF-8 text (a calfcare export)."}) from None
    if name.lower().endswith(".json") or text.lstrip().startswith("{"):
        return text
    return {_csv_kind(name, text): text}
