"""Moving stored plans to renamed knowledge-base ids, after the schema is upgraded.

`calfcare db upgrade` and `calfcare serve` call `move_renamed_plans` once the database is at
the newest schema: every plan then follows the ids of the shipped knowledge base, and a plan
whose phase is gone with no mapping is named (its page asks to choose the phase).
"""

from __future__ import annotations

import typer


def move_renamed_plans(url: str) -> None:
    """Apply `kb/data/rehab/renames.yaml` to the plans stored at `url`, and say what moved."""
    from calfcare.kb.loader import load_kb
    from calfcare.services.rehab import upgrade_stored_plans

    report = upgrade_stored_plans(url, kb=load_kb())
    for line in report.moved:
        typer.echo(f"Rehabilitation {line}.")
    for line in report.unresolved:
        typer.echo(f"Rehabilitation {line}.", err=True)
