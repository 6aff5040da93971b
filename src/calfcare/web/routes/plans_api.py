"""The prevention endpoints of the JSON API (/api/v1/plans): stateless, nothing is stored.

The bodies are typed here for /openapi.json; every limit (masses, humidity, a day-long session
at most, a sweat rate no one has) is checked by `services.prevention`, whose `RequestError`
becomes the API's 422 naming the field.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from calfcare.services import prevention
from calfcare.services.prevention import SessionPlanReport, SweatTestReport
from calfcare.web.routes.api import ERRORS, Ctx

router = APIRouter()
TAGS: list[str | Enum] = ["prevention"]
Number = Annotated[float, Field(allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SweatTestIn(_In):
    body_mass_before_kg: Number = Field(description="Body mass before, kg (dry, light clothes)")
    body_mass_after_kg: Number = Field(description="Body mass after, kg, towelled dry")
    fluid_drunk_l: Number = Field(description="Fluid drunk during the session, L")
    urine_l: Number = Field(0.0, description="Urine passed during the session, L")
    duration_min: Number = Field(description="Length of the session, minutes")
    temperature_c: Number | None = None
    humidity_percent: Number | None = Field(None, ge=0, le=100)
    intensity: int | None = Field(None, ge=1, le=10, description="Effort, 1 to 10")
    sport: str | None = Field(None, max_length=40)


class SessionIn(_In):
    duration_min: Number = Field(description="Planned length, minutes (at most a day)")
    intensity: int = Field(ge=1, le=10, description="Planned effort, 1 (very easy) to 10")
    temperature_c: Number
    humidity_percent: Number = Field(ge=0, le=100)
    body_mass_kg: Number
    sweat_rate_l_per_h: Number | None = Field(None, description="From a sweat test, if known")
    sweat_sodium: Literal["low", "typical", "salty"] = "typical"
    sport: str | None = Field(None, max_length=40)
    start_time: str | None = Field(None, max_length=40, description="e.g. 2027-06-01T09:00")
    sun: Literal["shade", "cloud", "full"] | None = None
    wind_m_per_s: Number | None = None
    acclimatised: bool = False
    takes_diuretic: bool = False
    intended_fluid_l_per_h: Number | None = Field(
        None, description="What you mean to drink an hour; a warning if above your sweat rate"
    )


@router.post(
    "/api/v1/plans/sweat-test", response_model=SweatTestReport, tags=TAGS, responses=ERRORS
)
async def sweat_test(body: SweatTestIn, ctx: Ctx) -> SweatTestReport:
    """Sweat rate (L/h) and body-mass change (%) of one sweat test, with the formula."""
    data: dict[str, Any] = body.model_dump(exclude_none=True)
    return prevention.check_sweat_test(ctx.kb, data)


@router.post("/api/v1/plans/session", response_model=SessionPlanReport, tags=TAGS, responses=ERRORS)
async def session_plan(body: SessionIn, ctx: Ctx) -> SessionPlanReport:
    """Fluid, sodium and carbohydrate an hour, the heat category and the warnings for a
    planned session; `sources` gives the reference ids of every number."""
    return prevention.plan_session(ctx.kb, body.model_dump(exclude_none=True))
