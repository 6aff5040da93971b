"""Typed records of the rehabilitation knowledge: exercises, programmes and their rules.

Files live in `kb/data/rehab/`: one YAML file per exercise (`exercises/<id>.yaml`) with its
drawing beside it (`figures/<id>.svg`), one YAML file per programme (`programmes/<id>.yaml`),
the pain-monitoring thresholds (`pain_model.yaml`) and the tests a person does between
sessions (`tests.yaml`). Progression rules are data, in the manner of a training app's
weight-progression rules, so a physiotherapist can review and change a threshold in a pull
request without touching code. The ids stored in people's plans are listed in
`published_ids.yaml` and `renames.yaml` (see `kb/rehab_ids.py`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from calfcare.kb.schema import EvidenceLevel, KitAdvice, Slug, Statement, Strict, Text, TriageLevel


class ExerciseCategory(StrEnum):
    """Families of exercise, in the order a library lists them."""

    stretch = "stretch"
    mobility = "mobility"
    isometric = "isometric"
    strength = "strength"
    eccentric = "eccentric"
    soft_tissue = "soft_tissue"
    balance = "balance"
    plyometric = "plyometric"
    running = "running"


Equipment = Literal[
    "none",
    "wall",
    "step",
    "chair",
    "band",
    "weight",
    "foam_roller",
    "massage_ball",
    "towel",
    "partner",
    "mat",
    "cushion",
    "rope",
    "tape_measure",
]
Target = Literal[
    "gastrocnemius", "soleus", "achilles", "ankle", "foot", "balance", "power", "running"
]
#: The two calf muscles a strain can be in.
Site = Literal["gastrocnemius", "soleus"]
#: What a person counts when they log a set of this exercise.
Measure = Literal["reps", "seconds", "minutes"]


class Dose(Strict):
    """The usual dose; a programme may prescribe a different one."""

    sets: int = Field(ge=1, le=10)
    amount: int = Field(ge=1, le=600, description="Reps, seconds or minutes per set")
    measure: Measure
    per_day: int = Field(default=1, ge=1, le=6)
    days_per_week: int = Field(default=7, ge=1, le=7)
    each_side: bool = True
    rest_seconds: int | None = Field(default=None, ge=0, le=600)
    text: Text


class Variation(Strict):
    """An easier or harder version: another exercise of the library, or a described change."""

    text: Text
    exercise: Slug | None = None


class Exercise(Strict):
    """One exercise of the library, with everything needed to do it safely alone."""

    id: Slug
    name: Text
    category: ExerciseCategory
    targets: list[Target] = Field(min_length=1)
    summary: Text
    instructions: list[Text] = Field(min_length=3)
    dose: Dose
    cues: list[Text] = Field(min_length=1)
    common_errors: list[Text] = Field(min_length=1)
    easier: Variation | None = None
    harder: Variation | None = None
    equipment: list[Equipment] = Field(min_length=1)
    stop_if: list[Text] = Field(default_factory=list)
    why: Statement
    figure_alt: Text = Field(description="What the drawing shows, for screen readers and print")

    @model_validator(mode="after")
    def _has_a_variation(self) -> Exercise:
        if self.easier is None and self.harder is None:
            raise ValueError("give an easier or a harder version (or both)")
        return self


# --- Programmes ---------------------------------------------------------------------------


class CriterionKind(StrEnum):
    """Measurable gates between phases. Each names what the person logs to meet it.

    * `days_in_phase_min`: whole days since the phase began (tissue-healing time).
    * `sessions_in_phase_min`: logged exercise sessions in this phase.
    * `walking_pain_max`: latest walking check, pain 0-10, and no limp.
    * `symptoms_max`: latest rating of pain, tightness or cramping at rest and on pressing.
    * `heel_raise_count_min`: latest single-leg heel-raise test, injured side, repetitions.
    * `heel_raise_lsi_min`: the same test, injured side as a percentage of the other side.
    * `hop_lsi_min`: latest hop test (distance or count), injured as a % of the other side.
    * `lunge_lsi_min`: latest knee-to-wall test (cm), injured as a % of the other side.
    * `run_minutes_min`: latest run check, minutes run with pain within the phase ceiling.
    * `full_training_min`: full training sessions completed without symptoms.
    """

    days_in_phase_min = "days_in_phase_min"
    sessions_in_phase_min = "sessions_in_phase_min"
    walking_pain_max = "walking_pain_max"
    symptoms_max = "symptoms_max"
    heel_raise_count_min = "heel_raise_count_min"
    heel_raise_lsi_min = "heel_raise_lsi_min"
    hop_lsi_min = "hop_lsi_min"
    lunge_lsi_min = "lunge_lsi_min"
    run_minutes_min = "run_minutes_min"
    full_training_min = "full_training_min"


class Criterion(Strict):
    """One gate: a measurable condition, its plain words and its source."""

    kind: CriterionKind
    value: float = Field(ge=0, le=1000)
    text: Text
    evidence: EvidenceLevel
    references: list[Slug] = Field(min_length=1)
    estimate: bool = Field(
        default=False, description="The threshold is an interim target, not a published value"
    )


class Prescription(Strict):
    """An exercise as a phase prescribes it. Unset dose fields take the exercise's own dose."""

    exercise: Slug
    sets: int | None = Field(default=None, ge=1, le=10)
    amount: int | None = Field(default=None, ge=1, le=600)
    per_day: int | None = Field(default=None, ge=1, le=6)
    days_per_week: int | None = Field(default=None, ge=1, le=7)
    load: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=400)
    sites: list[Site] = Field(
        default_factory=list, description="Only for these injured muscles; empty means all"
    )


