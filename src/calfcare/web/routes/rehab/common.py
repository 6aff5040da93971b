"""What every rehabilitation page shares: words, drawings, references, doses, form errors.

Days are calendar days in the person's own time zone (`today_of`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Exercise, Programme
from calfcare.services import rehab
from calfcare.services.accounts import Account
from calfcare.services.rehab.report import DecisionReport
from calfcare.web import auth
from calfcare.web.context import WebContext, get_ctx, get_db
from calfcare.web.figures import inline_figure
from calfcare.web.forms import posted_form

Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]

NOTICES = {
    "started": "Your programme has started. Your first session is ready below.",
    "started_not_sure": (
        "Your programme has started. You were not sure which muscle you hurt, so it follows "
        "the safer version, which moves on more slowly. Your first session is ready below."
    ),
    "session_logged": "Your session has been logged. Here is what it means for your plan.",
    "morning_logged": "Your morning check has been logged.",
    "test_logged": "Your test result has been logged.",
    "progress": "You have moved on to the next phase.",
    "step_back": "You have gone back a phase. Build up again from here, within the pain limit.",
    "complete": "Well done: you have finished the programme.",
    "stopped": "The programme has been stopped.",
    "chosen": "Your phase has been set. Your session of today follows it.",
}
#: What one of each measure is called; `quantity` makes the plural (1 rep, 12 reps).
MEASURE_WORDS = {"reps": "rep", "seconds": "second", "minutes": "minute"}
MEASURE_LABELS = {
    "reps": "Reps per set",
    "seconds": "Seconds per set",
    "minutes": "Minutes per set",
}
VERDICT_WORDS = {
    "helpful": "Helpful",
    "may_help": "May help",
    "not_needed": "Not needed",
    "avoid": "Avoid",
}
SIDE_WORDS = {"left": "Left leg", "right": "Right leg"}

#: Field labels of the forms, used to name the field in every error message.
LABELS = {
    "programme": "Programme",
    "variant": "Which kind of injury",
    "side": "Which leg",
    "injury_day": "Day of the injury",
    "phase": "Starting phase",
    "notes": "Notes",
    "day": "Day",
    "pain_during": "Highest pain during the session",
    "pain_after": "Pain after the session",
    "flags": "Warning signs",
    "exercises": "Exercises",
    "pain": "Pain",
    "kind": "Test",
    "injured": "Injured side",
    "other": "Other side",
    "limp": "Limp",
    "decision": "Decision",
    "sets": "sets done",
    "amount": "amount per set",
    "load_kg": "weight added",
}


# --- figures and references ------------------------------------------------------------------


def figure(kb: KnowledgeBase, ex: Exercise) -> Markup | None:
    """The exercise's drawing as inline SVG (None when it has none, or a broken one)."""
    svg = kb.figures.get(ex.id)
    return inline_figure(svg, ex.figure_alt) if svg else None


def reference_ids(*groups: Iterable[str]) -> list[str]:
    """References in first-cited order, each once."""
    return list(dict.fromkeys(r for group in groups for r in group))


def choice_reference_ids(prog: Programme) -> list[str]:
    """The references of the plain words for the programme's muscles and grades, and of why
    its "not sure" choice is the safe one."""
    return reference_ids(
        (r for m in prog.muscles for st in (m.signs, m.how_to_tell) for r in st.references),
        (r for g in prog.grades for r in g.signs.references),
        prog.not_sure.why.references if prog.not_sure else (),
    )


def programme_reference_ids(prog: Programme) -> list[str]:
    """Every reference a programme cites, in the order its page shows them."""
    return reference_ids(
        prog.references,
        choice_reference_ids(prog),
        (r for v in prog.variants for r in v.references),
        (r for ph in prog.phases for c in ph.exit for r in c.references),
        (r for ph in prog.phases for st in ph.advice for r in st.references),
        (r for ph in prog.phases for k in ph.kit for r in k.references),
        (r for sp in prog.see_professional for r in sp.references),
        (r for st in prog.reinjury_prevention for r in st.references),
    )


def numbered(kb: KnowledgeBase, ids: Sequence[str]) -> dict[str, Any]:
    order = [r for r in ids if r in kb.references]
    return {
        "order": order,
        "numbers": {r: i + 1 for i, r in enumerate(order)},
        "references": kb.references,
    }


