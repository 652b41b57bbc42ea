"""The evidence pack as a PDF, drawn with fpdf2 (pure Python, no system libraries).

It renders the same :class:`~careobs.evidence.pack.Pack` as the HTML page, section by section;
tables repeat their header row on every page they run onto, and every page is numbered. Charts
are the very SVG the page embeds (careobs.evidence.charts), which fpdf2 draws as vector paths
and text, followed by their description in words and the table they were drawn from.
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import TableHeadingsDisplay
from fpdf.fonts import FontFace

from careobs.evidence.charts import Chart
from careobs.evidence.pack import Item, Pack

# The PDF core fonts know Windows-1252 only; a few symbols careobs uses are spelled out.
SPELLED_OUT = str.maketrans({"→": "->", "≥": ">=", "≤": "<=", "✓": "", "●": "", "▲": "", "■": ""})
HEADINGS = FontFace(emphasis="BOLD", fill_color=(226, 234, 242))
INK = (30, 30, 30)
BRAND = (31, 95, 139)


def plain(text: str) -> str:
    """Text the core fonts can draw: unknown characters become "?" rather than failing."""
    return str(text).translate(SPELLED_OUT).encode("cp1252", "replace").decode("cp1252")


class _Document(FPDF):
    def __init__(self, footer: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.footer_text = footer
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(14, 14, 14)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, plain(f"{self.footer_text}  ·  Page {self.page_no()} of {{nb}}"), align="C")


def render(pack: Pack, generated: str) -> bytes:
    """The pack as PDF bytes; ``generated`` is the local time it was made, as text."""
    pdf = _Document(f"{pack.service.name}, {pack.period}")
    pdf.set_title(plain(pack.title))
    pdf.set_author(plain(pack.organisation))
    pdf.set_creator("careobs")
    pdf.add_page()
    pdf.set_text_color(*BRAND)
    pdf.set_font("helvetica", "B", 18)
    pdf.multi_cell(0, 9, plain(pack.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", size=10)
    for line in (
        pack.organisation,
        f"Period: {pack.period}",
        f"Generated: {generated}",
        pack.privacy,
    ):
        pdf.multi_cell(0, 5, plain(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _facts(pdf, pack.summary)
    if pack.audits_note:
        _paragraph(pdf, pack.audits_note)
    assessed = pack.self_assessment
    _heading(pdf, assessed.title)
    if assessed.missing:
        _paragraph(pdf, assessed.missing)
    for item in assessed.items:
        _item(pdf, item)
    for section in pack.sections:
        _heading(pdf, section.question)
        if not section.statements:
            _paragraph(pdf, "No evidence recorded in careobs for this key question in the period.")
        for statement in section.statements:
            pdf.set_font("helvetica", "B", 12)
            pdf.multi_cell(
                0, 6, plain(f"{statement.code} {statement.name}"), new_x="LMARGIN", new_y="NEXT"
            )
            if statement.self_assessed:
                line = statement.self_assessed
                pdf.set_font("helvetica", "B", 9.5)
                pdf.multi_cell(0, 4.6, plain(f"{line.line}."), new_x="LMARGIN", new_y="NEXT")
                _paragraph(pdf, line.rationale)
            for item in statement.items:
                _item(pdf, item)
    if pack.unmapped_audits:
        _heading(pdf, pack.unmapped_audits.question)
        _paragraph(pdf, pack.unmapped_audits.note)
        for template in pack.unmapped_audits.statements:
            pdf.set_font("helvetica", "B", 12)
            pdf.multi_cell(0, 6, plain(template.name), new_x="LMARGIN", new_y="NEXT")
            for item in template.items:
                _item(pdf, item)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_text_color(*BRAND)
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 8, plain(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("helvetica", size=9.5)
    pdf.multi_cell(0, 4.6, plain(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _facts(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    pdf.set_font("helvetica", size=9)
    with pdf.table(
        col_widths=(2, 3),
        first_row_as_headings=False,
        line_height=4.6,
        width=140,
        align="LEFT",
    ) as table:
        for label, value in facts:
            row = table.row()
            row.cell(plain(label), style=FontFace(emphasis="BOLD"))
            row.cell(plain(value))
    pdf.ln(2)


def _chart(pdf: FPDF, chart: Chart) -> None:
    """The chart's SVG across the text's width (on a new page if it would not fit), then its
    description in words."""
    height = pdf.epw * chart.height / chart.width
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(chart.svg.encode("utf-8")), x=pdf.l_margin, y=top, w=pdf.epw)
    pdf.set_y(top + height + 1)
    pdf.set_font("helvetica", "I", 8.5)
    pdf.multi_cell(0, 4.2, plain(chart.description), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _item(pdf: FPDF, item: Item) -> None:
    pdf.set_font("helvetica", "B", 10)
    pdf.multi_cell(0, 5, plain(f"{item.kind}: {item.title}"), new_x="LMARGIN", new_y="NEXT")
    if item.text:
        _paragraph(pdf, item.text)
    if item.facts:
        _facts(pdf, item.facts)
    if item.chart:
        _chart(pdf, item.chart)
    table = item.table
    if table is None:
        return
    if table.caption:
        pdf.set_font("helvetica", "I", 8.5)
        pdf.multi_cell(0, 4.2, plain(table.caption), new_x="LMARGIN", new_y="NEXT")
    if not table.rows:
        _paragraph(pdf, table.empty)
        return
    wide = len(table.columns)
    size = 8.5 if wide <= 6 else 7.5 if wide <= 9 else 6.5
    pdf.set_font("helvetica", size=size)
    first = 3 if wide > 4 else 2
    with pdf.table(
        col_widths=(first, *([1] * (wide - 1))),
        headings_style=HEADINGS,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        line_height=size * 0.5,
        text_align=("LEFT", *("LEFT" if c.kind == "text" else "RIGHT" for c in table.columns[1:])),
    ) as grid:
        heading = grid.row()
        for column in table.columns:
            heading.cell(plain(column.label))
        for values in table.rows:
            row = grid.row()
            for text in table.cells(values):
                row.cell(plain(text))
    pdf.ln(3)
