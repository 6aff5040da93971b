"""Rehabilitation in the browser and over the JSON API, one module per part of the feature.

* `library`: the public exercise library and programmes, and their printable version;
* `plan` (with `plan_view`): a person's plan page, starting, accepting, stopping;
* `today`: today's session and logging it;
* `measurements`: the tests between sessions and logging them;
* `clinician` (with `clinician_view`): a clinician's page of a linked person's plan;
* `api`: the rehabilitation endpoints of the JSON API (included by `routes/api.py`);
* `common`: words, drawings, references and form errors the pages share.

`router` gathers the person's and the public pages under /rehab; the clinician's pages are
`clinician.router` (under /clinician/persons/{id}/rehab). Days are calendar days in the
person's own time zone.
"""

from fastapi import APIRouter

from calfcare.web.routes.rehab import library, measurements, plan, today
from calfcare.web.routes.rehab.common import figure, programme_reference_ids

router = APIRouter(include_in_schema=False)
for part in (library, plan, today, measurements):
    router.include_router(part.router)

__all__ = ["figure", "programme_reference_ids", "router"]
