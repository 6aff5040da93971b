"""The Sources page's topics: every reference under the one topic that cites it most.

A reference goes to the topic whose condition guides cite it most often (the first such topic
on a tie); one no guide cites goes to the rehabilitation topic when an exercise, a programme,
a test or the pain model cites it, and to the last topic (the safety checks, the model and
the diary) otherwise. A reference is listed once, so its anchor on the page (`#ref-ID`) is
unique and stays the same whichever topic holds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import Reference
from calfcare.services.references import sort_key


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name: str
    conditions: tuple[str, ...] = ()


REHAB = "rehab"
OTHER = "safety"
TOPICS = (
    TopicSpec(
        "cramps",
        "Cramps",
        (
            "exercise_associated_muscle_cramp",
            "nocturnal_leg_cramps",
            "pregnancy_leg_cramps",
            "medication_induced_cramps",
            "secondary_cramps_systemic",
        ),
    ),
    TopicSpec(
        "injuries",
        "Muscle, tendon and bone injuries",
        (
            "calf_muscle_strain",
            "calf_contusion",
            "achilles_tendinopathy",
            "achilles_tendon_rupture",
            "tibial_stress_injury",
            "chronic_exertional_compartment_syndrome",
            "acute_compartment_syndrome",
        ),
    ),
    TopicSpec(
        "exertion",
        "Heat, fluids and overexertion",
        (
            "exertional_heat_illness",
            "exercise_associated_hyponatremia",
            "exertional_rhabdomyolysis",
        ),
    ),
    TopicSpec(
        "vessels",
        "Blood clots, arteries and swelling",
        (
            "deep_vein_thrombosis",
            "superficial_thrombophlebitis",
            "peripheral_arterial_disease",
            "acute_limb_ischaemia",
            "popliteal_artery_entrapment",
            "ruptured_bakers_cyst",
        ),
    ),
    TopicSpec("nerves_skin", "Nerves and skin", ("lumbar_radiculopathy", "cellulitis")),
    TopicSpec(REHAB, "Exercises and rehabilitation"),
    TopicSpec(OTHER, "Safety checks, the probability model and the diary"),
)


@dataclass(frozen=True)
class Topic:
    """One group of the Sources page: its anchor (`topic-SLUG`), heading and references."""

    slug: str
    name: str
    references: tuple[Reference, ...]


def cited(record: object) -> Iterator[str]:
    """Every reference id a knowledge record cites, however deep (its `references` lists)."""
    if isinstance(record, BaseModel):
        for name in type(record).model_fields:
            value = getattr(record, name)
            if name == "references" and isinstance(value, list | tuple):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from cited(value)
    elif isinstance(record, list | tuple):
        for item in record:
            yield from cited(item)
    elif isinstance(record, Mapping):
        for item in record.values():
            yield from cited(item)


def _topic_of(kb: KnowledgeBase) -> dict[str, str]:
    by_topic: dict[str, Counter[str]] = {}
    for spec in TOPICS:
        counts: Counter[str] = Counter()
        for cid in spec.conditions:
            if cid in kb.guides:
                counts.update(set(cited(kb.guides[cid])))
        by_topic[spec.slug] = counts
    rehab = set(cited([kb.exercises, kb.programmes, kb.rehab_tests, kb.pain_model]))
    out: dict[str, str] = {}
    for rid in kb.references:
        best = max(TOPICS, key=lambda spec: by_topic[spec.slug][rid])
        if by_topic[best.slug][rid]:
            out[rid] = best.slug
        else:
            out[rid] = REHAB if rid in rehab else OTHER
    return out


def reference_topics(kb: KnowledgeBase) -> list[Topic]:
    """The topics in page order, each with its references sorted by author; none is empty."""
    topic_of = _topic_of(kb)
    topics = []
    for spec in TOPICS:
        refs = sorted(
            (ref for rid, ref in kb.references.items() if topic_of[rid] == spec.slug), key=sort_key
        )
        if refs:
            topics.append(Topic(spec.slug, spec.name, tuple(refs)))
    return topics
