"""Rehabilitation plans: start a programme, follow today's session, log, and move on by
criteria. The whole feature's use cases, one module per responsibility:

* `plans`: start, stop, accept a decision, choose a phase again after the programme changed;
* `logs`: exercise sessions, next-morning pain, tests (their protocols in the knowledge base);
* `status`: a plan as of a day, with the decision, timeline and adherence;
* `report`: the one shape of a plan's status and of a decision (CLI, API and pages);
* `clinician`: a linked person's plan: see, assign, move, adjust doses;
* `progression`: the stateless decision for another system's logs;
* `renames`: moving stored plans to renamed knowledge-base ids;
* `catalogue`, `records`, `store`: the knowledge behind a plan, the records returned, the rows;
* `handout`, `pdf` and `pdf_text`: the printable programme (imported on demand: it loads fpdf2).

A person has at most one active plan; everything they log belongs to it, and every function
takes the owner's id and reports another person's plan exactly like a missing one. The
decision itself is the pure `calfcare.engine.rehab.decide`. Functions flush but never commit:
the caller owns the transaction. Every function that reads the knowledge base takes it as
`kb`. Days are calendar days in the person's own time zone; the caller passes `today`.
Counts in every text are said with `quantity` (1 day, 2 days), from the engine.
"""

from calfcare.engine.rehab import VersionChoice, choose_version, quantity, version_choices
from calfcare.services.rehab.catalogue import dose_items, programme, variant
from calfcare.services.rehab.clinician import (
    ClinicianView,
    clinician_adjust,
    clinician_assign,
    clinician_set_phase,
    clinician_status,
    clinician_view,
    plan_items,
)
from calfcare.services.rehab.logs import (
    MAX_EXERCISES_PER_SESSION,
    log_morning,
    log_session,
    log_test,
)
from calfcare.services.rehab.plans import (
    ALREADY_FOLLOWING,
    MAX_INJURY_AGE,
    AdviceChangedError,
    active_plan,
    apply_decision,
    choose_phase,
    list_plans,
    start_plan,
    stop_plan,
)
from calfcare.services.rehab.progression import ProgressionQuery, QuerySession, judge
from calfcare.services.rehab.records import (
    DoseItem,
    PhaseChange,
    PlanRecord,
    ProgrammeChangedError,
    SessionRecord,
    TestRecord,
    TimelineEntry,
    TodaySession,
)
from calfcare.services.rehab.renames import RenameReport, apply_renames, upgrade_stored_plans
from calfcare.services.rehab.report import DecisionReport, PlanReport
from calfcare.services.rehab.status import (
    ADHERENCE_DAYS,
    Adherence,
    PlanStatus,
    adherence,
    latest_tests,
    status,
    today_session,
)

__all__ = [
    "ADHERENCE_DAYS",
    "ALREADY_FOLLOWING",
    "MAX_EXERCISES_PER_SESSION",
    "MAX_INJURY_AGE",
    "Adherence",
    "AdviceChangedError",
    "ClinicianView",
    "DecisionReport",
    "DoseItem",
    "PhaseChange",
    "PlanRecord",
    "PlanReport",
    "PlanStatus",
    "ProgrammeChangedError",
    "ProgressionQuery",
    "QuerySession",
    "RenameReport",
    "SessionRecord",
    "TestRecord",
    "TimelineEntry",
    "TodaySession",
    "VersionChoice",
    "active_plan",
    "adherence",
    "apply_decision",
    "apply_renames",
    "choose_phase",
    "choose_version",
    "clinician_adjust",
    "clinician_assign",
    "clinician_set_phase",
    "clinician_status",
    "clinician_view",
    "dose_items",
    "judge",
    "latest_tests",
    "list_plans",
    "log_morning",
    "log_session",
    "log_test",
    "plan_items",
    "programme",
    "quantity",
    "start_plan",
    "status",
    "stop_plan",
    "today_session",
    "upgrade_stored_plans",
    "variant",
    "version_choices",
]
