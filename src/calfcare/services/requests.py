"""Turn an outside request (case format v1) into an engine `Case`, or say exactly what is wrong.

Every problem raises `RequestError` naming the field (``age``, ``evidence[3].choice_id``...),
never an exception from deep inside the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from calfcare.engine.types import Case, Choice, Mode, Sex
from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase

MIN_AGE = 1
MAX_AGE = 120
CHOICES: tuple[Choice, ...] = ("present", "absent", "unknown")
SOURCES = ("initial", "suggest", "predefined", "red_flags", "question")
MAX_EVIDENCE = 500
RECHECK_ITEMS = 8  # the most answers one re-check question asks again
_REQUEST_KEYS = {"age", "sex", "evidence", "extras", "mode"}
_EVIDENCE_KEYS = {"id", "choice_id", "source"}


def parse_age(raw: Any) -> int:
    """An age as case format v1 sends it (years, or `{"value": years}`), or a `RequestError`."""
    value = raw.get("value") if isinstance(raw, Mapping) else raw
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise RequestError("age", "must be a whole number of years")
    if not MIN_AGE <= value <= MAX_AGE:
        raise RequestError("age", f"must be between {MIN_AGE} and {MAX_AGE}, got {value}")
    return value


def _sex(raw: Any) -> Sex:
    if raw not in ("female", "male"):
        raise RequestError("sex", "is required and must be 'female' or 'male'")
    return cast(Sex, raw)


def _mode(request: Mapping[str, Any]) -> Mode:
    extras = request.get("extras")
    if extras is not None and not isinstance(extras, Mapping):
        raise RequestError("extras", "must be an object")
    raw = request.get("mode", (extras or {}).get("mode", "patient"))
    if raw not in ("patient", "clinician"):
        raise RequestError("mode", "must be 'patient' or 'clinician'")
    return cast(Mode, raw)


@dataclass(frozen=True)
class _Evidence:
    answers: dict[str, Choice]
    initial: frozenset[str]
    asked_again: frozenset[str]
    recheck_rounds: int


def _evidence(raw: Any, kb: KnowledgeBase) -> _Evidence:
    """The answers, in order; a finding answered again (a re-check) keeps its last answer.

    Re-checks are counted as the interview asks them: consecutive repeated answers form one
    re-check question of up to 8 items.
    """
    if raw is None:
        return _Evidence({}, frozenset(), frozenset(), 0)
    if not isinstance(raw, list):
        raise RequestError("evidence", "must be a list of {id, choice_id} objects")
    if len(raw) > MAX_EVIDENCE:
        raise RequestError("evidence", f"has {len(raw)} entries; at most {MAX_EVIDENCE} allowed")
    answers: dict[str, Choice] = {}
    initial: set[str] = set()
    again: set[str] = set()
    rounds = 0
    run = 0  # plain re-checked answers in the current run of repeats
    for i, item in enumerate(raw):
        fid, choice, source = _evidence_item(f"evidence[{i}]", item, kb)
        if fid in answers:
            again.add(fid)
            rounds += run % RECHECK_ITEMS == 0
            run += 1
        else:
            run = 0
        answers[fid] = choice  # a later answer to the same finding wins
        if source == "initial":
            initial.add(fid)
    return _Evidence(answers, frozenset(initial), frozenset(again), rounds)


def _evidence_item(where: str, item: Any, kb: KnowledgeBase) -> tuple[str, Choice, str | None]:
    """One `{id, choice_id, source}` entry, checked field by field."""
    if not isinstance(item, Mapping):
        raise RequestError(where, "must be an object with 'id' and 'choice_id'")
    unknown_keys = set(item) - _EVIDENCE_KEYS
    if unknown_keys:
        raise RequestError(f"{where}.{sorted(unknown_keys)[0]}", "is not a known field")
    fid = item.get("id")
    if not isinstance(fid, str) or fid not in kb.findings:
        raise RequestError(f"{where}.id", f"unknown finding {fid!r}")
    choice = item.get("choice_id")
    if choice not in CHOICES:
        raise RequestError(
            f"{where}.choice_id", f"must be one of {', '.join(CHOICES)}, got {choice!r}"
        )
    source = item.get("source")
    if source is not None and source not in SOURCES:
        raise RequestError(f"{where}.source", f"must be one of {', '.join(SOURCES)}")
    return fid, cast(Choice, choice), source


def parse_request(request: Any, kb: KnowledgeBase) -> Case:
    """Validate a case-format v1 request and build the engine's `Case`."""
    if not isinstance(request, Mapping):
        raise RequestError("(request)", "must be a JSON object with age, sex and evidence")
    unknown = set(request) - _REQUEST_KEYS
    if unknown:
        raise RequestError(sorted(unknown)[0], "is not a known field")
    if "age" not in request:
        raise RequestError("age", "is required")
    age = parse_age(request["age"])
    sex = _sex(request.get("sex"))
    ev = _evidence(request.get("evidence"), kb)
    return Case(
        age=age,
        sex=sex,
        answers=ev.answers,
        initial=ev.initial,
        mode=_mode(request),
        asked_again=ev.asked_again,
        recheck_rounds=ev.recheck_rounds,
    )
