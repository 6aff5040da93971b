"""Server-side inline SVG charts: no JavaScript, no chart library.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` (referenced by
aria-labelledby), drawn in a viewBox so that it scales to the width of its container (it stays
readable at 390 px). The page also gives the same numbers as text (a table, which may be
folded under "Show as a table"), so the chart is never the only way to read them.
Colours: bars #005eb8 on white (6.7:1), text #212b32 (14:1), grid #4c6272 (6.1:1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
    return (
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} '
        f'{height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" '
        f'font-size="{FONT}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )


def _column_scale(left: int, right: int, top: int, base_y: int, top_value: float) -> list[str]:
    """The scale of a column chart: zero, the maximum, and a dashed line at the maximum."""
    return [
        f'<text x="{left - 6}" y="{base_y + 4}" text-anchor="end" fill="{TEXT}">0</text>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="{TEXT}">'
        f"{int(top_value)}</text>",
        f'<line x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}" stroke="{GRID}" '
        f'stroke-width="0.5" stroke-dasharray="3 3"/>',
    ]


def _column(b: Bar, x: float, w: float, h: float, base_y: int, labelled: bool) -> list[str]:
    """One column `h` high at `x`: its value above it (none when empty), its label below."""
    out: list[str] = []
    if b.value > 0:
        out.append(
            f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"/>'
        )
        out.append(
            f'<text x="{x + w / 2:.1f}" y="{base_y - h - 4:.1f}" '
            f'text-anchor="middle" fill="{TEXT}" font-weight="700">'
            f"{escape(b.text)}</text>"
        )
    if labelled:
        out.append(
            f'<text x="{x + w / 2:.1f}" y="{base_y + 16}" text-anchor="middle" '
            f'fill="{TEXT}" font-size="11">{escape(b.label)}</text>'
        )
    return out


def columns(
    chart_id: str, title: str, desc: str, bars: Sequence[Bar], label_every: int = 1
) -> Markup:
    """Vertical bars (oldest left), e.g. episodes per week; every `label_every`-th labelled."""
    height, top, bottom, left, right = 190, 20, 40, 28, 6
    plot_h = height - top - bottom
    plot_w = WIDTH - left - right
    top_value = _nice_max([b.value for b in bars])
    slot = plot_w / max(1, len(bars))
    base_y = top + plot_h
    out = [
        _open(chart_id, title, desc, height),
        *_column_scale(left, right, top, base_y, top_value),
    ]
    for i, b in enumerate(bars):
        labelled = i % label_every == 0 or i == len(bars) - 1
        x = left + i * slot + slot * 0.15
        out += _column(b, x, slot * 0.7, plot_h * b.value / top_value, base_y, labelled)
    out.append(
        f'<line x1="{left}" y1="{base_y}" x2="{WIDTH - right}" y2="{base_y}" '
        f'stroke="{TEXT}" stroke-width="1.5"/>'
    )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" '
        f'fill="{TEXT}" font-size="11">Week starting (Monday)</text>'
    )
    out.append("</svg>")
    return Markup("".join(out))


def rows(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    maximum: float | None = None,
    label_width: int = 120,
) -> Markup:
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
        out.append(
            f'<text x="{label_width - 8}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end" fill="{TEXT}">{escape(b.label)}</text>'
        )
        out.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{plot_w}" '
            f'height="{row_h - 10}" fill="#eef1f3"/>'
        )
        if w > 0:
            out.append(
                f'<rect x="{label_width}" y="{y + 5}" width="{w:.1f}" '
                f'height="{row_h - 10}" fill="{BAR}"/>'
            )
        out.append(
            f'<text x="{label_width + plot_w + 6}" y="{y + row_h / 2 + 4:.1f}" '
            f'fill="{TEXT}" font-weight="700">{escape(b.text)}</text>'
        )
    out.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" '
        f'y2="{height - top}" stroke="{TEXT}" stroke-width="1.5"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))


# --- values over time (rehabilitation) ------------------------------------------------------

#: Second series colour (#b4400a on white: 5.6:1) and the limit line colour (#212b32).
SECOND = "#b4400a"


@dataclass(frozen=True)
class Series:
    """One line of a chart over days: its name (for the legend), points and how it looks.

    Series differ by marker shape and line pattern as well as colour, so that colour is
    never the only way to tell them apart.
    """

    name: str
    points: Sequence[tuple[date, float]]
    colour: str = BAR
    marker: str = "circle"  # circle | square
    dashed: bool = False


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1"/>'
        )
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}" stroke="#ffffff" '
        f'stroke-width="1"/>'
    )


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


@dataclass(frozen=True)
class _Plot:
    """Where days and values fall in a chart over time (the SVG's user units)."""

    first: date | None
    span: int  # days from the first to the last day with a value
    top_value: float
    height: int = 220
    top: int = 40
    bottom: int = 36
    left: int = 34
    right: int = 10

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def plot_w(self) -> int:
        return WIDTH - self.left - self.right

    @property
    def base_y(self) -> int:
        return self.top + self.plot_h

    def x(self, day: date) -> float:
        if self.first is None or self.span == 0:
            return self.left + self.plot_w / 2
        return self.left + self.plot_w * (day - self.first).days / self.span

    def y(self, value: float) -> float:
        return self.base_y - self.plot_h * value / self.top_value


def _legend(series: Sequence[Series], left: int) -> list[str]:
    """One entry per series: marker, line pattern and name."""
    out: list[str] = []
    lx = left
    for s in series:
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        out.append(
            f'<line x1="{lx}" y1="14" x2="{lx + 22}" y2="14" stroke="{s.colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        out.append(_marker(s.marker, lx + 11, 14, s.colour))
        out.append(
            f'<text x="{lx + 28}" y="18" fill="{TEXT}" font-size="12">{escape(s.name)}</text>'
        )
        lx += 34 + 7 * len(s.name)
    return out


def _scale(plot: _Plot, y_label: str) -> list[str]:
    """Zero, the middle and the top, with a light grid, and the label of the values."""
    out: list[str] = []
    for value in (0.0, plot.top_value / 2, plot.top_value):
        y = plot.y(value)
        out.append(
            f'<text x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{TEXT}" font-size="11">{value:.0f}</text>'
        )
        if value:
            out.append(
                f'<line x1="{plot.left}" y1="{y:.1f}" x2="{WIDTH - plot.right}" '
                f'y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5" '
                f'stroke-dasharray="3 3"/>'
            )
    if y_label:
        out.append(
            f'<text x="{plot.left}" y="{plot.top - 8}" fill="{TEXT}" font-size="11">'
            f"{escape(y_label)}</text>"
        )
    return out


def _limit(plot: _Plot, limit: float | None, limit_label: str) -> list[str]:
    """A dashed horizontal line at `limit`, labelled at its right end."""
    if limit is None:
        return []
    y = plot.y(limit)
    out = [
        f'<line x1="{plot.left}" y1="{y:.1f}" x2="{WIDTH - plot.right}" y2="{y:.1f}" '
        f'stroke="{TEXT}" stroke-width="1.5" stroke-dasharray="8 4"/>'
    ]
    if limit_label:
        out.append(
            f'<text x="{WIDTH - plot.right}" y="{y - 5:.1f}" text-anchor="end" '
            f'fill="{TEXT}" font-size="11" font-weight="700">'
            f"{escape(limit_label)}</text>"
        )
    return out


def _lines(plot: _Plot, series: Sequence[Series]) -> list[str]:
    """Each series as a line through its points, with a marker on each."""
    out: list[str] = []
    for s in series:
        points = sorted(s.points)
        if len(points) > 1:
            dash = ' stroke-dasharray="5 3"' if s.dashed else ""
            path = " ".join(f"{plot.x(d):.1f},{plot.y(v):.1f}" for d, v in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{s.colour}" '
                f'stroke-width="2.5" stroke-linejoin="round"{dash}/>'
            )
        for d, v in points:
            out.append(_marker(s.marker, plot.x(d), plot.y(v), s.colour))
    return out


def _days_axis(plot: _Plot, last: date | None) -> list[str]:
    """The base line, and the first and last days under it."""
    out = [
        f'<line x1="{plot.left}" y1="{plot.base_y}" x2="{WIDTH - plot.right}" '
        f'y2="{plot.base_y}" stroke="{TEXT}" stroke-width="1.5"/>'
    ]
    if plot.first is not None and last is not None:
        out.append(
            f'<text x="{plot.left}" y="{plot.base_y + 16}" fill="{TEXT}" '
            f'font-size="11">{escape(_day_label(plot.first))}</text>'
        )
        if plot.span:
            out.append(
                f'<text x="{WIDTH - plot.right}" y="{plot.base_y + 16}" '
                f'text-anchor="end" fill="{TEXT}" font-size="11">'
                f"{escape(_day_label(last))}</text>"
            )
    return out


def over_time(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    *,
    y_max: float | None = None,
    y_label: str = "",
    limit: float | None = None,
    limit_label: str = "",
) -> Markup:
    """Values per day as lines with markers (oldest left), with an optional limit line.

    The x axis runs from the first to the last day with a value; days without a value are
    simply not drawn. `limit` draws a dashed horizontal line labelled `limit_label`.
    """
    days = [d for s in series for d, _ in s.points]
    values = [v for s in series for _, v in s.points]
    first, last = (min(days), max(days)) if days else (None, None)
    plot = _Plot(
        first=first,
        span=(last - first).days if first is not None and last is not None else 0,
        top_value=max(y_max or 0.0, _nice_max([*values, limit or 0.0])),
    )
    out = [
        _open(chart_id, title, desc, plot.height),
        *_legend(series, plot.left),
        *_scale(plot, y_label),
        *_limit(plot, limit, limit_label),
        *_lines(plot, series),
        *_days_axis(plot, last),
        "</svg>",
    ]
    return Markup("".join(out))
