"""The public pages: the exercise library and the programmes, with their printable version.

Everything shown comes from the knowledge base; nobody needs to be signed in.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import ExerciseCategory, Phase, Programme
from calfcare.web.responses import page
from calfcare.web.routes.rehab.common import (
    VERDICT_WORDS,
    Ctx,
    dose_words,
    figure,
    how_often,
    numbered,
    programme_reference_ids,
    reference_ids,
)

router = APIRouter(prefix="/rehab", include_in_schema=False)

CATEGORY_WORDS = {
    "stretch": "Stretches",
    "mobility": "Mobility",
    "isometric": "Holds (isometric)",
    "strength": "Strength",
    "eccentric": "Slow lowering (eccentric)",
    "soft_tissue": "Massage and rolling",
    "balance": "Balance",
    "plyometric": "Hops and bounces (plyometric)",
    "running": "Walking and running",
}
EQUIPMENT_WORDS = {
    "none": "nothing",
    "wall": "a wall",
    "step": "a step or stair",
    "chair": "a chair",
    "band": "an exercise band",
    "weight": "a weight (a backpack or dumbbell)",
    "foam_roller": "a foam roller",
    "massage_ball": "a massage ball",
    "towel": "a towel",
    "partner": "a partner",
    "mat": "a mat",
    "cushion": "a cushion",
    "rope": "a skipping rope",
    "tape_measure": "a tape measure",
}
TARGET_WORDS = {
    "gastrocnemius": "gastrocnemius (upper calf)",
    "soleus": "soleus (deep calf)",
    "achilles": "Achilles tendon",
    "ankle": "ankle",
    "foot": "foot",
    "balance": "balance",
    "power": "power",
    "running": "running",
}
SITE_WORDS = {
    "gastrocnemius": "upper calf (gastrocnemius)",
    "soleus": "lower, deeper calf (soleus)",
}


def site_words(prog: Programme, site: str) -> str:
    """The muscle in plain words, as the programme names it (e.g. `lower, deeper calf
    (soleus)`)."""
    muscle = prog.muscle(site)
    name = muscle.name if muscle is not None else SITE_WORDS.get(site, site)
    return name[:1].lower() + name[1:]


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


# --- the library ------------------------------------------------------------------------------


@router.get("/exercises", response_class=HTMLResponse)
def exercises_page(request: Request, ctx: Ctx) -> HTMLResponse:
    kb = ctx.kb
    groups = []
    for category in ExerciseCategory:
        items = sorted(
            (ex for ex in kb.exercises.values() if ex.category is category),
            key=lambda ex: ex.name.lower(),
        )
        if items:
            groups.append(
                {
                    "id": category.value,
                    "title": CATEGORY_WORDS[category.value],
                    "exercises": [{"ex": ex, "figure": figure(kb, ex)} for ex in items],
                }
            )
    return page(
        ctx, request, "rehab_exercises.html", {"groups": groups, "count": len(kb.exercises)}
    )


def _used_in(kb: KnowledgeBase, exercise_id: str) -> list[dict[str, str]]:
    out = []
    for prog in sorted(kb.programmes.values(), key=lambda p: p.name):
        phases = [
            ph.name for ph in prog.phases if any(rx.exercise == exercise_id for rx in ph.exercises)
        ]
        if phases:
            out.append({"id": prog.id, "name": prog.name, "phases": ", ".join(phases)})
    return out


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise_page(request: Request, ctx: Ctx, exercise_id: str) -> HTMLResponse:
    kb = ctx.kb
    ex = kb.exercises.get(exercise_id)
    if ex is None:
        raise HTTPException(status_code=404)
    variations = []
    for title, var in (("Easier", ex.easier), ("Harder", ex.harder)):
        if var is not None:
            other = kb.exercises.get(var.exercise) if var.exercise else None
            variations.append({"title": title, "text": var.text, "exercise": other})
    return page(
        ctx,
        request,
        "rehab_exercise.html",
        {
            "ex": ex,
            "figure": figure(kb, ex),
            "variations": variations,
            "category": CATEGORY_WORDS[ex.category.value],
            "targets": [TARGET_WORDS.get(t, t) for t in ex.targets],
            "equipment": [EQUIPMENT_WORDS.get(e, e) for e in ex.equipment],
            "dose": dose_words(ex.dose.sets, ex.dose.amount, ex.dose.measure, ex.dose.each_side),
            "often": how_often(ex.dose.per_day, ex.dose.days_per_week),
            "used_in": _used_in(kb, ex.id),
            **numbered(kb, ex.why.references),
        },
    )


# --- the programmes -----------------------------------------------------------------------------


@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(request: Request, ctx: Ctx) -> HTMLResponse:
    progs = sorted(ctx.kb.programmes.values(), key=lambda p: p.name.lower())
    return page(ctx, request, "rehab_programmes.html", {"programmes": progs})


def _skipped_by(prog: Programme) -> dict[str, list[str]]:
    """Phase id -> labels of the variants that leave it out."""
    out: dict[str, list[str]] = {}
    for v in prog.variants:
        for pid in v.skip_phases:
            out.setdefault(pid, []).append(v.label)
    return out


def prescription_view(kb: KnowledgeBase, phase: Phase, prog: Programme) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for rx in phase.exercises:
        ex = kb.exercises.get(rx.exercise)
        if ex is None:
            continue
        out.append(
            {
                "id": ex.id,
                "name": ex.name,
                "dose": dose_words(
                    rx.sets or ex.dose.sets,
                    rx.amount or ex.dose.amount,
                    ex.dose.measure,
                    ex.dose.each_side,
                ),
                "often": how_often(
                    rx.per_day or ex.dose.per_day, rx.days_per_week or ex.dose.days_per_week
                ),
                "load": rx.load or "",
                "note": rx.note or "",
                "only_for": " and ".join(f"strains of the {site_words(prog, s)}" for s in rx.sites),
            }
        )
    return out


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def programme_page(request: Request, ctx: Ctx, programme_id: str) -> HTMLResponse:
    kb = ctx.kb
    prog = kb.programmes.get(programme_id)
    if prog is None:
        raise HTTPException(status_code=404)
    ids = reference_ids(
        programme_reference_ids(prog), (r for st in kb.pain_model.statements for r in st.references)
    )
    return page(
        ctx,
        request,
        "rehab_programme.html",
        {
            "prog": prog,
            "pain_model": kb.pain_model,
            "products": kb.products,
            "phases": [
                {
                    "phase": ph,
                    "exercises": prescription_view(kb, ph, prog),
                    "skipped_by": _skipped_by(prog).get(ph.id, []),
                    "min_days": [
                        (v.label, v.min_days[ph.id]) for v in prog.variants if ph.id in v.min_days
                    ],
                }
                for ph in prog.phases
            ],
            "verdicts": VERDICT_WORDS,
            **numbered(kb, ids),
        },
    )


@router.get("/programmes/{programme_id}/handout.pdf")
def programme_handout(ctx: Ctx, programme_id: str, variant: str = "") -> Response:
    """The printable programme for one variant (the first when none is named)."""
    from calfcare.services.rehab import handout

    prog = ctx.kb.programmes.get(programme_id)
    if prog is None:
        raise HTTPException(status_code=404)
    var = next((v for v in prog.variants if v.id == variant), None) if variant else prog.variants[0]
    if var is None:
        raise HTTPException(status_code=404)
    return pdf_response(
        handout.programme_pdf(ctx.kb, prog.id, var.id), f"calfcare-{prog.id}-{var.id}.pdf"
    )
