"""Prevention arithmetic: sweat tests, session plans, a person's own cramp risk, night cramps.

Pure like the rest of the engine: numbers in, frozen dataclasses out, every threshold from the
knowledge base (`kb/data/prevention/`). `formulas` holds every formula in one place; `plan`
assembles a session plan from them; `risk` compares a planned session with the diary;
`night` judges the two-week check of the bedtime routine.
"""

from calfcare.engine.prevention.formulas import MG_PER_MMOL_SODIUM, closest_test, sweat_test
from calfcare.engine.prevention.night import NightCheck, night_check
from calfcare.engine.prevention.plan import session_plan
from calfcare.engine.prevention.risk import RiskProfile, TrainingFacts, risk_profile
from calfcare.engine.prevention.types import (
    Advice,
    Figure,
    HeatRisk,
    PlanInput,
    SessionPlan,
    SweatTestInput,
    SweatTestResult,
)

__all__ = [
    "MG_PER_MMOL_SODIUM",
    "Advice",
    "Figure",
    "HeatRisk",
    "NightCheck",
    "PlanInput",
    "RiskProfile",
    "SessionPlan",
    "SweatTestInput",
    "SweatTestResult",
    "TrainingFacts",
    "closest_test",
    "night_check",
    "risk_profile",
    "session_plan",
    "sweat_test",
]
