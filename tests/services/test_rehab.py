"""Rehabilitation plans on SQLite and PostgreSQL: starting, logging, the status and its
decision, accepting a decision, clinicians' access, and one person never reaching another's
plan. The programmes are the shipped knowledge base's."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calfcare.engine import rehab as engine
from calfcare.engine.rehab import Action, active_phases
from calfcare.errors import FormError, NotFoundError
from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services import rehab
from calfcare.storage import tables as t

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
INJURY = TODAY - timedelta(days=4)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def user(db: Session, name: str = "alex", role: str = "person") -> str:
    uid = uuid.uuid4().hex
    db.add(
        t.User(
            id=uid,
            email=f"{name}@example.com",
            display_name=name.title(),
            password_hash="x",
            role=role,
            units="metric",
            created_at=NOW,
        )
    )
    db.flush()
    return uid


def link(db: Session, person_id: str, clinician_id: str) -> None:
    db.add(t.ClinicianLink(person_id=person_id, clinician_id=clinician_id, created_at=NOW))
    db.flush()


def start(
    db: Session, owner: str, kb: KnowledgeBase, today: date = TODAY, **values: object
) -> rehab.PlanRecord:
    base: dict[str, object] = {
        "programme": "calf_strain",
        "variant": "grade2_soleus",
        "side": "left",
        "injury_day": INJURY.isoformat(),
    }
    return rehab.start_plan(db, owner_id=owner, values={**base, **values}, today=today, kb=kb)


def session(
    db: Session,
    owner: str,
    kb: KnowledgeBase,
    day: date,
    pain: int = 1,
    exercises: list[Mapping[str, object]] | None = None,
    **values: object,
) -> rehab.SessionRecord:
    return rehab.log_session(
        db,
        owner_id=owner,
        kb=kb,
        today=day,
        exercises=exercises or [],
        values={"day": day.isoformat(), "pain_during": pain, **values},
    )


def morning(db: Session, owner: str, day: date, pain: int = 1) -> None:
    rehab.log_morning(db, owner_id=owner, today=day, values={"day": day, "pain": pain})


def measure(db: Session, owner: str, day: date, **values: object) -> rehab.TestRecord:
    return rehab.log_test(
        db, owner_id=owner, today=day, kb=load_kb(), values={"day": day, **values}
    )


def pass_protect(db: Session, owner: str, kb: KnowledgeBase, first: date) -> date:
    """Meet every goal of calf_strain's first phase, started on `first`; return the day."""
    for i in range(3):
        session(db, owner, kb, first + timedelta(days=i))
        morning(db, owner, first + timedelta(days=i + 1))
    day = first + timedelta(days=3)
    measure(db, owner, day, kind="walking", pain=1)
    return day


def count(db: Session, table: type[t.Base]) -> int:
    return db.scalar(select(func.count()).select_from(table)) or 0


# --- start ----------------------------------------------------------------------------------


