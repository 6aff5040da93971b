"""Informational pages: home, condition guides with search, references."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from calfcare.errors import NotFoundError
from calfcare.services.guides import get_guide, list_guides, reference_order, search_guides
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
async def references(request: Request, ctx: Ctx) -> HTMLResponse:
    refs = sorted(ctx.kb.references.values(), key=lambda r: (r.authors.lower(), r.year))
    return HTMLResponse(ctx.render(request, "references.html", {"refs": refs}))
