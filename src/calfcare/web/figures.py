"""Drawings of the knowledge base, inlined into pages as safe SVG."""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

from calfcare.kb.rehab_checks import figure_problems

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([0-9 .\-]+)"')


@lru_cache(maxsize=512)
def inline_figure(svg: str, alt: str) -> Markup | None:
    """A drawing ready to inline: checked against the safe subset, sized by CSS, labelled.

    The knowledge-base check allows shapes and presentation attributes only, so no script,
    event handler or link can reach the page; a drawing that fails it is left out.
    """
    if figure_problems(svg):
        return None
    opening = _SVG_OPEN.search(svg)
    if opening is None:
        return None
    box = _VIEWBOX.search(opening.group(0))
    root = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{}" class="exercise-figure" '
        'role="img" aria-label="{}" focusable="false">'
    ).format(box.group(1) if box else "0 0 240 200", alt)
    return root + Markup(svg[opening.end() :].strip())
