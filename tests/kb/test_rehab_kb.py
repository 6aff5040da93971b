"""The rehabilitation knowledge: library, drawings and programmes are whole and consistent."""

from __future__ import annotations

import io
import warnings
from dataclasses import replace

import pytest
from fpdf import FPDF

from calfcare.engine.rehab import active_phases, prescriptions
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_checks import MIN_SHAPES, check_rehab, figure_problems
from calfcare.kb.rehab_ids import ID_KINDS, IdMap, current_ids
from calfcare.kb.rehab_schema import PAIN_MODEL_NUMBERS, CriterionKind, ExerciseCategory, TestKind

GOOD = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 200">
<title>Heel raise</title><desc>A person rises onto the toes.</desc>
{shapes}</svg>"""
SHAPES = "".join(
    f'<line x1="{i}" y1="0" x2="{i}" y2="9" stroke="#000"/>' for i in range(MIN_SHAPES)
)


def test_rehab_knowledge_has_no_problem(kb: KnowledgeBase) -> None:
    assert list(check_rehab(kb)) == []


def test_library_is_large_and_covers_every_family(kb: KnowledgeBase) -> None:
    assert len(kb.exercises) >= 30
    assert {e.category for e in kb.exercises.values()} == set(ExerciseCategory)
    names = set(kb.exercises)
    for needed in (
        "wall_calf_stretch_straight_knee",
        "wall_calf_stretch_bent_knee",
        "eccentric_heel_drop_straight_knee",
        "seated_soleus_raise",
        "partner_calf_massage",
        "foam_roll_calf",
        "pogo_hops",
        "skipping",
        "single_leg_balance",
        "a_skips",
    ):
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
    assert any(
        "style" in p
        for p in figure_problems(
            GOOD.format(shapes=SHAPES.replace("<line ", '<line style="x" ', 1))
        )
    )


def test_the_pdf_renderer_accepts_every_drawing(kb: KnowledgeBase) -> None:
    pdf = FPDF()
    pdf.add_page()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for svg in kb.figures.values():
            pdf.image(io.BytesIO(svg.encode()), x=10, y=10, w=40)


def test_programmes_cover_the_four_journeys(kb: KnowledgeBase) -> None:
    assert {"calf_strain", "calf_contusion", "return_to_running", "cramp_conditioning"} <= set(
        kb.programmes
    )
    strain = kb.programmes["calf_strain"]
    assert {(v.grade, v.site) for v in strain.variants} >= {
        (g, s) for g in (1, 2, 3) for s in ("gastrocnemius", "soleus")
    }


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
        assert (
            v[f"grade{g}_soleus"].expected_days.high
            >= v[f"grade{g}_gastrocnemius"].expected_days.high
        )


def test_soleus_injuries_get_bent_knee_loading(kb: KnowledgeBase) -> None:
    strain = kb.programmes["calf_strain"]
    soleus = next(x for x in strain.variants if x.site == "soleus")
    bent = {e for e in kb.exercises if "bent_knee" in e or "soleus" in e}
    loaded = [
        rx.exercise for ph in active_phases(strain, soleus) for rx in prescriptions(ph, soleus)
    ]
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


# --- the tests between sessions and the pain model's numbers --------------------------------


def test_every_test_has_a_sourced_protocol(kb: KnowledgeBase) -> None:
    assert set(kb.rehab_tests) == {k.value for k in TestKind}
    for protocol in kb.rehab_tests.values():
        assert protocol.evidence, protocol.kind
        assert all(st.references for st in protocol.evidence)


def test_a_test_protocol_without_a_source_fails_the_check(kb: KnowledgeBase) -> None:
    hop = kb.rehab_tests["hop"].model_copy(update={"evidence": []})
    broken = replace(kb, rehab_tests={**kb.rehab_tests, "hop": hop})
    assert (
        "rehab/tests.yaml",
        "hop: has no source: add a graded statement with its references under evidence",
    ) in list(check_rehab(broken))


def test_a_missing_test_protocol_or_a_bad_reference_fails_the_check(kb: KnowledgeBase) -> None:
    run = kb.rehab_tests["run"]
    wrong = run.model_copy(
        update={"evidence": [run.evidence[0].model_copy(update={"references": ["nobody2099"]})]}
    )
    tests = {k: v for k, v in kb.rehab_tests.items() if k != "lunge"}
    problems = list(check_rehab(replace(kb, rehab_tests={**tests, "run": wrong})))
    assert ("rehab/tests.yaml", "no protocol for the test 'lunge'") in problems
    assert ("rehab/tests.yaml", "run: evidence[0] cites unknown reference 'nobody2099'") in problems


def test_every_number_of_the_pain_model_has_a_source(kb: KnowledgeBase) -> None:
    assert set(kb.pain_model.sources) == set(PAIN_MODEL_NUMBERS)
    sources = {k: v for k, v in kb.pain_model.sources.items() if k != "flag_days"}
    broken = replace(kb, pain_model=kb.pain_model.model_copy(update={"sources": sources}))
    assert ("rehab/pain_model.yaml", "flag_days has no source: add it under sources") in list(
        check_rehab(broken)
    )


# --- ids that stored plans hold ---------------------------------------------------------------


def _rename_phase(kb: KnowledgeBase, programme_id: str, old: str, new: str) -> KnowledgeBase:
    """The knowledge base with one phase of one programme under another id."""
    prog = kb.programmes[programme_id]
    phases = [ph.model_copy(update={"id": new}) if ph.id == old else ph for ph in prog.phases]
    variants = [
        v.model_copy(
            update={
                "min_days": {new if k == old else k: d for k, d in v.min_days.items()},
                "skip_phases": [new if p == old else p for p in v.skip_phases],
            }
        )
        for v in prog.variants
    ]
    moved = prog.model_copy(update={"phases": phases, "variants": variants})
    return replace(kb, programmes={**kb.programmes, programme_id: moved})


def _ids(
    kb: KnowledgeBase,
    *,
    published: dict[str, list[str]] | None = None,
    renames: dict[str, dict[str, str]] | None = None,
) -> KnowledgeBase:
    ids = kb.rehab_ids
    return replace(
        kb,
        rehab_ids=ids.model_copy(
            update={
                "published": ids.published.model_copy(
                    update={
                        kind: [*getattr(ids.published, kind), *extra]
                        for kind, extra in (published or {}).items()
                    }
                ),
                "renames": ids.renames.model_copy(update=renames or {}),
            }
        ),
    )


def test_every_id_a_plan_may_hold_is_published(kb: KnowledgeBase) -> None:
    now = current_ids(kb.programmes, kb.exercises)
    for kind in ID_KINDS:
        assert now[kind] <= set(getattr(kb.rehab_ids.published, kind)), kind


def test_a_renamed_phase_without_a_mapping_fails_the_check(kb: KnowledgeBase) -> None:
    renamed = _rename_phase(kb, "calf_strain", "foundation", "early_loading")
    problems = list(check_rehab(renamed))
    assert (
        "rehab/published_ids.yaml",
        "phases: 'calf_strain/foundation' was published but "
        "is gone; say in renames.yaml where its plans go",
    ) in problems
    assert (
        "rehab/published_ids.yaml",
        "phases: 'calf_strain/early_loading' is not listed; add it (plans may store it)",
    ) in problems


def test_a_mapping_makes_a_renamed_phase_whole(kb: KnowledgeBase) -> None:
    renamed = _ids(
        _rename_phase(kb, "calf_strain", "foundation", "early_loading"),
        published={"phases": ["calf_strain/early_loading"]},
        renames={"phases": {"calf_strain/foundation": "calf_strain/early_loading"}},
    )
    assert list(check_rehab(renamed)) == []
    ids = IdMap(renamed.programmes, renamed.exercises, renamed.rehab_ids.renames)
    assert ids.phase("calf_strain", "foundation") == "early_loading"
    assert ids.phase("calf_strain", "protect") == "protect"
    assert ids.phase("calf_strain", "sprinting") is None  # never guessed


def test_a_mapping_to_an_unknown_id_fails_the_check(kb: KnowledgeBase) -> None:
    renamed = _ids(
        _rename_phase(kb, "calf_strain", "foundation", "early_loading"),
        published={"phases": ["calf_strain/early_loading"]},
        renames={"phases": {"calf_strain/foundation": "calf_strain/earlyloading"}},
    )
    assert list(check_rehab(renamed)) == [
        (
            "rehab/renames.yaml",
            "phases: 'calf_strain/foundation' maps to unknown id 'calf_strain/earlyloading'",
        )
    ]
    ids = IdMap(renamed.programmes, renamed.exercises, renamed.rehab_ids.renames)
    assert ids.phase("calf_strain", "foundation") is None


@pytest.mark.parametrize(
    ("kind", "old"), [("exercises", "ankle_pumps"), ("programmes", "calf_contusion")]
)
def test_a_removed_exercise_or_programme_without_a_mapping_fails(
    kb: KnowledgeBase, kind: str, old: str
) -> None:
    if kind == "exercises":
        gone = replace(kb, exercises={k: v for k, v in kb.exercises.items() if k != old})
    else:
        gone = replace(kb, programmes={k: v for k, v in kb.programmes.items() if k != old})
    message = f"{kind}: '{old}' was published but is gone; say in renames.yaml where its plans go"
    assert ("rehab/published_ids.yaml", message) in list(check_rehab(gone))


def test_a_renamed_programme_carries_its_variants_and_phases(kb: KnowledgeBase) -> None:
    prog = kb.programmes["calf_contusion"].model_copy(update={"id": "calf_bruise"})
    programmes = {k: v for k, v in kb.programmes.items() if k != "calf_contusion"}
    moved = _ids(
        replace(kb, programmes={**programmes, "calf_bruise": prog}),
        published={
            "programmes": ["calf_bruise"],
            "variants": [f"calf_bruise/{v.id}" for v in prog.variants],
            "phases": [f"calf_bruise/{p.id}" for p in prog.phases],
        },
        renames={"programmes": {"calf_contusion": "calf_bruise"}},
    )
    assert list(check_rehab(moved)) == []
    ids = IdMap(moved.programmes, moved.exercises, moved.rehab_ids.renames)
    assert (
        ids.programme("calf_contusion"),
        ids.variant("calf_contusion", "mild"),
        ids.phase("calf_contusion", "motion"),
    ) == ("calf_bruise", "mild", "motion")


# --- plain words for the versions: which muscle, how to tell, what a grade means -----------


def test_every_muscle_variant_says_how_to_tell_the_muscle(kb: KnowledgeBase) -> None:
    """Each version for one muscle explains it in plain words, with a graded, sourced check
    (knee straight against knee bent), and each grade says what it means."""
    sited = [(p, v) for p in kb.programmes.values() for v in p.variants if v.site]
    assert {v.site for _, v in sited} == {"gastrocnemius", "soleus"}
    for prog, v in sited:
        muscle = prog.muscle(v.site)
        assert muscle is not None, (prog.id, v.id)
        assert muscle.site == v.site
        assert f"({v.site})" in muscle.name, "the plain name, then the medical one"
        assert muscle.name.split(" (")[0].lower() in v.label.lower(), (prog.id, v.id)
        for st in (muscle.signs, muscle.how_to_tell):
            assert st.references, (prog.id, v.site)
            assert all(r in kb.references for r in st.references)
        tell = muscle.how_to_tell.text.lower()
        assert "knee bent" in tell or "knee straight" in tell, (prog.id, v.site)
        assert "toes" in tell or "stretch" in tell, (prog.id, v.site)
    graded = [(p, v) for p in kb.programmes.values() for v in p.variants if v.grade]
    assert graded
    for prog, v in graded:
        guide = prog.grade_guide(v.grade)
        assert guide is not None, (prog.id, v.id)
        assert f"grade {v.grade}" in guide.name.lower()
        assert guide.name.lower() in v.label.lower(), (prog.id, v.id)
        assert all(r in kb.references for r in guide.signs.references)


def test_the_two_muscles_are_told_apart_the_opposite_way(kb: KnowledgeBase) -> None:
    strain = kb.programmes["calf_strain"]
    upper, lower = strain.muscle("gastrocnemius"), strain.muscle("soleus")
    assert upper is not None
    assert lower is not None
    assert "more with the knee straight" in upper.how_to_tell.text
    assert "more with the knee bent" in lower.how_to_tell.text


def _without_muscles(kb: KnowledgeBase, programme_id: str, keep: str | None) -> KnowledgeBase:
    prog = kb.programmes[programme_id]
    muscles = [m for m in prog.muscles if m.site == keep]
    changed = prog.model_copy(update={"muscles": muscles})
    return replace(kb, programmes={**kb.programmes, programme_id: changed})


@pytest.mark.parametrize("keep", [None, "gastrocnemius"])
def test_a_muscle_variant_without_how_to_tell_fails_the_check(
    kb: KnowledgeBase, keep: str | None
) -> None:
    problems = list(check_rehab(_without_muscles(kb, "calf_strain", keep)))
    soleus = [m for f, m in problems if f == "rehab/programmes/calf_strain.yaml" and "soleus" in m]
    assert soleus, problems
    assert any("grade2_soleus" in m and "how to tell" in m for m in soleus)
    assert any("gastrocnemius" in m for _, m in problems) == (keep is None)


def test_a_grade_without_plain_words_or_a_guide_nobody_needs_fails(kb: KnowledgeBase) -> None:
    prog = kb.programmes["calf_strain"]
    no_grade_3 = prog.model_copy(update={"grades": [g for g in prog.grades if g.grade != 3]})
    problems = list(check_rehab(replace(kb, programmes={**kb.programmes, prog.id: no_grade_3})))
    assert any("grade3_soleus" in m and "grades has no entry" in m for _, m in problems)
    running = kb.programmes["return_to_running"]
    extra = running.model_copy(update={"muscles": [*running.muscles, *prog.muscles]})
    problems = list(check_rehab(replace(kb, programmes={**kb.programmes, running.id: extra})))
    messages = [m for f, m in problems if f == "rehab/programmes/return_to_running.yaml"]
    assert "muscles: 'gastrocnemius' is named by no variant" in messages
    assert "muscles: 'soleus' is explained twice" in messages


def test_the_plain_words_cite_known_references(kb: KnowledgeBase) -> None:
    prog = kb.programmes["calf_strain"]
    muscle = prog.muscles[0]
    wrong = muscle.model_copy(
        update={"how_to_tell": muscle.how_to_tell.model_copy(update={"references": ["nobody2099"]})}
    )
    changed = prog.model_copy(update={"muscles": [wrong, *prog.muscles[1:]]})
    problems = list(check_rehab(replace(kb, programmes={**kb.programmes, prog.id: changed})))
    assert (
        "rehab/programmes/calf_strain.yaml",
        f"muscles ({muscle.site}) how_to_tell cites unknown reference 'nobody2099'",
    ) in problems
