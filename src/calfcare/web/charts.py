"""Server-side inline SVG charts: no JavaScript, no chart library.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` (referenced by
aria-labelledby), drawn in a viewBox so that it scales to the width of its container (it stays
readable at 390 px). The page shows the same numbers as text next to it (a table or a list),
so the chart is never the only way to read them. Colours: bars #005eb8 on white (6.7:1),
text #212b32 (14:1), grid #4c6272 (6.1:1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR = "#005eb8"
TEXT = "#212b32"
GRID = "#4c6272"
WIDTH = 340
FONT = 13


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the end of the bar, e.g. "3" or "2 of 5 (40%)"


def _nice_max(values: Sequence[float]) -> float:
    top = max(values, default=0)
    return max(1.0, float(top))


def _open(chart_id: str, title: str, desc: str, height: int) -> str:
    return (f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} '
            f'{height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
            f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" '
            f'font-size="{FONT}">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>')


def columns(chart_id: str, title: str, desc: str, bars: Sequence[Bar],
            label_every: int = 1) -> Markup:
    """Vertical bars (oldest left), e.g. episodes per week; every `label_every`-th labelled."""
    height, top, bottom, left, right = 190, 20, 40, 28, 6
    plot_h = height - top - bottom
    plot_w = WIDTH - left - right
    top_value = _nice_max([b.value for b in bars])
    slot = plot_w / max(1, len(bars))
    out = [_open(chart_id, title, desc, height)]
    base_y = top + plot_h
    # A scale: zero and the maximum.
    out.append(f'<text x="{left - 6}" y="{base_y + 4}" text-anchor="end" fill="{TEXT}">0</text>')
    out.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="{TEXT}">'
               f'{int(top_value)}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}" stroke="{GRID}" '
               f'stroke-width="0.5" stroke-dasharray="3 3"/>')
    for i, b in enumerate(bars):
        h = plot_h * b.value / top_value
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        if b.value > 0:
            out.append(f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{w:.1f}" '
                       f'height="{h:.1f}" fill="{BAR}"/>')
            out.append(f'<text x="{x + w / 2:.1f}" y="{base_y - h - 4:.1f}" '
                       f'text-anchor="middle" fill="{TEXT}" font-weight="700">'
                       f'{escape(b.text)}</text>')
        if i % label_every == 0 or i == len(bars) - 1:
            out.append(f'<text x="{x + w / 2:.1f}" y="{base_y + 16}" text-anchor="middle" '
                       f'fill="{TEXT}" font-size="11">{escape(b.label)}</text>')
    out.append(f'<line x1="{left}" y1="{base_y}" x2="{WIDTH - right}" y2="{base_y}" '
               f'stroke="{TEXT}" stroke-width="1.5"/>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" '
               f'fill="{TEXT}" font-size="11">Week starting (Monday)</text>')
    out.append("</svg>")
    return Markup("".join(out))


def rows(chart_id: str, title: str, desc: str, bars: Sequence[Bar],
         maximum: float | None = None, label_width: int = 120) -> Markup:
    """Horizontal bars, one per row, with the label on the left and the value at the end."""
    row_h, top = 30, 6
    height = top * 2 + row_h * max(1, len(bars))
    text_room = 96
    plot_w = WIDTH - label_width - text_room
    top_value = maximum if maximum else _nice_max([b.value for b in bars])
    out = [_open(chart_id, title, desc, height)]
    for i, b in enumerate(bars):
        y = top + i * row_h
        w = plot_w * b.value / top_value if top_value else 0
        out.append(f'<text x="{label_width - 8}" y="{y + row_h / 2 + 4:.1f}" '
                   f'text-anchor="end" fill="{TEXT}">{escape(b.label)}</text>')
        out.append(f'<rect x="{label_width}" y="{y + 5}" width="{plot_w}" '
                   f'height="{row_h - 10}" fill="#eef1f3"/>')
        if w > 0:
            out.append(f'<rect x="{label_width}" y="{y + 5}" width="{w:.1f}" '
                       f'height="{row_h - 10}" fill="{BAR}"/>')
        out.append(f'<text x="{label_width + plot_w + 6}" y="{y + row_h / 2 + 4:.1f}" '
                   f'fill="{TEXT}" font-weight="700">{escape(b.text)}</text>')
    out.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" '
               f'y2="{height - top}" stroke="{TEXT}" stroke-width="1.5"/>')
    out.append("</svg>")
    return Markup("".join(out))
