"""`calfcare diary ...`: a self-hoster's cramp diary on the command line.

The person is chosen with `--user EMAIL` (or the environment variable CALFCARE_USER). The
database is the web application's (CALFCARE_DATABASE_URL, or SQLite in CALFCARE_DATA_DIR): an
empty database gets the schema on first use; an older one asks for `calfcare db upgrade`.

Heavy modules (SQLAlchemy, the services, Rich) are imported inside the commands so that
`calfcare --help` stays fast.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calfcare.cli.people import fail, person_session, rich_console, zone_of_person

if TYPE_CHECKING:
    from rich.console import Console

    from calfcare.engine.insights import Insights
    from calfcare.kb.loader import KnowledgeBase
    from calfcare.services.diary import Person

app = typer.Typer(help="Keep a diary of cramps and calf pain, and see what it shows.",
                  no_args_is_help=True)

UserOption = Annotated[str, typer.Option(
    "--user", envvar="CALFCARE_USER", show_default=False,
    help="Email of the person whose diary this is (or set CALFCARE_USER).")]
OffsetOption = Annotated[str | None, typer.Option(
    "--utc-offset", show_default=False,
    help="A fixed offset from UTC for days and times of day, e.g. +01:00 (default: the "
         "time zone of the account, with its daylight saving time).")]

#: The option a person typed for each field of an episode.
OPTION_OF = {"occurred_at": "--when", "leg": "--leg", "duration_s": "--duration",
             "severity": "--severity", "activity": "--activity", "session_load": "--load",
             "woke_from_sleep": "--woke", "temperature_c": "--temp",
             "humidity_pct": "--humidity", "fluid_l": "--fluid", "carbohydrate_g": "--carbs",
             "helped": "--helped", "notes": "--notes", "muscle": "--muscle"}
TIME_OF_DAY_LABELS = {"night": "Night (00-06)", "morning": "Morning (06-12)",
                      "afternoon": "Afternoon (12-18)", "evening": "Evening (18-24)"}
BAR_WIDTH = 30
DISCLAIMER = ("calfcare gives information, not a diagnosis. If a cramp will not let go, or your "
              "calf is swollen, hot, red or hard, get medical help.")


def _offset(text: str | None) -> timedelta:
    """`+01:00`, `-5`, `+0530`; this computer's current offset when not given."""
    if text is None:
        return datetime.now().astimezone().utcoffset() or timedelta(0)
    import re

    m = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d{2}))?", text.strip())
    if not m or int(m.group(2)) > 18 or int(m.group(3) or 0) >= 60:
        fail(f"--utc-offset: '{text}' is not an offset such as +01:00 or -05:00.", 2)
    sign = -1 if m.group(1) == "-" else 1
    return sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _local(moment: datetime, zone: tzinfo | None = None, fmt: str = "%a %d %b %Y %H:%M"
           ) -> str:
    return moment.astimezone(zone).strftime(fmt)


# --- add ----------------------------------------------------------------------------------

