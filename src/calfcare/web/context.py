"""What every request handler needs, built once per app: settings, services, templates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from calfcare.kb.loader import KnowledgeBase, load_kb
from calfcare.services.assessment import Assessor
from calfcare.services.guides import CARE_PREFIXES, CARE_SYMBOLS
from calfcare.services.references import citation, common_level, editorial_flags, short_citation
from calfcare.services.rehab import quantity
from calfcare.settings import Settings
from calfcare.storage.db import make_engine
from calfcare.version import __version__
from calfcare.web.figures import inline_figure


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    assessor: Assessor
    engine: Engine
    sessions: sessionmaker[Session]
    templates: Environment

    @property
    def kb(self) -> KnowledgeBase:
        return self.assessor.kb

    @classmethod
    def build(cls, settings: Settings, template_dir: Path) -> WebContext:
        env = Environment(
            loader=FileSystemLoader(template_dir),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        assessor = Assessor(load_kb())
        kb = assessor.kb
        env.globals.update(version=__version__, kb_version=kb.content_hash, levels=kb.levels)
        env.globals.update(care_symbols=CARE_SYMBOLS, care_prefixes=CARE_PREFIXES)
        env.globals["companion_figure"] = lambda figure_id: (
            inline_figure(
                kb.companion_figures.get(figure_id, ""),
                next(
                    (c.figure_alt for c in kb.companion_checks.values() if c.figure == figure_id),
                    "",
                ),
            )
            or ""
        )
        env.filters["percent"] = _percent
        env.filters["evidence_words"] = _evidence_words
        env.filters["citation"] = citation  # a Reference as readers see it (`_citations.html`)
        env.filters["common_level"] = common_level
        env.filters["short_citation"] = short_citation  # "Miller et al. 2022"
        env.filters["editorial_flags"] = editorial_flags  # the editors' view only
        env.filters["quantity"] = quantity  # `{{ n | quantity('day') }}`: 1 day, 2 days
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            assessor=assessor,
            engine=engine,
            sessions=sessionmaker(engine, expire_on_commit=False),
            templates=env,
        )

    def render(self, request: Request, name: str, data: dict[str, Any]) -> str:
        return self.templates.get_template(name).render(request=request, **data)


def _percent(p: float) -> str:
    return "less than 1%" if p < 0.005 else f"{p:.0%}"


EVIDENCE_WORDS = {
    "strong": "Strong evidence",
    "moderate": "Moderate evidence",
    "weak": "Weak evidence",
    "expert_opinion": "Expert opinion",
    "no_evidence": "No good evidence",
}


def _evidence_words(level: Any) -> str:
    return EVIDENCE_WORDS.get(getattr(level, "value", level), str(level))


async def get_ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def get_db(request: Request) -> Iterator[Session]:
    """One database session per request, committed when the handler returns normally."""
    ctx: WebContext = request.app.state.ctx
    with ctx.sessions() as session, session.begin():
        yield session
