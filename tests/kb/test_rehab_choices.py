"""Choosing a version: the "I'm not sure which muscle" choice of each grade picks the safe
version and says why, graded and sourced; `calfcare kb check` refuses a programme whose
versions differ by muscle without one, or whose safe muscle is missing from a grade."""

from __future__ import annotations

from dataclasses import replace

import pytest

from calfcare.engine.rehab import choose_version, version_choices
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_checks import check_rehab
from calfcare.kb.rehab_schema import Programme

STRAIN_FILE = "rehab/programmes/calf_strain.yaml"


def _with(kb: KnowledgeBase, prog: Programme) -> KnowledgeBase:
    return replace(kb, programmes={**kb.programmes, prog.id: prog})


def _problems(kb: KnowledgeBase, prog: Programme) -> list[str]:
    where = f"rehab/programmes/{prog.id}.yaml"
    return [m for f, m in check_rehab(_with(kb, prog)) if f == where]


def test_each_grade_of_a_calf_strain_has_a_not_sure_choice_after_its_versions(
    kb: KnowledgeBase,
) -> None:
    strain = kb.programmes["calf_strain"]
    ids = [c.id for c in version_choices(strain)]
    assert ids == [
        "grade1_gastrocnemius",
        "grade1_soleus",
        "grade1_not_sure",
        "grade2_gastrocnemius",
        "grade2_soleus",
        "grade2_not_sure",
        "grade3_gastrocnemius",
        "grade3_soleus",
        "grade3_not_sure",
    ]
    assert strain.not_sure is not None
    for grade in (1, 2, 3):
        chosen = choose_version(strain, f"grade{grade}_not_sure")
        assert chosen is not None
        assert (chosen.variant.grade, chosen.variant.site) == (grade, strain.not_sure.site)
        assert chosen.why == strain.not_sure.why
        assert chosen.label.startswith(f"{strain.grade_guide(grade).name} strain: ")  # type: ignore[union-attr]
        assert chosen.label.endswith(strain.not_sure.label)
    named = choose_version(strain, "grade2_gastrocnemius")
    assert named is not None
    assert (named.variant.id, named.why) == ("grade2_gastrocnemius", None)
    assert choose_version(strain, "grade4_not_sure") is None


def test_the_safe_version_is_the_slower_one(kb: KnowledgeBase) -> None:
    """The not-sure version never moves on sooner than the version it stands in for."""
    for prog in kb.programmes.values():
        for c in version_choices(prog):
            if c.why is None:
                continue
            for other in (v for v in prog.variants if v.grade == c.variant.grade):
                assert c.variant.expected_days.low >= other.expected_days.low, c.id
                for phase, days in other.min_days.items():
                    assert c.variant.min_days.get(phase, days) >= days, (c.id, phase)
            assert c.why.references
            assert all(r in kb.references for r in c.why.references)


def test_without_muscles_there_is_nothing_to_be_unsure_of(kb: KnowledgeBase) -> None:
    running = kb.programmes["return_to_running"]
    assert [c.id for c in version_choices(running)][-1] == "not_sure"
    chosen = choose_version(running, "not_sure")
    assert chosen is not None
    assert chosen.variant.site == "soleus"
    for prog in kb.programmes.values():
        if not any(v.site for v in prog.variants):
            assert all(c.why is None for c in version_choices(prog)), prog.id
            assert prog.not_sure is None, prog.id


def test_versions_that_differ_by_muscle_need_a_not_sure(kb: KnowledgeBase) -> None:
    strain = kb.programmes["calf_strain"]
    problems = _problems(kb, strain.model_copy(update={"not_sure": None}))
    assert any("not_sure must say which is the safe default" in m for m in problems), problems
    assert _problems(kb, strain) == []


def test_the_safe_muscle_must_have_a_version_in_every_grade(kb: KnowledgeBase) -> None:
    strain = kb.programmes["calf_strain"]
    g3 = next(v for v in strain.variants if v.id == "grade3_soleus")
    moved = [
        v if v is not g3 else g3.model_copy(update={"site": "gastrocnemius"})
        for v in strain.variants
    ]
    problems = _problems(kb, strain.model_copy(update={"variants": moved}))
    assert "not_sure: no version of grade 3 is for the 'soleus'" in problems
    alone = [v for v in strain.variants if v is not g3]  # one version: nothing to choose
    assert not any(
        "not_sure" in m for m in _problems(kb, strain.model_copy(update={"variants": alone}))
    )


@pytest.mark.parametrize("taken", ["grade1_not_sure"])
def test_no_version_may_take_a_not_sure_id(kb: KnowledgeBase, taken: str) -> None:
    strain = kb.programmes["calf_strain"]
    first = strain.variants[0].model_copy(update={"id": taken})
    changed = strain.model_copy(update={"variants": [first, *strain.variants[1:]]})
    assert f"variant id '{taken}' is kept for the 'not sure' choice" in _problems(kb, changed)


def test_the_reason_cites_known_references(kb: KnowledgeBase) -> None:
    strain = kb.programmes["calf_strain"]
    assert strain.not_sure is not None
    why = strain.not_sure.why.model_copy(update={"references": ["nobody2099"]})
    changed = strain.model_copy(
        update={"not_sure": strain.not_sure.model_copy(update={"why": why})}
    )
    assert (STRAIN_FILE, "not_sure why cites unknown reference 'nobody2099'") in list(
        check_rehab(_with(kb, changed))
    )
