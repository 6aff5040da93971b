"""The rehabilitation progression engine: every rule, each on a worked example.

Programmes, phases, variants and criteria are built here, with explicit numbers, so that each
test states the rule it checks and does not depend on the shipped programme files. The
numbers come from the rehabilitation notes (rehab-prevention.md): the Silbernagel 2007
pain-monitoring model (pain during exercise at most 5/10, settled by the next morning, not
worse from week to week, §3) and the Green 2022 return-to-play checklist (single-leg heel
raise >= 30 repetitions and <= 10 % asymmetry, power tests LSI >= 90 %, symptoms 0/10, at
least one full training session, §2.3-2.5), with LSI = injured / uninjured x 100 (§2.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from importlib import resources
from typing import Any

import pytest
import yaml

from calfcare.engine.rehab import (
    Action,
    BreakKind,
    Decision,
    MorningCheck,
    PainBreak,
    PlanFacts,
    SessionLog,
    active_phases,
    decide,
    evaluate_criterion,
    expected_finish,
    pain_breaks,
    prescriptions,
    threshold,
    weekly_change,
)
from calfcare.engine.rehab import TestKind as Kind
from calfcare.engine.rehab import TestResult as Result
from calfcare.kb.rehab_schema import (
    Criterion,
    CriterionKind,
    PainModel,
    Phase,
    Prescription,
    Programme,
    SeekProfessional,
    Variant,
)
from calfcare.kb.schema import EvidenceLevel, Statement, TriageLevel

K = CriterionKind
BASE = date(2024, 3, 4)


def day(n: int) -> date:
    """The n-th day after the (made-up) start of the plan."""
    return BASE + timedelta(days=n)


# --- builders ---------------------------------------------------------------------------------


def criterion(kind: CriterionKind, value: float, refs: Sequence[str] = ("green2022",)) -> Criterion:
    return Criterion(
        kind=kind,
        value=value,
        text=f"{kind.value.replace('_', ' ')} {value:g}",
        evidence=EvidenceLevel.expert_opinion,
        references=list(refs),
    )


def rx(exercise: str, *sites: str) -> Prescription:
    return Prescription.model_validate({"exercise": exercise, "sites": list(sites)})


def phase(
    pid: str,
    ceiling: int = 4,
    exit_: Iterable[Criterion] | None = None,
    exercises: Iterable[Prescription] | None = None,
) -> Phase:
    return Phase(
        id=pid,
        name=f"Phase {pid}",
        goal="Build the calf back up",
        pain_ceiling=ceiling,
        exercises=list(exercises) if exercises is not None else [rx("isometric_hold")],
        entry=["Walking without a limp"],
        exit=list(exit_) if exit_ is not None else [criterion(K.days_in_phase_min, 7)],
    )


def variant(
    vid: str = "grade_1",
    site: str | None = None,
    min_days: dict[str, int] | None = None,
    skip: Sequence[str] = (),
    expected: tuple[int, int] = (14, 28),
) -> Variant:
    return Variant.model_validate(
        {
            "id": vid,
            "label": f"Variant {vid}",
            "site": site,
            "expected_days": {"low": expected[0], "high": expected[1]},
            "expected_note": "Most people are back within this range",
            "references": ["green2022"],
            "min_days": min_days or {},
            "skip_phases": list(skip),
        }
    )


def programme(*phases: Phase, variants: Sequence[Variant] | None = None) -> Programme:
    return Programme(
        id="calf_strain_rehab",
        name="Calf strain rehabilitation",
        summary="Criteria-based rehab",
        for_conditions=["calf_strain"],
        audience="Adults with a calf strain",
        variants=list(variants) if variants is not None else [variant()],
        phases=list(phases),
        see_professional=[
            SeekProfessional(
                level=TriageLevel.consultation_24,
                when="A pop, new swelling or worsening pain",
                references=["green2022", "silbernagel2007"],
            )
        ],
        reinjury_prevention=[
            Statement(
                text="Keep up calf strength work after returning",
                evidence=EvidenceLevel.expert_opinion,
                references=["green2022"],
            )
        ],
        references=["green2022"],
    )


FLAG_TEXT = {
    "sharp_pain_or_pop": "A sudden sharp pain or a pop in the calf",
    "new_swelling_or_bruising": "New swelling or bruising of the calf",
}


def pain_model(**overrides: Any) -> PainModel:
    """The Silbernagel 2007 numbers (during <= 5, settled next morning) and our window rules."""
    values: dict[str, Any] = {
        "during_max": 5,
        "morning_tolerance": 0,
        "weekly_rise": 1.0,
        "window_sessions": 3,
        "step_back_after": 2,
        "min_sessions_for_trend": 2,
        "flag_days": 7,
        "trend_days": 7,
        "flags": FLAG_TEXT,
        "flag_level": "consultation_24",
        "statements": [
            {
                "text": "Pain may reach 5/10 and must settle by the next morning",
                "evidence": "moderate",
                "references": ["silbernagel2007"],
            }
        ],
    }
    values.update(overrides)
    return PainModel.model_validate(values)


MODEL = pain_model()
DAYS_14 = criterion(K.days_in_phase_min, 14)
SESSIONS_3 = criterion(K.sessions_in_phase_min, 3)


def three_phases(ceiling: int = 4, exit_: Iterable[Criterion] | None = None) -> Programme:
    """acute (ceiling 2) -> strength (the phase under test) -> return (ceiling 3)."""
    return programme(
        phase("acute", 2, [criterion(K.days_in_phase_min, 3)]),
        phase("strength", ceiling, exit_ if exit_ is not None else [DAYS_14, SESSIONS_3]),
        phase("return", 3, [criterion(K.symptoms_max, 0)]),
    )


PROG = three_phases()


def sessions(*days: int, pain: int = 2, **kw: Any) -> tuple[SessionLog, ...]:
    return tuple(SessionLog(day(n), pain, **kw) for n in days)


def mornings(first: int, last: int, pain: int = 1, **changed: int) -> tuple[MorningCheck, ...]:
    """A morning check every day from `first` to `last`, `d<n>=p` changing day n to pain p."""
    return tuple(MorningCheck(day(n), changed.get(f"d{n}", pain)) for n in range(first, last + 1))


def facts(
    phase_index: int = 1,
    started: int = 0,
    as_of: int = 15,
    logged: Iterable[SessionLog] | None = None,
    checks: Iterable[MorningCheck] | None = None,
    tests: Iterable[Result] = (),
) -> PlanFacts:
    """By default a plan ready to leave the strength phase: 15 days in, three easy sessions
    (pain 2/10) on days 10, 12 and 14, and pain 1/10 every morning."""
    return PlanFacts(
        phase_index=phase_index,
        phase_started=day(started),
        as_of=day(as_of),
        sessions=tuple(logged) if logged is not None else sessions(10, 12, 14),
        mornings=tuple(checks) if checks is not None else mornings(0, as_of),
        tests=tuple(tests),
    )


def with_session(base: Iterable[SessionLog], n: int, pain: int, **kw: Any) -> list[SessionLog]:
    """`base` with the session of day n replaced by one with the given pain."""
    return sorted(
        [s for s in base if s.day != day(n)] + [SessionLog(day(n), pain, **kw)], key=lambda s: s.day
    )


def run(
    prog: Programme = PROG,
    f: PlanFacts | None = None,
    model: PainModel = MODEL,
    var: Variant | None = None,
) -> Decision:
    return decide(prog, var or variant(), model, f or facts())


def codes(d: Decision) -> list[str]:
    return [r.code for r in d.reasons]


def status(
    kind: CriterionKind,
    value: float,
    *tests: Result,
    as_of: int = 15,
    started: int = 0,
    ceiling: int = 4,
    var: Variant | None = None,
    logged: Iterable[SessionLog] = (),
) -> Any:
    """Evaluate one criterion of a strength phase on the given logs."""
    c = criterion(kind, value)
    ph = phase("strength", ceiling, [c])
    f = PlanFacts(1, day(started), day(as_of), tuple(logged), (), tuple(tests))
    return evaluate_criterion(c, ph, var or variant(), f)


# --- the pain model file ----------------------------------------------------------------------


def test_shipped_pain_model_has_the_silbernagel_numbers() -> None:
    """Silbernagel 2007 (§3): pain during exercise may reach but not exceed 5/10 and must be
    back to baseline by the next morning (no tolerance)."""
    text = resources.files("calfcare").joinpath("kb/data/rehab/pain_model.yaml").read_text()
    model = PainModel.model_validate(yaml.safe_load(text))
    assert model.during_max == 5
    assert model.morning_tolerance == 0
    assert model.step_back_after <= model.window_sessions


def test_shipped_pain_model_counts_a_week_for_warning_signs_and_the_trend() -> None:
    """The week of the warning-sign stop and of the weekly trend is knowledge-base data."""
    text = resources.files("calfcare").joinpath("kb/data/rehab/pain_model.yaml").read_text()
    model = PainModel.model_validate(yaml.safe_load(text))
    assert (model.flag_days, model.trend_days) == (7, 7)


# --- the baseline scenario --------------------------------------------------------------------


def test_baseline_scenario_progresses_to_the_next_phase() -> None:
    """The builders' default plan meets every rule; other tests change one thing in it."""
    d = run()
    assert d.action is Action.progress
    assert d.phase.id == "strength"
    assert d.target is not None
    assert d.target.id == "return"
    assert d.breaks == ()
    assert d.level is None
    assert d.weekly_change is None  # nothing logged the week before
    assert codes(d) == ["criterion_days_in_phase_min", "criterion_sessions_in_phase_min"]
    assert [r.text for r in d.reasons] == [
        "Done: days in phase min 14. Measured: 15 days (at least 14).",
        "Done: sessions in phase min 3. Measured: 3 sessions (at least 3).",
    ]
    assert all(r.references == ("green2022",) for r in d.reasons)


