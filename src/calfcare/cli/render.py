"""Terminal input and output for the assessment, with Rich.

Colour is never the only signal: every level of care is also said in words and with a
symbol, and Rich drops colour when NO_COLOR is set or output is not a terminal.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from calfcare.services.guides import CARE_SYMBOLS, evidence_words
from calfcare.services.text import whole_number

console = Console()

FAMILY_STYLE = {"non_urgent": "blue", "urgent": "bold red", "immediate": "bold white on red"}
EMERGENCY_LINE = (
    "If you have chest pain, sudden breathlessness, a cold pale foot, or you feel "
    "confused or faint: call emergency services now (999, 112 or 911)."
)
DISCLAIMER = (
    "calfcare gives information, not a diagnosis. It does not replace a doctor, "
    "physiotherapist or emergency service."
)


def print_intro() -> None:
    console.print(
        Panel(
            f"[bold]calfcare[/bold]: calf cramp and calf pain\n{DISCLAIMER}\n\n"
            f"[bold red]{EMERGENCY_LINE}[/bold red]",
            expand=False,
        )
    )
    console.print("Answer with the number of your choice. Type [bold]b[/bold] to go back.\n")


def _ask(prompt: str) -> str:
    return console.input(f"[bold]{prompt}[/bold] ").strip().lower()


def ask_age() -> int:
    while True:
        age = whole_number(_ask("How old are you (years)?"))  # "²".isdigit(), but no int
        if age is not None and 1 <= age <= 120:
            return age
        console.print("Please type your age as a whole number between 1 and 120.")


def ask_sex() -> str:
    while True:
        raw = _ask("Sex: 1 Female  2 Male ?")
        if raw in ("1", "f", "female"):
            return "female"
        if raw in ("2", "m", "male"):
            return "male"
        console.print("Please type 1 for female or 2 for male.")


def ask_start(kb: Any) -> list[str]:
    console.print("\n[bold]What brings you here?[/bold] (one or more, e.g. 1,3)")
    for i, opt in enumerate(kb.start_options, 1):
        console.print(f"  {i}  {opt.label}")
    while True:
        picks = _numbers(_ask(">"), len(kb.start_options))
        if picks:
            findings: list[str] = []
            for i in picks:
                for f in kb.start_options[i - 1].findings:
                    if f not in findings:
                        findings.append(f)
            return findings
        console.print(f"Please type one or more numbers from 1 to {len(kb.start_options)}.")


def _numbers(raw: str, top: int) -> list[int] | None:
    numbers = [whole_number(p) for p in raw.replace(" ", ",").split(",") if p]
    if not numbers or not all(n is not None and 1 <= n <= top for n in numbers):
        return None
    return sorted({n for n in numbers if n is not None})


def _print_companion(check: dict[str, Any]) -> None:
    console.print(f"[bold]{check['title']}[/bold]\n{check['intro']}")
    for i, step in enumerate(check["steps"], 1):
        console.print(f"   {i}. {step}")
    console.print("[dim]If no one is with you, answer that you do not know.[/dim]")


def ask_question(
    question: dict[str, Any], number: int, can_go_back: bool
) -> list[dict[str, str]] | None:
    """Ask one question; None means the person wants to go back."""
    console.print(f"\n[dim]Question {number}[/dim]")
    console.print(f"[bold]{question['text']}[/bold]")
    if question.get("help"):
        console.print(f"[dim]{question['help']}[/dim]")
    if question.get("companion"):
        _print_companion(question["companion"])
    items = question["items"]
    back = "  b Back" if can_go_back else ""
    if question["type"] == "single":
        return _ask_single(items[0], back)
    for i, item in enumerate(items, 1):
        console.print(f"  {i}  {item['question']}")
        if item.get("companion"):
            _print_companion(item["companion"])
    while True:
        raw = _ask(
            f"Numbers that apply (e.g. 1,3), 0 none, ? don't know, 1,3? for ticks "
            f"and don't know for the rest{back} >"
        )
        if raw == "b" and can_go_back:
            return None
        if raw in ("0", "none", "n", "no"):
            return [{"id": it["id"], "choice_id": "absent"} for it in items]
        unsure = raw.endswith("?")
        picks = _numbers(raw.rstrip("?"), len(items)) if raw != "?" else []
        if picks is not None:
            rest = "unknown" if unsure else "absent"
            # A number typed is a yes whatever follows: "I don't know" never cancels it.
            return [
                {"id": it["id"], "choice_id": "present" if i in picks else rest}
                for i, it in enumerate(items, 1)
            ]
        console.print(f"Please type numbers from 1 to {len(items)}, 0 for none, or ?.")


def _ask_single(item: dict[str, Any], back: str) -> list[dict[str, str]] | None:
    labels = {c["id"]: c["label"] for c in item["choices"]}
    order = ("present", "absent", "unknown")
    prompt = "  ".join(f"{n} {labels[c]}" for n, c in enumerate(order, 1))
    while True:
        raw = _ask(f"{prompt}{back} >")
        if raw == "b" and back:
            return None
        choice = {
            "1": "present",
            "y": "present",
            "yes": "present",
            "2": "absent",
            "n": "absent",
            "no": "absent",
            "3": "unknown",
            "?": "unknown",
        }.get(raw)
        if choice:
            return [{"id": item["id"], "choice_id": choice}]
        console.print("Please type 1, 2 or 3.")


def _banner(result: dict[str, Any]) -> Panel:
    family = result["extras"]["family"]
    return Panel(
        f"[{FAMILY_STYLE[family]}] {CARE_SYMBOLS[family]} {result['label']} "
        f"[/{FAMILY_STYLE[family]}]\n\n{result['description']}",
        title="Level of care",
        expand=False,
    )


def print_emergency(result: dict[str, Any]) -> bool:
    """Show the emergency advice at once; True if the person wants to go on answering."""
    console.print(_banner(result))
    raw = _ask("Get help first. Answer a few more questions for the doctor? y/N >")
    return raw in ("y", "yes")


def print_result(result: dict[str, Any]) -> None:
    console.print()
    console.print(_banner(result))
    if result["serious"]:
        console.print(
            "[bold]Warning signs noticed:[/bold] " + "; ".join(s["name"] for s in result["serious"])
        )
    table = Table(title="Possible causes", show_lines=True)
    table.add_column("Condition", style="bold")
    table.add_column("How likely")
    table.add_column("Why")
    for c in result["conditions"]:
        share = "<1%" if c["probability"] < 0.005 else f"{c['probability']:.0%}"
        table.add_row(c["common_name"], f"{c['likelihood_words']} ({share})", c["why"])
    console.print(table)
    if result["extras"].get("watch_for"):
        console.print(
            "[bold]You were not sure about these.[/bold] If any is true, or starts "
            "later, the advice changes:"
        )
        for w in result["extras"]["watch_for"]:
            console.print(f"  - {w['name']}: {w['label'].lower()}. {w['message']}")
    for advice in result.get("for_you", []):
        console.print(
            f"[bold]{advice['title']}[/bold]: {advice['text']} "
            f"[dim]({evidence_words(advice['evidence'])})[/dim]"
        )
    console.print("[bold]What to do now[/bold]")
    for st in result["do_now"]:
        console.print(f"  - {st['text']} [dim]({evidence_words(st['evidence'])})[/dim]")
    console.print("[bold]When to get help[/bold]")
    for sh in result["seek_help"]:
        console.print(f"  - {sh['when']} [dim]→ {sh['label']}[/dim]")
    console.print(f"\n[dim]{DISCLAIMER} Knowledge base {result['kb_version']}.[/dim]")
