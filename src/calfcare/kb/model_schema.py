"""Typed records of the scores and the contract that the model files carry.

`model/wells.yaml` is the two-level Wells score; `contract.yaml` is case format v1.1 (condition
ids with their usual level of care, and the size of the vocabulary), which `kb check` holds the
guides and findings to, and the youngest age the web pages and the HTTP API assess.
"""

from __future__ import annotations

from pydantic import Field

from calfcare.kb.schema import Reviewed, Slug, Strict, Text, TriageLevel


class WellsScore(Reviewed):
    """The two-level Wells score for a deep vein thrombosis (NICE NG158)."""

    condition: Slug
    items: list[Slug] = Field(min_length=1)
    exam_items: list[Slug] = Field(min_length=1)
    alternative_points: int = Field(le=0)
    likely_from: int = Field(ge=1)
    min_level: TriageLevel
    rule_id: Slug
    message: Text = Field(description="Shown when the score is likely; {points} is filled in")
    references: list[Slug] = Field(min_length=1)


class Contract(Strict):
    """Case format v1.1: what the outside world relies on."""

    version: str
    findings: int = Field(ge=1)
    min_supported_age: int = Field(
        ge=1,
        le=120,
        description="The youngest age the web pages and the HTTP API assess; the Python API "
        "reads every case-format age (1-120)",
    )
    conditions: dict[Slug, TriageLevel] = Field(min_length=1)
