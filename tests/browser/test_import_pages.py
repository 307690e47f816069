"""An imported history in a real browser: the admin reads the import run, an interviewer and a recruiter see
imported feedback marked as such. The screenshots illustrate docs/importing.md."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bench.loadgen.ats import JobSpec, write_greenhouse_history
from hiring.models import InterviewLoop
from imports.models import ImportRun
from scorecards import tasks as tasks_calibration
from scorecards.calibration.job import calibration_report_compute
from scorecards.calibration.services import calibration_report_request
from scorecards.models import Scorecard
from tests.hiring.factories import UserFactory
from tests.imports.helpers import FILES, run_import

pytestmark = pytest.mark.browser


def test_browser_imported_history_in_the_admin_and_on_the_pages(page: Page, live_server, sign_in, screenshot,
                                                               rubrics, admin_user):
    UserFactory(username="kate", email="kate.austen@example.com", first_name="Kate", last_name="Austen")
    recruiter = UserFactory(recruiter=True, username="rita", first_name="Rita", last_name="Moreno")
    run_import(FILES / "greenhouse", "greenhouse", "--actor", admin_user.username)
    page.set_viewport_size({"width": 1600, "height": 900})

    # The admin reads what the run did.
    sign_in(admin_user.username)
    page.goto(f"{live_server.url}/admin/imports/importrun/")
    expect(page.get_by_text("3 users, 2 candidates, 2 loops, 6 interviews, 4 scorecards")).to_be_visible()
    screenshot("import-runs")
    page.get_by_role("link", name=str(ImportRun.objects.get().pk), exact=True).click()
    expect(page.get_by_text("“Culture add”, 1 rating(s), left out by the mapping file")).to_be_visible()
    screenshot("import-run")

    # Kate's own scorecard, imported: read-only, its Greenhouse id shown.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in("kate")
    card = Scorecard.objects.get(source_id="211231")
    page.goto(f"{live_server.url}/interviews/{card.interview_id}/scorecard/")
    expect(page.get_by_text("from Greenhouse, scorecard 211231: read-only")).to_be_visible()
    expect(page.get_by_role("link", name="Amend after the debrief")).to_have_count(0)
    screenshot("imported-scorecard")

    # The recruiter's page of a loop still open in Greenhouse: imported feedback and what is still to come.
    page.context.clear_cookies()
    sign_in(recruiter.username)
    loop = InterviewLoop.objects.get(candidate__name="小龙 李")
    page.goto(f"{live_server.url}/loops/{loop.pk}/")
    expect(page.get_by_text("Greenhouse scorecard 211233, read-only")).to_be_visible()
    expect(page.get_by_role("link", name="Reassign")).to_have_count(2)
    screenshot("open-imported-loop")


def test_browser_calibration_report_over_an_imported_history(page: Page, live_server, sign_in, screenshot, rubrics,
                                                            committee_member, monkeypatch, settings, tmp_path):
    """Day one: a history imported from Greenhouse and, from it, a calibration report naming who is lenient."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 200
    monkeypatch.setattr(tasks_calibration.calibration_compute, "delay", lambda report_id: None)
    dimensions = tuple(rubrics["applied-ai-engineer"].dimensions.order_by("position").values_list("name", flat=True))
    now = timezone.now()
    write_greenhouse_history(tmp_path / "files", applications=80, interviewers=6, panel=4, seed=7, now=now,
                             jobs=[JobSpec(4000, "Applied AI Engineer", "applied-ai-engineer", dimensions)],
                             offsets={10000: 1.0, 10001: 0.5, 10002: 0.0, 10003: 0.0, 10004: -0.5, 10005: -1.0})
    run_import(tmp_path / "files")
    today = timezone.localdate()
    report = calibration_report_request(actor=committee_member, role=None, date_from=today - timedelta(days=600),
                                        date_to=today, interview_kind="", min_sample=None)
    calibration_report_compute(report_id=report.pk)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(committee_member.username)
    page.goto(f"{live_server.url}/calibration/{report.pk}/")
    leniency = page.locator("table[data-table=leniency]")
    expect(leniency.get_by_role("rowheader", name="Interviewer 000", exact=True)).to_be_visible()
    leniency.scroll_into_view_if_needed()
    screenshot("calibration-report")
