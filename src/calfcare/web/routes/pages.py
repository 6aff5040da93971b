"""Informational pages: home, condition guides with search, references."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from calfcare.errors import NotFoundError
from calfcare.kb.report import unconfirmed_identifiers
from calfcare.services.guides import get_guide, list_guides, reference_order, search_guides
from calfcare.services.reference_topics import reference_topics
from calfcare.services.references import sort_key
from calfcare.web.context import WebContext, get_ctx

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(get_ctx)]


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, ctx: Ctx) -> HTMLResponse:
    return HTMLResponse(ctx.render(request, "home.html", {}))


@router.get("/conditions", response_class=HTMLResponse)
async def conditions(request: Request, ctx: Ctx, q: str = "") -> HTMLResponse:
    query = q.strip()[:100]
    guides = search_guides(query, ctx.kb) if query else list_guides(ctx.kb)
    return HTMLResponse(ctx.render(request, "conditions.html", {"guides": guides, "q": query}))


@router.get("/conditions/{condition_id}", response_class=HTMLResponse)
async def condition(condition_id: str, request: Request, ctx: Ctx) -> HTMLResponse:
    try:
        guide = get_guide(condition_id, ctx.kb)
    except NotFoundError:
        raise HTTPException(status_code=404) from None
    order = reference_order(guide)
    numbers = {r: i + 1 for i, r in enumerate(order)}
    return HTMLResponse(
        ctx.render(
            request,
            "condition.html",
            {
                "g": guide,
                "numbers": numbers,
                "order": order,
                "references": ctx.kb.references,
                "products": ctx.kb.products,
                "guides": ctx.kb.guides,
            },
        )
    )


@router.get("/references", response_class=HTMLResponse)
async def references(request: Request, ctx: Ctx, view: str = "") -> HTMLResponse:
    """The Sources page, folded by topic; `?view=all` opens every topic (for print and for
    browsers without scripts) and `?view=editors` lists what is not yet confirmed."""
    kb = ctx.kb
    if view == "editors":
        flagged = sorted((r for r in kb.references.values() if r.unconfirmed), key=sort_key)
        data = {
            "total": len(kb.references),
            "flagged": flagged,
            "unconfirmed_identifiers": unconfirmed_identifiers(kb),
        }
        return HTMLResponse(ctx.render(request, "references_editors.html", data))
    topics = reference_topics(kb)
    data = {"total": len(kb.references), "topics": topics, "show_all": view == "all"}
    return HTMLResponse(ctx.render(request, "references.html", data))
