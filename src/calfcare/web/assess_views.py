"""The pages of the browser interview, built from the interview state (`routes/assess.py`
decides which one to show).

Every page keeps what the person already gave: Back fills in the answers it returns to, so
going back never means answering again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from calfcare.services.answers_in_words import answers_in_words, emergency_findings
from calfcare.web.context import WebContext
from calfcare.web.interview import InterviewState
from calfcare.web.question_parts import split_items
from calfcare.web.responses import page

TYPICAL_QUESTIONS = 8


def about_page(
    ctx: WebContext,
    request: Request,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """ "About you", filled in with `values` (after an error, or on the way back)."""
    data = {"errors": errors or {}, "values": values}
    return page(ctx, request, "assess_about.html", data, status=status)


def start_page(
    ctx: WebContext,
    request: Request,
    state: InterviewState,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    picked: Sequence[Mapping[str, str]] = (),
) -> HTMLResponse:
    """ "What brings you here?", with the options behind the first answers `picked` ticked."""
    data = {
        "state": state.encode(),
        "options": ctx.kb.start_options,
        "errors": errors or {},
        "ticked": ticked_options(ctx, {a["id"] for a in picked}),
        "about": InterviewState(age=state.age, sex=state.sex).encode(),
    }
    return page(ctx, request, "assess_start.html", data, status=status)


def ticked_options(ctx: WebContext, findings: set[str]) -> set[int]:
    """The start options that give exactly these first findings, ticked again on the way
    back. "Pain in the calf" is part of most others, so an option is left out when a larger
    ticked one holds all its findings: the answers are the same either way."""
    fits = [i for i, o in enumerate(ctx.kb.start_options) if set(o.findings) <= findings]
    sets = {i: set(ctx.kb.start_options[i].findings) for i in fits}
    return {i for i in fits if not any(sets[i] < sets[j] for j in fits)}


def emergency_page(
    ctx: WebContext, request: Request, state: InterviewState, triage: dict[str, Any]
) -> HTMLResponse:
    """The emergency page, with the answers that led to it in the words the person read.
    When no single rule says why (the answers together make an emergency likely), every
    "Yes" is listed."""
    evidence = state.evidence()
    told = answers_in_words(ctx.kb, evidence, only=emergency_findings(triage))
    if not told:
        told = [a for a in answers_in_words(ctx.kb, evidence) if a["answer"] == "Yes"]
    data = {"triage": triage, "state": state.encode(), "told": told}
    return page(ctx, request, "emergency.html", data)


def too_young_page(ctx: WebContext, request: Request, state: InterviewState) -> HTMLResponse:
    """The page for someone younger than calfcare is made for: no assessment, only where to
    get help. It carries the state only so that "Change my age" can fill the form in again."""
    data = {
        "age": state.age,
        "min_age": ctx.kb.min_supported_age,
        "about": InterviewState(age=state.age, sex=state.sex).encode(),
    }
    return page(ctx, request, "assess_too_young.html", data)


def question_page(
    ctx: WebContext,
    request: Request,
    state: InterviewState,
    out: dict[str, Any],
    *,
    prefill: Sequence[dict[str, str]] = (),
    error: str | None = None,
) -> HTMLResponse:
    """The next part of the current question: the first part with an item not yet answered
    in `state.pending`. `prefill` holds answers to show again (after Back)."""
    question = out["question"]
    parts = split_items(question)
    index = _part_index(parts, state.pending)
    again = {a["id"]: a["choice_id"] for a in prefill}
    asked = out["extras"]["questions_asked"]
    progress = min(95, round(100 * (asked + 0.5) / (asked + max(2, TYPICAL_QUESTIONS - asked))))
    data = {
        "question": {**question, "items": parts[index]},
        "part": index + 1,
        "parts": len(parts),
        "prefill": again,
        "dont_know": any(again.get(x["id"]) == "unknown" for x in parts[index]),
        "state": state.encode(),
        "number": asked + 1,
        "progress": progress,
        "error": error,
    }
    return page(ctx, request, "question.html", data, status=422 if error else 200)


def _part_index(
    parts: Sequence[Sequence[dict[str, Any]]], pending: Sequence[dict[str, str]]
) -> int:
    seen = {a["id"] for a in pending}
    return next((i for i, p in enumerate(parts) if any(x["id"] not in seen for x in p)), 0)


def back_one_part(state: InterviewState, question: dict[str, Any]) -> list[dict[str, str]]:
    """Step the state back one part of its question; return that part's answers, to fill
    in again."""
    parts = split_items(question)
    index = _part_index(parts, state.pending)
    back = {x["id"] for x in parts[max(index - 1, 0)]}
    again = [a for a in state.pending if a["id"] in back]
    state.pending = [a for a in state.pending if a["id"] not in back]
    return again