# --- criteria: one kind at a time ------------------------------------------------------------


def test_days_in_phase_min_met_and_not_met() -> None:
    """Green 2022 (§2.2): phases are gated by criteria, with a fewest number of days for
    tissue healing; whole days since the phase began count."""
    met = status(K.days_in_phase_min, 14, as_of=14)
    assert (met.met, met.threshold, met.observed) == (True, 14.0, "14 days (at least 14)")
    short = status(K.days_in_phase_min, 14, as_of=13)
    assert (short.met, short.observed) == (False, "13 days (at least 14)")


def test_variant_min_days_overrides_days_in_phase_min() -> None:
    """Green 2022 (§1.2): a more severe grade needs longer in a phase, so a variant's
    `min_days` for that phase replaces the criterion's number (14 -> 21 days)."""
    graded = variant("grade_2", min_days={"strength": 21})
    c = criterion(K.days_in_phase_min, 14)
    assert threshold(c, phase("strength", 4, [c]), graded) == 21.0
    assert threshold(c, phase("power", 4, [c]), graded) == 14.0  # another phase: unchanged
    assert threshold(criterion(K.sessions_in_phase_min, 3), phase("strength"), graded) == 3.0
    st = status(K.days_in_phase_min, 14, as_of=15, var=graded)
    assert (st.met, st.threshold, st.observed) == (False, 21.0, "15 days (at least 21)")
    assert status(K.days_in_phase_min, 14, as_of=21, var=graded).met


def test_variant_min_days_holds_the_decision() -> None:
    """Green 2022 (§1.2): the grade-2 variant stays in the phase until its 21 days are up,
    although the programme's 14 days are."""
    graded = variant("grade_2", min_days={"strength": 21})
    d = run(var=graded)
    assert d.action is Action.hold
    assert codes(d) == ["criterion_days_in_phase_min"]
    assert d.reasons[0].text == "Not yet: days in phase min 14. So far: 15 days (at least 21)."
    later = run(var=graded, f=facts(as_of=21, logged=sessions(16, 18, 20)))
    assert later.action is Action.progress


