"""The validity report as files: JSON, CSV (a zip, one file per table), XLSX and PDF, drawn from the same
tables so a figure reads the same in each. The calibration report's table types and CSV writer are reused."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from scorecards.calibration.exports import table_csv
from scorecards.calibration.tables import INT, NUMBER, P_VALUE, SMALL_GREY, TEXT, Column, Table, format_value


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str | Promise
    extension: str
    content_type: str
    render: Callable[[dict[str, Any]], bytes]


_R = ("r", "r_low", "r_high", "r_corrected", "r_corrected_low", "r_corrected_high")


def _r_columns() -> list[Column]:
    return [
        Column("n", gettext("Hires (n)"), INT),
        Column("r", "r", NUMBER),
        # xgettext:no-python-format (a percentage, not a placeholder)
        Column("r_low", gettext("r 95% low"), NUMBER),
        # xgettext:no-python-format (a percentage, not a placeholder)
        Column("r_high", gettext("r 95% high"), NUMBER),
        Column("r_corrected", gettext("Corrected r"), NUMBER),
        # xgettext:no-python-format (a percentage, not a placeholder)
        Column("r_corrected_low", gettext("Corrected 95% low"), NUMBER),
        # xgettext:no-python-format (a percentage, not a placeholder)
        Column("r_corrected_high", gettext("Corrected 95% high"), NUMBER),
    ]


def _needs(entry: dict[str, Any]) -> str:
    needs = entry.get("needs")
    if not needs:
        return ""
    return gettext("needs %(count)s more hires for an interval %(width)s wide") % {
        "count": needs["more_hires_needed"],
        "width": f"{needs['interval_width']:g}",
    }


def report_tables(result: dict[str, Any]) -> list[Table]:
    predictors = [
        {"predictor": d["name"], **d, "predictive": gettext("yes") if d["predictive"] else "", "sample": _needs(d)}
        for d in result["dimensions"]
    ]
    predictors += [
        {"predictor": gettext("Composite (weighted)"), **result["composite"], "sample": _needs(result["composite"])},
        {
            "predictor": gettext("Overall recommendation"),
            **result["overall_recommendation"],
            "sample": _needs(result["overall_recommendation"]),
        },
    ]
    comparison = result["composite_vs_overall"]
    rules = [
        {
            "rule": rule["rule"],
            "n_over": (rule["over_the_rule"] or {}).get("n"),
            "mean_over": (rule["over_the_rule"] or {}).get("mean_performance"),
            "n_other": (rule["other_hires"] or {}).get("n"),
            "mean_other": (rule["other_hires"] or {}).get("mean_performance"),
            "note": rule.get("note", ""),
        }
        for rule in result["rules"]
    ]
    about = [
        {"item": gettext("Role"), "value": str(result["description"].get("role", ""))},
        {"item": gettext("Source"), "value": str(result["description"].get("source", "the database"))},
        {"item": gettext("Check-in"), "value": result["checkin"]},
        {"item": gettext("Hires with an outcome"), "value": str(result["totals"]["hires_with_outcome"])},
        {"item": gettext("Loops in the applicant pool"), "value": str(result["totals"]["loops"])},
        {"item": gettext("Correction"), "value": result["correction"]["method"]},
        {
            "item": gettext("Composite minus overall (corrected r)"),
            "value": f"{format_value(comparison['difference'], NUMBER)} "
            f"(95% {format_value(comparison['low'], NUMBER)} to "
            f"{format_value(comparison['high'], NUMBER)}): {comparison['better']}",
        },
        *({"item": gettext("Note"), "value": note} for note in result["notes"]),
    ]
    return [
        Table(
            "about",
            gettext("About this report"),
            [Column("item", gettext("Item")), Column("value", gettext("Value"))],
            about,
        ),
        Table(
            "predictors",
            gettext("Predictors of performance"),
            [
                Column("predictor", gettext("Predictor")),
                *_r_columns(),
                Column("p_holm", gettext("p (Holm)"), P_VALUE),
                Column("predictive", gettext("Predictive")),
                Column("sample", gettext("Sample")),
            ],
            predictors,
        ),
        Table(
            "interviewers",
            gettext("Interviewers (from the minimum sample up)"),
            [
                Column("interviewer", gettext("Interviewer")),
                Column("n", gettext("Hires (n)"), INT),
                Column("r", "r", NUMBER),
                # xgettext:no-python-format (a percentage, not a placeholder)
                Column("r_low", gettext("95% low"), NUMBER),
                # xgettext:no-python-format (a percentage, not a placeholder)
                Column("r_high", gettext("95% high"), NUMBER),
            ],
            result["interviewers"],
        ),
        Table(
            "rules",
            gettext("Rules against outcomes"),
            [
                Column("rule", gettext("Rule")),
                Column("n_over", gettext("Hires over the rule"), INT),
                Column("mean_over", gettext("Their mean performance"), NUMBER),
                Column("n_other", gettext("Other hires"), INT),
                Column("mean_other", gettext("Their mean performance"), NUMBER),
                Column("note", gettext("Note"), TEXT),
            ],
            rules,
        ),
        Table(
            "areas",
            gettext("Outcome areas against the composite"),
            [Column("name", gettext("Outcome area")), *_r_columns()],
            result["areas"],
        ),
    ]


def render_json(result: dict[str, Any]) -> bytes:
    return json.dumps(result, indent=2, ensure_ascii=False).encode("utf-8")


def render_csv_zip(result: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in report_tables(result):
            info = zipfile.ZipInfo(f"{table.name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, table_csv(table).encode("utf-8-sig"))
    return buffer.getvalue()


def render_xlsx(result: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    grey = Font(color=SMALL_GREY, italic=True)
    for table in report_tables(result):
        sheet = workbook.create_sheet(title=table.name)
        sheet.append([column.header for column in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row_number, row in enumerate(table.rows, start=2):
            for column_number, column in enumerate(table.columns, start=1):
                value = row.get(column.key)
                if value is None or value == "":
                    continue
                target = sheet.cell(row=row_number, column=column_number)
                if column.numeric and isinstance(value, (int, float)):
                    target.value = value
                else:
                    target.value = str(value)
                    target.data_type = "s"
                if row.get("small_sample"):
                    target.font = grey
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(result: dict[str, Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=gettext("Validity report"))
    story: list[Any] = [Paragraph(gettext("Validity report"), styles["Title"])]
    for table in report_tables(result):
        story.append(Paragraph(table.title, styles["Heading2"]))
        data = [[Paragraph(column.header, styles["BodyText"]) for column in table.columns]]
        greyed = []
        for index, row in enumerate(table.rows, start=1):
            data.append(
                [
                    Paragraph(format_value(row.get(column.key), column.kind), styles["BodyText"])
                    for column in table.columns
                ]
            )
            if row.get("small_sample"):
                greyed.append(("TEXTCOLOR", (0, index), (-1, index), colors.HexColor("#" + SMALL_GREY)))
        pdf_table = PdfTable(data, repeatRows=1)
        pdf_table.setStyle(
            [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"), *greyed]
        )
        story += [pdf_table, Spacer(1, 12)]
    document.build(story)
    return buffer.getvalue()


FORMATS: dict[str, ExportFormat] = {
    "json": ExportFormat("json", "JSON", "json", "application/json", render_json),
    "csv": ExportFormat("csv", gettext_lazy("CSV (zip, one file per table)"), "zip", "application/zip", render_csv_zip),
    "xlsx": ExportFormat(
        "xlsx",
        gettext_lazy("Excel workbook (XLSX)"),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        render_xlsx,
    ),
    "pdf": ExportFormat("pdf", "PDF", "pdf", "application/pdf", render_pdf),
}
