"""`calfcare diary add` and `list`: one episode into the diary, the latest ones out of it.

Each command parses its options, calls the services, and prints; how a saved episode and the
list are shown is kept in helpers so the commands read as what they do.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from calfcare.cli.diary.common import UserOption, app
from calfcare.cli.people import fail, person_session, rich_console, zone_of_person

if TYPE_CHECKING:
    from rich.table import Table

    from calfcare.services.diary import EpisodeRecord, LoggedEpisode, Person

#: The option a person typed for each field of an episode.
OPTION_OF = {
    "occurred_at": "--when",
    "leg": "--leg",
    "duration_s": "--duration",
    "severity": "--severity",
    "activity": "--activity",
    "session_load": "--load",
    "woke_from_sleep": "--woke",
    "temperature_c": "--temp",
    "humidity_pct": "--humidity",
    "fluid_l": "--fluid",
    "carbohydrate_g": "--carbs",
    "helped": "--helped",
    "notes": "--notes",
    "muscle": "--muscle",
}


def _local(moment: datetime, zone: tzinfo | None = None, fmt: str = "%a %d %b %Y %H:%M") -> str:
    return moment.astimezone(zone).strftime(fmt)


# --- add ----------------------------------------------------------------------------------


@app.command("add")
def add(
    user: UserOption,
    leg: Annotated[str, typer.Option("--leg", help="left, right or both.")],
    duration: Annotated[
        str,
        typer.Option("--duration", help="How long it lasted: seconds, or e.g. 2m, 1m30s, 2:30."),
    ],
    severity: Annotated[
        str, typer.Option("--severity", help="How bad, from 0 (none) to 10 (worst).")
    ],
    activity: Annotated[
        str,
        typer.Option(
            "--activity",
            help="What you were doing: e.g. running, cycling, walking, sleeping, "
            "resting, gym, or other.",
        ),
    ],
    when: Annotated[
        str | None,
        typer.Option(
            "--when",
            show_default=False,
            help="When it started, e.g. 2026-11-25T07:30 (your local time unless it has an "
            "offset). Default: now.",
        ),
    ] = None,
    load: Annotated[
        str | None,
        typer.Option(
            "--load", help="The session compared with usual: less, usual, longer or harder."
        ),
    ] = None,
    woke: Annotated[bool, typer.Option("--woke", help="The cramp woke you from sleep.")] = False,
    temp: Annotated[
        str | None,
        typer.Option(
            "--temp", help="Air temperature: 28, 28C or 82F (a bare number is in your units)."
        ),
    ] = None,
    humidity: Annotated[
        str | None, typer.Option("--humidity", help="Relative humidity in %, 0 to 100.")
    ] = None,
    fluid: Annotated[
        str | None,
        typer.Option(
            "--fluid",
            help="What you drank in the session and the 2 hours before: a bare number "
            "is in your units (millilitres, or US fl oz for imperial), e.g. 500; or give "
            "the unit: 0.5L, 500ml, 16oz.",
        ),
    ] = None,
    carbs: Annotated[
        str | None,
        typer.Option(
            "--carbs", help="Carbohydrate taken in the session, in grams (e.g. 30 or 30g)."
        ),
    ] = None,
    helped: Annotated[str, typer.Option("--helped", help="What helped, in a few words.")] = "",
    notes: Annotated[str, typer.Option("--notes", help="Anything else.")] = "",
) -> None:
    """Add a cramp or calf-pain episode to the diary."""
    from calfcare.errors import FormError
    from calfcare.kb.loader import load_kb
    from calfcare.services import diary

    # Keyed by the episode's fields, in the order their errors are listed.
    typed: dict[str, str | bool | None] = {
        "leg": leg,
        "severity": severity,
        "activity": activity,
        "session_load": load,
        "woke_from_sleep": woke,
        "helped": helped,
        "notes": notes,
        "occurred_at": when,
        "duration_s": duration,
        "temperature_c": temp,
        "fluid_l": fluid,
        "humidity_pct": humidity,
        "carbohydrate_g": carbs,
    }
    with person_session(user) as (session, person):
        zone = zone_of_person(person)
        try:
            logged = diary.log_episode(
                session, owner_id=person.id, typed=typed, system=person.units, tz=zone, kb=load_kb()
            )
        except FormError as exc:
            for field, message in exc.errors.items():
                typer.echo(f"{OPTION_OF.get(field, field)}: {message}", err=True)
            fail("Nothing was saved.", 2)
        session.commit()
    _print_saved(logged, zone)


def _print_saved(logged: LoggedEpisode, zone: tzinfo) -> None:
    """The episode as it was understood (times in the person's zone, units converted), so a
    misread option shows at once, then any reason to see a doctor that it has just tipped."""
    from calfcare.services import units

    record = logged.episode
    console = rich_console()
    console.print(
        f"Saved: {_local(record.occurred_at, zone)}, {record.leg} leg, "
        f"{units.format_duration(record.duration_s)}, severity "
        f"{record.severity}/10, {record.activity.replace('_', ' ')}."
    )
    for prompt in logged.prompts:
        console.print(
            f"[bold]Worth seeing a doctor:[/bold] {prompt.title} "
            f"({prompt.criterion}). See `calfcare diary insights`."
        )


# --- list ---------------------------------------------------------------------------------


@app.command("list")
def list_episodes(
    user: UserOption,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 20,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the latest episodes in the diary."""
    import json

    from calfcare.services import diary

    if output not in ("table", "json"):
        fail("--format: choose table or json.", 2)
    with person_session(user) as (session, person):
        episodes = diary.list_episodes(session, owner_id=person.id, limit=limit)
    if output == "json":
        import dataclasses

        typer.echo(
            json.dumps(
                [dataclasses.asdict(e) for e in episodes], default=str, indent=2, ensure_ascii=False
            )
        )
        return
    console = rich_console()
    if not episodes:
        console.print("The diary is empty. Add an episode with `calfcare diary add`.")
        return
    console.print(_episodes_table(episodes, person))


def _episodes_table(episodes: list[EpisodeRecord], person: Person) -> Table:
    """One row an episode, in the person's time zone and units; long notes are cut so that
    each episode stays on one line of a terminal."""
    from rich import box
    from rich.table import Table

    from calfcare.services import units

    table = Table(
        title=f"Latest {len(episodes)} episode(s) of {person.display_name}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for column in ("When", "Leg", "Lasted", "Sev", "Activity", "Load", "Temp"):
        table.add_column(column, no_wrap=True)
    table.add_column("Notes", min_width=10)
    for e in episodes:
        activity = e.activity.replace("_", " ") + (", woke" if e.woke_from_sleep else "")
        table.add_row(
            _local(e.occurred_at, zone_of_person(person), fmt="%Y-%m-%d %H:%M"),
            e.leg,
            units.format_duration(e.duration_s),
            f"{e.severity}/10",
            activity,
            e.session_load or "",
            units.format_quantity("temperature", e.temperature_c, person.units, 0),
            e.notes if len(e.notes) <= 40 else e.notes[:37] + "...",
        )
    return table