@app.command("add")
def add(
    user: UserOption,
    when: Annotated[str | None, typer.Option(
        "--when", show_default=False,
        help="When it started, e.g. 2026-11-25T07:30 (your local time unless it has an "
             "offset). Default: now.")] = None,
    leg: Annotated[str | None, typer.Option("--leg", help="left, right or both.")] = None,
    duration: Annotated[str | None, typer.Option(
        "--duration", help="How long it lasted: seconds, or e.g. 2m, 1m30s, 2:30.")] = None,
    severity: Annotated[str | None, typer.Option(
        "--severity", help="How bad, from 0 (none) to 10 (worst).")] = None,
    activity: Annotated[str | None, typer.Option(
        "--activity", help="What you were doing: e.g. running, cycling, walking, sleeping, "
                           "resting, gym, or other.")] = None,
    load: Annotated[str | None, typer.Option(
        "--load", help="The session compared with usual: less, usual, longer or harder.")
    ] = None,
    woke: Annotated[bool, typer.Option("--woke", help="The cramp woke you from sleep.")
                    ] = False,
    temp: Annotated[str | None, typer.Option(
        "--temp", help="Air temperature: 28, 28C or 82F (a bare number is in your units).")
    ] = None,
    humidity: Annotated[str | None, typer.Option(
        "--humidity", help="Relative humidity in %, 0 to 100.")] = None,
    fluid: Annotated[str | None, typer.Option(
        "--fluid", help="What you drank in the session: 0.5 (L), 500ml or 16oz (a bare "
                        "number is in your units).")] = None,
    carbs: Annotated[str | None, typer.Option(
        "--carbs", help="Carbohydrate taken in the session, in grams (e.g. 30 or 30g).")
    ] = None,
    helped: Annotated[str, typer.Option("--helped", help="What helped, in a few words.")
                      ] = "",
    notes: Annotated[str, typer.Option("--notes", help="Anything else.")] = "",
) -> None:
    """Add a cramp or calf-pain episode to the diary."""
    from calfcare.errors import FormError
    from calfcare.services import diary, units

    with person_session(user) as (session, person):
        problems: dict[str, str] = {}
        values: dict[str, Any] = {
            "leg": leg, "severity": severity, "activity": activity, "session_load": load,
            "woke_from_sleep": woke, "helped": helped, "notes": notes,
            "occurred_at": datetime.now(zone_of_person(person))}
        if when is not None:
            try:
                moment = datetime.fromisoformat(when.strip())
                values["occurred_at"] = (moment if moment.tzinfo
                                         else moment.replace(tzinfo=zone_of_person(person)))
            except ValueError:
                problems["--when"] = (f"'{when}' is not a date and time such as "
                                      "2026-11-25T07:30 or 2026-11-25T07:30+01:00.")
        if duration is not None:
            try:
                values["duration_s"] = units.parse_duration(duration)
            except ValueError as exc:
                problems["--duration"] = _sentence(str(exc))
        for option, field, quantity, text in (("--temp", "temperature_c", "temperature", temp),
                                              ("--fluid", "fluid_l", "volume", fluid)):
            if text is not None:
                try:
                    values[field] = units.parse_quantity(quantity, text,  # type: ignore[arg-type]
                                                         person.units)
                except ValueError as exc:
                    problems[option] = _sentence(str(exc))
        if humidity is not None:
            values["humidity_pct"] = humidity.strip().removesuffix("%")
        if carbs is not None:
            values["carbohydrate_g"] = carbs.strip().removesuffix("g")
        try:
            record = diary.create_episode(session, owner_id=person.id, values=values)
        except FormError as exc:
            for field, message in exc.errors.items():
                problems.setdefault(OPTION_OF.get(field, field), message)
        if problems:
            for option, message in problems.items():
                typer.echo(f"{option}: {message}", err=True)
            fail("Nothing was saved.", 2)
        session.commit()
        console = rich_console()
        when = _local(record.occurred_at, zone_of_person(person))
        console.print(f"Saved: {when}, {record.leg} leg, "
                      f"{units.format_duration(record.duration_s)}, severity "
                      f"{record.severity}/10, {record.activity.replace('_', ' ')}.")
        summary = diary.insights(session, owner_id=person.id, tz=zone_of_person(person))
        for prompt in summary.prompts:
            console.print(f"[bold]Worth seeing a doctor:[/bold] {prompt.title} "
                          f"({prompt.criterion}). See `calfcare diary insights`.")


# --- list ---------------------------------------------------------------------------------