def test_sessions_in_phase_min_counts_only_this_phase_up_to_as_of() -> None:
    """Silbernagel 2007 (§2.2 doses): sessions are logged; only those since the phase began
    and up to the day judged count."""
    logged = sessions(-3, -1, 2, 5, 16)  # two before the phase, one after as_of
    st = status(K.sessions_in_phase_min, 3, logged=logged)
    assert (st.met, st.observed) == (False, "2 sessions (at least 3)")
    assert status(K.sessions_in_phase_min, 3, logged=sessions(2, 5, 9)).met


def test_walking_pain_max_met_not_met_and_not_measured() -> None:
    """Green 2022 (§2.2, phase 0 exit): walking with minimal pain and no limp."""
    ok = status(K.walking_pain_max, 2, Result(day(5), Kind.walking, pain=2))
    assert (ok.met, ok.observed) == (True, "pain 2/10")
    sore = status(K.walking_pain_max, 2, Result(day(5), Kind.walking, pain=3))
    assert (sore.met, sore.observed) == (False, "pain 3/10")
    none = status(K.walking_pain_max, 2)
    assert (none.met, none.observed) == (False, "not measured yet")


def test_walking_with_a_limp_fails_even_at_pain_zero() -> None:
    """Green 2022 (§2.2): phase 0 ends with walking without a limp; a limp fails at 0/10."""
    st = status(K.walking_pain_max, 2, Result(day(5), Kind.walking, pain=0, limp=True))
    assert (st.met, st.observed) == (False, "pain 0/10 with a limp")


def test_symptoms_max_met_not_met_and_not_measured() -> None:
    """Green 2022 RTP checklist (§2.3): symptoms (pain, tightness, cramping) 0/10."""
    ok = status(K.symptoms_max, 0, Result(day(5), Kind.symptoms, pain=0))
    assert (ok.met, ok.observed) == (True, "pain 0/10")
    one = status(K.symptoms_max, 0, Result(day(5), Kind.symptoms, pain=1))
    assert (one.met, one.observed) == (False, "pain 1/10")
    # a limp is only part of the walking check
    assert status(K.symptoms_max, 0, Result(day(5), Kind.symptoms, pain=0, limp=True)).met
    assert status(K.symptoms_max, 0).observed == "not measured yet"
    # a walking check is not a symptoms rating
    assert not status(K.symptoms_max, 0, Result(day(5), Kind.walking, pain=0)).met


def test_heel_raise_count_min_needs_thirty() -> None:
    """Green 2022 RTP checklist (§2.3): single-leg calf raise from the floor >= 30 reps;
    28 repetitions fail."""
    ok = status(K.heel_raise_count_min, 30, Result(day(5), Kind.heel_raise, 30, 32))
    assert (ok.met, ok.observed) == (True, "30 raises (at least 30)")
    short = status(K.heel_raise_count_min, 30, Result(day(5), Kind.heel_raise, 28, 32))
    assert (short.met, short.observed) == (False, "28 raises (at least 30)")
    assert status(K.heel_raise_count_min, 30).observed == "not measured yet"
    only_other = status(K.heel_raise_count_min, 30, Result(day(5), Kind.heel_raise, None, 32))
    assert (only_other.met, only_other.observed) == (False, "not measured yet")


def test_lsi_is_injured_over_other_times_100() -> None:
    """rehab-prevention.md §2.5: LSI = involved / uninvolved x 100; 30 vs 32 is 93.75 %."""
    assert Result(day(5), Kind.heel_raise, 30, 32).lsi == pytest.approx(93.75)
    assert Result(day(5), Kind.heel_raise, 30, 35).lsi == pytest.approx(85.714, abs=1e-3)
    assert Result(day(5), Kind.heel_raise, None, 35).lsi is None
    assert Result(day(5), Kind.heel_raise, 30, None).lsi is None
    assert Result(day(5), Kind.heel_raise, 30, 0).lsi is None


def test_heel_raise_lsi_min_ten_percent_asymmetry() -> None:
    """Green 2022 RTP checklist (§2.3): heel-raise asymmetry <= 10 %, i.e. LSI >= 90 %:
    30 vs 32 (93.75 %) meets it, 30 vs 35 (85.7 %) does not."""
    ok = status(K.heel_raise_lsi_min, 90, Result(day(5), Kind.heel_raise, 30, 32))
    assert (ok.met, ok.observed) == (True, "94% of the other side (at least 90%)")
    low = status(K.heel_raise_lsi_min, 90, Result(day(5), Kind.heel_raise, 30, 35))
    assert (low.met, low.observed) == (False, "86% of the other side (at least 90%)")
    assert status(K.heel_raise_lsi_min, 90).observed == "not measured yet"
    no_other = status(K.heel_raise_lsi_min, 90, Result(day(5), Kind.heel_raise, 30, None))
    assert (no_other.met, no_other.observed) == (False, "not measured yet")


def test_hop_lsi_min_ninety_percent() -> None:
    """rehab-prevention.md §2.5 and Green 2022 (§2.3): power asymmetry <= 10 %, hop LSI
    >= 90 %: 135 cm vs 150 cm is exactly 90 % (met), 130 vs 150 is 86.7 % (not)."""
    ok = status(K.hop_lsi_min, 90, Result(day(5), Kind.hop, 135, 150))
    assert (ok.met, ok.observed) == (True, "90% of the other side (at least 90%)")
    low = status(K.hop_lsi_min, 90, Result(day(5), Kind.hop, 130, 150))
    assert (low.met, low.observed) == (False, "87% of the other side (at least 90%)")
    assert status(K.hop_lsi_min, 90).observed == "not measured yet"
    # a heel-raise test does not stand in for a hop test
    assert not status(K.hop_lsi_min, 90, Result(day(5), Kind.heel_raise, 40, 40)).met