def test_start_a_plan_at_the_first_phase(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    plan = start(db, alex, kb, notes="Physio said grade 2")
    assert (plan.programme, plan.variant, plan.side) == ("calf_strain", "grade2_soleus", "left")
    # The first phase counts from the injury: its fewest days are healing time.
    assert (plan.injury_day, plan.phase, plan.phase_started) == (INJURY, "protect", INJURY)
    assert (plan.status, plan.assigned_by, plan.notes) == ("active", None, "Physio said grade 2")
    assert plan.created_at.tzinfo is not None
    assert plan.started_on == TODAY  # the person's day, from the caller's clock
    assert rehab.active_plan(db, owner_id=alex) == plan
    assert rehab.list_plans(db, owner_id=alex) == [plan]
    history = rehab.status(db, owner_id=alex, today=TODAY, kb=kb).history
    assert [(h.from_phase, h.to_phase, h.action, h.by_user) for h in history] == [
        (None, "protect", "start", alex)
    ]


def test_a_single_variant_needs_no_variant_and_a_later_phase_can_be_chosen(
    db: Session, kb: KnowledgeBase
) -> None:
    alex = user(db)
    plan = rehab.start_plan(
        db,
        owner_id=alex,
        today=TODAY,
        kb=kb,
        values={
            "programme": "CRAMP_conditioning",
            "side": "right",
            "injury_day": TODAY,
            "phase": "capacity",
        },
    )
    assert (plan.programme, plan.variant, plan.phase) == (
        "cramp_conditioning",
        "standard",
        "capacity",
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"programme": "knee_rehab"}, "programme", "one of calf_contusion, calf_strain"),
        ({"programme": ""}, "programme", "Required"),
        ({"variant": "grade4_soleus"}, "variant", "one of grade1_gastrocnemius"),
        ({"variant": None}, "variant", "Required"),
        ({"side": "both"}, "side", "left or right"),
        ({"injury_day": "last week"}, "injury_day", "a date such as"),
        (
            {"injury_day": (TODAY + timedelta(days=1)).isoformat()},
            "injury_day",
            f"Cannot be after {TODAY.isoformat()}",
        ),
        (
            {"injury_day": (TODAY - rehab.MAX_INJURY_AGE - timedelta(days=1)).isoformat()},
            "injury_day",
            "Cannot be before",
        ),
        ({"phase": "running_fast"}, "phase", "one of protect, foundation"),
        ({"notes": "x" * 2001}, "notes", "at most 2000"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_start_names_each_bad_field(
    db: Session, kb: KnowledgeBase, changes: dict[str, object], field: str, words: str
) -> None:
    alex = user(db)
    values: dict[str, object] = {
        "programme": "calf_strain",
        "variant": "grade2_soleus",
        "side": "left",
        "injury_day": INJURY.isoformat(),
    }
    values.update(changes)
    with pytest.raises(FormError) as err:
        rehab.start_plan(
            db,
            owner_id=alex,
            today=TODAY,
            kb=kb,
            values={k: v for k, v in values.items() if v is not None},
        )
    assert list(err.value.errors) == [field]
    assert words in err.value.errors[field]
    assert count(db, t.RehabPlan) == 0


def test_start_reports_every_missing_field_at_once(db: Session, kb: KnowledgeBase) -> None:
    with pytest.raises(FormError) as err:
        rehab.start_plan(db, owner_id=user(db), values={}, today=TODAY, kb=kb)
    assert set(err.value.errors) == {"programme", "side", "injury_day"}


def test_a_second_active_plan_is_refused_until_the_first_stops(
    db: Session, kb: KnowledgeBase
) -> None:
    alex = user(db)
    first = start(db, alex, kb)
    with pytest.raises(FormError) as err:
        start(db, alex, kb, programme="return_to_running", variant="standard")
    assert "Stop it before" in err.value.errors["programme"]
    stopped = rehab.stop_plan(db, owner_id=alex, today=TODAY)
    assert (stopped.id, stopped.status) == (first.id, "stopped")
    assert rehab.active_plan(db, owner_id=alex) is None
    with pytest.raises(NotFoundError):
        rehab.stop_plan(db, owner_id=alex, today=TODAY)
    second = start(db, alex, kb, programme="return_to_running", variant="standard")
    assert {p.id for p in rehab.list_plans(db, owner_id=alex)} == {first.id, second.id}
    assert rehab.active_plan(db, owner_id=alex) == second


# --- today's session ------------------------------------------------------------------------


def test_today_session_keeps_the_exercises_of_the_injured_muscle(
    db: Session, kb: KnowledgeBase
) -> None:
    soleus, gastroc = user(db, "sol"), user(db, "gas")
    start(db, soleus, kb)
    start(db, gastroc, kb, variant="grade2_gastrocnemius")
    sol = [
        i.exercise.id for i in rehab.today_session(db, owner_id=soleus, today=TODAY, kb=kb).items
    ]
    gas = [
        i.exercise.id for i in rehab.today_session(db, owner_id=gastroc, today=TODAY, kb=kb).items
    ]
    assert "isometric_bent_knee_soleus_hold" in sol
    assert "isometric_bent_knee_soleus_hold" not in gas
    assert set(gas) < set(sol)
    protect = kb.programmes["calf_strain"].phases[0]
    expected = [rx.exercise for rx in protect.exercises if not rx.sites or "soleus" in rx.sites]
    assert sol == expected


def test_today_session_doses_and_what_is_logged(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    start(db, alex, kb)
    got = rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb)
    assert (got.phase.id, got.day, got.logged_today, got.morning_logged) == (
        "protect",
        TODAY,
        False,
        False,
    )
    protect = kb.programmes["calf_strain"].phases[0]
    for item, rx in zip(
        got.items, [r for r in protect.exercises if not r.sites or "soleus" in r.sites], strict=True
    ):
        ex = kb.exercises[rx.exercise]
        assert item.sets == (rx.sets or ex.dose.sets)
        assert item.amount == (rx.amount or ex.dose.amount)
        assert item.days_per_week == (rx.days_per_week or ex.dose.days_per_week)
        assert item.measure == ex.dose.measure
        assert not item.adjusted
    session(db, alex, kb, TODAY)
    morning(db, alex, TODAY)
    got = rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb)
    assert (got.logged_today, got.morning_logged) == (True, True)
    tomorrow = rehab.today_session(db, owner_id=alex, today=TODAY + timedelta(days=1), kb=kb)
    assert (tomorrow.logged_today, tomorrow.morning_logged) == (False, False)


