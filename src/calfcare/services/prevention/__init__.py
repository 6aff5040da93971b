"""Prevention plans: sweat tests, session plans, a person's cramp risk and night cramps.

* `validation`: the limits of every input, one `RequestError` naming the field;
* `planning`: the use cases the shells call;
* `store`: a person's sweat tests and saved plans, filtered by the owner;
* `report`: the one JSON shape the API, the CLI and the pages show.

The arithmetic is `engine/prevention`; the numbers are `kb/data/prevention/`.
"""

from calfcare.services.prevention.planning import (
    check_sweat_test,
    night,
    plan_session,
    record_sweat_test,
    risk_for,
)
from calfcare.services.prevention.report import (
    NightReport,
    RiskReport,
    SessionPlanReport,
    SweatTestReport,
)
from calfcare.services.prevention.store import (
    SavedPlan,
    SavedTest,
    delete_sweat_test,
    get_plan,
    list_plans,
    list_sweat_tests,
)

__all__ = [
    "NightReport",
    "RiskReport",
    "SavedPlan",
    "SavedTest",
    "SessionPlanReport",
    "SweatTestReport",
    "check_sweat_test",
    "delete_sweat_test",
    "get_plan",
    "list_plans",
    "list_sweat_tests",
    "night",
    "plan_session",
    "record_sweat_test",
    "risk_for",
]
