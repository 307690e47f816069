"""The report as a PDF: a summary page, the charts (matplotlib, as PNG) and the display tables.

Imported by ``exports.render_pdf`` only when a PDF is rendered.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from matplotlib import get_data_path
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from scorecards.calibration.charts import CHARTS, chart_rows, render_chart
from scorecards.calibration.tables import NUMBER, SMALL_GREY, TEXT, Table, cells, display_tables, format_value

_FONT = "HireloopSans"
_FONT_BOLD = "HireloopSans-Bold"


def _register_fonts() -> None:
    """DejaVu Sans (shipped with matplotlib) covers names in any Latin, Greek or Cyrillic script."""
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = Path(get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(_FONT, normal=_FONT, bold=_FONT_BOLD, italic=_FONT, boldItalic=_FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=_FONT_BOLD, fontSize=18, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=_FONT_BOLD, fontSize=12.5, spaceBefore=8),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=_FONT, fontSize=9, leading=12),
        "note": ParagraphStyle("note", parent=base["BodyText"], fontName=_FONT, fontSize=8, leading=10.5,
                               textColor=colors.HexColor("#5b6475")),
        "cell": ParagraphStyle("cell", fontName=_FONT, fontSize=7.5, leading=9),
        "cell_small": ParagraphStyle("cell_small", fontName=_FONT, fontSize=7.5, leading=9,
                                     textColor=colors.HexColor("#" + SMALL_GREY)),
        "head": ParagraphStyle("head", fontName=_FONT_BOLD, fontSize=7.5, leading=9),
    }


def _left_out(totals: dict[str, Any]) -> str:
    """A report stored before panels were checked has no count of loops left out."""
    if "loops_left_out" not in totals:
        return ""
    left_out = totals["loops_left_out"]
    return " " + ngettext(
        "whose panel is complete (%(count)d loop left out because feedback is still missing)",
        "whose panel is complete (%(count)d loops left out because feedback is still missing)", left_out,
    ) % {"count": left_out}


def _title(report_id: int | None) -> str:
    return gettext("Calibration report #%(id)s") % {"id": report_id} if report_id else gettext("Calibration report")


def _counted(count: int, what: str) -> str:
    """ "3 scorecards": each noun with its own plural forms, since languages count differently."""
    forms = {
        "scorecards": ngettext("%(count)d scorecard", "%(count)d scorecards", count),
        "interviewers": ngettext("%(count)d interviewer", "%(count)d interviewers", count),
        "loops": ngettext("%(count)d loop", "%(count)d loops", count),
        "scores": ngettext("%(count)d score", "%(count)d scores", count),
    }
    return forms[what] % {"count": count}


def _scope_line(result: dict[str, Any]) -> str:
    scope = result.get("scope", {})
    parts = [
        scope.get("role") or gettext("All roles"),
        gettext("interviews ended %(start)s to %(end)s") % {
            "start": scope.get("date_from") or "…", "end": scope.get("date_to") or "…"},
        (scope.get("interview_kind") or gettext("all interview kinds")),
    ]
    return " · ".join(parts)


_CELL_SIZE = 7.5
# A cell's left and right padding (reportlab's TableStyle default, 6 points each) plus a point of slack: with
# less, a header word sized to fit exactly broke mid-word ("Scorecar-ds").
_PADDING = 13.0


def _text_width(text: str, font: str = _FONT) -> float:
    return pdfmetrics.stringWidth(text, font, _CELL_SIZE)


def _column_widths(table: Table, rows: list[list[Any]], width: float) -> list[float]:
    """Numbers get the width they need and never wrap; text columns share the rest and wrap."""
    needs, flexible = [], []
    for index, column in enumerate(table.columns):
        longest_word = max((_text_width(word, _FONT_BOLD) for word in column.header.split()), default=10.0)
        longest_cell = max((_text_width(row[index].text) for row in rows), default=0.0)
        if column.kind == TEXT:
            flexible.append(index)
            needs.append(max(longest_word, min(longest_cell, 170.0)) + _PADDING)
        else:
            needs.append(max(longest_word, longest_cell) + _PADDING)
    spare = width - sum(needs)
    text_total = sum(needs[index] for index in flexible)
    if flexible and text_total > 0:
        # Widen text columns into the spare room, or narrow them (they wrap) when the numbers need it.
        factor = max((text_total + spare) / text_total, 0.3)
        for index in flexible:
            needs[index] *= factor
    return needs


def _pdf_table(table: Table, minimum: int, styles: dict[str, ParagraphStyle], width: float) -> PdfTable:
    rows = cells(table, minimum)
    header = [Paragraph(escape(column.header), styles["head"]) for column in table.columns]
    body = [
        [
            Paragraph(escape(item.text), styles["cell_small" if item.small else "cell"])
            if item.column.kind == TEXT
            else item.text
            for item in row
        ]
        for row in rows
    ]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 1), (-1, -1), _FONT),
        ("FONTSIZE", (0, 1), (-1, -1), _CELL_SIZE),
        ("LEADING", (0, 1), (-1, -1), 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1d2330")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d9dde7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for index, column in enumerate(table.columns):
        if column.kind != TEXT:
            commands.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
    grey = colors.HexColor("#" + SMALL_GREY)
    for row_index, row in enumerate(rows, start=1):
        for column_index, item in enumerate(row):
            if item.small and item.column.kind != TEXT:
                commands.append(("TEXTCOLOR", (column_index, row_index), (column_index, row_index), grey))
    pdf_table = PdfTable([header, *body], colWidths=_column_widths(table, rows, width), repeatRows=1)
    pdf_table.setStyle(TableStyle(commands))
    return pdf_table


CHART_ROWS_PER_PAGE = 40


def _chart_image(
    name: str, result: dict[str, Any], width: float, max_height: float, rows: tuple[int, int] | None = None
) -> Image:
    png = render_chart(name, result, image_format="png", rows=rows)
    image = Image(io.BytesIO(png))
    scale = min(width / image.imageWidth, max_height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def render_pdf(result: dict[str, Any], *, report_id: int | None = None) -> bytes:
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 14 * mm
    document = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        title=_title(report_id),
        author="Hireloop", subject=_scope_line(result), creator="Hireloop",
    )
    width = page[0] - 2 * margin
    height = page[1] - 2 * margin
    minimum = int(result["options"]["min_sample"])
    totals = result.get("totals", {})
    agreement = result.get("agreement", {})
    story: list[Any] = [
        Paragraph(escape(_title(report_id)), styles["title"]),
        Paragraph(escape(_scope_line(result)), styles["body"]),
        Paragraph(escape(
            gettext("%(scorecards)s by %(interviewers)s on %(loops)s%(left_out)s; %(scores)s. Generated %(generated)s "
                    "UTC from the %(source)s.") % {
                "scorecards": _counted(totals.get("scorecards", 0), "scorecards"),
                "interviewers": _counted(totals.get("interviewers", 0), "interviewers"),
                "loops": _counted(totals.get("loops", 0), "loops"),
                "left_out": _left_out(totals),
                "scores": _counted(totals.get("scores", 0), "scores"),
                "generated": result.get("generated_at", "")[:16].replace("T", " "),
                "source": result["scope"].get("source", ""),
            }
        ), styles["body"]),
    ]
    if agreement.get("alpha") is not None:
        interval = ""
        if agreement.get("alpha_low") is not None:
            interval = f" [{number_format(agreement['alpha_low'], 2)}; {number_format(agreement['alpha_high'], 2)}]"
        story.append(Paragraph(escape(
            gettext("Agreement between raters, all dimensions: alpha %(alpha)s%(interval)s over %(pairs)s "
                    "loop-dimension pairs with two or more ratings.") % {
                "alpha": number_format(agreement["alpha"], 2), "interval": interval, "pairs": agreement["alpha_loops"]}
        ), styles["body"]))
    least = result.get("least_agreement", [])
    if least:
        listed = "; ".join(
            f"{item['dimension']} ({item['role']}): {format_value(item['alpha'], NUMBER)}, "
            f"{_counted(item['alpha_loops'], 'loops')}" for item in least
        )
        story.append(Paragraph(escape(gettext("Raters agree least on: %(listed)s.") % {"listed": listed}),
                               styles["body"]))
    story.append(Spacer(1, 4 * mm))
    story += [Paragraph(escape(note), styles["note"]) for note in result.get("notes", [])]
    story.append(PageBreak())
    for name, title in CHARTS.items():
        # A chart of many interviewers is split so that every part stays legible on its page.
        count = chart_rows(name, result)
        parts: list[tuple[int, int] | None] = [
            (start, start + CHART_ROWS_PER_PAGE) for start in range(0, count, CHART_ROWS_PER_PAGE)
        ] or [None]
        for number, rows in enumerate(parts):
            if number == 0 or rows is None:
                heading = gettext(title)
            else:
                heading = gettext("%(title)s (continued, %(first)s–%(last)s)") % {
                    "title": gettext(title), "first": rows[0] + 1, "last": min(rows[1], count)}
            story.append(KeepTogether([
                Paragraph(escape(heading), styles["h2"]),
                _chart_image(name, result, width, height - 20 * mm, rows=rows if len(parts) > 1 else None),
            ]))
    for table in display_tables(result):
        story.append(Paragraph(escape(gettext(table.title)), styles["h2"]))
        if table.description:
            story.append(Paragraph(escape(table.description), styles["note"]))
        if table.rows:
            story.append(_pdf_table(table, minimum, styles, width))
        else:
            story.append(Paragraph(gettext("No rows in this scope."), styles["body"]))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_FONT, 7)
        canvas.setFillColor(colors.HexColor("#5b6475"))
        canvas.drawRightString(page[0] - margin, margin / 2,
                               gettext("Hireloop calibration report · page %(page)s") % {"page": doc.page})
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