def test_a_clinicians_adjustments_change_today_session(db: Session, kb: KnowledgeBase) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    link(db, alex, dr)
    start(db, alex, kb)
    items = rehab.clinician_adjust(
        db,
        clinician_id=dr,
        person_id=alex,
        kb=kb,
        values={
            "phase": "protect",
            "exercise": "ankle_pumps",
            "sets": "2",
            "amount": "12",
            "load": "",
            "note": "Slowly, please",
        },
    )
    pumps = next(i for i in items if i.exercise.id == "ankle_pumps")
    assert (pumps.sets, pumps.amount, pumps.note, pumps.adjusted) == (2, 12, "Slowly, please", True)
    got = rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb)
    assert next(i for i in got.items if i.exercise.id == "ankle_pumps") == pumps
    # Adjusting again replaces the adjustment; removing takes the exercise out.
    rehab.clinician_adjust(
        db,
        clinician_id=dr,
        person_id=alex,
        kb=kb,
        values={"phase": "protect", "exercise": "ankle_pumps", "removed": "on"},
    )
    assert count(db, t.RehabAdjustment) == 1
    got = rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb)
    assert "ankle_pumps" not in [i.exercise.id for i in got.items]
    # An adjustment of another phase does not touch this one.
    rehab.clinician_adjust(
        db,
        clinician_id=dr,
        person_id=alex,
        kb=kb,
        values={"phase": "foundation", "exercise": "seated_soleus_raise", "sets": 5},
    )
    got = rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb)
    assert not any(i.adjusted for i in got.items)


def test_clinician_adjust_names_bad_fields(db: Session, kb: KnowledgeBase) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    link(db, alex, dr)
    start(db, alex, kb)
    with pytest.raises(FormError) as err:
        rehab.clinician_adjust(
            db,
            clinician_id=dr,
            person_id=alex,
            kb=kb,
            values={"phase": "protect", "exercise": "pogo_hops", "sets": 11, "amount": 0},
        )
    assert set(err.value.errors) == {"exercise", "sets", "amount"}
    with pytest.raises(FormError) as err:
        rehab.clinician_adjust(
            db,
            clinician_id=dr,
            person_id=alex,
            kb=kb,
            values={"phase": "moon", "exercise": "ankle_pumps"},
        )
    assert set(err.value.errors) == {"phase"}
    assert count(db, t.RehabAdjustment) == 0


# --- logging --------------------------------------------------------------------------------


def test_log_a_session_with_exercises(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    start(db, alex, kb)
    record = session(
        db,
        alex,
        kb,
        TODAY,
        pain=1,
        pain_after=2,
        notes="easy",
        flags=[],
        exercises=[
            {"exercise": "ankle_pumps", "sets": "1", "amount": "20"},
            {
                "exercise": "seated_soleus_raise",
                "sets": 3,
                "amount": 15,
                "load_kg": "20.5",
                "pain": "3",
            },
            {"exercise": "ankle_pumps", "sets": 0},
        ],
    )  # not done: not kept
    assert (record.day, record.phase, record.pain_after, record.notes) == (
        TODAY,
        "protect",
        2,
        "easy",
    )
    assert record.pain_during == 3  # the worst pain of the session, exercises included
    assert [(e.exercise, e.sets, e.amount, e.load_kg, e.pain) for e in record.exercises] == [
        ("ankle_pumps", 1, 20, None, 0),
        ("seated_soleus_raise", 3, 15, 20.5, 3),
    ]
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    assert st.sessions == (record,)


def test_bad_exercise_rows_are_named_by_row_and_field(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    start(db, alex, kb)
    with pytest.raises(FormError) as err:
        session(
            db,
            alex,
            kb,
            TODAY,
            exercises=[
                {"exercise": "ankle_pumps", "sets": 1, "amount": 20},
                {"exercise": "moonwalk", "sets": 21, "amount": 601, "load_kg": "-1", "pain": 11},
                {"exercise": "ankle_pumps", "reps": 3},
            ],
        )
    assert err.value.errors == {
        "exercises[1].exercise": "Must be an exercise of the library (got 'moonwalk').",
        "exercises[1].sets": "Must be a whole number of sets from 0 to 20 (got '21').",
        "exercises[1].amount": "Must be a whole number from 0 to 600 (got '601').",
        "exercises[1].load_kg": "Must be a weight in kg from 0 to 300 (got '-1').",
        "exercises[1].pain": "Must be a whole number from 0 to 10 (got '11').",
        "exercises[2].reps": "Unknown field.",
        "exercises[2].sets": "Required: a whole number of sets from 0 to 20.",
    }
    with pytest.raises(FormError) as err:
        session(db, alex, kb, TODAY, exercises=[{"exercise": "ankle_pumps", "sets": 1}] * 41)
    assert "At most 40" in err.value.errors["exercises"]
    assert count(db, t.RehabSession) == 0


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"pain_during": 11}, "pain_during", "from 0 to 10"),
        ({"pain_during": -1}, "pain_during", "from 0 to 10"),
        ({"pain_during": "a bit"}, "pain_during", "from 0 to 10"),
        ({"pain_during": None}, "pain_during", "Required"),
        ({"pain_after": 11}, "pain_after", "from 0 to 10"),
        ({"flags": ["sharp_pain_or_pop", "tired"]}, "flags", "Must be any of sharp_pain_or_pop"),
        ({"flags": 3}, "flags", "Must be any of"),
        ({"day": (TODAY + timedelta(days=1)).isoformat()}, "day", "Cannot be after"),
        (
            {"day": (INJURY - timedelta(days=1)).isoformat()},
            "day",
            f"Cannot be before {INJURY.isoformat()}",
        ),
        ({"day": None}, "day", "Required"),
        ({"notes": "\x00"}, "notes", "NUL"),
    ],
)
def test_log_session_names_each_bad_field(
    db: Session, kb: KnowledgeBase, values: dict[str, object], field: str, words: str
) -> None:
    alex = user(db)
    start(db, alex, kb)
    base: dict[str, object] = {"day": TODAY.isoformat(), "pain_during": 2, **values}
    with pytest.raises(FormError) as err:
        rehab.log_session(
            db,
            owner_id=alex,
            today=TODAY,
            kb=kb,
            exercises=[],
            values={k: v for k, v in base.items() if v is not None},
        )
    assert list(err.value.errors) == [field]
    assert words in err.value.errors[field]
    assert count(db, t.RehabSession) == 0


