"""The versions a person chooses from, with an "I'm not sure which muscle" choice per grade.

Most people with a calf strain know roughly how bad it is (can they walk, can they rise on
their toes) but not which of the two calf muscles they hurt. So wherever the versions of one
grade differ only by muscle, the programme's `not_sure` entry adds a choice that picks the
version for the safer muscle, and says why. The choice is resolved here, before a plan is
stored: a plan always holds a real version.
"""

from __future__ import annotations

from dataclasses import dataclass

from calfcare.kb.rehab_ids import by_grade, not_sure_id
from calfcare.kb.rehab_schema import Programme, Variant
from calfcare.kb.schema import Statement


@dataclass(frozen=True)
class VersionChoice:
    """One answer to "which version is yours?": a version, or "not sure" resolved to one.

    `why` is None for a version chosen by name, and says why the safe default was picked for
    an "I'm not sure" choice.
    """

    id: str
    label: str
    variant: Variant
    why: Statement | None = None


def _not_sure(prog: Programme, grade: int | None, group: list[Variant]) -> VersionChoice | None:
    """The "not sure which muscle" choice of one grade, if its versions differ by muscle."""
    sure = prog.not_sure
    if sure is None or len(group) < 2:
        return None
    safe = next((v for v in group if v.site == sure.site), None)
    if safe is None:
        return None
    guide = prog.grade_guide(grade)
    label = f"{guide.name} strain: {sure.label}" if guide else sure.label
    return VersionChoice(not_sure_id(grade), label, safe, sure.why)


def version_choices(prog: Programme) -> tuple[VersionChoice, ...]:
    """Every version by name, each grade's versions followed by its "not sure" choice."""
    out: list[VersionChoice] = []
    for grade, group in by_grade(prog).items():
        out.extend(VersionChoice(v.id, v.label, v) for v in group)
        extra = _not_sure(prog, grade, group)
        if extra is not None:
            out.append(extra)
    return tuple(out)


def choose_version(prog: Programme, choice_id: str) -> VersionChoice | None:
    """The choice with this id (a version's own id, or a "not sure" id), or None."""
    return next((c for c in version_choices(prog) if c.id == choice_id), None)
