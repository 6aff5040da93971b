"""The programme as one person follows it: their variant's phases, exercises and numbers."""

from __future__ import annotations

from datetime import date, timedelta

from calfcare.kb.rehab_schema import (
    Criterion,
    CriterionKind,
    Phase,
    Prescription,
    Programme,
    Variant,
)


def active_phases(programme: Programme, variant: Variant) -> tuple[Phase, ...]:
    """The phases this variant goes through, in order."""
    return tuple(p for p in programme.phases if p.id not in variant.skip_phases)


def prescriptions(phase: Phase, variant: Variant) -> tuple[Prescription, ...]:
    """The phase's exercises for the variant's injured muscle: the rows for everyone plus the
    rows meant for that muscle (a variant without a muscle gets only the rows for everyone)."""
    return tuple(
        rx
        for rx in phase.exercises
        if not rx.sites or (variant.site is not None and variant.site in rx.sites)
    )


def threshold(criterion: Criterion, phase: Phase, variant: Variant) -> float:
    """The criterion's number, with the variant's fewest days per phase taking precedence."""
    if criterion.kind is CriterionKind.days_in_phase_min and phase.id in variant.min_days:
        return float(variant.min_days[phase.id])
    return criterion.value


def expected_finish(variant: Variant, injury_day: date) -> tuple[date, date]:
    """The usual range of days on which people with this variant are back to full activity."""
    return (
        injury_day + timedelta(days=variant.expected_days.low),
        injury_day + timedelta(days=variant.expected_days.high),
    )
