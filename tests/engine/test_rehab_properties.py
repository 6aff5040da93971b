"""Property tests of the rehabilitation engine: its safety contract holds for any valid logs.

A fixed four-phase programme (built in the test module, not read from the shipped files)
gates on every criterion kind, with the Silbernagel 2007 pain model numbers (during <= 5/10,
settled by the next morning) and the Green 2022 return-to-play thresholds (heel raise >= 30
and LSI >= 90 %, hop LSI >= 90 %, symptoms 0/10, one full training session).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calfcare.engine.rehab import (
    Action,
    Decision,
    MorningCheck,
    PlanFacts,
    SessionLog,
    active_phases,
    decide,
)
from calfcare.engine.rehab import TestKind as Kind
from calfcare.engine.rehab import TestResult as Result
from calfcare.kb.rehab_schema import CriterionKind, Phase, Variant
from tests.engine.test_rehab import FLAG_TEXT, criterion, day, pain_model, phase, programme, variant

K = CriterionKind
MODEL = pain_model()
VARIANTS = (
    variant("grade_1"),
    variant("mild", skip=["acute"]),
    variant("grade_2", min_days={"strength": 21, "power": 10}),
)
PROG = programme(
    phase("acute", 2, [criterion(K.walking_pain_max, 0), criterion(K.days_in_phase_min, 3)]),
    phase(
        "strength",
        4,
        [
            criterion(K.heel_raise_count_min, 30),
            criterion(K.heel_raise_lsi_min, 90),
            criterion(K.sessions_in_phase_min, 3),
            criterion(K.days_in_phase_min, 7),
        ],
    ),
    phase("power", 4, [criterion(K.hop_lsi_min, 90), criterion(K.lunge_lsi_min, 90)]),
    phase(
        "return",
        3,
        [
            criterion(K.symptoms_max, 0),
            criterion(K.run_minutes_min, 20),
            criterion(K.full_training_min, 1),
        ],
    ),
    variants=VARIANTS,
)
FLAGS = [*sorted(FLAG_TEXT), "unlisted_flag"]
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

small_pain = st.integers(0, 2)
any_pain = st.integers(0, 10)
pain = st.one_of(small_pain, any_pain)
flags = st.one_of(
    *[st.just(frozenset[str]())] * 9, st.frozensets(st.sampled_from(FLAGS), min_size=1, max_size=2)
)


def _result(
    kind: Kind,
    injured: float | None = None,
    other: float | None = None,
    pain: int | None = None,
    limp: bool = False,
) -> Result:
    return Result(day(0), kind, injured, other, pain, limp)


def _sides(kind: Kind) -> st.SearchStrategy[Result]:
    low, high = {Kind.heel_raise: (20, 45), Kind.hop: (100, 170), Kind.lunge: (5, 14)}[kind]
    side = st.integers(low, high).map(float)
    return st.builds(
        _result,
        st.just(kind),
        st.one_of(side, side, side, st.none()),
        st.one_of(side, side, side, st.none(), st.just(0.0)),
    )


def _close_sides(kind: Kind) -> st.SearchStrategy[Result]:
    base = {Kind.heel_raise: 34, Kind.hop: 150, Kind.lunge: 12}[kind]
    return st.builds(
        lambda other, gap: _result(kind, round(other * (1 - gap), 1), other),
        st.integers(base, base + 10).map(float),
        st.floats(0, 0.12),
    )


#: Any result of each kind, with values around the thresholds the programme uses.
ANY_RESULT: dict[Kind, st.SearchStrategy[Result]] = {
    Kind.walking: st.builds(
        _result,
        st.just(Kind.walking),
        pain=st.one_of(st.just(0), any_pain, st.none()),
        limp=st.booleans(),
    ),
    Kind.symptoms: st.builds(
        _result, st.just(Kind.symptoms), pain=st.one_of(st.just(0), any_pain, st.none())
    ),
    Kind.training: st.builds(
        _result, st.just(Kind.training), pain=st.one_of(st.just(0), any_pain, st.none())
    ),
    Kind.run: st.builds(
        _result,
        st.just(Kind.run),
        st.integers(0, 40).map(float),
        pain=st.one_of(small_pain, any_pain, st.none()),
    ),
    Kind.heel_raise: _sides(Kind.heel_raise),
    Kind.hop: _sides(Kind.hop),
    Kind.lunge: _sides(Kind.lunge),
}
#: Mostly passing results: within 0-12 % of the other side, over the counts, little pain.
GOOD_RESULT: dict[Kind, st.SearchStrategy[Result]] = {
    Kind.walking: st.builds(_result, st.just(Kind.walking), pain=st.sampled_from([0] * 9 + [1])),
    Kind.symptoms: st.builds(_result, st.just(Kind.symptoms), pain=st.sampled_from([0] * 9 + [1])),
    Kind.training: st.builds(_result, st.just(Kind.training), pain=st.sampled_from([0] * 9 + [1])),
    Kind.run: st.builds(
        _result, st.just(Kind.run), st.integers(18, 40).map(float), pain=small_pain
    ),
    Kind.heel_raise: _close_sides(Kind.heel_raise),
    Kind.hop: _close_sides(Kind.hop),
    Kind.lunge: _close_sides(Kind.lunge),
}
any_result = st.one_of(*ANY_RESULT.values())


@st.composite
def plans(draw: st.DrawFn) -> tuple[Variant, PlanFacts]:
    """A variant and any logs, including sessions before the phase and after `as_of`."""
    var = draw(st.sampled_from(VARIANTS))
    index = draw(st.integers(0, len(active_phases(PROG, var)) - 1))
    started = draw(st.integers(0, 20))
    as_of = started + draw(st.integers(0, 30))
    days = st.integers(0, as_of + 3)
    session_days = sorted(draw(st.lists(days, max_size=10, unique=True)))
    logged = tuple(
        SessionLog(day(n), draw(pain), draw(st.none() | pain), draw(flags)) for n in session_days
    )
    morning_days = sorted(draw(st.lists(days, max_size=20, unique=True)))
    checks = tuple(MorningCheck(day(n), draw(pain)) for n in morning_days)
    tests = tuple(
        replace(draw(any_result), day=day(draw(days))) for _ in range(draw(st.integers(0, 8)))
    )
    return var, PlanFacts(index, day(started), day(as_of), logged, checks, tests)


@st.composite
def ready_plans(draw: st.DrawFn, rough: bool = False) -> tuple[Variant, PlanFacts]:
    """Plans near the end of a phase: long enough in it, easy settled sessions at one pain
    level, no flags, mostly passing tests; progress (or completion) is common. `rough`
    draws each session's pain at random instead, so that breaks and step-backs are common."""
    var = draw(st.sampled_from(VARIANTS))
    index = draw(st.integers(0, len(active_phases(PROG, var)) - 1))
    started = draw(st.integers(0, 10))
    as_of = started + draw(st.integers(21, 30))
    level = draw(small_pain)
    session_days = sorted(
        draw(st.lists(st.integers(started, as_of - 1), min_size=3, max_size=8, unique=True))
    )
    logged = tuple(
        SessionLog(
            day(n), draw(pain) if rough else level, draw(st.none() | pain) if rough else None
        )
        for n in session_days
    )
    checks = tuple(MorningCheck(day(n), 1) for n in range(as_of + 1))
    days = st.integers(started, as_of)
    tests = tuple(replace(draw(GOOD_RESULT[k]), day=day(draw(days))) for k in Kind)
    return var, PlanFacts(index, day(started), day(as_of), logged, checks, tests)


