"""The posterior is exactly prior x contributions, normalised; unknown answers change nothing."""

from __future__ import annotations

import math

import pytest

from calfcare.engine.inference import posterior
from calfcare.engine.types import Case
from calfcare.services.assessment import Assessor


def _case(**answers: str) -> Case:
    return Case(age=45, sex="male", answers=answers)  # type: ignore[arg-type]


def test_posterior_recomputes_from_contributions(assessor: Assessor) -> None:
    case = _case(
        calf_pain="present",
        felt_pop_or_kick="present",
        cannot_stand_on_tiptoe="present",
        muscle_locked_or_knotted="absent",
        swelling_one_calf="absent",
    )
    post = posterior(assessor.model, case)
    ranked = post.ranked()
    weights = {r.id: r.prior * math.prod(c.factor for c in r.contributions) for r in ranked}
    total = sum(weights.values())
    for r in ranked:
        assert r.probability == pytest.approx(weights[r.id] / total, rel=1e-9)


def test_unknown_answers_do_not_move_probabilities(assessor: Assessor) -> None:
    base = posterior(assessor.model, _case(calf_pain="present"))
    same = posterior(
        assessor.model, _case(calf_pain="present", smoker="unknown", felt_pop_or_kick="unknown")
    )
    assert list(base.probabilities) == pytest.approx(list(same.probabilities))


def test_a_strongly_linked_finding_raises_its_condition(assessor: Assessor) -> None:
    before = posterior(assessor.model, _case(calf_pain="present"))
    after = posterior(
        assessor.model, _case(calf_pain="present", calf_squeeze_no_foot_movement="present")
    )
    assert after.probability("achilles_tendon_rupture") > 5 * before.probability(
        "achilles_tendon_rupture"
    )


def test_pregnancy_cramps_impossible_for_men(assessor: Assessor) -> None:
    post = posterior(assessor.model, _case(muscle_locked_or_knotted="present"))
    assert post.probability("pregnancy_leg_cramps") == 0.0


@pytest.mark.parametrize(("age", "older_more_likely"), [(25, False), (75, True)])
def test_priors_follow_age(assessor: Assessor, age: int, older_more_likely: bool) -> None:
    prior = assessor.model.prior(age, "female")
    conditions = assessor.model.conditions
    pad = prior[conditions.index("peripheral_arterial_disease")]
    cecs = prior[conditions.index("chronic_exertional_compartment_syndrome")]
    assert bool(pad > cecs) == older_more_likely
