"""The evidence pack's charts (careobs.evidence.charts): SVG the page embeds and the PDF draws,
bars in proportion to the exact values, every bar and reference line labelled in words, and no
chart without a description; a chart with nothing to draw says so."""

from __future__ import annotations

import io
import zlib
from html.parser import HTMLParser

from fpdf import FPDF

from careobs.dashboards.tables import Column, Table
from careobs.evidence.charts import (
    PLOT_LEFT,
    PLOT_WIDTH,
    Bar,
    Line,
    Series,
    bar_chart,
    bar_length,
)
from careobs.evidence.observed import quis_trend_chart, visit_scores_chart
from careobs.evidence.selfassess import key_question_chart
from careobs.selfassess import ratings
from tests.support.pdf import STREAM, pdf_text


class _Drawing(HTMLParser):
    """The SVG's elements as (tag, attributes, text) in document order."""

    def __init__(self, svg: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, str]] = []
        self.feed(svg)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        tag, attrs, text = self.elements[-1]
        self.elements[-1] = (tag, attrs, text + data)


def _all(chart, tag: str) -> list[tuple[dict, str]]:
    return [(a, t) for name, a, t in _Drawing(chart.svg).elements if name == tag]


ONE = [Series("Score", "#1f5f8b")]


def _bars(chart) -> list[float]:
    """The widths of the bars (the key's swatches are 14 wide, at x 0)."""
    return [float(r["width"]) for r, _ in _all(chart, "rect") if float(r["x"]) == PLOT_LEFT]


def _texts(chart) -> list[str]:
    return [t for _, t in _all(chart, "text")]


def test_bars_are_in_proportion_to_the_exact_values():
    chart = bar_chart(
        "Shares",
        "Three shares.",
        [("A", [Bar(62.5, "62.5%")]), ("B", [Bar(100, "100%")]), ("C", [Bar(12.25, "12.3%")])],
        ONE,
        axis_label="Share (%)",
        empty="Nothing.",
    )
    assert _bars(chart) == [PLOT_WIDTH * 0.625, PLOT_WIDTH, PLOT_WIDTH * 0.1225]
    assert bar_length(50) == PLOT_WIDTH / 2
    assert bar_length(200) == PLOT_WIDTH  # never past the axis
    texts = _texts(chart)
    assert texts[0] == "Shares"  # the title is drawn
    assert [t for t in texts if t in {"A", "B", "C", "62.5%", "100%", "12.3%"}] == [
        "A",
        "62.5%",
        "B",
        "100%",
        "C",
        "12.3%",
    ]
    assert texts[-6:] == ["0", "25", "50", "75", "100", "Share (%)"]  # axis and its label


def test_the_svg_is_an_image_named_by_its_title_with_no_style():
    chart = bar_chart(
        "Ünïcode — title & <more>",
        "Described.",
        [("Jan 2026", [Bar(40, "40%")])],
        ONE,
        axis_label="x",
        empty="-",
    )
    root = _all(chart, "svg")[0][0]
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Ünïcode - title & <more>"  # escaped, then read back
    assert "style" not in chart.svg  # the page's CSP forbids inline styles
    assert root.get("viewbox") == f"0 0 {chart.width} {chart.height}"
    assert "width" not in root  # scaled to the page's column, not a fixed size
    assert chart.description == "Described."


def test_two_series_are_told_apart_without_colour():
    chart = bar_chart(
        "Trend",
        "d",
        [("Jan", [Bar(70, "70.0%"), Bar(5, "5.0%")])],
        [Series("Positive", "#2e7d4f"), Series("Negative", "#b3261e", dashed=True)],
        axis_label="x",
        empty="-",
    )
    texts = _texts(chart)
    assert {"Positive", "Negative", "Positive 70.0%", "Negative 5.0%"} <= set(texts)
    dashed = [r for r, _ in _all(chart, "rect") if r.get("stroke-dasharray")]
    assert len(dashed) == 2  # the negative bar and its key