def test_lunge_lsi_min_knee_to_wall_asymmetry() -> None:
    """Green 2022 RTP checklist (§2.3): knee-to-wall lunge asymmetry <= 10 %: 9 cm vs
    10 cm (90 %) meets it, 8 cm vs 10 cm (80 %) does not."""
    ok = status(K.lunge_lsi_min, 90, Result(day(5), Kind.lunge, 9, 10))
    assert (ok.met, ok.observed) == (True, "90% of the other side (at least 90%)")
    low = status(K.lunge_lsi_min, 90, Result(day(5), Kind.lunge, 8, 10))
    assert (low.met, low.observed) == (False, "80% of the other side (at least 90%)")
    assert status(K.lunge_lsi_min, 90).observed == "not measured yet"


def test_run_minutes_min_within_the_phase_ceiling() -> None:
    """rehab-prevention.md §2.6 (walk-run ladder to 5' continuous and beyond) with the
    Silbernagel 2007 pain ceiling: 20 minutes at pain 3 in a phase whose ceiling is 3 meet a
    20-minute goal; pain 4 above that ceiling fails; 15 minutes fail."""
    ok = status(K.run_minutes_min, 20, Result(day(5), Kind.run, 20, pain=3), ceiling=3)
    assert (ok.met, ok.observed) == (True, "20 minutes (at least 20), pain 3/10")
    sore = status(K.run_minutes_min, 20, Result(day(5), Kind.run, 25, pain=4), ceiling=3)
    assert (sore.met, sore.observed) == (False, "25 minutes (at least 20), pain 4/10")
    short = status(K.run_minutes_min, 20, Result(day(5), Kind.run, 15, pain=0), ceiling=3)
    assert (short.met, short.observed) == (False, "15 minutes (at least 20), pain 0/10")
    no_pain_logged = status(K.run_minutes_min, 20, Result(day(5), Kind.run, 20), ceiling=3)
    assert (no_pain_logged.met, no_pain_logged.observed) == (
        True,
        "20 minutes (at least 20), pain 0/10",
    )
    assert status(K.run_minutes_min, 20).observed == "not measured yet"


def test_full_training_min_counts_only_symptom_free_sessions_in_phase() -> None:
    """Green 2022 RTP checklist (§2.3): >= 1 full training session completed; one with
    symptoms, or one before the phase began, does not count."""
    painful = Result(day(5), Kind.training, pain=2)
    before = Result(day(-2), Kind.training, pain=0)
    later = Result(day(16), Kind.training, pain=0)
    st = status(K.full_training_min, 1, painful, before, later)
    assert (st.met, st.observed) == (False, "0 full sessions without symptoms (at least 1)")
    ok = status(K.full_training_min, 1, painful, Result(day(6), Kind.training, pain=0))
    assert (ok.met, ok.observed) == (True, "1 full session without symptoms (at least 1)")
    # no pain noted counts as without symptoms
    assert status(K.full_training_min, 1, Result(day(6), Kind.training)).met
    assert not status(K.full_training_min, 2, Result(day(6), Kind.training, pain=0)).met


# One worked example that meets each kind (value, tests, sessions), checked against the enum.
MET_EXAMPLES: dict[CriterionKind, tuple[float, tuple[Result, ...], tuple[SessionLog, ...]]] = {
    K.days_in_phase_min: (14, (), ()),
    K.sessions_in_phase_min: (3, (), sessions(2, 5, 9)),
    K.walking_pain_max: (2, (Result(day(5), Kind.walking, pain=1),), ()),
    K.symptoms_max: (0, (Result(day(5), Kind.symptoms, pain=0),), ()),
    K.heel_raise_count_min: (30, (Result(day(5), Kind.heel_raise, 31, 32),), ()),
    K.heel_raise_lsi_min: (90, (Result(day(5), Kind.heel_raise, 30, 32),), ()),
    K.hop_lsi_min: (90, (Result(day(5), Kind.hop, 140, 150),), ()),
    K.lunge_lsi_min: (90, (Result(day(5), Kind.lunge, 10, 11),), ()),
    K.run_minutes_min: (20, (Result(day(5), Kind.run, 30, pain=1),), ()),
    K.full_training_min: (1, (Result(day(5), Kind.training, pain=0),), ()),
}


def test_every_criterion_kind_has_a_worked_example() -> None:
    """Adding a criterion kind to the schema must come with a rule and a test of it."""
    assert set(MET_EXAMPLES) == set(CriterionKind)


@pytest.mark.parametrize("kind", list(CriterionKind))
def test_each_kind_met_by_its_example_and_not_without_logs(kind: CriterionKind) -> None:
    """Green 2022 (§2.3) and Silbernagel 2007 (§2.2): each gate is met by a logged result;
    with nothing logged on the first day of the phase, none is met."""
    value, tests, logged = MET_EXAMPLES[kind]
    assert status(kind, value, *tests, logged=logged).met
    empty = status(kind, value, as_of=0)
    assert not empty.met
    assert empty.threshold == value


def test_tests_after_as_of_are_ignored() -> None:
    """The engine has no clock (rehab.py): judging day 15 must not see day 16's test.
    Green 2022 (§2.3) heel-raise count of 30."""
    older = Result(day(10), Kind.heel_raise, 28, 32)
    future = Result(day(16), Kind.heel_raise, 35, 35)
    st = status(K.heel_raise_count_min, 30, older, future)
    assert (st.met, st.observed) == (False, "28 raises (at least 30)")
    assert status(K.heel_raise_count_min, 30, future).observed == "not measured yet"
    assert status(K.heel_raise_count_min, 30, older, future, as_of=16).met
    assert not status(K.walking_pain_max, 2, Result(day(16), Kind.walking, pain=0)).met


