"""Exchanging records with health systems: FHIR R4 export and import, and CDS Hooks.

* `coding`: calfcare's code systems, the confirmed codes, validation by `fhir.resources` R4B;
* `questionnaire`: the interview as a Questionnaire and answers as a QuestionnaireResponse;
* `reading`: a QuestionnaireResponse back into a case-format v1 request (import);
* `result`: an assessment's result as a RiskAssessment;
* `plan`: any plan as a CarePlan with Goals, through the typed `PlanInput`;
* `observations`: diary episodes and training sessions as Observations;
* `bundle`: everything of one person as a Bundle, made on demand;
* `cds`: the CDS Hooks discovery document and the cards of calfcare's service.

Every resource is checked by its FHIR model before it leaves; every code in it was confirmed
in the published source the knowledge base names (`kb/data/interop/codes.yaml`).
"""

from calfcare.services.interop.bundle import person_bundle
from calfcare.services.interop.cds import cards, discovery
from calfcare.services.interop.plan import ActivityInput, GoalInput, PlanInput, care_plan
from calfcare.services.interop.questionnaire import QUESTIONNAIRE_URL, questionnaire, response
from calfcare.services.interop.reading import request_from_response
from calfcare.services.interop.result import risk_assessment

__all__ = [
    "QUESTIONNAIRE_URL",
    "ActivityInput",
    "GoalInput",
    "PlanInput",
    "cards",
    "care_plan",
    "discovery",
    "person_bundle",
    "questionnaire",
    "request_from_response",
    "response",
    "risk_assessment",
]