def test_flags_are_kept_once_and_a_day_before_the_plan_is_allowed(
    db: Session, kb: KnowledgeBase
) -> None:
    alex = user(db)
    start(db, alex, kb)
    record = session(
        db,
        alex,
        kb,
        INJURY,
        flags=["pain_at_rest_worse", "pain_at_rest_worse", "numbness_or_weakness"],
    )
    assert record.flags == ("numbness_or_weakness", "pain_at_rest_worse")
    assert session(db, alex, kb, TODAY, flags="sharp_pain_or_pop").flags == ("sharp_pain_or_pop",)


def test_the_morning_check_is_one_per_day(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    start(db, alex, kb)
    morning(db, alex, TODAY, pain=3)
    morning(db, alex, TODAY, pain=1)
    morning(db, alex, TODAY - timedelta(days=1), pain=2)
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    assert [(m.day, m.pain) for m in st.mornings] == [(TODAY - timedelta(days=1), 2), (TODAY, 1)]
    assert count(db, t.RehabMorning) == 2
    for values, field in (
        ({"pain": 11}, "pain"),
        ({"pain": None}, "pain"),
        ({"day": TODAY + timedelta(days=1)}, "day"),
        ({"day": INJURY - timedelta(days=1)}, "day"),
    ):
        with pytest.raises(FormError) as err:
            rehab.log_morning(
                db,
                owner_id=alex,
                today=TODAY,
                values={
                    k: v for k, v in {"day": TODAY, "pain": 1, **values}.items() if v is not None
                },
            )
        assert list(err.value.errors) == [field]


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        ({"kind": "walking"}, {"pain"}),
        ({"kind": "symptoms"}, {"pain"}),
        ({"kind": "heel_raise"}, {"injured", "other"}),
        ({"kind": "heel_raise", "injured": 20}, {"other"}),
        ({"kind": "hop"}, {"injured", "other"}),
        ({"kind": "lunge", "injured": 41, "other": 12}, {"injured"}),
        ({"kind": "run", "pain": 1}, {"injured"}),
        ({"kind": "run", "injured": 301, "pain": 1}, {"injured"}),
        ({"kind": "training"}, {"pain"}),
        ({"kind": "sprint"}, {"kind"}),
        ({}, {"kind"}),
        ({"kind": "walking", "pain": 1, "limp": "maybe"}, {"limp"}),
    ],
)
def test_each_test_asks_for_its_own_values(
    db: Session, kb: KnowledgeBase, values: dict[str, object], missing: set[str]
) -> None:
    alex = user(db)
    start(db, alex, kb)
    with pytest.raises(FormError) as err:
        rehab.log_test(db, owner_id=alex, today=TODAY, kb=kb, values={"day": TODAY, **values})
    assert set(err.value.errors) == missing
    assert count(db, t.RehabTest) == 0


