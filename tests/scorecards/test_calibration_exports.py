"""The exports read back with ordinary tools, number by number against the JSON report."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from scorecards.calibration.exports import render_csv_zip, render_json, render_pdf, render_xlsx
from scorecards.calibration.report import ReportOptions, report_from_rows
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.tables import data_tables, format_offset

pytestmark = pytest.mark.django_db

# A name a spreadsheet would run as a formula if it were written as one.
FORMULA_NAME = "=HYPERLINK(\"http://example.org\",\"x\")"


@pytest.fixture(scope="module")
def result(django_db_setup, django_db_blocker):
    """Eight raters on 40 loops (one of them lenient, one new and so a small sample), two roles."""
    rng = np.random.default_rng(42)
    raters = [f"rater{i}" for i in range(7)]
    names = {who: f"Rater {i} Ó'Brien" for i, who in enumerate(raters)}
    names["rater6"] = FORMULA_NAME
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    rows = []
    for loop in range(40):
        role = "Applied AI Engineer" if loop % 2 else "Junior AI Engineer"
        panel = list(rng.choice(raters, size=3, replace=False)) + (["newcomer"] if loop == 39 else [])
        quality = rng.normal(3, 0.8)
        ended = start + timedelta(days=loop)
        for who in panel:
            lenient = 0.8 if who == "rater0" else 0.0
            for dimension in ("Coding", "Design", "Communication"):
                score = int(np.clip(np.round(quality + lenient + rng.normal(0, 0.5)), 1, 5))
                rows.append(RatingRow(
                    scorecard=f"{loop}/{who}", loop=str(loop), interviewer=who,
                    interviewer_name=names.get(who, "Nia Newcomer"), role=role, kind="coding",
                    dimension=dimension, score=score, focus=dimension != "Communication",
                    overall="strong_yes" if quality + lenient > 3.8 else ("yes" if quality > 3 else "no"),
                    decision="hire" if quality > 3.2 else "no_hire", ended_at=ended,
                    submitted_at=ended + timedelta(hours=float(rng.uniform(1, 40))),
                    due_at=ended + timedelta(hours=24),
                ))
    with django_db_blocker.unblock():
        return report_from_rows(rows, description={"role": None, "source": "test"},
                                options=ReportOptions(bootstrap_resamples=200))


def csv_tables(payload: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return {
            name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }


def same_number(text_or_value, expected) -> bool:
    if expected is None:
        return text_or_value in ("", None)
    return float(text_or_value) == pytest.approx(float(expected), abs=1e-9)


def test_csv_zip_holds_one_file_per_table_with_the_json_numbers(result):
    """Each table is a CSV file; every number equals the JSON report's, empty where there is none."""
    tables = csv_tables(render_csv_zip(result))
    assert sorted(tables) == ["about", "dimensions", "interviewer_dimensions", "interviewers", "loops", "roles"]
    for table in data_tables(result)[1:]:
        rows = tables[table.name]
        assert len(rows) == len(table.rows)
        for written, expected in zip(rows, table.rows, strict=True):
            for column in table.columns:
                if column.numeric:
                    assert same_number(written[column.header], expected[column.key]), (table.name, column.key)
    lenient = next(row for row in tables["interviewers"] if row["Interviewer"] == "rater0")
    assert lenient["Flag"] == "lenient"
    assert float(lenient["Leniency offset"]) > 0.4


def test_csv_keeps_formula_like_names_as_text(result):
    """A name starting with '=' is prefixed so that a spreadsheet shows it instead of running it."""
    tables = csv_tables(render_csv_zip(result))
    written = next(row for row in tables["interviewers"] if row["Interviewer"] == "rater6")
    assert written["Name"] == "'" + FORMULA_NAME