def test_latest_test_wins_over_an_older_better_one() -> None:
    """Green 2022 (§2.3): the current state counts; a heel-raise test of 35 on day 5 does
    not outweigh 28 on day 12 (a flare after the first test)."""
    better = Result(day(5), Kind.heel_raise, 35, 35)
    worse = Result(day(12), Kind.heel_raise, 28, 35)
    st = status(K.heel_raise_count_min, 30, worse, better)
    assert (st.met, st.observed) == (False, "28 raises (at least 30)")
    lsi = status(K.heel_raise_lsi_min, 90, worse, better)
    assert (lsi.met, lsi.observed) == (False, "80% of the other side (at least 90%)")
    walk = status(
        K.walking_pain_max,
        0,
        Result(day(3), Kind.walking, pain=0),
        Result(day(9), Kind.walking, pain=0, limp=True),
    )
    assert not walk.met


def test_unmet_criteria_hold_with_one_reason_each() -> None:
    """Green 2022 (§2.2): move on when the phase's criteria are met; each missing one is
    named with what was measured (28 of 30 raises; 28 vs 35 is an LSI of 80 %)."""
    prog = three_phases(
        exit_=[DAYS_14, criterion(K.heel_raise_count_min, 30), criterion(K.heel_raise_lsi_min, 90)]
    )
    d = run(prog, facts(tests=[Result(day(13), Kind.heel_raise, 28, 35)]))
    assert d.action is Action.hold
    assert d.target is None
    assert codes(d) == ["criterion_heel_raise_count_min", "criterion_heel_raise_lsi_min"]
    assert d.reasons[0].text == "Not yet: heel raise count min 30. So far: 28 raises (at least 30)."
    assert d.reasons[1].text == (
        "Not yet: heel raise lsi min 90. So far: 80% of the other side (at least 90%)."
    )
    assert [c.met for c in d.criteria] == [True, False, False]
    ok = run(prog, facts(tests=[Result(day(13), Kind.heel_raise, 30, 32)]))
    assert ok.action is Action.progress


# --- the pain-monitoring model (Silbernagel 2007) ---------------------------------------------


def test_pain_at_five_in_a_phase_with_ceiling_five_is_acceptable() -> None:
    """Silbernagel 2007 (§3): pain during activity may reach but not exceed 5/10."""
    prog = three_phases(ceiling=5)
    logged = sessions(10, 12, 14, pain=5)
    assert pain_breaks(logged[-1], 5, MODEL, mornings(0, 15)) == []
    d = run(prog, facts(logged=logged))
    assert d.action is Action.progress
    assert d.breaks == ()


def test_pain_six_is_a_break_and_holds() -> None:
    """Silbernagel 2007 (§3): pain above 5/10 during exercise breaks the model: stay and make
    the next session lighter."""
    prog = three_phases(ceiling=5)
    d = run(prog, facts(logged=with_session(sessions(10, 12, 14), 14, 6)))
    assert d.action is Action.hold
    assert d.target is None
    assert codes(d) == ["pain_rule_broken"]
    assert d.breaks == (
        PainBreak(
            day(14), BreakKind.over_ceiling, "pain reached 6/10; the limit for this phase is 5/10"
        ),
    )
    assert d.reasons[0].text.startswith(
        "In your last session pain reached 6/10; the limit for this phase is 5/10."
    )
    assert d.reasons[0].references == ("silbernagel2007",)


def test_phase_ceiling_three_makes_four_a_break() -> None:
    """Silbernagel 2007 with the stricter ceiling advised for a fresh strain (§3 caveat,
    Green 2022): in a phase capped at 3/10, pain 4/10 is a break."""
    session = SessionLog(day(14), 4)
    assert pain_breaks(session, 3, MODEL, mornings(0, 15)) == [
        PainBreak(
            day(14), BreakKind.over_ceiling, "pain reached 4/10; the limit for this phase is 3/10"
        )
    ]
    assert pain_breaks(SessionLog(day(14), 3), 3, MODEL, mornings(0, 15)) == []
    d = run(three_phases(ceiling=3), facts(logged=with_session(sessions(10, 12, 14), 14, 4)))
    assert d.action is Action.hold
    assert codes(d) == ["pain_rule_broken"]


def test_phase_ceiling_never_exceeds_during_max() -> None:
    """Silbernagel 2007 (§3): 5/10 is the most, whatever a phase says (ceiling 7 -> 5)."""
    assert pain_breaks(SessionLog(day(14), 6), 7, MODEL, ()) == [
        PainBreak(
            day(14), BreakKind.over_ceiling, "pain reached 6/10; the limit for this phase is 5/10"
        )
    ]
    assert pain_breaks(SessionLog(day(14), 5), 7, MODEL, ()) == []


def test_pain_after_the_session_counts_too() -> None:
    """Silbernagel 2007 (§3): pain after activity may reach 5/10, no more."""
    d = run(
        three_phases(ceiling=5),
        facts(logged=with_session(sessions(10, 12, 14), 14, 2, pain_after=6)),
    )
    assert d.action is Action.hold
    assert [b.kind for b in d.breaks] == [BreakKind.over_ceiling]
    assert d.breaks[0].detail == "pain reached 6/10; the limit for this phase is 5/10"
    assert pain_breaks(SessionLog(day(14), 2, pain_after=5), 5, MODEL, ()) == []


def test_next_morning_pain_higher_is_not_settled() -> None:
    """Silbernagel 2007 (§3): pain must have subsided by the following morning; 2/10 the
    morning after a session, up from 1/10 that morning, is a break."""
    d = run(f=facts(checks=mornings(0, 15, d15=2)))
    assert d.action is Action.hold
    assert codes(d) == ["pain_rule_broken"]
    assert d.breaks == (
        PainBreak(day(14), BreakKind.not_settled, "next morning pain was 2/10, up from 1/10"),
    )


def test_next_morning_pain_equal_is_settled() -> None:
    """Silbernagel 2007 (§3): back to the usual level by the next morning is fine, even if
    that level is not zero (3/10 both mornings)."""
    d = run(f=facts(checks=mornings(0, 15, pain=3)))
    assert d.action is Action.progress
    assert d.breaks == ()
    # lower the next morning is fine as well
    assert run(f=facts(checks=mornings(0, 15, d14=3))).action is Action.progress


