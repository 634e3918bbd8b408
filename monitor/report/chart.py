"""A stacked bar chart as inline SVG: no library, no script, no external file.

It is an image with a <title> and <desc> (role="img"), each bar segment carries its own
<title> for a pointer or screen reader, and the report puts the same figures in a table below.
The colours are Tableau's ten (distinct for most colour-blind readers), then two more; with
more series than colours they repeat, and the legend and table still tell them apart.
"""

from __future__ import annotations

import math
from html import escape

from monitor.report.blocks import Chart

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#86bcb6",
    "#d37295",
)
WIDTH = 760
PLOT_HEIGHT = 240
LEFT, RIGHT, TOP, AXIS = 44, 12, 12, 26
LEGEND_ROW = 20
CHAR_WIDTH = 7  # an estimate at 12px, enough to lay the legend out in rows


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 times a power of ten) giving about `ticks` grid lines up to `top`."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _legend(chart: Chart, top: float) -> tuple[list[str], float]:
    """Legend entries laid out in rows under the plot; returns the parts and their height."""
    parts: list[str] = []
    x, y = LEFT, top
    for index, series in enumerate(chart.series):
        width = 18 + CHAR_WIDTH * len(series.name) + 16
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = LEFT, y + LEGEND_ROW
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour(index)}"/>'
            f'<text x="{x + 18}" y="{y + 10}">{escape(series.name)}</text>'
        )
        x += width
    return parts, (y - top) + LEGEND_ROW


def render_svg(chart: Chart, chart_id: str = "chart") -> str:
    count = len(chart.labels)
    totals = [sum(s.values[i] for s in chart.series) for i in range(count)]
    step = nice_step(max(totals, default=0))
    top_value = max(step, math.ceil(max(totals, default=0) / step) * step)
    plot_width = WIDTH - LEFT - RIGHT
    band = plot_width / max(count, 1)
    bar = band * 0.6
    bottom = TOP + PLOT_HEIGHT

    def y_of(value: float) -> float:
        return bottom - PLOT_HEIGHT * value / top_value

    parts: list[str] = []
    for tick in range(0, top_value + 1, step):
        y = round(y_of(tick), 1)
        shown = f"{tick:,}".replace(",", chart.thousands)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{shown}</text>'
        )
    for i, label in enumerate(chart.labels):
        x = LEFT + band * i + (band - bar) / 2
        base = 0
        for index, series in enumerate(chart.series):
            value = series.values[i]
            if value:
                y, height = y_of(base + value), PLOT_HEIGHT * value / top_value
                tip = escape(f"{series.name}, {label}: {value}")
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                    f'fill="{colour(index)}" data-series="{escape(series.name)}" '
                    f'data-label="{escape(label)}" data-value="{value}"><title>{tip}</title></rect>'
                )
            base += value
        parts.append(
            f'<text x="{LEFT + band * i + band / 2:.1f}" y="{bottom + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" class="axis"/>'
    )
    legend, legend_height = _legend(chart, bottom + AXIS + 8)
    height = bottom + AXIS + 8 + legend_height
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart" font-size="12">'
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(chart.description)}</desc>'
    )
    return head + "".join(parts + legend) + "</svg>"