any_plans = st.one_of(plans(), ready_plans(), ready_plans(rough=True))


def limit_of(ph: Phase) -> int:
    return min(ph.pain_ceiling, MODEL.during_max)


def window_of(f: PlanFacts) -> list[SessionLog]:
    in_phase = sorted(
        (s for s in f.sessions if f.phase_started <= s.day <= f.as_of), key=lambda s: s.day
    )
    return in_phase[-MODEL.window_sessions :]


def recent_flag(f: PlanFacts) -> bool:
    since = f.as_of - timedelta(days=MODEL.flag_days)
    return any(s.flags and since <= s.day <= f.as_of for s in f.sessions)


def judge(var: Variant, f: PlanFacts) -> Decision:
    return decide(PROG, var, MODEL, f)


@SETTINGS
@given(any_plans)
def test_progress_only_when_every_rule_is_met(plan: tuple[Variant, PlanFacts]) -> None:
    """Green 2022 (§2.2) criteria gating plus Silbernagel 2007 (§3): progress or completion
    needs every criterion met, no pain break in the window and no recent warning sign."""
    var, f = plan
    d = judge(var, f)
    if d.action not in (Action.progress, Action.complete):
        return
    assert d.criteria
    assert all(c.met for c in d.criteria)
    assert d.breaks == ()
    window = window_of(f)
    assert window
    assert all(max(s.pain_during, s.pain_after or 0) <= limit_of(d.phase) for s in window)
    assert not recent_flag(f)
    assert d.weekly_change is None or d.weekly_change <= MODEL.weekly_rise
    next_morning = window[-1].day + timedelta(days=1)
    assert any(m.day == next_morning for m in f.mornings)
    assert next_morning <= f.as_of