def test_morning_tolerance_allows_that_much_rise() -> None:
    """PainModel.morning_tolerance: with a tolerance of 1 point, 1 -> 2 is settled and
    1 -> 3 is not (the shipped model has 0, Silbernagel 2007)."""
    lenient = pain_model(morning_tolerance=1)
    s = SessionLog(day(14), 2)
    assert pain_breaks(s, 4, lenient, mornings(13, 15, d15=2)) == []
    assert [b.kind for b in pain_breaks(s, 4, lenient, mornings(13, 15, d15=3))] == [
        BreakKind.not_settled
    ]


def test_morning_before_is_the_latest_check_up_to_the_session() -> None:
    """Silbernagel 2007 (§3): the baseline is the last morning before the session, even if
    that was some days earlier; no next-morning check means no judgement yet."""
    checks = (MorningCheck(day(10), 1), MorningCheck(day(15), 2))
    assert [b.kind for b in pain_breaks(SessionLog(day(14), 2), 4, MODEL, checks)] == [
        BreakKind.not_settled
    ]
    assert pain_breaks(SessionLog(day(14), 2), 4, MODEL, (MorningCheck(day(10), 1),)) == []
    assert pain_breaks(SessionLog(day(14), 2), 4, MODEL, (MorningCheck(day(15), 4),)) == []


def test_one_break_in_the_window_holds_even_if_not_the_latest() -> None:
    """Silbernagel 2007 (§3) as the model states it: a single break among the last
    `window_sessions` sessions holds the phase (no progress until it leaves the window)."""
    logged = with_session(sessions(10, 12, 14), 10, 6)
    d = run(f=facts(logged=logged))
    assert d.action is Action.hold
    assert codes(d) == ["pain_rule_broken"]
    assert [b.day for b in d.breaks] == [day(10)]
    assert "2024-03-14" in d.reasons[0].text  # the session of day 10
    # three clean sessions later the break has left the window of 3
    later = run(f=facts(as_of=19, logged=[*logged, *sessions(16, 18)]))
    assert later.breaks == ()
    assert later.action is Action.progress


def test_two_breaks_in_the_window_step_back_a_phase() -> None:
    """Silbernagel 2007 (§3, regress rule) with our window: 2 breaks among the last 3
    sessions step back to the previous phase."""
    logged = with_session(with_session(sessions(10, 12, 14), 12, 6), 14, 5)
    d = run(f=facts(logged=logged))
    assert d.action is Action.step_back
    assert d.target is not None
    assert d.target.id == "acute"
    assert d.phase.id == "strength"
    assert codes(d) == ["pain_rules_broken"]
    assert d.reasons[0].text == (
        "Pain broke the limits in 2 of your last 3 sessions. Go back "
        "to the previous phase until pain settles."
    )
    assert d.reasons[0].references == ("silbernagel2007",)
    assert d.level is None


def test_a_break_outside_the_window_does_not_count() -> None:
    """Our window rule (PainModel.window_sessions = 3): a break 4 sessions ago is history;
    with one break in the window the plan holds rather than steps back."""
    logged = with_session(sessions(8, 10, 12, 14, pain=2), 8, 6)
    logged = with_session(logged, 14, 6)
    d = run(f=facts(logged=logged))
    assert d.action is Action.hold
    assert [b.day for b in d.breaks] == [day(14)]
    wider = run(f=facts(logged=logged), model=pain_model(window_sessions=4))
    assert wider.action is Action.step_back


def test_two_kinds_of_break_in_one_session_are_one_break() -> None:
    """Silbernagel 2007 (§3): a session that hurt too much and did not settle is still one
    bad session: hold, not step back."""
    logged = with_session(sessions(10, 12, 14), 14, 6)
    d = run(three_phases(ceiling=5), facts(logged=logged, checks=mornings(0, 15, d15=3)))
    assert {b.kind for b in d.breaks} == {BreakKind.over_ceiling, BreakKind.not_settled}
    assert d.action is Action.hold
    assert "pain reached 6/10" in d.reasons[0].text
    assert "next morning pain was 3/10, up from 1/10" in d.reasons[0].text


def test_two_breaks_in_the_first_phase_see_a_professional() -> None:
    """Silbernagel 2007 (§3): there is no lighter phase to go back to, so persisting pain in
    phase 0 means a consultation."""
    logged = sessions(1, 2, 3, pain=1)
    logged = tuple(with_session(with_session(logged, 2, 3), 3, 3))  # ceiling of acute is 2
    d = run(f=facts(phase_index=0, started=0, as_of=4, logged=logged))
    assert d.action is Action.see_professional
    assert d.level is TriageLevel.consultation
    assert d.target is None
    assert d.phase.id == "acute"
    assert codes(d) == ["pain_persisting"]
    assert "already at the first phase" in d.reasons[0].text


def test_weekly_rise_above_the_threshold_steps_back() -> None:
    """Silbernagel 2007 (§3): pain must not increase from week to week. Average pain 1/10
    the week before and 3/10 this week (+2 > 1) steps back, with no single break."""
    logged = [*sessions(2, 5, pain=1), *sessions(10, 12, 14, pain=3)]
    f = facts(logged=logged)
    assert weekly_change(f, MODEL) == pytest.approx(2.0)
    d = run(f=f)
    assert d.breaks == ()
    assert d.action is Action.step_back
    assert d.target is not None
    assert d.target.id == "acute"
    assert d.weekly_change == pytest.approx(2.0)
    assert d.reasons[0].text.startswith(
        "Your average pain rose by 2.0 points this week compared with last week."
    )


def test_weekly_rise_exactly_at_the_threshold_does_not_step_back() -> None:
    """PainModel.weekly_rise: a rise of exactly 1.0 point (1/10 -> 2/10) is not 'more than'
    the threshold, so the plan can still progress."""
    d = run(f=facts(logged=[*sessions(2, 5, pain=1), *sessions(10, 12, 14, pain=2)]))
    assert d.weekly_change == pytest.approx(1.0)
    assert d.action is Action.progress


