"""Bar charts of the evidence pack, drawn on the server as SVG (pure: no database, no request).

One drawing serves both outputs: the page embeds the SVG inline and the PDF draws the very same
SVG (fpdf2 reads SVG). So the SVG keeps to what both understand: shapes and text with
presentation attributes (fill, stroke), no ``style`` (the page's CSP forbids inline styles), no
patterns, and text in Latin-1 (the PDF's core fonts). Colour is never the only signal: every bar
is labelled with its series' name and its exact value, a second series has a dashed outline,
and each reference line is labelled in words. Every chart also carries a description in words,
and the pack keeps the table it was drawn from beside it as its equivalent.

Bars are horizontal, one row of bars per category (a month, a key question), their lengths in
proportion to the exact values (not the rounded text).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH = 640
LABELS_WIDTH = 130  # the category labels, left of the plot
PLOT_LEFT = 140
PLOT_WIDTH = 360
VALUES_LEFT = PLOT_LEFT + PLOT_WIDTH + 8  # each bar's words, in a column to the right
BAR = 16
BAR_GAP = 3
GROUP_GAP = 12
TITLE_SIZE = 14
TEXT_SIZE = 11
FONT = "Helvetica"
INK = "#1e1e1e"
MUTED = "#555555"
TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (said on every bar and in the key), fill and outline."""

    name: str
    fill: str
    dashed: bool = False  # a dashed outline tells it from the first series without colour


@dataclass(frozen=True)
class Bar:
    """One bar: its exact value (None: no data, no bar) and the text shown for it."""

    value: float | None
    text: str


@dataclass(frozen=True)
class Line:
    """A labelled reference line across the bars, e.g. a rating band's lower limit."""

    value: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its title, its description in words, and the SVG, ``width`` by
    ``height`` units. The SVG gives only its viewBox, so the page scales it to the column's
    width (a phone's is small; the table beside it holds the same figures in words) and the
    PDF to the text's width."""

    title: str
    description: str
    svg: str
    width: int
    height: int
    empty: bool = False


def latin(text: str) -> str:
    """Text the PDF's core fonts can measure and draw (anything else becomes "?")."""
    spelled = str(text).replace("—", "-").replace("–", "-").replace("’", "'")
    return spelled.encode("latin-1", "replace").decode("latin-1")


def _text(x: float, y: float, words: str, *, size=TEXT_SIZE, anchor="start", bold=False, fill=INK):
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-family="{FONT}" font-size="{size}"{weight}'
        f' fill="{fill}" text-anchor="{anchor}">{escape(latin(words))}</text>'
    )


def _svg(title: str, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img"'
        f" aria-label={quoteattr(latin(title))}>" + "".join(body) + "</svg>"
    )


def empty_chart(title: str, message: str) -> Chart:
    """A chart with nothing to draw says so, in the drawing and in its description."""
    height = 60
    body = [
        _text(0, 20, title, size=TITLE_SIZE, bold=True),
        _text(0, 45, message, fill=MUTED),
    ]
    return Chart(title, message, _svg(title, height, body), WIDTH, height, empty=True)


def bar_length(value: float, maximum: float = 100) -> float:
    """How long a bar of ``value`` is drawn, in the drawing's units (in proportion, exact)."""
    return PLOT_WIDTH * max(0.0, min(value, maximum)) / maximum


def bar_chart(
    title: str,
    description: str,
    rows: list[tuple[str, list[Bar]]],
    series: list[Series],
    *,
    axis_label: str,
    empty: str,
    lines: tuple[Line, ...] = (),
    maximum: float = 100,
) -> Chart:
    """Horizontal bars: ``rows`` are (category, one Bar per series), drawn against a 0 to
    ``maximum`` axis with ``lines`` marked. With no value at all, the chart says ``empty``."""
    if not rows or all(b.value is None for _, bars in rows for b in bars):
        return empty_chart(title, empty)
    body = [_text(0, 20, title, size=TITLE_SIZE, bold=True)]
    y = 34
    if len(series) > 1:
        x = 0
        for s in series:
            body.append(_swatch(x, y, s))
            body.append(_text(x + 18, y + 10, s.name))
            x += 30 + 7 * len(s.name)
        y += 22
    for line in lines:  # each label on its own row, so none overlap
        body.append(_text(PLOT_LEFT + bar_length(line.value, maximum) + 3, y + 10, line.label))
        y += 15
    top = y + 4
    for category, bars in rows:
        group = len(bars) * BAR + (len(bars) - 1) * BAR_GAP
        body.append(_text(LABELS_WIDTH, y + 4 + group / 2 + 4, category, anchor="end"))
        bar_y = y + 4
        for bar, s in zip(bars, series, strict=True):
            if bar.value is not None:
                body.append(_bar(PLOT_LEFT, bar_y, bar_length(bar.value, maximum), s))
            # The words in a column right of the axis, clear of the bars and the lines.
            words = f"{s.name} {bar.text}" if len(series) > 1 else bar.text
            body.append(_text(VALUES_LEFT, bar_y + BAR - 4, words))
            bar_y += BAR + BAR_GAP
        y += group + GROUP_GAP
    bottom = y
    for line in lines:
        x = PLOT_LEFT + bar_length(line.value, maximum)
        body.append(
            f'<line x1="{x:g}" y1="{top - 2:g}" x2="{x:g}" y2="{bottom:g}" stroke="{INK}"'
            ' stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
    body.append(
        f'<line x1="{PLOT_LEFT}" y1="{bottom}" x2="{PLOT_LEFT + PLOT_WIDTH}" y2="{bottom}"'
        f' stroke="{INK}" stroke-width="1"/>'
    )
    for tick in TICKS:
        value = maximum * tick / 100
        x = PLOT_LEFT + bar_length(value, maximum)
        body.append(
            f'<line x1="{x:g}" y1="{bottom}" x2="{x:g}" y2="{bottom + 5}" stroke="{INK}"'
            ' stroke-width="1"/>'
        )
        body.append(_text(x, bottom + 17, f"{value:g}", size=10, anchor="middle"))
    body.append(_text(PLOT_LEFT + PLOT_WIDTH / 2, bottom + 34, axis_label, anchor="middle"))
    height = bottom + 42
    return Chart(title, description, _svg(title, height, body), WIDTH, height)


def _bar(x: float, y: float, length: float, s: Series) -> str:
    dash = ' stroke-dasharray="4 2"' if s.dashed else ""
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{length:g}" height="{BAR}" fill="{s.fill}"'
        f' stroke="{INK}" stroke-width="1"{dash}/>'
    )


def _swatch(x: float, y: float, s: Series) -> str:
    dash = ' stroke-dasharray="4 2"' if s.dashed else ""
    return (
        f'<rect x="{x:g}" y="{y:g}" width="14" height="14" fill="{s.fill}" stroke="{INK}"'
        f' stroke-width="1"{dash}/>'
    )