def test_reference_lines_are_drawn_where_their_values_are_and_labelled():
    chart = bar_chart(
        "Bands",
        "d",
        [("Safe", [Bar(72, "72% Good")])],
        ONE,
        axis_label="x",
        empty="-",
        lines=(Line(63, "63%: good"),),
    )
    dashed = [line for line, _ in _all(chart, "line") if line.get("stroke-dasharray")]
    assert [float(line["x1"]) for line in dashed] == [PLOT_LEFT + PLOT_WIDTH * 0.63]
    assert "63%: good" in _texts(chart)


def test_a_chart_with_no_data_says_so():
    for rows in ([], [("Jan", [Bar(None, "no data")])]):
        chart = bar_chart("Trend", "d", rows, ONE, axis_label="x", empty="No visits to chart.")
        assert chart.empty
        assert _texts(chart) == ["Trend", "No visits to chart."]
        assert chart.description == "No visits to chart."
        assert not _bars(chart)


def test_a_missing_value_has_no_bar_but_says_so():
    chart = bar_chart(
        "T",
        "d",
        [("Jan", [Bar(None, "no data")]), ("Feb", [Bar(50, "50%")])],
        ONE,
        axis_label="x",
        empty="-",
    )
    assert _bars(chart) == [PLOT_WIDTH / 2]
    assert "no data" in _texts(chart)


def test_key_question_chart_marks_cqcs_bands_and_says_each_score():
    results = ratings.key_questions({"S1": 3, "S2": 2, "W1": 4, "W2": 3})
    chart = key_question_chart(results)
    assert _bars(chart) == [PLOT_WIDTH * 0.63, PLOT_WIDTH * 0.88]  # Safe 63%, Well-led 88%
    texts = _texts(chart)
    for words in (
        "88%: outstanding",
        "63%: good",
        "39%: requires improvement",
        "63% Good",
        "88% Outstanding",
        "Not rated",
    ):
        assert words in texts
    assert "Safe 63%, good; Effective not rated" in chart.description
    assert "Well-led 88%, outstanding." in chart.description


def test_the_trend_and_visit_charts_use_the_tables_own_figures():
    share = Column("positive", "Positive", "pct")
    trend = Table(
        "trend",
        "t",
        [Column("period", "Month"), share, Column("negative", "Negative", "pct")],
        [["Jan 2026", 0.625, 0.125], ["Feb 2026", None, None]],
    )
    chart = quis_trend_chart(trend)
    assert _bars(chart) == [PLOT_WIDTH * 0.625, PLOT_WIDTH * 0.125]
    assert {"Positive 62.5%", "Negative 12.5%", "Positive no data"} <= set(_texts(chart))
    assert "Jan 2026: positive 62.5%, negative 12.5%" in chart.description
    scores = Table(
        "scores", "s", [Column("period", "Month"), Column("score", "Average score", "pct")], []
    )
    assert visit_scores_chart(scores).empty


def pdf_drawing(body: bytes) -> str:
    """The PDF's page content streams, decompressed: its drawing operators and text."""
    chunks = []
    for match in STREAM.finditer(body):
        raw = body[match.end() : match.end() + int(match.group(1))]
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(chunks)


def test_the_pdf_draws_the_same_svg_as_vector_paths_and_text():
    chart = bar_chart(
        "Drawn", "d", [("Safe", [Bar(72, "72% Good")])], ONE, axis_label="Score", empty="-"
    )
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(chart.svg.encode()), x=10, y=10, w=180)
    body = bytes(pdf.output())
    text = pdf_text(body)
    for words in ("Drawn", "Safe", "72% Good", "Score", "100"):
        assert words in text
    drawing = pdf_drawing(body)
    # the bar: filled in the series' colour (#1f5f8b), a rectangle as long as the bar
    assert "0.1216 0.3725 0.5451 rg" in drawing
    assert f"{PLOT_LEFT} " in drawing and f" {PLOT_WIDTH * 0.72:g} 16 re" in drawing
