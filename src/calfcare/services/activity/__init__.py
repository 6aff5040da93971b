"""Training sessions from sports watches and apps: GPX, TCX and FIT activity files.

* `formats`: which format a file is (by its contents) and reading it with that format's reader
  (`gpx` with gpxpy, `tcx` with tcxreader, `fit` with fitdecode);
* `summary`: the one shape every reader returns, and the checks of what a session can be;
* `importing`: files into the person's diary as training sessions, each whole or not at all,
  duplicates skipped;
* `records`: what a file added to a session (climb, heart rate, temperature) for the pages;
* `sameday`: the sessions of the day of each diary episode, to show them side by side.

Like the diary, functions take a SQLAlchemy `Session` and the owner's id, flush but never
commit, and raise `FormError` naming the field when the import as a whole cannot start.
"""

from calfcare.services.activity.formats import MAX_FILE_BYTES, detect, read_activity
from calfcare.services.activity.importing import (
    MAX_FILES,
    ActivityFile,
    ActivityImport,
    ImportedActivity,
    import_activities,
)
from calfcare.services.activity.records import ActivityDetails, activity_details
from calfcare.services.activity.sameday import SameDaySession, sessions_beside
from calfcare.services.activity.summary import ActivityFileError, ActivitySummary

__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "ActivityDetails",
    "ActivityFile",
    "ActivityFileError",
    "ActivityImport",
    "ActivitySummary",
    "ImportedActivity",
    "SameDaySession",
    "activity_details",
    "detect",
    "import_activities",
    "read_activity",
    "sessions_beside",
]
