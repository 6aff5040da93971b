"""`calfcare rehab ...`: follow a rehabilitation programme on the command line.

The person is chosen with `--user EMAIL` (or CALFCARE_USER) and the database is the web
application's, as for `calfcare diary`. Days are calendar days in the account's time zone;
"today" comes from the settings' clock, so CALFCARE_CLOCK_FILE can replay a programme day by
day in a demonstration or a test.

Exit codes: 2 when something typed is wrong (the message names the option), 1 when the
request cannot be done as things stand (no account, no active programme, nothing to accept).

The commands, by module: `library` (programmes, exercises, exercise), `plan` (start, stop,
status, advance, phase), `logs` (today, log, morning, test) and `handout`; `today_view` shows
the day, `render` prints a plan's report, `common` holds the app and what the commands share.
Each command parses its options, calls the services, and prints; heavy modules are imported
inside the commands so that `calfcare --help` stays fast.
"""

from calfcare.cli.rehab import handout, library, logs, plan
from calfcare.cli.rehab.common import app

__all__ = ["app", "handout", "library", "logs", "plan"]