def decision_references(d: DecisionReport) -> list[str]:
    return reference_ids(
        (r for reason in d.reasons for r in reason.references),
        (r for c in d.criteria for r in c.references),
    )


# --- exercises and doses ----------------------------------------------------------------------


def dose_words(sets: int, amount: int, measure: str, each_side: bool) -> str:
    """E.g. `3 × 15 reps, each leg` or `1 × 20 minutes`."""
    return f"{sets} × {amount_words(amount, measure)}" + (", each leg" if each_side else "")


def amount_words(amount: float, measure: str) -> str:
    """E.g. `15 reps`, `1 minute`."""
    return rehab.quantity(amount, MEASURE_WORDS.get(measure, measure))


def how_often(per_day: int, days_per_week: int) -> str:
    times = {1: "once a day", 2: "twice a day"}.get(per_day, f"{per_day} times a day")
    days = "every day" if days_per_week >= 7 else f"{rehab.quantity(days_per_week, 'day')} a week"
    return f"{times}, {days}"


def item_view(kb: KnowledgeBase, item: rehab.DoseItem) -> dict[str, Any]:
    ex = item.exercise
    return {
        "id": ex.id,
        "name": ex.name,
        "summary": ex.summary,
        "figure": figure(kb, ex),
        "dose": dose_words(item.sets, item.amount, item.measure, ex.dose.each_side),
        "often": how_often(item.per_day, item.days_per_week),
        "load": item.load,
        "note": item.note,
        "adjusted": item.adjusted,
        "cues": ex.cues[:2],
        "measure": item.measure,
        "sets": item.sets,
        "amount": item.amount,
    }


def exercise_name(kb: KnowledgeBase, exercise_id: str) -> str:
    ex = kb.exercises.get(exercise_id)
    return ex.name if ex is not None else exercise_id


def exercise_amount(kb: KnowledgeBase, exercise_id: str, amount: float) -> str:
    """A logged amount with the exercise's measure, e.g. `12 reps` or `1 minute`."""
    ex = kb.exercises.get(exercise_id)
    return amount_words(amount, ex.dose.measure) if ex is not None else f"{amount:g}"


# --- the decision -----------------------------------------------------------------------------


def decision_view(kb: KnowledgeBase, d: DecisionReport) -> dict[str, Any]:
    """The decision in plain words: a headline, the reasons, and whether it can be accepted."""
    target = d.target.name if d.target else ""
    headline, button = {
        "progress": (
            f"You are ready to move on to the next phase: {target}",
            f"Move on to {target}",
        ),
        "hold": (f"Stay in this phase for now: {d.phase.name}", ""),
        "step_back": (f"Go back to the previous phase for now: {target}", f"Go back to {target}"),
        "complete": ("You have met every goal of the last phase", "Finish the programme"),
        "see_professional": ("Stop the programme and see a professional", ""),
    }[d.action]
    return {
        "action": d.action,
        "headline": headline,
        "button": button,
        "reasons": d.reasons,
        "level": d.level,
        "phase": d.phase,
        "target": d.target,
    }


# --- requests and forms -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """How a page is shown again: a notice, or what was typed and what is wrong with it."""

    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    errors: Mapping[str, str] = dataclasses.field(default_factory=dict)
    notice: str | None = None
    status: int = 200


#: A page shown for the first time: no notice, nothing typed.
FIRST = Shown()


def today_of(request: Request, user: Account) -> date:
    """Today in the person's own time zone, by the web layer's clock."""
    return auth.today(request, user.zone)


def message(label: str, text: str) -> str:
    """A service message with the field it is about, e.g. `Day: cannot be after ...`."""
    text = text.strip().rstrip(".")
    if text.startswith("Required: "):
        return f"{label}: this is required ({text.removeprefix('Required: ')})"
    return f"{label}: {text[:1].lower()}{text[1:]}"


async def _posted(request: Request) -> FormData:
    return await posted_form(request)


#: The posted form, read before the handler (which is plain `def`) runs.
Posted = Annotated[FormData, Depends(_posted)]


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def named_errors(
    errors: Mapping[str, str],
    ids: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Service errors keyed by the id of the field on the page, each naming its field."""
    out: dict[str, str] = {}
    for field, text in errors.items():
        fid = (ids or {}).get(field, field)
        label = (labels or {}).get(field) or LABELS.get(field, field.replace("_", " "))
        out[fid] = message(label[:1].upper() + label[1:], text)
    return out