def test_weekly_trend_needs_enough_sessions_each_week() -> None:
    """PainModel.min_sessions_for_trend: one session the week before is too few to judge."""
    d = run(f=facts(logged=[*sessions(5, pain=0), *sessions(10, 12, 14, pain=3)]))
    assert d.weekly_change is None
    assert d.action is Action.progress


def test_weekly_trend_this_week_counts_only_this_phase() -> None:
    """rehab.weekly_change: after a step back the lighter phase is judged on its own
    sessions; last week may include the previous phase's sessions."""
    logged = [*sessions(3, 5, pain=1), *sessions(9, pain=4), *sessions(11, 13, pain=3)]
    f = facts(started=10, as_of=14, logged=logged, checks=mornings(0, 14))
    # this week: days 11 and 13 only (day 9 was before the phase); last week: days 3 and 5
    assert weekly_change(f, MODEL) == pytest.approx(2.0)


def test_weekly_rise_in_the_first_phase_sees_a_professional() -> None:
    """Silbernagel 2007 (§3): pain worsening week on week in phase 0 needs a consultation."""
    logged = [*sessions(2, 5, pain=0), *sessions(10, 12, 14, pain=2)]
    d = run(f=facts(phase_index=0, logged=logged))
    assert d.action is Action.see_professional
    assert d.level is TriageLevel.consultation
    assert codes(d) == ["pain_persisting"]


# --- warning signs ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", [TriageLevel.consultation_24, TriageLevel.emergency])
def test_recent_warning_sign_sees_a_professional(level: TriageLevel) -> None:
    """rehab-prevention.md §3 caveat (red-flag stops: sudden sharp pain, pop, new swelling
    or bruising): any flag in the last 7 days stops the programme at the model's level."""
    logged = with_session(sessions(10, 12, 14), 12, 2, flags=frozenset({"sharp_pain_or_pop"}))
    d = run(f=facts(logged=logged), model=pain_model(flag_level=level.value))
    assert d.action is Action.see_professional
    assert d.level is level
    assert d.target is None
    assert codes(d) == ["warning_sign"]
    assert FLAG_TEXT["sharp_pain_or_pop"] in d.reasons[0].text
    assert d.reasons[0].references == ("green2022", "silbernagel2007")


def test_flag_seven_days_ago_still_counts() -> None:
    """PainModel.flag_days: a warning sign logged 7 days ago or less still stops the
    programme."""
    assert MODEL.flag_days == 7
    logged = [*sessions(8, flags=frozenset({"new_swelling_or_bruising"})), *sessions(10, 12, 14)]
    d = run(f=facts(logged=logged))
    assert d.action is Action.see_professional
    assert d.level is TriageLevel.consultation_24


def test_flag_eight_days_ago_is_ignored() -> None:
    """PainModel.flag_days: 8 or more days ago the flag no longer stops the programme."""
    logged = [*sessions(7, flags=frozenset({"new_swelling_or_bruising"})), *sessions(10, 12, 14)]
    d = run(f=facts(logged=logged))
    assert d.action is Action.progress
    assert "warning_sign" not in codes(d)


def test_flag_after_as_of_is_ignored() -> None:
    """The engine has no clock: a flag logged after the day judged is not seen."""
    logged = [*sessions(10, 12, 14), *sessions(16, flags=frozenset({"sharp_pain_or_pop"}))]
    assert run(f=facts(logged=logged)).action is Action.progress


def test_flag_from_the_previous_phase_still_counts() -> None:
    """A warning sign two days before this phase began is still within 7 days."""
    logged = [*sessions(8, flags=frozenset({"sharp_pain_or_pop"})), *sessions(11, 13)]
    d = run(f=facts(started=10, as_of=14, logged=logged))
    assert d.action is Action.see_professional


def test_flag_outranks_pain_breaks_and_unknown_flags_show_their_id() -> None:
    """Order of safety (rehab.py): warning signs before the pain model; a flag the model
    does not describe is shown by its id."""
    logged = [*sessions(10, 12, pain=7), *sessions(14, flags=frozenset({"calf_went_cold"}))]
    d = run(f=facts(logged=logged))
    assert d.action is Action.see_professional
    assert d.level is TriageLevel.consultation_24
    assert "(calf_went_cold)" in d.reasons[0].text
    assert len(d.breaks) == 2  # still reported


# --- waiting for data -------------------------------------------------------------------------


def test_no_sessions_in_the_phase_holds() -> None:
    """Silbernagel 2007 (§3): the model judges logged sessions; with none in this phase
    (only the previous phase's) there is nothing to judge yet."""
    d = run(f=facts(started=10, as_of=15, logged=sessions(3, 5, 8)))
    assert d.action is Action.hold
    assert codes(d) == ["no_sessions"]
    assert len(d.criteria) == 2
    assert d.breaks == ()


def test_latest_session_without_next_morning_check_awaits_it() -> None:
    """Silbernagel 2007 (§3): pain must have settled by the next morning, so moving on waits
    for the morning check after the last session."""
    d = run(f=facts(logged=sessions(10, 12, 14), checks=mornings(0, 14)))
    assert d.action is Action.hold
    assert codes(d) == ["awaiting_morning"]
    assert d.reasons[0].references == ("silbernagel2007",)


def test_morning_check_after_as_of_is_not_seen() -> None:
    """The engine has no clock: judging day 14, the day of the last session, the check of
    the morning of day 15 is still in the future; replaying day 15 sees it."""
    logged = sessions(8, 10, 14)
    checks = mornings(0, 15)
    d = run(f=facts(as_of=14, logged=logged, checks=checks))
    assert d.action is Action.hold
    assert codes(d) == ["awaiting_morning"]
    # a worse morning in the future does not count as a break yet either
    flare = run(f=facts(as_of=14, logged=logged, checks=mornings(0, 15, d15=4)))
    assert flare.breaks == ()
    assert codes(flare) == ["awaiting_morning"]
    assert run(f=facts(as_of=15, logged=logged, checks=checks)).action is Action.progress


