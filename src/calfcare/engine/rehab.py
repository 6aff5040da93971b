"""Criteria-based progression through a rehabilitation programme.

Pure reasoning, beside the assessment engine: given a programme, the person's variant, the
phase they are in and what they have logged (exercise sessions, next-morning pain and tests),
decide whether to progress, hold or step back, and say why. No clock: the caller passes the
day to judge (`as_of`), so that a decision can be replayed for any day.

The order of the rules is the order of safety:

1. A warning sign ticked in the last `FLAG_DAYS` days stops the programme: see a professional.
2. The pain-monitoring model (the programme's `PainModel`): pain during exercise above the
   phase ceiling, pain not settled by the next morning, or average pain rising from one week
   to the next. Repeated breaks, or a weekly rise, step back a phase; a single break holds.
3. The latest session's next-morning response must be known before moving on.
4. Every exit criterion of the phase must be met: then progress (or finish, in the last
   phase); otherwise hold, listing what is still missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from calfcare.kb.rehab_schema import (
    Criterion,
    CriterionKind,
    PainModel,
    Phase,
    Prescription,
    Programme,
    Variant,
)
from calfcare.kb.schema import TriageLevel

#: A warning sign logged this many days ago or less still stops the programme.
FLAG_DAYS = 7
#: Weekly trend: the two windows compared, in days.
WEEK = 7


class Action(StrEnum):
    progress = "progress"
    hold = "hold"
    step_back = "step_back"
    see_professional = "see_professional"
    complete = "complete"


class TestKind(StrEnum):
    """What a person measures and logs between sessions.

    * walking: `pain` while walking briskly (0-10) and whether they `limp`.
    * symptoms: `pain` (0-10) for pain, tightness or cramping at rest and when pressed.
    * heel_raise: single-leg heel raises from the floor, `injured` and `other` side counts.
    * hop: a hop test (distance in cm or hops counted), `injured` and `other` side.
    * lunge: knee-to-wall distance in cm, `injured` and `other` side.
    * run: `injured` holds the minutes run, `pain` the highest pain during it.
    * training: one full training session completed; `pain` during it.
    """

    walking = "walking"
    symptoms = "symptoms"
    heel_raise = "heel_raise"
    hop = "hop"
    lunge = "lunge"
    run = "run"
    training = "training"


@dataclass(frozen=True)
class ExerciseLog:
    exercise: str
    sets: int
    amount: int
    load_kg: float | None = None
    pain: int = 0


@dataclass(frozen=True)
class SessionLog:
    """One exercise session: the highest pain during it and any warning signs ticked."""

    day: date
    pain_during: int
    pain_after: int | None = None
    flags: frozenset[str] = frozenset()
    exercises: tuple[ExerciseLog, ...] = ()
    #: The phase the session was done in, when known: a session logged on the day of a phase
    #: change belongs to the phase it was done in, not to the one that began that day.
    phase: str | None = None


@dataclass(frozen=True)
class MorningCheck:
    """Pain (0-10) on getting up; the next-morning check of the pain-monitoring model."""

    day: date
    pain: int


@dataclass(frozen=True)
class TestResult:
    day: date
    kind: TestKind
    injured: float | None = None
    other: float | None = None
    pain: int | None = None
    limp: bool = False

    @property
    def lsi(self) -> float | None:
        """Limb symmetry index: injured side as a percentage of the other side."""
        if self.injured is None or not self.other:
            return None
        return 100.0 * self.injured / self.other


@dataclass(frozen=True)
class PlanFacts:
    """Everything logged in one plan, and the day to judge."""

    phase_index: int
    phase_started: date
    as_of: date
    sessions: tuple[SessionLog, ...] = ()
    mornings: tuple[MorningCheck, ...] = ()
    tests: tuple[TestResult, ...] = ()


@dataclass(frozen=True)
class CriterionStatus:
    criterion: Criterion
    threshold: float
    met: bool
    observed: str


class BreakKind(StrEnum):
    over_ceiling = "over_ceiling"
    not_settled = "not_settled"


@dataclass(frozen=True)
class PainBreak:
    day: date
    kind: BreakKind
    detail: str


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[Reason, ...]
    phase: Phase
    target: Phase | None
    criteria: tuple[CriterionStatus, ...]
    breaks: tuple[PainBreak, ...]
    weekly_change: float | None
    level: TriageLevel | None = None


# --- the programme as this person follows it ------------------------------------------------

def active_phases(programme: Programme, variant: Variant) -> tuple[Phase, ...]:
    """The phases this variant goes through, in order."""
    return tuple(p for p in programme.phases if p.id not in variant.skip_phases)


def prescriptions(phase: Phase, variant: Variant) -> tuple[Prescription, ...]:
    """The phase's exercises for the variant's injured muscle: the rows for everyone plus the
    rows meant for that muscle (a variant without a muscle gets only the rows for everyone)."""
    return tuple(rx for rx in phase.exercises
                 if not rx.sites or (variant.site is not None and variant.site in rx.sites))


def threshold(criterion: Criterion, phase: Phase, variant: Variant) -> float:
    """The criterion's number, with the variant's fewest days per phase taking precedence."""
    if criterion.kind is CriterionKind.days_in_phase_min and phase.id in variant.min_days:
        return float(variant.min_days[phase.id])
    return criterion.value


def expected_finish(variant: Variant, injury_day: date) -> tuple[date, date]:
    """The usual range of days on which people with this variant are back to full activity."""
    return (injury_day + timedelta(days=variant.expected_days.low),
            injury_day + timedelta(days=variant.expected_days.high))


# --- criteria -------------------------------------------------------------------------------

def _latest(facts: PlanFacts, kind: TestKind) -> TestResult | None:
    found = [t for t in facts.tests if t.kind is kind and t.day <= facts.as_of]
    return max(found, key=lambda t: t.day) if found else None


def _of_phase(session: SessionLog, phase_id: str | None) -> bool:
    return session.phase is None or phase_id is None or session.phase == phase_id


def _in_phase_sessions(facts: PlanFacts, phase_id: str | None) -> list[SessionLog]:
    return sorted((s for s in facts.sessions
                   if facts.phase_started <= s.day <= facts.as_of and _of_phase(s, phase_id)),
                  key=lambda s: s.day)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


_LSI_KINDS = {
    CriterionKind.heel_raise_lsi_min: TestKind.heel_raise,
    CriterionKind.hop_lsi_min: TestKind.hop,
    CriterionKind.lunge_lsi_min: TestKind.lunge,
}
_NOT_LOGGED = "not measured yet"


def evaluate_criterion(criterion: Criterion, phase: Phase, variant: Variant,
                       facts: PlanFacts) -> CriterionStatus:
    """Whether one exit criterion is met, and what was observed, in plain words."""
    need = threshold(criterion, phase, variant)
    kind = criterion.kind

    def status(met: bool, observed: str) -> CriterionStatus:
        return CriterionStatus(criterion, need, met, observed)

    if kind is CriterionKind.days_in_phase_min:
        days = (facts.as_of - facts.phase_started).days
        return status(days >= need, f"{_count(days, 'day')} (at least {_fmt(need)})")
    if kind is CriterionKind.sessions_in_phase_min:
        n = len(_in_phase_sessions(facts, phase.id))
        return status(n >= need, f"{_count(n, 'session')} (at least {_fmt(need)})")
    if kind is CriterionKind.full_training_min:
        done = [t for t in facts.tests if t.kind is TestKind.training
                and facts.phase_started <= t.day <= facts.as_of and not t.pain]
        return status(len(done) >= need,
                      f"{_count(len(done), 'full session')} without symptoms "
                      f"(at least {_fmt(need)})")
    if kind in (CriterionKind.walking_pain_max, CriterionKind.symptoms_max):
        test = _latest(facts, TestKind.walking if kind is CriterionKind.walking_pain_max
                       else TestKind.symptoms)
        if test is None or test.pain is None:
            return status(False, _NOT_LOGGED)
        limp = kind is CriterionKind.walking_pain_max and test.limp
        return status(test.pain <= need and not limp,
                      f"pain {test.pain}/10" + (" with a limp" if limp else ""))
    if kind is CriterionKind.heel_raise_count_min:
        test = _latest(facts, TestKind.heel_raise)
        if test is None or test.injured is None:
            return status(False, _NOT_LOGGED)
        return status(test.injured >= need, f"{_fmt(test.injured)} raises (at least {_fmt(need)})")
    if kind is CriterionKind.run_minutes_min:
        test = _latest(facts, TestKind.run)
        if test is None or test.injured is None:
            return status(False, _NOT_LOGGED)
        pain = test.pain or 0
        ok = test.injured >= need and pain <= phase.pain_ceiling
        return status(ok, f"{_fmt(test.injured)} minutes (at least {_fmt(need)}), pain {pain}/10")
    test = _latest(facts, _LSI_KINDS[kind])
    lsi = test.lsi if test is not None else None
    if lsi is None:
        return status(False, _NOT_LOGGED)
    return status(lsi >= need, f"{lsi:.0f}% of the other side (at least {_fmt(need)}%)")


# --- the pain-monitoring model --------------------------------------------------------------

def _morning_before(mornings: Sequence[MorningCheck], day: date) -> MorningCheck | None:
    before = [m for m in mornings if m.day <= day]
    return max(before, key=lambda m: m.day) if before else None


def _morning_after(mornings: Sequence[MorningCheck], day: date) -> MorningCheck | None:
    next_day = day + timedelta(days=1)
    return next((m for m in mornings if m.day == next_day), None)


def pain_breaks(session: SessionLog, ceiling: int, model: PainModel,
                mornings: Sequence[MorningCheck]) -> list[PainBreak]:
    """How one session broke the pain-monitoring model (empty if it did not)."""
    out: list[PainBreak] = []
    limit = min(ceiling, model.during_max)
    worst = max(session.pain_during, session.pain_after or 0)
    if worst > limit:
        out.append(PainBreak(session.day, BreakKind.over_ceiling,
                             f"pain reached {worst}/10; the limit for this phase is {limit}/10"))
    after = _morning_after(mornings, session.day)
    before = _morning_before(mornings, session.day)
    if after is not None and before is not None and \
            after.pain > before.pain + model.morning_tolerance:
        out.append(PainBreak(session.day, BreakKind.not_settled,
                             f"next morning pain was {after.pain}/10, up from {before.pain}/10"))
    return out


def weekly_change(facts: PlanFacts, model: PainModel, phase_id: str | None = None
                  ) -> float | None:
    """Average session pain this week minus last week, when both weeks have enough sessions.

    "This week" counts only sessions of the current phase, so that after a step back the
    lighter phase is judged on its own sessions rather than on those that caused the step.
    """
    def window(end: date, since: date, only: str | None) -> list[int]:
        start = max(end - timedelta(days=WEEK - 1), since)
        return [s.pain_during for s in facts.sessions
                if start <= s.day <= end and _of_phase(s, only)]

    this = window(facts.as_of, facts.phase_started, phase_id)
    last = window(facts.as_of - timedelta(days=WEEK), date.min, None)
    if min(len(this), len(last)) < model.min_sessions_for_trend:
        return None
    return sum(this) / len(this) - sum(last) / len(last)


# --- the decision ---------------------------------------------------------------------------

def decide(programme: Programme, variant: Variant, model: PainModel,
           facts: PlanFacts) -> Decision:
    """Progress, hold, step back, finish or stop to see a professional, with the reasons."""
    phases = active_phases(programme, variant)
    if not 0 <= facts.phase_index < len(phases):
        raise ValueError(f"phase index {facts.phase_index} is outside 0..{len(phases) - 1}")
    phase = phases[facts.phase_index]
    pain_refs = tuple(dict.fromkeys(r for st in model.statements for r in st.references))
    criteria = tuple(evaluate_criterion(c, phase, variant, facts) for c in phase.exit)
    sessions = _in_phase_sessions(facts, phase.id)
    window = sessions[-model.window_sessions:]
    mornings = [m for m in facts.mornings if m.day <= facts.as_of]
    breaks = tuple(b for s in window
                   for b in pain_breaks(s, phase.pain_ceiling, model, mornings))
    change = weekly_change(facts, model, phase.id)

    def decision(action: Action, reasons: list[Reason], target: Phase | None = None,
                 level: TriageLevel | None = None) -> Decision:
        return Decision(action, tuple(reasons), phase, target, criteria, breaks, change, level)

    recent_flags = sorted({f for s in facts.sessions
                           if facts.as_of - timedelta(days=FLAG_DAYS) <= s.day <= facts.as_of
                           for f in s.flags})
    if recent_flags:
        names = "; ".join(model.flags.get(f, f) for f in recent_flags)
        return decision(Action.see_professional, [Reason(
            "warning_sign",
            f"You noted a warning sign in the last {FLAG_DAYS} days ({names}). Stop the "
            "programme and have your calf checked before you carry on.",
            tuple(r for sp in programme.see_professional for r in sp.references)[:3])],
            level=model.flag_level)

    broken_days = sorted({b.day for b in breaks})
    rising = change is not None and change > model.weekly_rise
    if len(broken_days) >= model.step_back_after or rising:
        why = (f"Your average pain rose by {change:.1f} points this week compared with last "
               "week." if rising else
               f"Pain broke the limits in {len(broken_days)} of your last {len(window)} "
               "sessions.")
        if facts.phase_index == 0:
            return decision(Action.see_professional, [Reason(
                "pain_persisting",
                why + " You are already at the first phase: ask a physiotherapist or doctor "
                "to check your calf.", pain_refs)], level=TriageLevel.consultation)
        return decision(Action.step_back, [Reason(
            "pain_rules_broken", why + " Go back to the previous phase until pain settles.",
            pain_refs)], target=phases[facts.phase_index - 1])

    if not sessions:
        return decision(Action.hold, [Reason(
            "no_sessions", "Log your first session of this phase to start tracking.")])

    latest = sessions[-1]
    if broken_days:
        day = broken_days[-1]
        details = "; ".join(b.detail for b in breaks if b.day == day)
        when = "your last session" if day == latest.day else f"your session of {day.isoformat()}"
        return decision(Action.hold, [Reason(
            "pain_rule_broken",
            f"In {when} {details}. Stay in this phase and make the next session "
            "lighter (fewer sets or less weight) until pain stays within the limit and settles "
            "overnight.", pain_refs)])
    if _morning_after(mornings, latest.day) is None:
        return decision(Action.hold, [Reason(
            "awaiting_morning",
            "Log how your calf feels on the morning after your last session: moving on waits "
            "until pain has settled overnight.", pain_refs)])

    missing = [c for c in criteria if not c.met]
    if missing:
        return decision(Action.hold, [Reason(
            f"criterion_{c.criterion.kind.value}",
            f"Not yet: {c.criterion.text.rstrip('.')}. So far: {c.observed}.",
            tuple(c.criterion.references)) for c in missing])

    met = [Reason(f"criterion_{c.criterion.kind.value}",
                  f"Done: {c.criterion.text.rstrip('.')}. Measured: {c.observed}.",
                  tuple(c.criterion.references))
           for c in criteria]
    if facts.phase_index == len(phases) - 1:
        return decision(Action.complete, met)
    return decision(Action.progress, met, target=phases[facts.phase_index + 1])
