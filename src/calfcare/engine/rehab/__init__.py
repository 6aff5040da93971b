"""Criteria-based progression through a rehabilitation programme.

Pure reasoning, beside the assessment engine: given a programme, the person's variant, the
phase they are in and what they have logged (exercise sessions, next-morning pain and tests),
decide whether to progress, hold or step back, and say why. No clock: the caller passes the
day to judge (`as_of`), so that a decision can be replayed for any day. Every number comes
from the knowledge base (the programme and its pain model), none from here.

* `types`: the logs read and the decision returned;
* `plan`: the phases, exercises and numbers of one variant;
* `criteria`: each exit criterion, met or not, and what was measured;
* `pain`: the pain-monitoring model (breaks and the weekly trend);
* `decide`: the rules, in the order of safety;
* `choices`: the versions to choose from, with "not sure which muscle" resolved to one;
* `words`: a count with its noun agreeing (`quantity`), for every rehab text.
"""

from calfcare.engine.rehab.choices import VersionChoice, choose_version, version_choices
from calfcare.engine.rehab.criteria import evaluate_criterion
from calfcare.engine.rehab.decide import decide
from calfcare.engine.rehab.pain import pain_breaks, weekly_change
from calfcare.engine.rehab.plan import active_phases, expected_finish, prescriptions, threshold
from calfcare.engine.rehab.types import (
    Action,
    BreakKind,
    CriterionStatus,
    Decision,
    ExerciseLog,
    MorningCheck,
    PainBreak,
    PlanFacts,
    Reason,
    SessionLog,
    TestResult,
    limb_symmetry,
)
from calfcare.engine.rehab.words import quantity
from calfcare.kb.rehab_schema import TestKind

__all__ = [
    "Action",
    "BreakKind",
    "CriterionStatus",
    "Decision",
    "ExerciseLog",
    "MorningCheck",
    "PainBreak",
    "PlanFacts",
    "Reason",
    "SessionLog",
    "TestKind",
    "TestResult",
    "VersionChoice",
    "active_phases",
    "choose_version",
    "decide",
    "evaluate_criterion",
    "expected_finish",
    "limb_symmetry",
    "pain_breaks",
    "prescriptions",
    "quantity",
    "threshold",
    "version_choices",
    "weekly_change",
]
