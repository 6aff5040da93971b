"""`calfcare rehab programmes`, `exercises` and `exercise`: the programmes and the library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from calfcare.cli.people import fail, rich_console
from calfcare.cli.rehab.common import (
    DISCLAIMER,
    JsonOption,
    app,
    esc,
    knowledge,
    measure,
    print_json,
    statement,
    times,
    week,
)
from calfcare.cli.rehab.render import print_choices, print_versions

if TYPE_CHECKING:
    from rich.console import Console

    from calfcare.kb.loader import KnowledgeBase
    from calfcare.kb.rehab_schema import Exercise, Programme


def _programme_json(p: Programme) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "summary": p.summary,
        "audience": p.audience,
        "for_conditions": p.for_conditions,
        "phases": [{"id": ph.id, "name": ph.name} for ph in p.phases],
        "variants": [
            {
                "id": v.id,
                "label": v.label,
                "grade": v.grade,
                "site": v.site,
                "expected_days": {"low": v.expected_days.low, "high": v.expected_days.high},
                "expected_note": v.expected_note,
                "estimate": v.estimate,
                "skip_phases": v.skip_phases,
                "references": v.references,
            }
            for v in p.variants
        ],
        "muscles": [m.model_dump(mode="json") for m in p.muscles],
        "grades": [g.model_dump(mode="json") for g in p.grades],
    }


@app.command("programmes")
def programmes(as_json: JsonOption = False) -> None:
    """List the programmes, their versions and how long recovery usually takes, with how to
    tell which version is yours."""
    kb = knowledge()
    ordered = sorted(kb.programmes.values(), key=lambda p: p.id)
    if as_json:
        print_json([_programme_json(p) for p in ordered])
        return
    console = rich_console()
    for p in ordered:
        console.print(f"\n[bold]{esc(p.name)}[/bold]  (--programme {p.id})")
        console.print(f"  {esc(p.summary)}")
        console.print(f"  Phases: {esc(', '.join(ph.name for ph in p.phases))}.")
        print_choices(console, kb, p)
        print_versions(console, kb, p)
    console.print(
        "\nStart one with, for example: calfcare rehab start --programme calf_strain "
        "--variant grade2_soleus --side left --injury-day 2026-11-20"
    )
    console.print(f"[dim]{DISCLAIMER}[/dim]")


def _exercise_json(kb: KnowledgeBase, ex: Exercise, full: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": ex.id,
        "name": ex.name,
        "category": ex.category.value,
        "targets": ex.targets,
        "summary": ex.summary,
        "equipment": ex.equipment,
        "dose": ex.dose.model_dump(mode="json"),
    }
    if full:
        doc.update(
            {
                "instructions": ex.instructions,
                "cues": ex.cues,
                "common_errors": ex.common_errors,
                "easier": ex.easier.model_dump(mode="json") if ex.easier else None,
                "harder": ex.harder.model_dump(mode="json") if ex.harder else None,
                "stop_if": ex.stop_if,
                "why": ex.why.model_dump(mode="json"),
                "figure_alt": ex.figure_alt,
                "has_figure": ex.id in kb.figures,
            }
        )
    return doc


def _exercise_table(found: list[Exercise]) -> None:
    from rich import box
    from rich.table import Table

    from calfcare.services.rehab import quantity

    console = rich_console()
    if not found:
        console.print("No exercises in this family yet.")
        return
    table = Table(
        title=quantity(len(found), "exercise"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for column in ("ID", "Name", "Family", "Usual dose"):
        table.add_column(column)
    for e in found:
        dose = f"{e.dose.sets} x {measure(e.dose.measure, e.dose.amount)}"
        table.add_row(e.id, esc(e.name), e.category.value.replace("_", " "), dose)
    console.print(table)
    console.print("See one in full with `calfcare rehab exercise ID`.")


@app.command("exercises")
def exercises(
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            show_default=False,
            help="Only this family: stretch, mobility, isometric, strength, eccentric, "
            "soft_tissue, balance, plyometric or running.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The exercise library."""
    from calfcare.kb.rehab_schema import ExerciseCategory

    kinds = [c.value for c in ExerciseCategory]
    if category is not None and category.strip().lower() not in kinds:
        fail(f"--category: Must be one of {', '.join(kinds)} (got '{category}').", 2)
    kb = knowledge()
    order = {c: i for i, c in enumerate(kinds)}
    found = sorted(
        (
            e
            for e in kb.exercises.values()
            if category is None or e.category.value == category.strip().lower()
        ),
        key=lambda e: (order[e.category.value], e.name),
    )
    if as_json:
        print_json([_exercise_json(kb, e, full=False) for e in found])
        return
    _exercise_table(found)


def _how_to(console: Console, ex: Exercise) -> None:
    console.print(f"[bold]{esc(ex.name)}[/bold]  ({ex.id}, {ex.category.value.replace('_', ' ')})")
    console.print(esc(ex.summary))
    console.print(
        f"Works: {', '.join(ex.targets)}. You need: "
        f"{', '.join(e.replace('_', ' ') for e in ex.equipment)}."
    )
    console.print("\n[bold]How to do it[/bold]")
    for i, step in enumerate(ex.instructions, 1):
        console.print(f"  {i}. {esc(step)}")
    d = ex.dose
    side = ", on each side" if d.each_side else ""
    console.print(
        f"\n[bold]Usual dose[/bold]: {d.sets} x {measure(d.measure, d.amount)}"
        f"{side}, {times(d.per_day)} a day, {week(d.days_per_week)}."
    )
    console.print(f"  {esc(d.text)}")


def _doing_it_well(console: Console, ex: Exercise) -> None:
    console.print("\n[bold]Think of[/bold]")
    for cue in ex.cues:
        console.print(f"  - {esc(cue)}")
    console.print("\n[bold]Common mistakes[/bold]")
    for err in ex.common_errors:
        console.print(f"  - {esc(err)}")
    for label, var in (("Easier", ex.easier), ("Harder", ex.harder)):
        if var is not None:
            also = f" (see `calfcare rehab exercise {var.exercise}`)" if var.exercise else ""
            console.print(f"\n[bold]{label}[/bold]: {esc(var.text)}{also}")
    if ex.stop_if:
        console.print("\n[bold]Stop if[/bold]")
        for item in ex.stop_if:
            console.print(f"  ! {esc(item)}")


@app.command("exercise")
def exercise(
    exercise_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", show_default=False, help="The exercise, e.g. seated_soleus_raise."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """One exercise in full: how to do it, the dose, cues, mistakes and when to stop."""
    kb = knowledge()
    ex = kb.exercises.get(exercise_id.strip().lower())
    if ex is None:
        fail(f"ID: No exercise called '{exercise_id}'. See `calfcare rehab exercises`.", 2)
    if as_json:
        print_json(_exercise_json(kb, ex, full=True))
        return
    console = rich_console()
    _how_to(console, ex)
    _doing_it_well(console, ex)
    console.print("\n[bold]Why[/bold]")
    statement(console, kb, ex.why)
    console.print(
        f"\n[dim]Picture (in the web application and the printed handout): "
        f"{esc(ex.figure_alt)}[/dim]"
    )