def test_xlsx_has_a_sheet_per_table_frozen_headers_and_real_numbers(result):
    """Numbers are numbers (not text), headers are frozen, small samples are greyed, formulas stay text."""
    workbook = load_workbook(io.BytesIO(render_xlsx(result)))
    tables = {table.name: table for table in data_tables(result)}
    assert workbook.sheetnames == list(tables)
    for name, sheet in zip(workbook.sheetnames, workbook.worksheets, strict=True):
        table = tables[name]
        assert sheet.freeze_panes == "A2"
        assert [cell.value for cell in sheet[1]] == [column.header for column in table.columns]
        assert all(cell.font.bold for cell in sheet[1])
        if name == "about":
            continue
        for row_cells, expected in zip(sheet.iter_rows(min_row=2), table.rows, strict=True):
            for cell, column in zip(row_cells, table.columns, strict=True):
                value = expected[column.key]
                if column.numeric and value is not None:
                    assert isinstance(cell.value, (int, float)) and cell.data_type == "n"
                    assert cell.value == pytest.approx(value)
    interviewers = workbook["interviewers"]
    header = [cell.value for cell in interviewers[1]]
    by_key = {row[0].value: row for row in interviewers.iter_rows(min_row=2)}
    formula_cell = by_key["rater6"][header.index("Name")]
    assert (formula_cell.value, formula_cell.data_type) == (FORMULA_NAME, "s")
    newcomer_mean = by_key["newcomer"][header.index("Mean score")]
    assert newcomer_mean.font.color.rgb.endswith("9AA1AD") and newcomer_mean.font.italic  # 3 scores < 5: greyed
    assert not by_key["rater0"][header.index("Mean score")].font.italic
    assert by_key["rater0"][header.index("Strong yes share")].number_format == "0.0%"


def pdf_text(payload: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(payload))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), reader


def test_pdf_shows_the_json_numbers_and_the_charts(result):
    """The PDF text carries each interviewer's row and each dimension's alpha as the JSON has them."""
    text, reader = pdf_text(render_pdf(result, report_id=12))
    assert "Calibration report #12" in text
    assert "revision 1, written before the debrief" in text
    for person in result["interviewers"]:
        offset = format_offset(person["offset"])
        if person["offset_low"] is not None:
            offset += f" [{format_offset(person['offset_low'])}, {format_offset(person['offset_high'])}]"
        if person["offset_n"] < 5:
            offset += f" (n={person['offset_n']})"
        mean = f"{person['mean_score']:.2f}" + (f" (n={person['scores']})" if person["scores"] < 5 else "")
        scale = "" if person["scale"] is None else f"{person['scale']:.2f}"
        if person["scale_low"] is not None:
            scale += f" [{person['scale_low']:.2f}, {person['scale_high']:.2f}]"
        if person["offset_n"] < 5:
            scale += f" (n={person['offset_n']})"
        assert f"{person['name']} {person['scorecards']} {mean} {offset} {scale} {person['offset_n']}" in text
    for dimension in result["dimensions"]:
        alpha = f"{dimension['alpha']:.2f} [{dimension['alpha_low']:.2f}, {dimension['alpha_high']:.2f}]"
        counts = " ".join(str(dimension[f"score_{v}"]) for v in range(1, 6))
        assert f"{dimension['dimension']} {dimension['n']} {counts} {dimension['mean']:.2f}" in text
        assert alpha in text
    assert "lenient" in text
    images = sum(len([name for name in page.images]) for page in reader.pages)
    assert images == 3  # score distribution, leniency, alpha


def test_json_export_is_the_stored_report(result):
    """The JSON download is the report itself, with its id."""
    written = json.loads(render_json(result, report_id=7))
    assert written["report_id"] == 7
    assert written["interviewers"] == result["interviewers"]


def test_pdf_table_headers_wrap_between_words_never_inside_one(result):
    """Each header word is laid out whole on a line of its cell ("Scorecards", not "Scorecar" and "ds")."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm

    from scorecards.calibration import pdf
    from scorecards.calibration.tables import display_tables

    pdf._register_fonts()
    styles = pdf._styles()
    width = landscape(A4)[0] - 2 * 14 * mm
    checked = 0
    for table in display_tables(result):
        if not table.rows:
            continue
        laid_out = pdf._pdf_table(table, int(result["options"]["min_sample"]), styles, width)
        for column, header, column_width in zip(table.columns, laid_out._cellvalues[0], laid_out._colWidths,
                                                strict=True):
            # The width a cell's content gets: the column less the table style's padding (6 points a side).
            header.wrap(column_width - 12, 10_000)
            words_on_lines = [word for line in header.blPara.lines for word in line[1]]
            assert words_on_lines == column.header.split(), f"{table.title}: {column.header!r} -> {words_on_lines}"
            checked += 1
    assert checked > 30
