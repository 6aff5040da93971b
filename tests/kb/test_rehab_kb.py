"""The rehabilitation knowledge: library, drawings and programmes are whole and consistent."""

from __future__ import annotations

import io
import warnings

import pytest
from fpdf import FPDF

from calfcare.engine.rehab import active_phases, prescriptions
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_checks import MIN_SHAPES, check_rehab, figure_problems
from calfcare.kb.rehab_schema import CriterionKind, ExerciseCategory

GOOD = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 200">
<title>Heel raise</title><desc>A person rises onto the toes.</desc>
{shapes}</svg>"""
SHAPES = "".join(f'<line x1="{i}" y1="0" x2="{i}" y2="9" stroke="#000"/>'
                 for i in range(MIN_SHAPES))


def test_rehab_knowledge_has_no_problem(kb: KnowledgeBase) -> None:
    assert list(check_rehab(kb)) == []


def test_library_is_large_and_covers_every_family(kb: KnowledgeBase) -> None:
    assert len(kb.exercises) >= 30
    assert {e.category for e in kb.exercises.values()} == set(ExerciseCategory)
    names = set(kb.exercises)
    for needed in ("wall_calf_stretch_straight_knee", "wall_calf_stretch_bent_knee",
                   "eccentric_heel_drop_straight_knee", "seated_soleus_raise",
                   "partner_calf_massage", "foam_roll_calf", "pogo_hops", "skipping",
                   "single_leg_balance", "a_skips"):
        assert needed in names


def test_every_exercise_has_its_own_drawing(kb: KnowledgeBase) -> None:
    assert set(kb.figures) == set(kb.exercises)
    assert len(set(kb.figures.values())) == len(kb.figures), "two exercises share a drawing"


@pytest.mark.parametrize("name", ["text", "style", "script", "image", "use"])
def test_a_drawing_outside_the_safe_subset_is_refused(name: str) -> None:
    bad = GOOD.format(shapes=SHAPES + f"<{name}/>")
    assert any(f"<{name}>" in p for p in figure_problems(bad))


def test_a_placeholder_drawing_is_refused() -> None:
    assert any("shapes" in p for p in figure_problems(GOOD.format(shapes="<circle r='3'/>")))
    assert figure_problems(GOOD.format(shapes=SHAPES)) == []
    assert figure_problems("<svg") != []
    assert any("style" in p for p in figure_problems(
        GOOD.format(shapes=SHAPES.replace("<line ", '<line style="x" ', 1))))


def test_the_pdf_renderer_accepts_every_drawing(kb: KnowledgeBase) -> None:
    pdf = FPDF()
    pdf.add_page()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for svg in kb.figures.values():
            pdf.image(io.BytesIO(svg.encode()), x=10, y=10, w=40)


def test_programmes_cover_the_four_journeys(kb: KnowledgeBase) -> None:
    assert {"calf_strain", "calf_contusion", "return_to_running",
            "cramp_conditioning"} <= set(kb.programmes)
    strain = kb.programmes["calf_strain"]
    assert {(v.grade, v.site) for v in strain.variants} >= {
        (g, s) for g in (1, 2, 3) for s in ("gastrocnemius", "soleus")}


def test_every_phase_gates_on_something_measurable(kb: KnowledgeBase) -> None:
    timed = {CriterionKind.days_in_phase_min, CriterionKind.sessions_in_phase_min}
    for prog in kb.programmes.values():
        for phase in prog.phases:
            assert any(c.kind not in timed for c in phase.exit), (prog.id, phase.id)


def test_higher_grades_and_soleus_take_longer(kb: KnowledgeBase) -> None:
    v = {x.id: x for x in kb.programmes["calf_strain"].variants}
    for site in ("gastrocnemius", "soleus"):
        highs = [v[f"grade{g}_{site}"].expected_days.high for g in (1, 2, 3)]
        assert highs == sorted(highs), site
    for g in (1, 2, 3):
        assert v[f"grade{g}_soleus"].expected_days.high >= \
            v[f"grade{g}_gastrocnemius"].expected_days.high


def test_soleus_injuries_get_bent_knee_loading(kb: KnowledgeBase) -> None:
    strain = kb.programmes["calf_strain"]
    soleus = next(x for x in strain.variants if x.site == "soleus")
    bent = {e for e in kb.exercises if "bent_knee" in e or "soleus" in e}
    loaded = [rx.exercise for ph in active_phases(strain, soleus)
              for rx in prescriptions(ph, soleus)]
    assert bent & set(loaded)


def test_return_to_sport_follows_the_expert_checklist(kb: KnowledgeBase) -> None:
    last = kb.programmes["calf_strain"].phases[-1]
    kinds = {c.kind: c.value for c in last.exit}
    assert kinds.get(CriterionKind.heel_raise_count_min, 0) >= 30
    assert kinds.get(CriterionKind.heel_raise_lsi_min, 0) >= 90
    assert kinds.get(CriterionKind.hop_lsi_min, 0) >= 90
    assert kinds.get(CriterionKind.symptoms_max, 10) == 0


def test_a_drawing_with_an_event_handler_or_link_is_refused() -> None:
    for attribute in ('onclick="alert(1)"', 'href="https://example.org"', 'class="x"'):
        bad = GOOD.format(shapes=SHAPES.replace("<line ", f"<line {attribute} ", 1))
        assert any("not allowed" in p for p in figure_problems(bad)), attribute
