"""Horizontal bar charts as inline SVG, drawn on the server.

Only SVG presentation attributes (fill, stroke, font-size...) are used: the
site's Content-Security-Policy forbids inline ``style``. Every bar carries its
value as text, and every chart has a title and a description for screen
readers; the page also shows the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# Each row is its label on a line of its own, then the bars under it: a narrow chart
# keeps readable text on a phone, where a chart with labels beside the bars would not.
WIDTH = 480
LEFT = 2
MIN_VALUE_ROOM = 40  # space right of the longest bar for its value, at least
VALUE_FONT = 14
RIGHT_PAD = 4  # between the longest value and the chart's right edge
LABEL_LINE = 21
BAR = 15
GAP = 3
ROW_GAP = 12
TOP = 40  # legend and reference labels
CURRENT_FILL = "#0b57a4"
PREVIOUS_FILL = "#9db8d9"
REFERENCE_STROKE = "#b00020"
TEXT_FILL = "#1a1a1a"
# a white outline keeps a value readable where it crosses a reference line
HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
MAX_LABEL = 60  # label width in half-width units (a Chinese character is two)


@dataclass(frozen=True, slots=True)
class ChartRow:
    label: str
    current: float | None
    previous: float | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    value: float
    label: str


@dataclass(slots=True)
class BarChart:
    """Bars for this year (and optionally last year) per row, on one scale."""

    chart_id: str
    title: str
    rows: Sequence[ChartRow]
    fmt: Callable[[float | None], str]
    legend: tuple[str, str] = ("", "")
    scale_max: float | None = None
    references: Sequence[Reference] = field(default_factory=tuple)
    # two bars a row even when one year has no data at all (its labels say so)
    pair: bool = False

    @property
    def paired(self) -> bool:
        return self.pair or any(r.previous is not None for r in self.rows)


def _units(ch: str) -> int:
    return 2 if ord(ch) >= 0x2E80 else 1


def text_width(text: str, size: float = VALUE_FONT) -> float:
    """A generous estimate of a text's width in pixels: a Chinese character is one em,
    a digit, letter or sign at most 0.66 em (wide enough for the pages' sans-serif)."""
    return sum(size if _units(ch) == 2 else 0.66 * size for ch in text)


def value_room(chart: BarChart) -> float:
    """Room right of the bars for the widest value label, so none is cut at the edge."""
    texts = [chart.fmt(v) for r in chart.rows for v in (r.current, r.previous)]
    widest = max((text_width(t) for t in texts), default=0.0)
    return max(MIN_VALUE_ROOM, widest + 5 + RIGHT_PAD)


def label_x(bar_end: float, width: float, lines: Sequence[float]) -> float:
    """Where a value label starts: just after its bar, or past a reference line its text
    would cross (so the dashed 80 and 85 lines never run through a number)."""
    x = bar_end + 5
    for line in sorted(lines):
        if x - 3 <= line <= x + width + 3:
            x = line + 4
    return x


def _short(label: str) -> str:
    """The label cut to fit left of the bars (the full text is in a tooltip and the table)."""
    if sum(map(_units, label)) <= MAX_LABEL:
        return label
    out, used = [], 0
    for ch in label:
        used += _units(ch)
        if used > MAX_LABEL - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _scale(chart: BarChart) -> float:
    values = [v for r in chart.rows for v in (r.current, r.previous) if v is not None]
    values += [ref.value for ref in chart.references]
    top = max([chart.scale_max or 0.0, *values], default=0.0)
    return top if top > 0 else 1.0


def render(chart: BarChart) -> Markup:
    """The chart as an ``<svg>`` element (safe to put in a page as it is)."""
    scale = _scale(chart)
    # every line and bar ends by LEFT + span, so a label after one (4 or 5 px on)
    # still ends inside the chart
    span = WIDTH - LEFT - value_room(chart)
    lines = [LEFT + ref.value / scale * span for ref in chart.references]
    bars = 2 * BAR + GAP if chart.paired else BAR
    per_row = LABEL_LINE + bars + ROW_GAP
    rows = max(len(chart.rows), 1)
    height = TOP + per_row * rows
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    parts: list[str] = [
        f'<svg class="chart" id="{escape(chart.chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="15" fill="{TEXT_FILL}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(_description(chart))}</desc>',
    ]
    parts += _legend(chart)
    # reference lines first, so bars and their values are drawn over them
    bottom = TOP + per_row * rows - ROW_GAP
    for k, ref in enumerate(chart.references):
        x = LEFT + ref.value / scale * span
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 12}" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="{REFERENCE_STROKE}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        # neighbouring lines (80 and 85) label outwards so the labels never overlap
        anchor, dx = ("end", -3) if k % 2 == 0 else ("start", 3)
        parts.append(
            f'<text x="{x + dx:.1f}" y="{TOP - 14}" text-anchor="{anchor}" '
            f'fill="{REFERENCE_STROKE}" font-size="13">{escape(ref.label)}</text>'
        )
    for i, row in enumerate(chart.rows):
        y = TOP + i * per_row
        parts.append(
            f'<text x="{LEFT}" y="{y + LABEL_LINE - 5}" {HALO}>'
            f"<title>{escape(row.label)}</title>{escape(_short(row.label))}</text>"
        )
        series = [(row.current, CURRENT_FILL)]
        if chart.paired:
            series.append((row.previous, PREVIOUS_FILL))
        for j, (value, fill) in enumerate(series):
            bar_y = y + LABEL_LINE + j * (BAR + GAP)
            width = 0.0 if value is None else max(value, 0.0) / scale * span
            if width > 0:
                parts.append(
                    f'<rect x="{LEFT}" y="{bar_y}" width="{width:.1f}" '
                    f'height="{BAR}" fill="{fill}"/>'
                )
            text = chart.fmt(value)
            x = label_x(LEFT + width, text_width(text), lines)
            parts.append(
                f'<text x="{x:.1f}" y="{bar_y + BAR - 2}" font-size="{VALUE_FONT}" {HALO}>'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(chart: BarChart) -> list[str]:
    if not chart.paired:
        return []
    out: list[str] = []
    x = LEFT
    for text, fill in zip(chart.legend, (CURRENT_FILL, PREVIOUS_FILL), strict=True):
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{fill}"/>')
        out.append(f'<text x="{x + 16}" y="15">{escape(text)}</text>')
        x += 24 + 14 * len(text)
    return out


def _description(chart: BarChart) -> str:
    parts = []
    for row in chart.rows:
        text = f"{row.label}: {chart.fmt(row.current)}"
        if chart.paired:
            text += f" ({chart.legend[1]}: {chart.fmt(row.previous)})"
        parts.append(text)
    return "; ".join(parts)
