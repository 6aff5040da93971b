"""Exit criteria: whether each one is met on the logs, and what was measured, in plain words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from calfcare.engine.rehab.plan import threshold
from calfcare.engine.rehab.types import CriterionStatus, PlanFacts, SessionLog, TestResult
from calfcare.engine.rehab.words import number, quantity
from calfcare.kb.rehab_schema import Criterion, CriterionKind, Phase, TestKind, Variant

_NOT_LOGGED = "not measured yet"
_LSI_KINDS = {
    CriterionKind.heel_raise_lsi_min: TestKind.heel_raise,
    CriterionKind.hop_lsi_min: TestKind.hop,
    CriterionKind.lunge_lsi_min: TestKind.lunge,
}
#: (met, what was observed) for one kind of criterion, from its number, the phase and logs.
Check = Callable[[CriterionKind, float, Phase, PlanFacts], tuple[bool, str]]


def latest_test(facts: PlanFacts, kind: TestKind) -> TestResult | None:
    found = [t for t in facts.tests if t.kind is kind and t.day <= facts.as_of]
    return max(found, key=lambda t: t.day) if found else None


def of_phase(session: SessionLog, phase_id: str | None) -> bool:
    """A session belongs to the phase, or its phase is not known (then it counts)."""
    return session.phase is None or phase_id is None or session.phase == phase_id


def in_phase_sessions(facts: PlanFacts, phase_id: str | None) -> list[SessionLog]:
    """The sessions of the current phase up to the day judged, oldest first."""
    return sorted(
        (
            s
            for s in facts.sessions
            if facts.phase_started <= s.day <= facts.as_of and of_phase(s, phase_id)
        ),
        key=lambda s: s.day,
    )


def _in_phase(facts: PlanFacts, day: date) -> bool:
    return facts.phase_started <= day <= facts.as_of


def _days(kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts) -> tuple[bool, str]:
    days = (facts.as_of - facts.phase_started).days
    return days >= need, f"{quantity(days, 'day')} (at least {number(need)})"


def _sessions(kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts) -> tuple[bool, str]:
    n = len(in_phase_sessions(facts, phase.id))
    return n >= need, f"{quantity(n, 'session')} (at least {number(need)})"


def _training(kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts) -> tuple[bool, str]:
    done = [
        t
        for t in facts.tests
        if t.kind is TestKind.training and _in_phase(facts, t.day) and not t.pain
    ]
    return len(done) >= need, (
        f"{quantity(len(done), 'full session')} without symptoms (at least {number(need)})"
    )


def _pain_at_most(
    kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts
) -> tuple[bool, str]:
    walking = kind is CriterionKind.walking_pain_max
    test = latest_test(facts, TestKind.walking if walking else TestKind.symptoms)
    if test is None or test.pain is None:
        return False, _NOT_LOGGED
    limp = walking and test.limp
    return test.pain <= need and not limp, f"pain {test.pain}/10" + (" with a limp" if limp else "")


def _raises(kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts) -> tuple[bool, str]:
    test = latest_test(facts, TestKind.heel_raise)
    if test is None or test.injured is None:
        return False, _NOT_LOGGED
    return test.injured >= need, f"{quantity(test.injured, 'raise')} (at least {number(need)})"


def _run(kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts) -> tuple[bool, str]:
    test = latest_test(facts, TestKind.run)
    if test is None or test.injured is None:
        return False, _NOT_LOGGED
    pain = test.pain or 0
    ok = test.injured >= need and pain <= phase.pain_ceiling
    return ok, f"{quantity(test.injured, 'minute')} (at least {number(need)}), pain {pain}/10"


def _symmetry(kind: CriterionKind, need: float, phase: Phase, facts: PlanFacts) -> tuple[bool, str]:
    test = latest_test(facts, _LSI_KINDS[kind])
    lsi = test.lsi if test is not None else None
    if lsi is None:
        return False, _NOT_LOGGED
    return lsi >= need, f"{lsi:.0f}% of the other side (at least {number(need)}%)"


_CHECKS: dict[CriterionKind, Check] = {
    CriterionKind.days_in_phase_min: _days,
    CriterionKind.sessions_in_phase_min: _sessions,
    CriterionKind.full_training_min: _training,
    CriterionKind.walking_pain_max: _pain_at_most,
    CriterionKind.symptoms_max: _pain_at_most,
    CriterionKind.heel_raise_count_min: _raises,
    CriterionKind.run_minutes_min: _run,
    CriterionKind.heel_raise_lsi_min: _symmetry,
    CriterionKind.hop_lsi_min: _symmetry,
    CriterionKind.lunge_lsi_min: _symmetry,
}


def evaluate_criterion(
    criterion: Criterion, phase: Phase, variant: Variant, facts: PlanFacts
) -> CriterionStatus:
    """Whether one exit criterion is met, and what was observed, in plain words."""
    need = threshold(criterion, phase, variant)
    met, observed = _CHECKS[criterion.kind](criterion.kind, need, phase, facts)
    return CriterionStatus(criterion, need, met, observed)