class Phase(Strict):
    id: Slug
    name: Text
    goal: Text
    pain_ceiling: int = Field(ge=0, le=10, description="Highest pain allowed during exercise")
    exercises: list[Prescription] = Field(min_length=1)
    entry: list[Text] = Field(min_length=1, description="What is true when the phase begins")
    exit: list[Criterion] = Field(min_length=1)
    advice: list[Statement] = Field(default_factory=list)
    kit: list[KitAdvice] = Field(
        default_factory=list, description="Kit for this phase: neutral advice, never a shop"
    )


class DayRange(Strict):
    low: int = Field(ge=0, le=730)
    high: int = Field(ge=0, le=730)

    @model_validator(mode="after")
    def _ordered(self) -> DayRange:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class Variant(Strict):
    """A version of a programme: a grade, an injured muscle, or a severity."""

    id: Slug
    label: Text
    grade: int | None = Field(default=None, ge=1, le=3)
    site: Site | None = None
    expected_days: DayRange
    expected_note: Text
    estimate: bool = False
    references: list[Slug] = Field(min_length=1)
    min_days: dict[Slug, int] = Field(
        default_factory=dict, description="Per phase id: fewest days before moving on"
    )
    skip_phases: list[Slug] = Field(default_factory=list)


class MuscleGuide(Strict):
    """One calf muscle in plain words, and how a person can tell it is the one they hurt.

    `signs` says where it hurts and how it usually starts; `how_to_tell` is the short check a
    person can do (which hurts more: the knee straight or the knee bent). Both are graded and
    sourced. Every muscle a variant names (`site`) needs one; `calfcare kb check` says so.
    """

    site: Site
    name: Text = Field(description="Plain name first, the medical name after")
    signs: Statement
    how_to_tell: Statement


class GradeGuide(Strict):
    """What a grade of strain means in plain words (grade 1 mild to grade 3 severe)."""

    grade: int = Field(ge=1, le=3)
    name: Text
    signs: Statement


class NotSure(Strict):
    """What a person follows when they cannot tell which muscle they hurt: the safe default.

    Each grade whose versions differ by muscle gets an "I'm not sure" choice that picks the
    version for `site`; `why` says, graded and sourced, why that one is the safer choice.
    """

    site: Site
    label: Text = Field(description="The choice in the person's words")
    why: Statement


class SeekProfessional(Strict):
    """A reason to stop the programme and see a professional, with how quickly."""

    level: TriageLevel
    when: Text
    references: list[Slug] = Field(min_length=1)


