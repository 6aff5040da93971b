"""`calfcare diary ...`: a self-hoster's cramp diary on the command line.

The person is chosen with `--user EMAIL` (or the environment variable CALFCARE_USER). The
database is the web application's (CALFCARE_DATABASE_URL, or SQLite in CALFCARE_DATA_DIR): an
empty database gets the schema on first use; an older one asks for `calfcare db upgrade`.

The commands, by module: `episodes` (add, list), `insights` (insights) and `transfer` (export,
import); `common` holds the app and the `--user` option they share. The modules are imported
here in that order because `calfcare diary --help` lists the commands in the order they were
registered. Heavy modules (SQLAlchemy, the services, Rich) are imported inside the commands so
that `calfcare --help` stays fast.
"""

from calfcare.cli.diary import episodes, insights, transfer
from calfcare.cli.diary.common import app

__all__ = ["app", "episodes", "insights", "transfer"]
