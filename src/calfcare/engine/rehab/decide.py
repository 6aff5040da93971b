"""The decision: the rules of progression, tried in the order of safety.

1. A warning sign ticked in the last `flag_days` days (pain model) stops the programme.
2. The pain-monitoring model: repeated breaks among the latest sessions, or a weekly rise,
   step back a phase (at the first phase: see a physiotherapist); one break holds.
3. The latest session's next-morning response must be known before moving on.
4. Every exit criterion of the phase must be met: then progress (or finish, in the last
   phase); otherwise hold, listing what is still missing.

Each rule is a function that returns a decision when it applies and None otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from calfcare.engine.rehab.criteria import evaluate_criterion, in_phase_sessions
from calfcare.engine.rehab.pain import morning_after, pain_breaks, weekly_change
from calfcare.engine.rehab.plan import active_phases
from calfcare.engine.rehab.types import (
    Action,
    CriterionStatus,
    Decision,
    MorningCheck,
    PainBreak,
    PlanFacts,
    Reason,
    SessionLog,
)
from calfcare.engine.rehab.words import quantity
from calfcare.kb.rehab_schema import PainModel, Phase, Programme, Variant
from calfcare.kb.schema import TriageLevel


@dataclass(frozen=True)
class _Case:
    """One day of one plan, with everything the rules look at worked out once."""

    programme: Programme
    model: PainModel
    facts: PlanFacts
    phases: tuple[Phase, ...]
    criteria: tuple[CriterionStatus, ...]
    sessions: list[SessionLog]
    window: list[SessionLog]
    mornings: list[MorningCheck]
    breaks: tuple[PainBreak, ...]
    change: float | None

    @property
    def phase(self) -> Phase:
        return self.phases[self.facts.phase_index]

    @property
    def pain_refs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for st in self.model.statements for r in st.references))

    def decision(
        self,
        action: Action,
        reasons: list[Reason],
        target: Phase | None = None,
        level: TriageLevel | None = None,
    ) -> Decision:
        return Decision(
            action,
            tuple(reasons),
            self.phase,
            target,
            self.criteria,
            self.breaks,
            self.change,
            level,
        )


def _case(programme: Programme, variant: Variant, model: PainModel, facts: PlanFacts) -> _Case:
    phases = active_phases(programme, variant)
    if not 0 <= facts.phase_index < len(phases):
        raise ValueError(f"phase index {facts.phase_index} is outside 0..{len(phases) - 1}")
    phase = phases[facts.phase_index]
    sessions = in_phase_sessions(facts, phase.id)
    window = sessions[-model.window_sessions :]
    mornings = [m for m in facts.mornings if m.day <= facts.as_of]
    return _Case(
        programme=programme,
        model=model,
        facts=facts,
        phases=phases,
        criteria=tuple(evaluate_criterion(c, phase, variant, facts) for c in phase.exit),
        sessions=sessions,
        window=window,
        mornings=mornings,
        breaks=tuple(
            b for s in window for b in pain_breaks(s, phase.pain_ceiling, model, mornings)
        ),
        change=weekly_change(facts, model, phase.id),
    )


def _warning_sign(case: _Case) -> Decision | None:
    facts, model = case.facts, case.model
    since = facts.as_of - timedelta(days=model.flag_days)
    flags = sorted({f for s in facts.sessions if since <= s.day <= facts.as_of for f in s.flags})
    if not flags:
        return None
    names = "; ".join(model.flags.get(f, f) for f in flags)
    refs = tuple(r for sp in case.programme.see_professional for r in sp.references)[:3]
    return case.decision(
        Action.see_professional,
        [
            Reason(
                "warning_sign",
                f"You noted a warning sign in the last {quantity(model.flag_days, 'day')} "
                f"({names}). Stop the programme and have your calf checked before you carry on.",
                refs,
            )
        ],
        level=model.flag_level,
    )


def _pain_persisting(case: _Case) -> Decision | None:
    broken = {b.day for b in case.breaks}
    change = case.change
    rising = change is not None and change > case.model.weekly_rise
    if len(broken) < case.model.step_back_after and not rising:
        return None
    why = (
        f"Your average pain rose by {change:.1f} points this week compared with last week."
        if rising and change is not None
        else f"Pain broke the limits in {len(broken)} of your last "
        f"{quantity(len(case.window), 'session')}."
    )
    index = case.facts.phase_index
    if index == 0:
        return case.decision(
            Action.see_professional,
            [
                Reason(
                    "pain_persisting",
                    why + " You are already at the first phase: ask a physiotherapist or doctor "
                    "to check your calf.",
                    case.pain_refs,
                )
            ],
            level=TriageLevel.consultation,
        )
    return case.decision(
        Action.step_back,
        [
            Reason(
                "pain_rules_broken",
                why + " Go back to the previous phase until pain settles.",
                case.pain_refs,
            )
        ],
        target=case.phases[index - 1],
    )


def _no_sessions(case: _Case) -> Decision | None:
    if case.sessions:
        return None
    return case.decision(
        Action.hold,
        [Reason("no_sessions", "Log your first session of this phase to start tracking.")],
    )


def _recent_break(case: _Case) -> Decision | None:
    if not case.breaks:
        return None
    day = max(b.day for b in case.breaks)
    details = "; ".join(b.detail for b in case.breaks if b.day == day)
    when = (
        "your last session"
        if day == case.sessions[-1].day
        else f"your session of {day.isoformat()}"
    )
    return case.decision(
        Action.hold,
        [
            Reason(
                "pain_rule_broken",
                f"In {when} {details}. Stay in this phase and make the next session "
                "lighter (fewer sets or less weight) until pain stays within the limit and settles "
                "overnight.",
                case.pain_refs,
            )
        ],
    )


def _awaiting_morning(case: _Case) -> Decision | None:
    if morning_after(case.mornings, case.sessions[-1].day) is not None:
        return None
    return case.decision(
        Action.hold,
        [
            Reason(
                "awaiting_morning",
                "Log how your calf feels on the morning after your last session: moving on waits "
                "until pain has settled overnight.",
                case.pain_refs,
            )
        ],
    )


def _criteria_missing(case: _Case) -> Decision | None:
    missing = [c for c in case.criteria if not c.met]
    if not missing:
        return None
    return case.decision(
        Action.hold,
        [
            Reason(
                f"criterion_{c.criterion.kind.value}",
                f"Not yet: {c.criterion.text.rstrip('.')}. So far: {c.observed}.",
                tuple(c.criterion.references),
            )
            for c in missing
        ],
    )


def _criteria_met(case: _Case) -> Decision:
    met = [
        Reason(
            f"criterion_{c.criterion.kind.value}",
            f"Done: {c.criterion.text.rstrip('.')}. Measured: {c.observed}.",
            tuple(c.criterion.references),
        )
        for c in case.criteria
    ]
    index = case.facts.phase_index
    if index == len(case.phases) - 1:
        return case.decision(Action.complete, met)
    return case.decision(Action.progress, met, target=case.phases[index + 1])


#: The rules in the order of safety; the first that applies decides.
RULES: tuple[Callable[[_Case], Decision | None], ...] = (
    _warning_sign,
    _pain_persisting,
    _no_sessions,
    _recent_break,
    _awaiting_morning,
    _criteria_missing,
)


def decide(programme: Programme, variant: Variant, model: PainModel, facts: PlanFacts) -> Decision:
    """Progress, hold, step back, finish or stop to see a professional, with the reasons."""
    case = _case(programme, variant, model, facts)
    for rule in RULES:
        found = rule(case)
        if found is not None:
            return found
    return _criteria_met(case)
