"""Typed records of `diary_rules.yaml`: the thresholds behind the diary insights.

Doctor prompts (reasons, found in a person's diary, to see a doctor) and the circumstances
whose share of episodes the insights report.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from calfcare.kb.schema import Slug, Strict, Text, TriageLevel

EvidenceBasis = Literal["estimate", "study"]
SessionLoad = Literal["less", "usual", "longer", "harder"]


class CountCriterion(Strict):
    """At least `at_least` episodes (or nights woken, for `woke_from_sleep`) in the window."""

    kind: Literal["episodes", "woke_from_sleep"]
    at_least: int = Field(ge=1, le=1000)
    within_days: int = Field(ge=1, le=366)


class LongestCriterion(Strict):
    """Any single episode longer than `longer_than_s` seconds in the window."""

    kind: Literal["longest_episode"]
    longer_than_s: int = Field(ge=1, le=86_400)
    within_days: int = Field(ge=1, le=366)


DiaryCriterion = Annotated[CountCriterion | LongestCriterion, Field(discriminator="kind")]


class DiaryPrompt(Strict):
    """A reason, found in the diary, to see a doctor, with the level of care it calls for."""

    id: Slug
    title: Text
    criterion: DiaryCriterion
    level: TriageLevel
    message: Text
    basis: EvidenceBasis
    references: list[Slug] = Field(min_length=1)
    note: str | None = None

    @field_validator("level")
    @classmethod
    def _diary_level(cls, level: TriageLevel) -> TriageLevel:
        if level not in (TriageLevel.consultation, TriageLevel.consultation_24):
            raise ValueError("a diary prompt's level must be consultation or consultation_24")
        return level


class HeatFactor(Strict):
    """Warm or humid: temperature >= hot_c, or humidity >= humid_pct at >= humid_min_c."""

    title: Text
    hot_c: float = Field(ge=-30, le=55)
    humid_pct: float = Field(ge=0, le=100)
    humid_min_c: float = Field(ge=-30, le=55)
    message: Text
    basis: EvidenceBasis
    references: list[Slug] = Field(min_length=1)
    note: str | None = None


class FuelFactor(Strict):
    """No carbohydrate logged with an episode in (or just after) a long training session."""

    title: Text
    session_longer_than_min: int = Field(ge=1, le=1440)
    after_session_min: int = Field(ge=0, le=1440)
    message: Text
    basis: EvidenceBasis
    references: list[Slug] = Field(min_length=1)
    note: str | None = None


class LoadFactor(Strict):
    """The session was longer or harder than usual (the episode's `session_load`)."""

    title: Text
    loads: list[SessionLoad] = Field(min_length=1)
    message: Text
    basis: EvidenceBasis
    references: list[Slug] = Field(min_length=1)
    note: str | None = None


class DiaryFactors(Strict):
    heat: HeatFactor
    without_fuel: FuelFactor
    longer_or_harder: LoadFactor


class DiaryRules(Strict):
    """Doctor prompts and the circumstances whose share of episodes the insights report."""

    prompts: list[DiaryPrompt] = Field(min_length=1)
    factors: DiaryFactors
