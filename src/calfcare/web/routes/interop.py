"""FHIR and CDS Hooks over HTTP: the person's Bundle, assessing a QuestionnaireResponse, the
Questionnaire itself, and calfcare's CDS Hooks service.

The Bundle is the signed-in person's own records only, made when asked for and never cached
(`Cache-Control: no-store`). Like `/api/v1/rehab/plan` it reads the session cookie of a
signed-in browser. The other routes are stateless and store nothing. Errors name the element
in the API's one 422 format; the CDS Hooks routes live at `/cds-services`, where the
specification puts them, and need no CSRF token (they take JSON, not forms).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse

from calfcare.services import accounts, interop
from calfcare.services.accounts import Account
from calfcare.web import auth
from calfcare.web.context import WebContext
from calfcare.web.routes.diary.common import Ctx
from calfcare.web.schemas import ErrorResponse

router = APIRouter()
FHIR_JSON = "application/fhir+json"
TAGS: list[str | Enum] = ["FHIR and CDS Hooks"]
ASSESS_PATH = "/api/v1/fhir/QuestionnaireResponse/$assess"
CDS_SERVICE_PATH = f"/cds-services/{interop.cds.SERVICE_ID}"
JsonBody = Annotated[dict[str, Any], Body()]


class FhirResponse(JSONResponse):
    """FHIR's JSON, under its own media type."""

    media_type = FHIR_JSON


def _fhir(resource: dict[str, Any], *, private: bool = False) -> FhirResponse:
    headers = {"cache-control": "no-store"} if private else None
    return FhirResponse(resource, headers=headers)


def _signed_in(request: Request, ctx: WebContext) -> Account:
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    signed = None
    if token:
        with ctx.sessions() as db:
            signed = accounts.resolve_session(db, token=token, now=auth.now(request))
    if signed is None:
        raise HTTPException(
            status_code=401,
            detail="Sign in first: this needs the session cookie of a signed-in browser.",
        )
    return signed.user


@router.get(
    "/api/v1/fhir/Bundle",
    tags=TAGS,
    response_class=FhirResponse,
    responses={
        401: {
            "description": "Not signed in",
            "content": {
                "application/json": {
                    "schema": ErrorResponse.model_json_schema(
                        ref_template="#/components/schemas/{model}"
                    )
                }
            },
        }
    },
)
def fhir_bundle(request: Request, ctx: Ctx) -> FhirResponse:
    """The signed-in person's records as one FHIR R4 Bundle (collection): assessments,
    rehabilitation plans, diary episodes and training sessions. Made on demand; never stored
    or cached."""
    user = _signed_in(request, ctx)
    with ctx.sessions() as db:
        bundle = interop.person_bundle(
            db, owner_id=user.id, assessor=ctx.assessor, now=auth.now(request)
        )
    return _fhir(bundle, private=True)


@router.get("/api/v1/fhir/Questionnaire", tags=TAGS, response_class=FhirResponse)
def fhir_questionnaire(ctx: Ctx) -> FhirResponse:
    """calfcare's interview as a FHIR Questionnaire: age, sex and one item per finding."""
    return _fhir(interop.questionnaire(ctx.kb))


# The FHIR and CDS Hooks operations below take documents that their own specifications
# define (docs/api.md); an OpenAPI schema of a whole QuestionnaireResponse or CDS Hooks request
# would say less than those, so they are left out of /openapi.json.
@router.post(ASSESS_PATH, include_in_schema=False)
def fhir_assess(body: JsonBody, request: Request, ctx: Ctx) -> FhirResponse:
    """Assess a QuestionnaireResponse to calfcare's Questionnaire; the answer is the
    RiskAssessment (likely conditions, level of care, knowledge-base version). Anything else
    is a 422 that names the element. Nothing is stored."""
    case = interop.request_from_response(body)
    result = ctx.assessor.assess(case)
    subject = (body.get("subject") or {}).get("reference") or "Patient/unknown"
    resource = interop.risk_assessment(
        ctx.kb, result, subject=str(subject)[:200], basis=None, when=auth.now(request)
    )
    return _fhir(resource)


@router.get("/cds-services", include_in_schema=False)
def cds_discovery() -> dict[str, Any]:
    """CDS Hooks discovery: the services calfcare offers."""
    return interop.discovery()


@router.post(CDS_SERVICE_PATH, include_in_schema=False)
def cds_service(body: JsonBody, request: Request, ctx: Ctx) -> dict[str, Any]:
    """CDS Hooks service: a card with the level of care and the likely causes of the findings
    the record system sends (prefetch or context); no card when it sends none."""
    base = str(request.base_url).rstrip("/")
    return interop.cards(ctx.assessor, body, guide_base=base)