# --- progress, completion and the programme as followed ---------------------------------------


def test_all_criteria_met_in_the_last_phase_completes() -> None:
    """Green 2022 RTP checklist (§2.3): symptoms 0/10, single-leg heel raise >= 30 and
    <= 10 % asymmetry, hop LSI >= 90 %, >= 1 full training session: return to play."""
    rtp = [
        criterion(K.symptoms_max, 0),
        criterion(K.heel_raise_count_min, 30),
        criterion(K.heel_raise_lsi_min, 90),
        criterion(K.hop_lsi_min, 90),
        criterion(K.full_training_min, 1),
    ]
    prog = programme(phase("acute", 2), phase("strength", 4), phase("return", 3, rtp))
    tests = [
        Result(day(13), Kind.symptoms, pain=0),
        Result(day(13), Kind.heel_raise, 30, 32),
        Result(day(13), Kind.hop, 140, 150),
        Result(day(11), Kind.training, pain=0),
    ]
    d = run(prog, facts(phase_index=2, tests=tests))
    assert d.action is Action.complete
    assert d.target is None
    assert d.phase.id == "return"
    assert all(c.met for c in d.criteria)
    assert codes(d) == [f"criterion_{c.kind.value}" for c in rtp]
    assert all(r.text.startswith("Done: ") for r in d.reasons)
    # one criterion short (heel-raise asymmetry 30 vs 35) and it is a hold
    short = run(
        prog, facts(phase_index=2, tests=[*tests, Result(day(14), Kind.heel_raise, 30, 35)])
    )
    assert short.action is Action.hold
    assert codes(short) == ["criterion_heel_raise_lsi_min"]


def test_progress_targets_the_next_active_phase() -> None:
    """Green 2022 (§2.2): phases are criteria-gated and taken in order."""
    prog = programme(
        phase("acute", 2), phase("loading", 3), phase("strength", 4), phase("return", 3)
    )
    f = facts(phase_index=0, as_of=15)
    d = run(prog, f)
    assert d.action is Action.progress
    assert d.target is not None
    assert d.target.id == "loading"


def test_skip_phases_removes_a_phase() -> None:
    """Green 2022 (§1.2): a mild (grade 0-1) strain may skip the acute phase; its phase 0
    is then the strength phase, and stepping back from it means seeing a professional."""
    mild = variant("grade_1_mild", skip=["acute"])
    assert [p.id for p in active_phases(PROG, mild)] == ["strength", "return"]
    assert [p.id for p in active_phases(PROG, variant())] == ["acute", "strength", "return"]
    d = run(f=facts(phase_index=0), var=mild)
    assert d.phase.id == "strength"
    assert d.action is Action.progress
    assert d.target is not None
    assert d.target.id == "return"
    flare = run(f=facts(phase_index=0, logged=sessions(10, 12, 14, pain=6)), var=mild)
    assert flare.action is Action.see_professional
    assert flare.level is TriageLevel.consultation
    done = facts(phase_index=1, tests=[Result(day(14), Kind.symptoms, pain=0)])
    assert run(f=done, var=mild).action is Action.complete


def test_prescriptions_filter_by_injured_muscle() -> None:
    """rehab-prevention.md §1.2 and §2.2: a soleus injury gets the bent-knee (seated) work,
    a gastrocnemius injury the straight-knee work; rows without sites are for everyone."""
    ph = phase(
        "strength",
        4,
        exercises=[
            rx("straight_knee_heel_raise", "gastrocnemius"),
            rx("seated_soleus_raise", "soleus"),
            rx("isometric_hold"),
            rx("bent_knee_heel_raise", "soleus", "gastrocnemius"),
        ],
    )
    soleus = [r.exercise for r in prescriptions(ph, variant("soleus", site="soleus"))]
    assert soleus == ["seated_soleus_raise", "isometric_hold", "bent_knee_heel_raise"]
    gastroc = [r.exercise for r in prescriptions(ph, variant("gastroc", site="gastrocnemius"))]
    assert gastroc == ["straight_knee_heel_raise", "isometric_hold", "bent_knee_heel_raise"]
    # No muscle given (e.g. return to running): only the rows meant for everyone.
    assert [r.exercise for r in prescriptions(ph, variant())] == ["isometric_hold"]


def test_expected_finish_adds_the_day_range_to_the_injury_day() -> None:
    """Green 2022 (§1.2): the variant's usual return-to-play range in days from injury."""
    injured = date(2024, 5, 20)
    assert expected_finish(variant(expected=(10, 24)), injured) == (
        date(2024, 5, 30),
        date(2024, 6, 13),
    )
    assert expected_finish(variant(expected=(0, 0)), injured) == (injured, injured)


@pytest.mark.parametrize("index", [-1, 3, 7])
def test_decide_rejects_an_out_of_range_phase_index(index: int) -> None:
    """A plan can only be in one of the variant's active phases (0..2 here)."""
    with pytest.raises(ValueError, match=rf"phase index {index} is outside 0\.\.2"):
        run(f=facts(phase_index=index))


def test_decide_rejects_an_index_past_the_skipped_phases() -> None:
    """With one phase skipped only indices 0..1 exist."""
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        run(f=facts(phase_index=2), var=variant(skip=["acute"]))


def test_a_session_belongs_to_the_phase_it_was_done_in() -> None:
    """After a step back accepted on the day of the painful session, the lighter phase is
    judged on its own sessions: the harder phase's session of that day is not counted."""
    prog = programme(phase("foundation", 3), phase("strength", 4))
    model = pain_model()
    painful = SessionLog(day(20), pain_during=6, phase="strength")
    facts = PlanFacts(phase_index=0, phase_started=day(20), as_of=day(20), sessions=(painful,))
    d = decide(prog, variant(), model, facts)
    assert d.breaks == ()
    assert d.reasons[0].code == "no_sessions"
