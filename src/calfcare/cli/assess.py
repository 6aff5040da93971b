"""`calfcare assess` (the interview in a terminal) and `calfcare validate` (vignette figures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from calfcare.cli.render import (
    ask_age,
    ask_question,
    ask_sex,
    ask_start,
    console,
    print_emergency,
    print_intro,
    print_result,
)

EMERGENCY_LEVELS = ("emergency", "emergency_ambulance")


def _case_request(path: Path) -> dict[str, Any]:
    """A request from a file: either a request or a case-format v1 vignette."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise typer.BadParameter(f"{path} does not exist", param_hint="--case") from None
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})", param_hint="--case"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("evidence"), dict):
        initial = set(data.get("initial", []))
        data = {
            "age": data.get("age"),
            "sex": data.get("sex"),
            "evidence": [
                {"id": k, "choice_id": v, **({"source": "initial"} if k in initial else {})}
                for k, v in data["evidence"].items()
            ],
        }
    if not isinstance(data, dict):
        raise typer.BadParameter("the file must hold a JSON object", param_hint="--case")
    return data


def assess(
    case: Annotated[
        Path | None,
        typer.Option(
            "--case", help="Assess a request or vignette file (JSON) instead of asking questions."
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help="Output for --case: text or json.")
    ] = "text",
) -> None:
    """Answer a few questions about your calf and get the level of care you need."""
    from calfcare.errors import RequestError
    from calfcare.kb.loader import load_kb
    from calfcare.services.assessment import Assessor

    if output not in ("text", "json"):
        raise typer.BadParameter("must be text or json", param_hint="--format")
    assessor = Assessor(load_kb())
    if case is not None:
        request = _case_request(case)
        try:
            result = assessor.assess(request)
        except RequestError as exc:
            typer.echo(f"Invalid case in {case}: {exc}", err=True)
            raise typer.Exit(2) from None
        if output == "json":
            typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            print_result(result)
        return
    _interview(assessor)


def _interview(assessor: Any) -> None:
    print_intro()
    try:
        age = ask_age()
        sex = ask_sex()
        start = ask_start(assessor.kb)
    except (EOFError, KeyboardInterrupt):
        console.print("\nStopped. Nothing was saved.")
        raise typer.Exit(1) from None
    history: list[list[dict[str, str]]] = [
        [{"id": f, "choice_id": "present", "source": "initial"} for f in start]
    ]
    warned = False
    while True:
        evidence = [e for step in history for e in step]
        request = {"age": age, "sex": sex, "evidence": evidence}
        out, level = assessor.interview_step(request)
        if level["triage_level"] in EMERGENCY_LEVELS and not warned:
            warned = True
            if not print_emergency(level):
                break
        if out["should_stop"]:
            break
        try:
            answer = ask_question(
                out["question"], out["extras"]["questions_asked"] + 1, can_go_back=len(history) > 1
            )
        except (EOFError, KeyboardInterrupt):
            console.print("\nStopped. Nothing was saved.")
            raise typer.Exit(1) from None
        if answer is None:
            history.pop()
            warned = False
            continue
        history.append(answer)
    print_result(
        assessor.assess({"age": age, "sex": sex, "evidence": [e for step in history for e in step]})
    )


def validate(
    folder: Annotated[Path, typer.Argument(help="A folder of case-format v1 vignettes (*.json).")],
    output: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    show_cases: Annotated[bool, typer.Option("--cases", help="List every miss.")] = False,
    unsure: Annotated[
        float,
        typer.Option(
            "--unsure",
            min=0.0,
            max=1.0,
            metavar="P",
            help='Also run the interview with "don\'t know" for "no" at probability P.',
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --unsure.")] = 0,
) -> None:
    """Score the assessment on vignettes: the figures of the case-format v1 scorer, with
    calibration (Brier score, expected calibration error)."""
    from calfcare.errors import CalfcareError, RequestError
    from calfcare.kb.loader import load_kb
    from calfcare.services.assessment import Assessor
    from calfcare.services.validation import validate_folder

    if not folder.is_dir():
        raise typer.BadParameter(f"{folder} is not a folder", param_hint="FOLDER")
    try:
        report = validate_folder(folder, Assessor(load_kb()), unsure=unsure, seed=seed)
    except (CalfcareError, RequestError, KeyError) as exc:
        typer.echo(f"Cannot score {folder}: {exc}", err=True)
        raise typer.Exit(2) from None
    if output == "json":
        typer.echo(json.dumps({k: v["figures"] for k, v in report.items()}))
        return
    for name, part in report.items():
        figures = "  ".join(f"{k}={v}" for k, v in part["figures"].items())
        typer.echo(f"{name:9s} {figures}")
        if show_cases:
            for line in part["misses"]:
                typer.echo(f"    {line}")