@app.command("list")
def list_episodes(
    user: UserOption,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 20,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the latest episodes in the diary."""
    import json

    from rich import box
    from rich.table import Table

    from calfcare.services import diary, units

    if output not in ("table", "json"):
        fail("--format: choose table or json.", 2)
    with person_session(user) as (session, person):
        episodes = diary.list_episodes(session, owner_id=person.id, limit=limit)
    if output == "json":
        import dataclasses

        typer.echo(json.dumps([dataclasses.asdict(e) for e in episodes], default=str,
                              indent=2, ensure_ascii=False))
        return
    console = rich_console()
    if not episodes:
        console.print("The diary is empty. Add an episode with `calfcare diary add`.")
        return
    table = Table(title=f"Latest {len(episodes)} episode(s) of {person.display_name}",
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    for column in ("When", "Leg", "Lasted", "Sev", "Activity", "Load", "Temp"):
        table.add_column(column, no_wrap=True)
    table.add_column("Notes", min_width=10)
    for e in episodes:
        activity = e.activity.replace("_", " ") + (", woke" if e.woke_from_sleep else "")
        table.add_row(_local(e.occurred_at, zone_of_person(person), fmt="%Y-%m-%d %H:%M"), e.leg,
                      units.format_duration(e.duration_s), f"{e.severity}/10", activity,
                      e.session_load or "",
                      units.format_quantity("temperature", e.temperature_c, person.units, 0),
                      e.notes if len(e.notes) <= 40 else e.notes[:37] + "...")
    console.print(table)


# --- insights -----------------------------------------------------------------------------

def _bars(console: Console, rows: list[tuple[str, int]]) -> None:
    top = max((n for _, n in rows), default=0)
    width = max((len(label) for label, _ in rows), default=0)
    for label, n in rows:
        bar = "█" * (round(n / top * BAR_WIDTH) if top else 0)
        if n and not bar:
            bar = "▏"
        console.print(f"  {label:<{width}}  {bar} {n}")


def _print_insights(console: Console, got: Insights, person: Person,
                    kb: KnowledgeBase) -> None:
    from rich.panel import Panel

    from calfcare.services import diary, units

    console.print(Panel(
        f"[bold]Diary insights for {person.display_name}[/bold]\n"
        f"{got.total} episode(s) since {got.months[0].start:%d %b %Y} (12 months).",
        expand=False))

    console.print("\n[bold]When to see a doctor[/bold]")
    if not got.prompts:
        console.print("  Nothing in the diary meets calfcare's reasons to see a doctor:")
        for rule in kb.diary_rules.prompts:
            console.print(f"  - {rule.title.lower()}")
    for p in got.prompts:
        level = kb.levels.get(p.level.value)
        label = level.label if level else p.level.value
        console.print(f"  [bold]! {p.title}[/bold]: {label}.")
        console.print(f"    {p.message}")
        basis = ("the threshold is an estimate" if p.basis == "estimate"
                 else "the threshold is the source's")
        console.print(f"    Criterion: {p.criterion}; you: {p.observed} ({basis}).")
        for ref in p.references:
            console.print(f"    Source: {diary.citation(kb, ref)}", soft_wrap=True)

    console.print("\n[bold]Episodes per week[/bold] (weeks start on Monday)")
    _bars(console, [(f"{b.start:%d %b}", b.count) for b in got.weeks])
    console.print("\n[bold]Episodes per month[/bold]")
    _bars(console, [(f"{b.start:%b %Y}", b.count) for b in got.months])
    console.print("\n[bold]By time of day[/bold]")
    _bars(console, [(TIME_OF_DAY_LABELS[c.key], c.count) for c in got.time_of_day])
    console.print("\n[bold]By activity[/bold]")
    if got.activities:
        _bars(console, [(c.key.replace("_", " "), c.count) for c in got.activities])
    else:
        console.print("  No episodes yet.")

    console.print("\n[bold]Circumstances[/bold]")
    for s in got.shares:
        console.print(f"  {s.title}: {s.count} of {s.total} ({s.fraction:.0%})")
        if s.count:
            console.print(f"    {s.message}")
    if got.median_duration_s is not None and got.median_severity is not None:
        console.print(f"\nMedian duration {units.format_duration(round(got.median_duration_s))}"
                      f", median severity {got.median_severity:g}/10.")
    console.print(f"\n[dim]{DISCLAIMER}[/dim]")


def _insights_json(got: Insights) -> dict[str, Any]:
    import dataclasses

    doc = dataclasses.asdict(got)
    doc["utc_offset"] = got.utc_offset.total_seconds()
    for share, out in zip(got.shares, doc["shares"], strict=True):
        out["fraction"] = share.fraction
    return doc


@app.command("insights")
def insights(
    user: UserOption,
    utc_offset: OffsetOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Patterns in the diary, and whether it is time to see a doctor."""
    import json

    from calfcare.kb.loader import load_kb
    from calfcare.services import diary

    if output not in ("text", "json"):
        fail("--format: choose text or json.", 2)
    offset = _offset(utc_offset) if utc_offset is not None else None
    kb = load_kb()
    with person_session(user) as (session, person):
        if offset is None:
            got = diary.insights(session, owner_id=person.id, tz=zone_of_person(person), kb=kb)
        else:
            got = diary.insights(session, owner_id=person.id, utc_offset=offset, kb=kb)
    if output == "json":
        typer.echo(json.dumps(_insights_json(got), default=str, indent=2, ensure_ascii=False))
        return
    _print_insights(rich_console(), got, person, kb)


# --- export and import --------------------------------------------------------------------

@app.command("export")
def export(
    user: UserOption,
    out: Annotated[Path, typer.Option(
        "--out", show_default=False,
        help="JSON: the file to write. CSV: a folder for episodes.csv, training_sessions.csv "
             "and saved_assessments.csv.")],
    output: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
) -> None:
    """Write all of the diary to JSON (one file) or CSV (one file per record type)."""
    from calfcare.services import diary

    if output not in ("json", "csv"):
        fail("--format: choose json or csv.", 2)
    with person_session(user) as (session, person):
        if output == "json":
            if out.is_dir():
                fail(f"--out: {out} is a folder; give a file name for the JSON export.", 2)
            text = diary.export_json(session, owner_id=person.id)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            typer.echo(f"Diary written to {out}.")
            return
        if out.exists() and not out.is_dir():
            fail(f"--out: {out} is a file; CSV export needs a folder.", 2)
        files = diary.export_csv(session, owner_id=person.id)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8", newline="")
        typer.echo(f"Diary written to {out}/: {', '.join(files)}.")


@app.command("import")
def import_(
    user: UserOption,
    path: Annotated[Path, typer.Argument(
        exists=True, show_default=False,
        help="A JSON file, or a folder of CSV files, written by `calfcare diary export`.")],
) -> None:
    """Add the records of an export to the diary: all of them, or none if a row is bad."""
    from calfcare.errors import FormError
    from calfcare.services import diary

    with person_session(user) as (session, person):
        try:
            if path.is_dir():
                files = {p.name: p.read_text(encoding="utf-8-sig")
                         for p in sorted(path.glob("*.csv"))}
                if not files:
                    fail(f"{path} holds no CSV files.", 2)
                result = diary.import_csv(session, owner_id=person.id, files=files,
                                          tz=zone_of_person(person))
            else:
                result = diary.import_json(session, owner_id=person.id,
                                           text=path.read_text(encoding="utf-8-sig"),
                                           tz=zone_of_person(person))
        except FormError as exc:
            for where, message in exc.errors.items():
                typer.echo(f"{where}: {message}", err=True)
            fail("Nothing was imported.", 2)
        session.commit()
    skipped = f"; {result.duplicates} already in the diary" if result.duplicates else ""
    typer.echo(f"Imported {result.episodes} episode(s), {result.training_sessions} training "
               f"session(s) and {result.saved_assessments} saved assessment(s){skipped}.")
