"""Terminology codes for exchanging records with health systems (FHIR), and their sources.

A code goes into an export only when someone confirmed it in a published source and wrote that
source down here: a wrong code in a health record is worse than no code, because a receiving
system acts on it. So each code names the reference it was checked against and the day it was
checked, and a concept with no confirmed code is simply left without one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from calfcare.kb.schema import Slug, Strict, Text


class CodeSystem(StrEnum):
    """The terminologies calfcare may cite, by their short name in the data files."""

    icd10 = "icd10"  # WHO ICD-10
    icd10_cm = "icd10_cm"  # the US clinical modification
    loinc = "loinc"
    snomed_ct = "snomed_ct"

    @property
    def uri(self) -> str:
        """The system URI FHIR uses for this terminology."""
        return SYSTEM_URIS[self]


SYSTEM_URIS = {
    CodeSystem.icd10: "http://hl7.org/fhir/sid/icd-10",
    CodeSystem.icd10_cm: "http://hl7.org/fhir/sid/icd-10-cm",
    CodeSystem.loinc: "http://loinc.org",
    CodeSystem.snomed_ct: "http://snomed.info/sct",
}


class ConfirmedCode(Strict):
    """One code, as the published source gives it, with where and when it was confirmed."""

    system: CodeSystem
    code: str = Field(min_length=1, max_length=32)
    display: Text
    references: list[Slug] = Field(min_length=1, description="Where the code was confirmed")
    checked_on: dt.date
    note: str | None = None


class ConditionCodes(Strict):
    condition: Slug
    codes: list[ConfirmedCode] = Field(min_length=1)


class InteropCodes(Strict):
    """The confirmed codes of conditions and of the things calfcare records."""

    conditions: list[ConditionCodes]
    #: By what they code: pain_severity, exercise_activity, exercise_duration, heart_rate_max.
    observations: dict[Slug, ConfirmedCode]

    def for_condition(self, condition_id: str) -> tuple[ConfirmedCode, ...]:
        """The confirmed codes of a condition; none when nothing was confirmed."""
        for entry in self.conditions:
            if entry.condition == condition_id:
                return tuple(entry.codes)
        return ()
