"""What a person logs in their plan: exercise sessions, next-morning pain and tests.

Each function reads the submitted values field by field (`FormReader`), so a person sees every
mistake at once, and stores the log in the active plan. Which values a test needs, and their
largest value, come from the test's protocol in the knowledge base (`rehab/tests.yaml`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from calfcare.engine.rehab import MorningCheck
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import TestKind, TestProtocol
from calfcare.services.forms import FormReader
from calfcare.services.rehab import store
from calfcare.services.rehab.records import SessionRecord, TestRecord, result_record, session_record
from calfcare.storage import tables as t
from calfcare.storage.atomic import upsert

SESSION_FIELDS = ("day", "pain_during", "pain_after", "flags", "notes")
EXERCISE_FIELDS = ("exercise", "sets", "amount", "load_kg", "pain")
MORNING_FIELDS = ("day", "pain")
TEST_FIELDS = ("day", "kind", "injured", "other", "pain", "limp")
MAX_EXERCISES_PER_SESSION = 40
PAIN_RULE = "a whole number from 0 to 10"


def _flags(f: FormReader, raw: object, allowed: Sequence[str]) -> list[str]:
    if raw is None or raw == "":
        return []
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else None
    if items is None or any(not isinstance(i, str) or i not in allowed for i in items):
        f.errors["flags"] = "Must be any of " + ", ".join(allowed) + "."
        return []
    return sorted(set(items))


def _row_key(index: int) -> Callable[[str], str]:
    def key(name: str) -> str:
        return f"exercises[{index}].{name}"

    return key


def _exercise_rows(
    kb: KnowledgeBase, f: FormReader, exercises: Sequence[Mapping[str, object]]
) -> list[dict[str, Any]]:
    """The exercises done (rows with 0 sets are left out); their errors go into `f`."""
    logged: list[dict[str, Any]] = []
    if len(exercises) > MAX_EXERCISES_PER_SESSION:
        f.errors["exercises"] = f"At most {MAX_EXERCISES_PER_SESSION} exercises per session."
    for i, raw in enumerate(exercises[:MAX_EXERCISES_PER_SESSION]):
        ef = FormReader(raw, EXERCISE_FIELDS, key=_row_key(i))
        eid = ef.choice("exercise", sorted(kb.exercises), "an exercise of the library")
        sets = ef.integer("sets", 0, 20, "a whole number of sets from 0 to 20")
        amount = ef.integer("amount", 0, 600, "a whole number from 0 to 600", required=False)
        load = ef.number("load_kg", 0, 300, "a weight in kg from 0 to 300")
        epain = ef.integer("pain", 0, 10, PAIN_RULE, required=False)
        f.errors.update(ef.errors)
        if not ef.errors and sets:
            logged.append(
                {
                    "exercise": eid,
                    "sets": sets,
                    "amount": amount or 0,
                    "load_kg": load,
                    "pain": epain or 0,
                }
            )
    return logged


def log_session(
    db: Session,
    *,
    owner_id: str,
    values: Mapping[str, object],
    exercises: Sequence[Mapping[str, object]],
    today: date,
    kb: KnowledgeBase,
) -> SessionRecord:
    """Log one exercise session of the active plan (for `day`, today or earlier)."""
    row = store.require_active(db, owner_id)
    f = FormReader(
        {k: v for k, v in values.items() if k != "flags"},
        [x for x in SESSION_FIELDS if x != "flags"],
    )
    flags = _flags(f, values.get("flags"), list(kb.pain_model.flags))
    day = f.day("day", latest=today, earliest=row.injury_day)
    pain = f.integer("pain_during", 0, 10, PAIN_RULE)
    after = f.integer("pain_after", 0, 10, PAIN_RULE, required=False)
    notes = f.text("notes", 2000)
    logged = _exercise_rows(kb, f, exercises)
    f.done()
    day, pain = f.checked("day", day), f.checked("pain_during", pain)
    worst = max([pain, *(e["pain"] for e in logged)])
    session = t.RehabSession(
        id=store.new_id(),
        plan_id=row.id,
        day=day,
        phase=row.phase,
        pain_during=worst,
        pain_after=after,
        flags=flags,
        exercises=logged,
        notes=notes,
        created_at=store.now(),
    )
    db.add(session)
    db.flush()
    return session_record(session)


def log_morning(
    db: Session, *, owner_id: str, values: Mapping[str, object], today: date
) -> MorningCheck:
    """Record pain on getting up (one per day: a second entry for the day replaces it)."""
    row = store.require_active(db, owner_id)
    f = FormReader(values, MORNING_FIELDS)
    day = f.day("day", latest=today, earliest=row.injury_day)
    pain = f.integer("pain", 0, 10, PAIN_RULE)
    f.done()
    day, pain = f.checked("day", day), f.checked("pain", pain)
    # One statement, so that the same check sent twice at once stores one row, not an error.
    upsert(
        db,
        store.table(t.RehabMorning),
        {"plan_id": row.id, "day": day, "pain": pain},
        keys=("plan_id", "day"),
        update_columns=("pain",),
    )
    db.flush()
    return MorningCheck(day=day, pain=pain)


def _result_values(f: FormReader, protocol: TestProtocol) -> dict[str, Any]:
    """The protocol's values (the two sides' results and the pain), each as it requires."""
    out: dict[str, Any] = {"injured": None, "other": None, "pain": None}
    top = protocol.max_value or 0
    for side in ("injured", "other"):
        field = protocol.field(side)
        if field is not None:
            out[side] = f.number(
                side,
                0,
                top,
                f"a number of {protocol.unit} from 0 to {top:.0f}",
                required=field.required,
            )
    pain = protocol.field("pain")
    if pain is not None:
        out["pain"] = f.integer("pain", 0, 10, PAIN_RULE, required=pain.required)
    return out


def log_test(
    db: Session, *, owner_id: str, values: Mapping[str, object], today: date, kb: KnowledgeBase
) -> TestRecord:
    """Record a test. Which values it needs comes from its protocol (`kb.rehab_tests`)."""
    row = store.require_active(db, owner_id)
    f = FormReader(values, TEST_FIELDS)
    day = f.day("day", latest=today, earliest=row.injury_day)
    kinds = [k.value for k in TestKind]
    kind = f.choice("kind", kinds, "one of " + ", ".join(kinds))
    limp = f.boolean("limp")
    measured = _result_values(f, kb.rehab_tests[kind]) if kind is not None else {}
    f.done()
    test = t.RehabTest(
        id=store.new_id(),
        plan_id=row.id,
        day=f.checked("day", day),
        kind=f.checked("kind", kind),
        limp=limp,
        created_at=store.now(),
        **measured,
    )
    db.add(test)
    db.flush()
    return result_record(test)