class Programme(Strict):
    id: Slug
    name: Text
    summary: Text
    for_conditions: list[Slug] = Field(min_length=1)
    audience: Text
    variants: list[Variant] = Field(min_length=1)
    muscles: list[MuscleGuide] = Field(
        default_factory=list, description="Per muscle the variants name: plain words, how to tell"
    )
    grades: list[GradeGuide] = Field(
        default_factory=list, description="Per grade the variants name: what it means"
    )
    not_sure: NotSure | None = Field(
        default=None, description="The safe default when a person cannot tell the muscle"
    )
    phases: list[Phase] = Field(min_length=2)
    see_professional: list[SeekProfessional] = Field(min_length=1)
    reinjury_prevention: list[Statement] = Field(min_length=1)
    references: list[Slug] = Field(min_length=1)

    def muscle(self, site: str | None) -> MuscleGuide | None:
        """The plain words for the muscle `site`, or None (no muscle, or none given)."""
        return next((m for m in self.muscles if m.site == site), None)

    def grade_guide(self, grade: int | None) -> GradeGuide | None:
        """What the grade means in plain words, or None (no grade, or none given)."""
        return next((g for g in self.grades if g.grade == grade), None)


class NumberSource(Strict):
    """Where one number of the pain model comes from.

    `study`: the number itself is in the cited source. `estimate`: the sources support the
    rule but give no number, so the number is ours and `note` says why.
    """

    basis: Literal["study", "estimate"]
    references: list[Slug] = Field(min_length=1)
    note: str | None = None


#: The numbers of the pain model; `calfcare kb check` wants a source for each.
PAIN_MODEL_NUMBERS = (
    "during_max",
    "morning_tolerance",
    "weekly_rise",
    "window_sessions",
    "step_back_after",
    "min_sessions_for_trend",
    "flag_days",
    "trend_days",
)


class PainModel(Strict):
    """The pain-monitoring rules that every programme shares (Silbernagel-style).

    A session breaks the model when pain during it exceeds the phase ceiling (never above
    `during_max`), when pain the next morning is higher than the morning before by more than
    `morning_tolerance`, or when average pain rises from one `trend_days` window to the one
    before by more than `weekly_rise`. One break means hold and lighten the dose;
    `step_back_after` breaks among the last `window_sessions` sessions, or a weekly rise, mean
    go back a phase. A warning sign logged `flag_days` days ago or less stops the programme.
    """

    during_max: int = Field(ge=0, le=10)
    morning_tolerance: int = Field(ge=0, le=5)
    weekly_rise: float = Field(gt=0, le=5)
    window_sessions: int = Field(ge=1, le=10)
    step_back_after: int = Field(ge=1, le=10)
    min_sessions_for_trend: int = Field(ge=1, le=14)
    flag_days: int = Field(ge=1, le=60, description="A warning sign this recent still stops")
    trend_days: int = Field(ge=2, le=28, description="Length of the windows compared")
    flags: dict[Slug, Text] = Field(
        min_length=1, description="Warning signs a person can tick when logging; any one stops"
    )
    flag_level: TriageLevel
    statements: list[Statement] = Field(min_length=1)
    sources: dict[str, NumberSource] = Field(
        default_factory=dict, description="Per number of the model: where it comes from"
    )


# --- Tests between sessions -----------------------------------------------------------------


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

    __test__ = False  # a vocabulary, not a test case

    walking = "walking"
    symptoms = "symptoms"
    heel_raise = "heel_raise"
    hop = "hop"
    lunge = "lunge"
    run = "run"
    training = "training"


class TestField(Strict):
    """One value a person types for a test: the sides' results, the pain, a limp."""

    __test__ = False

    name: Literal["injured", "other", "pain", "limp"]
    label: Text
    hint: str = Field(default="", max_length=200)
    required: bool = True


class TestProtocol(Strict):
    """How to do one test, why it matters (graded and sourced) and what to log.

    `unit` and `max_value` say what `injured` and `other` count and the largest value
    accepted; a test without those fields has neither.
    """

    __test__ = False

    kind: TestKind
    title: Text
    steps: list[Text] = Field(min_length=1)
    evidence: list[Statement] = Field(
        default_factory=list, description="Why the test and its targets: graded, sourced"
    )
    fields: list[TestField] = Field(min_length=1)
    unit: str | None = Field(default=None, max_length=40)
    max_value: float | None = Field(default=None, gt=0, le=1000)

    def field(self, name: str) -> TestField | None:
        return next((f for f in self.fields if f.name == name), None)