@SETTINGS
@given(any_plans)
def test_a_session_over_the_ceiling_in_the_window_never_progresses(
    plan: tuple[Variant, PlanFacts],
) -> None:
    """Silbernagel 2007 (§3): pain above the phase ceiling (never above 5/10) in any of the
    last sessions rules out progress and completion."""
    var, f = plan
    d = judge(var, f)
    if any(max(s.pain_during, s.pain_after or 0) > limit_of(d.phase) for s in window_of(f)):
        assert d.action not in (Action.progress, Action.complete)


@SETTINGS
@given(ready_plans(), st.data())
def test_making_a_window_session_too_painful_stops_progress(
    plan: tuple[Variant, PlanFacts], data: st.DataObject
) -> None:
    """Silbernagel 2007 (§3): the same plan with one of its last sessions over the ceiling
    (during or after) is held, stepped back or sent to a professional."""
    var, f = plan
    window = window_of(f)
    assume(window)
    ph = active_phases(PROG, var)[f.phase_index]
    target = data.draw(st.sampled_from(window))
    over = data.draw(st.integers(limit_of(ph) + 1, 10))
    changed = (
        replace(target, pain_after=over)
        if data.draw(st.booleans())
        else replace(target, pain_during=over)
    )
    f2 = replace(f, sessions=tuple(changed if s is target else s for s in f.sessions))
    assert judge(var, f2).action in (Action.hold, Action.step_back, Action.see_professional)


@SETTINGS
@given(any_plans, st.data())
def test_a_recent_flag_always_sees_a_professional(
    plan: tuple[Variant, PlanFacts], data: st.DataObject
) -> None:
    """rehab-prevention.md §3 caveat (red-flag stops): any warning sign in the last 7 days
    stops the programme, at the pain model's level, whatever else was logged."""
    var, f = plan
    ago = data.draw(st.integers(0, MODEL.flag_days))
    flagged = SessionLog(
        f.as_of - timedelta(days=ago),
        data.draw(any_pain),
        flags=data.draw(st.frozensets(st.sampled_from(FLAGS), min_size=1)),
    )
    d = judge(var, replace(f, sessions=(*f.sessions, flagged)))
    assert d.action is Action.see_professional
    assert d.level is MODEL.flag_level
    assert [r.code for r in d.reasons] == ["warning_sign"]


@SETTINGS
@given(
    ready_plans(),
    st.sampled_from([Kind.heel_raise, Kind.hop, Kind.lunge]),
    st.integers(1, 20),
    st.booleans(),
)
def test_a_better_test_result_never_undoes_progress(
    plan: tuple[Variant, PlanFacts], kind: Kind, more: int, lower_other: bool
) -> None:
    """Green 2022 (§2.3): thresholds are minimums, so more heel raises or a higher LSI
    (injured side up, or the reference side down) can only keep a plan progressing."""
    var, f = plan
    assume(judge(var, f).action is Action.progress)

    def better(t: Result) -> Result:
        if t.kind is not kind or t.injured is None:
            return t
        if lower_other and t.other and t.injured:
            return replace(t, other=t.other * t.injured / (t.injured + more))
        return replace(t, injured=t.injured + more)

    improved = replace(f, tests=tuple(better(t) for t in f.tests))
    assert judge(var, improved).action is Action.progress


@SETTINGS
@given(any_plans)
def test_decide_never_raises_and_always_says_why(plan: tuple[Variant, PlanFacts]) -> None:
    """Every decision, for any valid logs, comes with at least one reason in plain words
    and a target, level and phase consistent with its action."""
    var, f = plan
    phases = active_phases(PROG, var)
    d = judge(var, f)
    assert d.reasons
    assert all(r.code and len(r.text) > 10 for r in d.reasons)
    assert d.phase == phases[f.phase_index]
    assert len(d.criteria) == len(d.phase.exit)
    if d.action is Action.progress:
        assert d.target == phases[f.phase_index + 1]
    elif d.action is Action.step_back:
        assert d.target == phases[f.phase_index - 1]
    else:
        assert d.target is None
    assert (d.level is not None) == (d.action is Action.see_professional)
    if d.action is Action.complete:
        assert f.phase_index == len(phases) - 1


def test_the_generators_reach_every_action() -> None:
    """The properties above are not vacuous: random plans reach each of the five actions."""
    seen: set[Action] = set()

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(any_plans)
    def collect(plan: tuple[Variant, PlanFacts]) -> None:
        seen.add(judge(*plan).action)

    collect()
    assert seen == set(Action), set(Action) - seen
