"""The symptom diary in the browser, one module per part of the feature.

* `overview`: the diary page (a clinician is sent to /clinician) and its insights;
* `episodes`: adding, changing and deleting cramp and pain episodes;
* `training`: adding, changing and deleting training sessions;
* `assessments`: keeping an assessment's result, opening it again, and deleting it;
* `transfer`: exporting the diary to a file and importing such a file;
* `activities`: importing GPX, TCX and FIT files from a watch or an app, several at once;
* `common`: the dependencies, notices and ownership check the parts share.

Only signed-in persons have a diary (a clinician reads a linked person's diary through
/clinician). Every record is looked up with the owner's id (`services.diary`), so another
person's id answers 404 exactly like an id that does not exist.

Each handler reads the request, calls one service and renders (`web/diary_views.py`). Values
are shown and typed in the person's units and stored in SI; times are entered and shown in the
person's time zone and stored in UTC. Handlers are plain `def`: their database session commits
before the redirect is sent (`scope="function"`).

`router` gathers every part under /diary.
"""

from fastapi import APIRouter

from calfcare.web.routes.diary import (
    activities,
    assessments,
    episodes,
    overview,
    training,
    transfer,
)
from calfcare.web.routes.diary.common import PageNumber

router = APIRouter(include_in_schema=False)
for part in (overview, episodes, training, assessments, transfer, activities):
    router.include_router(part.router)

__all__ = ["PageNumber", "router"]
