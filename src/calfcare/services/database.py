"""Getting a database ready for first use, so that a self-hoster need not run a command first.

An empty database gets the current schema; one at an older schema, or holding tables that are
not calfcare's, is left alone with a message asking for `calfcare db upgrade`, because only
that command migrates (and backs up) existing data.
"""

from __future__ import annotations

from sqlalchemy import inspect

from calfcare.errors import CalfcareError


def ensure_schema(url: str) -> bool:
    """Create the schema in an empty database (True); do nothing if it is current (False).

    Raises CalfcareError, asking for `calfcare db upgrade`, when the database holds an older
    schema or tables that are not calfcare's.
    """
    from calfcare.storage.db import make_engine
    from calfcare.storage.migrate import current_revision, head_revision, upgrade

    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision is not None and revision == head_revision():
            return False
        empty = revision is None and not inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if empty:
        upgrade(url)
        return True
    raise CalfcareError(
        f"The database is at schema revision {revision or 'none'}, not "
        f"{head_revision()}: run `calfcare db upgrade` first."
    )
