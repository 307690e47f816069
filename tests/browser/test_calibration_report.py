"""A committee member requests a calibration report, watches it finish and downloads every format.

The broker is replaced by a list that records what was enqueued, so the
test plays the worker: it moves the report to running, then computes it,
while the page (which is never reloaded by the test) follows by itself.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from hiring.management.commands.seed_demo import DEMO_PASSWORD
from scorecards import tasks as tasks_calibration
from scorecards.calibration.job import calibration_report_compute
from scorecards.models import CalibrationReport

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(monkeypatch, settings, tmp_path):
    """Enqueued report ids, instead of a broker; report files go to a temporary media root."""
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 200
    enqueued: list[int] = []
    monkeypatch.setattr(tasks_calibration.calibration_compute, "delay", enqueued.append)
    return enqueued


def test_browser_calibration_request_watch_and_download(page: Page, live_server, sign_in, screenshot, queue):
    """Request on the form, see it queued, running and done without reloading, then download each file."""
    call_command("seed_demo", verbosity=0)
    sign_in("committee", DEMO_PASSWORD)

    # 1. The navigation leads to the form; the default scope is the last 90 days, all roles.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calibration").click()
    expect(page.get_by_role("heading", name="Calibration reports", exact=True)).to_be_visible()
    expect(page.get_by_label("Role")).to_have_value("")
    page.get_by_label("Minimum sample").fill("3")
    page.get_by_role("button", name="Request report").click()

    # 2. Queued: the job was handed to the (recorded) broker; the page says so and shows a progress bar.
    expect(page.get_by_text(re.compile(r"Calibration report #\d+ was requested"))).to_be_visible()
    report = CalibrationReport.objects.latest("pk")  # the demo data come with a report of their own
    assert queue[-1:] == [report.pk]
    expect(page.locator("#report-progress-text")).to_have_text("Queued: waiting for a worker.")
    page.evaluate("window.__notReloaded = true")

    # 3. A worker picks it up: the bar moves without a reload.
    CalibrationReport.objects.filter(pk=report.pk).update(
        status="running", progress=45, attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    expect(page.locator("#report-progress-text")).to_have_text("Running: 45% done.", timeout=10_000)
    expect(page.locator("#report-progress-bar")).to_have_attribute("style", "width: 45%;")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "45")
    expect(page.locator("#report-status-badge .badge")).to_have_text("Running")
    assert page.evaluate("window.__notReloaded") is True
    screenshot("1-running")

    # 4. That worker stops (its heartbeat no longer renews the lease): the page says so, still without a reload.
    CalibrationReport.objects.filter(pk=report.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    expect(page.locator("#report-progress-text")).to_have_text(
        "The worker stopped responding; retrying shortly (attempt 2 of 3).", timeout=10_000
    )
    expect(page.locator("#report-progress-text")).to_have_class("warning")
    assert page.evaluate("window.__notReloaded") is True
    screenshot("2-worker-stopped")

    # 5. Another worker takes it over and finishes: the page notices and shows the report.
    calibration_report_compute(report_id=report.pk)
    expect(page.get_by_role("heading", name="Downloads")).to_be_visible(timeout=15_000)
    expect(page.locator(".badge[data-status=done]")).to_have_text("Done")
    expect(page.get_by_text(re.compile(r"original submitted scorecard \(revision 1"))).to_be_visible()
    report.refresh_from_db()
    result = report.result
    assert result is not None
    expect(page.locator("dl.key-figures")).to_contain_text(f"Scorecards{result['totals']['scorecards']}")
    leniency = page.locator("table[data-table=leniency]")
    for person in result["interviewers"]:
        expect(leniency.get_by_role("rowheader", name=person["name"], exact=True)).to_be_visible()
    charts = page.locator("figure img")
    expect(charts).to_have_count(3)
    for image in charts.all():
        image.scroll_into_view_if_needed()  # the charts load lazily
        page.wait_for_function("element => element.complete && element.naturalWidth > 0",
                               arg=image.element_handle(), timeout=15_000)
    screenshot("3-done")

    # 6. Every download opens with its usual reader and carries the report's numbers.
    def download(label: str) -> bytes:
        with page.expect_download() as info:
            page.get_by_role("link", name=label).click()
        return info.value.path().read_bytes()

    archive = zipfile.ZipFile(io.BytesIO(download("CSV (zip, one file per table)")))
    # Schema 2 (docs/calibration.md): the rater model's loops table, raw and adjusted scores, is a download too.
    assert sorted(archive.namelist()) == ["about.csv", "dimensions.csv", "interviewer_dimensions.csv",
                                          "interviewers.csv", "loops.csv", "roles.csv"]
    workbook = load_workbook(io.BytesIO(download("Excel workbook (XLSX)")))
    assert workbook["interviewers"].max_row == len(result["interviewers"]) + 1
    assert workbook["loops"].max_row == len(result["loops"]) + 1
    pdf_text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(download("PDF with charts"))).pages)
    assert f"Calibration report #{report.pk}" in pdf_text
    assert json.loads(download("JSON"))["totals"] == result["totals"]
