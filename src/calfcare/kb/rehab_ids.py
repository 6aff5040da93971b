"""The ids that people's plans store, and where they go when the programmes change.

A plan stores its programme, variant and phase ids, its sessions the phase and exercise ids,
a clinician's doses the phase and exercise ids. Renaming or removing one of those ids in the
programme files would leave stored plans pointing nowhere, so every id ever published is
listed in `rehab/published_ids.yaml`, and `rehab/renames.yaml` says where the plans of a
removed or renamed id go. `calfcare kb check` proves the two files complete (see
`kb/rehab_checks.py`); `IdMap` answers, for a stored id, the id it stands for today.

Variants and phases belong to a programme and are written `programme/id`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from calfcare.kb.rehab_schema import Programme, Variant
from calfcare.kb.schema import Slug, Strict

#: A variant or phase id with its programme: `calf_strain/protect`.
QualifiedId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$", max_length=129)
]
#: The id of the "I'm not sure which muscle" choice for versions without a grade.
NOT_SURE = "not_sure"


def not_sure_id(grade: int | None) -> str:
    """The id a form sends for "not sure which muscle" (e.g. `grade2_not_sure`). It is
    resolved to a real variant before a plan is stored, so no plan holds it; no variant may
    take it (`calfcare kb check`)."""
    return NOT_SURE if grade is None else f"grade{grade}_{NOT_SURE}"


def by_grade(prog: Programme) -> dict[int | None, list[Variant]]:
    """The versions of each grade (None: versions without one), in the programme's order."""
    groups: dict[int | None, list[Variant]] = {}
    for v in prog.variants:
        groups.setdefault(v.grade, []).append(v)
    return groups


IdKind = Literal["programmes", "variants", "phases", "exercises"]
ID_KINDS: tuple[IdKind, ...] = ("programmes", "variants", "phases", "exercises")


class PublishedIds(Strict):
    """Every id ever published, per kind. Ids are added, never removed."""

    programmes: list[Slug] = Field(min_length=1)
    variants: list[QualifiedId] = Field(min_length=1)
    phases: list[QualifiedId] = Field(min_length=1)
    exercises: list[Slug] = Field(min_length=1)


class Renames(Strict):
    """Old id -> the id its stored plans now follow, per kind."""

    programmes: dict[Slug, Slug] = Field(default_factory=dict)
    variants: dict[QualifiedId, QualifiedId] = Field(default_factory=dict)
    phases: dict[QualifiedId, QualifiedId] = Field(default_factory=dict)
    exercises: dict[Slug, Slug] = Field(default_factory=dict)


class RehabIds(Strict):
    """The published ids and the renames, read from their two files."""

    published: PublishedIds
    renames: Renames


def qualified(programme_id: str, item_id: str) -> str:
    return f"{programme_id}/{item_id}"


def current_ids(
    programmes: Mapping[str, Programme], exercises: Collection[str]
) -> dict[IdKind, set[str]]:
    """The ids the programme and exercise files hold now, per kind."""
    return {
        "programmes": set(programmes),
        "variants": {qualified(p.id, v.id) for p in programmes.values() for v in p.variants},
        "phases": {qualified(p.id, ph.id) for p in programmes.values() for ph in p.phases},
        "exercises": set(exercises),
    }


class IdMap:
    """For an id stored in a plan, the id it stands for in this knowledge base (or None).

    An explicit mapping wins; otherwise a variant or phase keeps its id inside its programme,
    which may itself have been renamed. None means the id is gone and nothing says where to:
    the caller must report it, never guess.
    """

    def __init__(
        self, programmes: Mapping[str, Programme], exercises: Collection[str], renames: Renames
    ) -> None:
        self.current = current_ids(programmes, exercises)
        self.renames = renames

    def programme(self, programme_id: str) -> str | None:
        if programme_id in self.current["programmes"]:
            return programme_id
        target = self.renames.programmes.get(programme_id)
        return target if target in self.current["programmes"] else None

    def _scoped(
        self, kind: Literal["variants", "phases"], programme_id: str, item_id: str
    ) -> str | None:
        home = self.programme(programme_id)
        if home is None:
            return None
        mapping: dict[str, str] = getattr(self.renames, kind)
        target = mapping.get(qualified(programme_id, item_id))
        if target is None:
            target = qualified(home, item_id)
        owner, _, new_id = target.partition("/")
        return new_id if owner == home and target in self.current[kind] else None

    def variant(self, programme_id: str, variant_id: str) -> str | None:
        """`programme_id` is the stored one, before any rename."""
        return self._scoped("variants", programme_id, variant_id)

    def phase(self, programme_id: str, phase_id: str) -> str | None:
        """`programme_id` is the stored one, before any rename."""
        return self._scoped("phases", programme_id, phase_id)

    def exercise(self, exercise_id: str) -> str | None:
        if exercise_id in self.current["exercises"]:
            return exercise_id
        target = self.renames.exercises.get(exercise_id)
        return target if target in self.current["exercises"] else None