def test_tests_are_stored_with_their_symmetry(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    start(db, alex, kb)
    raise_test = measure(db, alex, TODAY, kind="heel_raise", injured="18", other="24")
    kinds = engine.TestKind
    assert (raise_test.kind, raise_test.injured, raise_test.other) == (kinds.heel_raise, 18, 24)
    assert raise_test.lsi == pytest.approx(75.0)
    walk = measure(db, alex, TODAY, kind="walking", pain="2", limp="yes")
    assert (walk.pain, walk.limp, walk.lsi) == (2, True, None)
    run = measure(db, alex, TODAY, kind="run", injured=12.5, pain=1)
    assert (run.injured, run.other, run.lsi) == (12.5, None, None)
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    assert [x.kind for x in st.tests] == [kinds.heel_raise, kinds.walking, kinds.run]
    with pytest.raises(FormError) as err:
        measure(db, alex, INJURY - timedelta(days=1), kind="walking", pain=1)
    assert list(err.value.errors) == ["day"]


def test_logging_needs_an_active_plan(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    for call in (
        lambda: session(db, alex, kb, TODAY),
        lambda: morning(db, alex, TODAY),
        lambda: measure(db, alex, TODAY, kind="walking", pain=1),
        lambda: rehab.status(db, owner_id=alex, today=TODAY, kb=kb),
        lambda: rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb),
        lambda: rehab.apply_decision(db, owner_id=alex, today=TODAY, kb=kb),
    ):
        with pytest.raises(NotFoundError, match="No active rehabilitation plan"):
            call()


# --- status ---------------------------------------------------------------------------------


def test_status_adherence_counts_days_with_a_session(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    first = TODAY - timedelta(days=4)
    start(db, alex, kb, today=first, injury_day=first.isoformat())
    for offset in (0, 1, 1, 3):  # two sessions on one day count once
        session(db, alex, kb, first + timedelta(days=offset))
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    # 5 days since the start; the protect phase is daily.
    assert st.adherence == (3, 5)
    # Over a longer plan only the last 14 days count.
    later = rehab.status(db, owner_id=alex, today=first + timedelta(days=20), kb=kb)
    assert later.adherence == (0, 14)


def test_adherence_follows_the_days_per_week_of_the_phase(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    first = TODAY - timedelta(days=13)
    rehab.start_plan(
        db,
        owner_id=alex,
        today=first,
        kb=kb,
        values={
            "programme": "return_to_running",
            "variant": "standard",
            "side": "left",
            "injury_day": first,
        },
    )
    session(db, alex, kb, first)
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    per_week = max(i.days_per_week for i in rehab.dose_items(kb, st.phase, st.variant))
    assert st.adherence == (1, max(1, round(14 * per_week / 7)))


def test_status_timeline_expected_range_and_decision(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    first = INJURY + timedelta(days=1)
    start(db, alex, kb, today=first)
    st = rehab.status(db, owner_id=alex, today=first, kb=kb)
    prog = kb.programmes["calf_strain"]
    var = rehab.variant(prog, "grade2_soleus")
    assert st.expected == (
        INJURY + timedelta(days=var.expected_days.low),
        INJURY + timedelta(days=var.expected_days.high),
    )
    assert [e.state for e in st.timeline] == ["current"] + ["upcoming"] * 5
    assert [e.min_days for e in st.timeline] == [
        var.min_days[p.id] for p in active_phases(prog, var)
    ]
    # The first phase counts from the injury.
    assert (st.timeline[0].started, st.timeline[0].ended) == (INJURY, None)
    assert (st.decision.action, st.decision.reasons[0].code) == (Action.hold, "no_sessions")
    assert {c.met for c in st.decision.criteria} == {False}

    day = pass_protect(db, alex, kb, first)
    st = rehab.status(db, owner_id=alex, today=day, kb=kb)
    assert st.decision.action is Action.progress
    assert all(c.met for c in st.decision.criteria)
    assert st.decision.target is not None
    assert st.decision.target.id == "foundation"
    st = rehab.apply_decision(db, owner_id=alex, today=day, kb=kb)
    assert (st.plan.phase, st.plan.phase_started, st.phase_index) == ("foundation", day, 1)
    assert [e.state for e in st.timeline] == ["done", "current"] + ["upcoming"] * 4
    assert (st.timeline[0].started, st.timeline[0].ended) == (first, day)
    assert (st.timeline[1].started, st.timeline[1].ended) == (day, None)
    assert st.timeline[2].started is None
    assert [h.action for h in st.history] == ["start", "progress"]
    assert st.history[-1].reasons  # the reasons are kept with the change


# --- decisions ------------------------------------------------------------------------------


def test_step_back_after_the_pain_rules_break_twice(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    first = INJURY + timedelta(days=1)
    start(db, alex, kb, today=first)
    day = pass_protect(db, alex, kb, first)
    rehab.apply_decision(db, owner_id=alex, today=day, kb=kb)  # to foundation
    ceiling = kb.programmes["calf_strain"].phases[1].pain_ceiling
    session(db, alex, kb, day, pain=ceiling + 1)
    st = rehab.status(db, owner_id=alex, today=day, kb=kb)
    assert (st.decision.action, st.decision.reasons[0].code) == (Action.hold, "pain_rule_broken")
    with pytest.raises(FormError) as err:  # nothing to accept on a hold
        rehab.apply_decision(db, owner_id=alex, today=day, kb=kb)
    assert "no phase change" in err.value.errors["decision"]
    day += timedelta(days=1)
    session(db, alex, kb, day, pain=ceiling + 1)
    st = rehab.status(db, owner_id=alex, today=day, kb=kb)
    assert st.decision.action is Action.step_back
    st = rehab.apply_decision(db, owner_id=alex, today=day, kb=kb)
    assert (st.plan.phase, st.phase_index) == ("protect", 0)
    assert [e.state for e in st.timeline[:3]] == ["current", "upcoming", "upcoming"]
    assert st.timeline[0].started == day
    assert [h.action for h in st.history] == ["start", "progress", "step_back"]


def test_complete_the_last_phase(db: Session, kb: KnowledgeBase) -> None:
    alex = user(db)
    first = INJURY + timedelta(days=1)
    plan = rehab.start_plan(
        db,
        owner_id=alex,
        today=first,
        kb=kb,
        values={
            "programme": "calf_contusion",
            "variant": "mild",
            "side": "right",
            "injury_day": INJURY,
            "phase": "return",
        },
    )
    session(db, alex, kb, first)
    day = first + timedelta(days=1)
    morning(db, alex, first)
    morning(db, alex, day)
    for values in (
        {"kind": "symptoms", "pain": 0},
        {"kind": "heel_raise", "injured": 25, "other": 25},
        {"kind": "hop", "injured": 95, "other": 100},
        {"kind": "training", "pain": 0},
    ):
        measure(db, alex, day, **values)
    st = rehab.status(db, owner_id=alex, today=day, kb=kb)
    assert st.decision.action is Action.complete, st.decision.reasons
    done = rehab.apply_decision(db, owner_id=alex, today=day, kb=kb)
    assert done.plan.status == "completed"
    assert [e.state for e in done.timeline] == ["done"] * 4
    last = done.timeline[-1]
    assert (last.started, last.ended) == (first, day)
    assert rehab.active_plan(db, owner_id=alex) is None
    assert [p.status for p in rehab.list_plans(db, owner_id=alex)] == ["completed"]
    assert rehab.list_plans(db, owner_id=alex)[0].id == plan.id


def test_a_warning_sign_means_see_a_professional_and_nothing_to_accept(
    db: Session, kb: KnowledgeBase
) -> None:
    alex = user(db)
    start(db, alex, kb)
    session(db, alex, kb, TODAY, flags=["sharp_pain_or_pop"])
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    assert st.decision.action is Action.see_professional
    assert st.decision.level is kb.pain_model.flag_level
    with pytest.raises(FormError):
        rehab.apply_decision(db, owner_id=alex, today=TODAY, kb=kb)
    assert rehab.active_plan(db, owner_id=alex).phase == "protect"  # type: ignore[union-attr]
    later = rehab.status(db, owner_id=alex, today=TODAY + timedelta(days=8), kb=kb)
    assert later.decision.action is not Action.see_professional


# --- clinicians -----------------------------------------------------------------------------


def test_clinician_functions_need_a_link(db: Session, kb: KnowledgeBase) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    start(db, alex, kb)
    calls = (
        lambda: rehab.clinician_status(db, clinician_id=dr, person_id=alex, today=TODAY, kb=kb),
        lambda: rehab.clinician_assign(
            db,
            clinician_id=dr,
            person_id=alex,
            today=TODAY,
            kb=kb,
            values={"programme": "calf_strain"},
        ),
        lambda: rehab.clinician_set_phase(
            db, clinician_id=dr, person_id=alex, phase="strength", today=TODAY, kb=kb
        ),
        lambda: rehab.clinician_adjust(
            db,
            clinician_id=dr,
            person_id=alex,
            kb=kb,
            values={"phase": "protect", "exercise": "ankle_pumps"},
        ),
    )
    for call in calls:
        with pytest.raises(NotFoundError, match="No such person"):
            call()
    link(db, alex, dr)
    assert (
        rehab.clinician_status(db, clinician_id=dr, person_id=alex, today=TODAY, kb=kb) is not None
    )
    # The link is one way: the person cannot act as the clinician of the clinician.
    with pytest.raises(NotFoundError):
        rehab.clinician_status(db, clinician_id=alex, person_id=dr, today=TODAY, kb=kb)


def test_a_clinician_assigns_a_plan_and_sets_its_phase(db: Session, kb: KnowledgeBase) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    link(db, alex, dr)
    assert rehab.clinician_status(db, clinician_id=dr, person_id=alex, today=TODAY, kb=kb) is None
    plan = rehab.clinician_assign(
        db,
        clinician_id=dr,
        person_id=alex,
        today=TODAY,
        kb=kb,
        values={
            "programme": "calf_strain",
            "variant": "grade1_gastrocnemius",
            "side": "right",
            "injury_day": INJURY,
        },
    )
    assert (plan.owner_id, plan.assigned_by) == (alex, dr)
    with pytest.raises(FormError):  # one active plan, whoever starts it
        rehab.clinician_assign(
            db,
            clinician_id=dr,
            person_id=alex,
            today=TODAY,
            kb=kb,
            values={
                "programme": "calf_strain",
                "variant": "grade1_gastrocnemius",
                "side": "right",
                "injury_day": INJURY,
            },
        )
    with pytest.raises(FormError) as err:
        rehab.clinician_set_phase(
            db, clinician_id=dr, person_id=alex, phase="sprinting", today=TODAY, kb=kb
        )
    assert "one of protect" in err.value.errors["phase"]
    later = TODAY + timedelta(days=2)
    moved = rehab.clinician_set_phase(
        db, clinician_id=dr, person_id=alex, phase="strength", today=later, kb=kb
    )
    assert (moved.phase, moved.phase_started) == ("strength", later)
    again = rehab.clinician_set_phase(
        db,
        clinician_id=dr,
        person_id=alex,
        phase="strength",
        today=later + timedelta(days=1),
        kb=kb,
    )
    assert again.phase_started == later  # the same phase: nothing changes
    st = rehab.clinician_status(db, clinician_id=dr, person_id=alex, today=later, kb=kb)
    assert st is not None
    assert [(h.action, h.by_user) for h in st.history] == [("start", dr), ("clinician", dr)]
    assert [e.state for e in st.timeline[:3]] == ["done", "done", "current"]


# --- ownership ------------------------------------------------------------------------------


def test_another_persons_id_never_reaches_a_plan(db: Session, kb: KnowledgeBase) -> None:
    alex, sam, dr = user(db), user(db, "sam"), user(db, "dr", role="clinician")
    link(db, sam, dr)  # the clinician is Sam's, not Alex's
    plan = start(db, alex, kb)
    session(db, alex, kb, TODAY)
    assert rehab.active_plan(db, owner_id=sam) is None
    assert rehab.list_plans(db, owner_id=sam) == []
    for call in (
        lambda: rehab.status(db, owner_id=sam, today=TODAY, kb=kb),
        lambda: rehab.today_session(db, owner_id=sam, today=TODAY, kb=kb),
        lambda: session(db, sam, kb, TODAY),
        lambda: morning(db, sam, TODAY),
        lambda: measure(db, sam, TODAY, kind="walking", pain=1),
        lambda: rehab.apply_decision(db, owner_id=sam, today=TODAY, kb=kb),
        lambda: rehab.stop_plan(db, owner_id=sam, today=TODAY),
        lambda: rehab.clinician_status(db, clinician_id=dr, person_id=alex, today=TODAY, kb=kb),
        lambda: rehab.clinician_set_phase(
            db, clinician_id=dr, person_id=alex, phase="strength", today=TODAY, kb=kb
        ),
        lambda: rehab.clinician_adjust(
            db,
            clinician_id=dr,
            person_id=alex,
            kb=kb,
            values={"phase": "protect", "exercise": "ankle_pumps", "removed": True},
        ),
        lambda: rehab.clinician_set_phase(
            db, clinician_id=dr, person_id=sam, phase="strength", today=TODAY, kb=kb
        ),
    ):
        with pytest.raises(NotFoundError):
            call()
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    assert (st.plan, len(st.sessions), st.mornings, st.tests) == (plan, 1, (), ())
    assert count(db, t.RehabAdjustment) == 0
    assert [p.owner_id for p in rehab.list_plans(db, owner_id=alex)] == [alex]


def test_plans_go_with_the_account_and_a_clinician_is_forgotten(
    db: Session, kb: KnowledgeBase
) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    link(db, alex, dr)
    rehab.clinician_assign(
        db,
        clinician_id=dr,
        person_id=alex,
        today=TODAY,
        kb=kb,
        values={
            "programme": "calf_strain",
            "variant": "grade2_soleus",
            "side": "left",
            "injury_day": INJURY,
        },
    )
    rehab.clinician_adjust(
        db,
        clinician_id=dr,
        person_id=alex,
        kb=kb,
        values={"phase": "protect", "exercise": "ankle_pumps", "sets": 2},
    )
    db.delete(db.get(t.User, dr))
    db.flush()
    db.expire_all()
    plan = rehab.active_plan(db, owner_id=alex)
    assert plan is not None
    assert plan.assigned_by is None
    assert db.scalars(select(t.RehabAdjustment.by_user)).all() == [None]
    assert rehab.status(db, owner_id=alex, today=TODAY, kb=kb).history[0].by_user is None
    session(db, alex, kb, TODAY)
    morning(db, alex, TODAY)
    measure(db, alex, TODAY, kind="walking", pain=1)
    db.delete(db.get(t.User, alex))
    db.flush()
    for table in (
        t.RehabPlan,
        t.RehabAdjustment,
        t.RehabSession,
        t.RehabMorning,
        t.RehabTest,
        t.RehabPhaseChange,
    ):
        assert count(db, table) == 0, table.__tablename__


# --- the knowledge base changes under stored plans ------------------------------------------


def renamed(kb: KnowledgeBase, old: str, new: str, *, mapped: bool = True) -> KnowledgeBase:
    """The knowledge base with calf_strain's phase `old` renamed `new` (and a new version),
    mapped in renames.yaml or not."""
    prog = kb.programmes["calf_strain"]
    phases = [ph.model_copy(update={"id": new}) if ph.id == old else ph for ph in prog.phases]
    variants = [
        v.model_copy(
            update={"min_days": {new if k == old else k: d for k, d in v.min_days.items()}}
        )
        for v in prog.variants
    ]
    ids = kb.rehab_ids
    mapping = {f"calf_strain/{old}": f"calf_strain/{new}"} if mapped else {}
    return replace(
        kb,
        content_hash="0123456789abcdef",
        programmes={
            **kb.programmes,
            "calf_strain": prog.model_copy(update={"phases": phases, "variants": variants}),
        },
        rehab_ids=ids.model_copy(
            update={"renames": ids.renames.model_copy(update={"phases": mapping})}
        ),
    )


def test_a_plan_records_the_knowledge_base_version(db: Session, kb: KnowledgeBase) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    link(db, alex, dr)
    assert start(db, alex, kb).kb_version == kb.content_hash
    newer = replace(kb, content_hash="fedcba9876543210")
    moved = rehab.clinician_set_phase(
        db, clinician_id=dr, person_id=alex, phase="strength", today=TODAY, kb=newer
    )
    assert moved.kb_version == "fedcba9876543210"
    assert (
        rehab.status(db, owner_id=alex, today=TODAY, kb=kb).report.kb_version == "fedcba9876543210"
    )


def test_a_renamed_phase_moves_the_stored_plans(db: Session, kb: KnowledgeBase) -> None:
    alex, dr = user(db), user(db, "dr", role="clinician")
    link(db, alex, dr)
    start(db, alex, kb, phase="foundation")
    session(
        db,
        alex,
        kb,
        TODAY,
        exercises=[{"exercise": "seated_soleus_raise", "sets": 3, "amount": 12}],
    )
    rehab.clinician_adjust(
        db,
        clinician_id=dr,
        person_id=alex,
        kb=kb,
        values={"phase": "foundation", "exercise": "seated_soleus_raise", "sets": 2},
    )
    new = renamed(kb, "foundation", "early_loading")
    # Read before the move, the plan already follows the mapping: never phase 1.
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=new)
    assert (st.phase.id, st.phase_index) == ("early_loading", 1)

    report = rehab.apply_renames(db, kb=new)
    assert len(report.moved) == 1
    assert (
        "calf_strain/grade2_soleus/foundation -> calf_strain/grade2_soleus/early_loading"
        in report.moved[0]
    )
    assert report.unresolved == ()
    plan = rehab.active_plan(db, owner_id=alex)
    assert plan is not None
    assert (plan.phase, plan.kb_version) == ("early_loading", new.content_hash)
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=new)
    assert (st.phase.id, st.phase_index) == ("early_loading", 1)
    assert [s.phase for s in st.sessions] == ["early_loading"]
    assert [h.to_phase for h in st.history] == ["early_loading"]
    assert st.decision.reasons[0].code != "no_sessions"  # the session still counts
    items = rehab.plan_items(db, owner_id=alex, kb=new)["early_loading"]
    assert next(i for i in items if i.exercise.id == "seated_soleus_raise").sets == 2
    assert rehab.apply_renames(db, kb=new).moved == ()  # once moved, nothing more to do


def test_an_unmapped_phase_is_reported_and_chosen_again_never_reset(
    db: Session, kb: KnowledgeBase
) -> None:
    alex = user(db)
    start(db, alex, kb, phase="foundation")
    new = renamed(kb, "foundation", "early_loading", mapped=False)
    with pytest.raises(rehab.ProgrammeChangedError) as err:
        rehab.status(db, owner_id=alex, today=TODAY, kb=new)
    assert "phase 'foundation' no longer exists" in str(err.value)
    assert [pid for pid, _ in err.value.phases] == [
        p.id
        for p in active_phases(
            new.programmes["calf_strain"],
            rehab.variant(new.programmes["calf_strain"], "grade2_soleus"),
        )
    ]
    with pytest.raises(rehab.ProgrammeChangedError):
        rehab.today_session(db, owner_id=alex, today=TODAY, kb=new)
    report = rehab.apply_renames(db, kb=new)
    assert report.moved == ()
    assert "phase 'foundation' of 'calf_strain' no longer exists" in report.unresolved[0]
    assert rehab.active_plan(db, owner_id=alex).phase == "foundation"  # type: ignore[union-attr]

    with pytest.raises(FormError) as bad:
        rehab.choose_phase(db, owner_id=alex, phase="nowhere", today=TODAY, kb=new)
    assert "one of protect, early_loading" in bad.value.errors["phase"]
    chosen = rehab.choose_phase(db, owner_id=alex, phase="early_loading", today=TODAY, kb=new)
    assert (chosen.phase, chosen.phase_started, chosen.kb_version) == (
        "early_loading",
        TODAY,
        new.content_hash,
    )
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=new)
    assert (st.phase_index, st.history[-1].action) == (1, "chosen")
    with pytest.raises(FormError):  # a phase that exists moves by its decisions only
        rehab.choose_phase(db, owner_id=alex, phase="protect", today=TODAY, kb=new)


# --- adherence ------------------------------------------------------------------------------


def test_adherence_is_one_function_shown_the_same_everywhere(
    db: Session, kb: KnowledgeBase
) -> None:
    alex = user(db)
    first = TODAY - timedelta(days=4)
    start(db, alex, kb, today=first, injury_day=first.isoformat())
    for offset in (0, 1, 1, 3):
        session(db, alex, kb, first + timedelta(days=offset))
    st = rehab.status(db, owner_id=alex, today=TODAY, kb=kb)
    items = rehab.today_session(db, owner_id=alex, today=TODAY, kb=kb).items
    kept = rehab.adherence(items, [s.day for s in st.sessions], first, TODAY)
    assert (kept.done, kept.planned, kept.days) == (3, 5, 5)
    assert st.adherence == (kept.done, kept.planned)
    assert st.report.adherence.model_dump() == {"done": 3, "planned": 5, "days": 5}
