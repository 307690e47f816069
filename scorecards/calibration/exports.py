"""The report as files: CSV (a zip with one file per table), XLSX, PDF and JSON.

All four are drawn from the same stored report and the same table
definitions (``tables.py``), so a number reads the same in every format.
The XLSX and PDF libraries (and matplotlib, for the PDF's charts) are
imported when such a file is first rendered, not with this module.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scorecards.calibration.tables import (
    HOURS,
    INT,
    NUMBER,
    P_VALUE,
    SHARE,
    SMALL_GREY,
    Table,
    cells,
    data_tables,
)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    content_type: str
    render: Callable[..., bytes]


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    """Spreadsheet programs run a cell that starts like a formula; names and dimensions must stay text."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return _safe_text(value)
    return value


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(column.key)) for column in table.columns])
    return buffer.getvalue()


def render_csv_zip(result: dict[str, Any], *, report_id: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in data_tables(result, report_id=report_id):
            # utf-8-sig: Excel opens the file with the right encoding when it starts with a BOM.
            info = zipfile.ZipInfo(f"{table.name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, table_csv(table).encode("utf-8-sig"))
    return buffer.getvalue()


_NUMBER_FORMATS = {INT: "0", NUMBER: "0.00", SHARE: "0.0%", HOURS: "0.0", P_VALUE: "0.000"}


def render_xlsx(result: dict[str, Any], *, report_id: int | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    minimum = int(result["options"]["min_sample"])
    grey = Font(color=SMALL_GREY, italic=True)
    bold = Font(bold=True)
    for table in data_tables(result, report_id=report_id):
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.append([column.header for column in table.columns])
        for header_cell in sheet[1]:
            header_cell.font = bold
            header_cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        widths = [len(column.header) for column in table.columns]
        for row_index, row_cells in enumerate(cells(table, minimum), start=2):
            for column_index, item in enumerate(row_cells, start=1):
                target = sheet.cell(row=row_index, column=column_index)
                value = item.value
                if value is None or value == "":
                    continue
                if item.column.numeric and isinstance(value, (int, float)):
                    target.value = value
                    target.number_format = _NUMBER_FORMATS[item.column.kind]
                else:
                    # Set as a string explicitly so that text starting with "=" is never a formula.
                    target.value = str(value)
                    target.data_type = "s"
                if item.small:
                    target.font = grey
                widths[column_index - 1] = max(widths[column_index - 1], min(len(str(value)), 60))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 62)
        if table.name == "about":
            sheet.column_dimensions["B"].width = 100
            for row_cells in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
                row_cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(result: dict[str, Any], *, report_id: int | None = None) -> bytes:
    from scorecards.calibration.pdf import render_pdf as render

    return render(result, report_id=report_id)


def render_json(result: dict[str, Any], *, report_id: int | None = None) -> bytes:
    payload = {"report_id": report_id, **result} if report_id else result
    return json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8")


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "CSV (zip, one file per table)", "zip", "application/zip", render_csv_zip),
    "xlsx": ExportFormat(
        "xlsx", "Excel workbook (XLSX)", "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx,
    ),
    "pdf": ExportFormat("pdf", "PDF with charts", "pdf", "application/pdf", render_pdf),
    "json": ExportFormat("json", "JSON", "json", "application/json", render_json),
}
