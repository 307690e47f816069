"""Calibration pages: who may use them, requesting, following progress, reading and downloading."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hiring.models import AuditEvent
from scorecards.calibration.job import calibration_report_compute
from scorecards.models import CalibrationReport
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db

SE = "Software engineering"
ML = "Applied ML/AI fundamentals"


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 100


def new_report(requested_by=None, **fields) -> CalibrationReport:
    today = timezone.localdate()
    values = {"date_from": today - timedelta(days=30), "date_to": today, "requested_by": requested_by}
    values.update(fields)
    return CalibrationReport.objects.create(**values)


@pytest.fixture
def done_report(committee_member):
    """A finished report over one loop: Ann (4, 3) and Bob (2, 3), two scorecards each below the minimum."""
    loop = make_loop()
    for name, first, last, score in (("ann", "Ann", "Lee", 4), ("bob", "Bob", "Ray", 2)):
        interviewer = UserFactory(username=name, first_name=first, last_name=last)
        submit_scorecard(make_interview(loop=loop, interviewer=interviewer), {SE: score, ML: 3})
    report = new_report(committee_member, role=loop.role)
    calibration_report_compute(report_id=report.pk)
    report.refresh_from_db()
    return report


def urls(report: CalibrationReport) -> list[str]:
    return [
        reverse("scorecards:report-list"),
        reverse("scorecards:report-detail", args=[report.pk]),
        reverse("scorecards:report-status", args=[report.pk]),
        reverse("scorecards:report-chart", args=[report.pk, "leniency"]),
        reverse("scorecards:report-download", args=[report.pk, "pdf"]),
    ]


@pytest.mark.parametrize("kind", ["interviewer", "recruiter"])
def test_views_calibration_refused_for_non_committee(client, done_report, kind):
    """Interviewers and recruiters get 403 on every calibration page, and see no link to it."""
    client.force_login(UserFactory(kind=kind))
    for url in urls(done_report):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("scorecards:report-list"), {"date_from": "2025-01-01", "date_to": "2025-01-31",
                                                                "min_sample": 5})
    assert response.status_code == 403
    assert CalibrationReport.objects.count() == 1
    assert reverse("scorecards:report-list") not in client.get(reverse("scorecards:rubric-list")).content.decode()


def test_views_calibration_anonymous_is_sent_to_sign_in(client, done_report):
    for url in urls(done_report):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("user_fixture", ["committee_member", "admin_user"])
def test_views_calibration_allowed_for_committee_and_admins(client, done_report, user_fixture, request):
    """The committee and admins open every calibration page and see it in the navigation."""
    client.force_login(request.getfixturevalue(user_fixture))
    for url in urls(done_report):
        assert client.get(url).status_code == 200, url
    list_url = reverse("scorecards:report-list")
    assert f'href="{list_url}"' in client.get(list_url).content.decode()


def test_views_calibration_request_queues_and_computes(client, committee_member, django_capture_on_commit_callbacks):
    """The form queues a report for the chosen scope, the job runs after commit, the page shows the result."""
    loop = make_loop()
    for name, score in (("ann", 4), ("bob", 2)):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)), {SE: score, ML: 3})
    client.force_login(committee_member)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scorecards:report-list"), {
            "role": loop.role_id, "date_from": (today - timedelta(days=7)).isoformat(),
            "date_to": today.isoformat(), "interview_kind": "coding", "min_sample": "3",
        })
    report = CalibrationReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scorecards:report-detail", args=[report.pk])
    assert (report.role_id, report.interview_kind, report.min_sample, report.requested_by) == (
        loop.role_id, "coding", 3, committee_member)
    assert report.status == "done"
    page = client.get(response["Location"]).content.decode()
    assert f"Calibration report #{report.pk} was requested." in page
    assert "original submitted scorecard (revision 1, written before the debrief)" in page
    assert "Downloads" in page and 'http-equiv="refresh"' not in page


def test_views_calibration_request_invalid_scope_changes_nothing(client, committee_member):
    """A period that ends before it starts is refused on the form, with a 400, and nothing is queued."""
    client.force_login(committee_member)
    audit_before = AuditEvent.objects.count()
    response = client.post(reverse("scorecards:report-list"), {
        "date_from": "2025-05-02", "date_to": "2025-05-01", "min_sample": "5",
    })
    assert response.status_code == 400
    assert "The period must end on or after the day it starts." in response.content.decode()
    assert CalibrationReport.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_views_calibration_detail_shows_figures_and_greys_small_samples(client, done_report):
    """The tables carry the report's numbers; figures below the minimum sample are greyed with their n."""
    client.force_login(done_report.requested_by)
    page = client.get(reverse("scorecards:report-detail", args=[done_report.pk])).content.decode()
    ann = next(row for row in done_report.result["interviewers"] if row["interviewer"] == "ann")
    # Schema 2: the offset is the rater model's, which one loop cannot fit: it is left empty (not greyed) and the
    # page says why; every cell's text is isolated in <bdi> (issue 17).
    assert ann["mean_score"] == 3.5 and ann["offset"] is None and ann["offset_n"] == 1
    assert '<th scope="row"><bdi>Ann Lee</bdi></th>' in page  # names are isolated (docs/security.md)
    assert 'class="num small-sample" title="Small sample: n = 2"><bdi>3.50 (n=2)</bdi></td>' in page
    assert 'class="num small-sample" title="Small sample: n = 1"><bdi>0% (n=1)</bdi></td>' in page
    assert "The rater model was not fitted: Only 1 loops are joined by shared interviewers" in page
    for name in ("distribution", "leniency", "alpha"):
        assert reverse("scorecards:report-chart", args=[done_report.pk, name]) in page
    for fmt in ("csv", "xlsx", "pdf", "json"):
        assert reverse("scorecards:report-download", args=[done_report.pk, fmt]) in page


def test_views_calibration_progress_page_polls_and_refreshes_without_js(client, committee_member):
    """While running, the page shows the progress bar, polls the status URL and refreshes itself without JS."""
    # A live worker: its heartbeat keeps the lease ahead of now.
    report = new_report(committee_member, status="running", progress=40, attempts=1,
                        lease_expires_at=timezone.now() + timedelta(seconds=60))
    client.force_login(committee_member)
    page = client.get(reverse("scorecards:report-detail", args=[report.pk])).content.decode()
    assert "Running: 40% done." in page
    assert 'style="width: 40%"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert f'data-status-url="{reverse("scorecards:report-status", args=[report.pk])}"' in page
    assert "<script nonce=" in page

    status = client.get(reverse("scorecards:report-status", args=[report.pk]))
    assert status["Cache-Control"] == "no-store"
    assert status.json() == {
        "id": report.pk, "status": "running", "status_label": "Running", "progress": 40, "error": "",
        "state": "running", "message": "Running: 40% done.", "worker_stopped": False, "attempt": 1,
        "max_attempts": 3, "finished": False, "url": reverse("scorecards:report-detail", args=[report.pk]),
    }


def test_views_calibration_failed_report_offers_to_request_again(client, committee_member):
    """A failed report says why, offers Retry, and links to the form with the same scope filled in."""
    report = new_report(committee_member, status="failed", error="The computation took longer than its time limit.",
                        interview_kind="coding", min_sample=7)
    client.force_login(committee_member)
    page = client.get(reverse("scorecards:report-detail", args=[report.pk])).content.decode()
    assert "The computation took longer than its time limit." in page
    assert '<button type="submit" class="primary">Retry</button>' in page
    again = (f'{reverse("scorecards:report-list")}?date_from={report.date_from:%Y-%m-%d}&amp;'
             f'date_to={report.date_to:%Y-%m-%d}&amp;interview_kind=coding&amp;min_sample=7')
    assert again in page
    form_page = client.get(again.replace("&amp;", "&")).content.decode()
    assert 'name="min_sample" value="7"' in form_page
    assert '<option value="coding" selected>' in form_page
    assert client.get(reverse("scorecards:report-status", args=[report.pk])).json()["finished"] is True


def test_views_calibration_downloads_every_format(client, done_report):
    """CSV (zip), XLSX, PDF and JSON download as attachments and open with their usual readers."""
    client.force_login(done_report.requested_by)

    def download(fmt: str):
        response = client.get(reverse("scorecards:report-download", args=[done_report.pk, fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response, body

    response, body = download("csv")
    assert response["Content-Type"] == "application/zip"
    assert f'filename="calibration-report-{done_report.pk}.zip"' in response["Content-Disposition"]
    assert "interviewers.csv" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    response, body = download("xlsx")
    assert load_workbook(io.BytesIO(body)).sheetnames[1] == "interviewers"
    response, body = download("pdf")
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    response, body = download("json")
    assert json.loads(body)["interviewers"] == done_report.result["interviewers"]


def test_views_calibration_download_renders_when_the_stored_file_is_gone(client, done_report):
    """The first download renders the file from the stored result and keeps it; so does a host that does not
    share the media storage."""
    client.force_login(done_report.requested_by)
    url = reverse("scorecards:report-download", args=[done_report.pk, "pdf"])
    first = client.get(url)
    assert first.status_code == 200 and b"".join(first.streaming_content).startswith(b"%PDF-")
    done_report.refresh_from_db()
    assert done_report.pdf_file
    done_report.pdf_file.storage.delete(done_report.pdf_file.name)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_views_calibration_unfinished_or_unknown_downloads_are_404(client, committee_member, done_report):
    client.force_login(committee_member)
    queued = new_report(committee_member)
    assert client.get(reverse("scorecards:report-download", args=[queued.pk, "pdf"])).status_code == 404
    assert client.get(reverse("scorecards:report-chart", args=[queued.pk, "alpha"])).status_code == 404
    assert client.get(reverse("scorecards:report-download", args=[done_report.pk, "docx"])).status_code == 404
    assert client.get(reverse("scorecards:report-chart", args=[done_report.pk, "pie"])).status_code == 404
    assert client.get(reverse("scorecards:report-detail", args=[99999])).status_code == 404


def test_views_calibration_chart_is_svg_and_cached(client, done_report):
    """Charts are SVG with their text kept as text; a second request with the ETag is answered 304."""
    client.force_login(done_report.requested_by)
    # One loop: the rater model is not fitted, so the leniency chart says why, as text; the distribution chart
    # names the rubric's dimensions as text.
    url = reverse("scorecards:report-chart", args=[done_report.pk, "leniency"])
    response = client.get(url)
    assert response["Content-Type"] == "image/svg+xml"
    assert b"Only 1 loops are joined by shared interviewers" in response.content
    distribution = client.get(reverse("scorecards:report-chart", args=[done_report.pk, "distribution"]))
    assert distribution["Content-Type"] == "image/svg+xml" and b"Software engineering" in distribution.content
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_views_calibration_list_query_count_is_the_same_for_1_and_30(client, committee_member,
                                                                      django_assert_num_queries):
    """The list reads reports with their role and requester joined: a fixed number of queries."""
    client.force_login(committee_member)
    new_report(committee_member)
    # session, user, roles (form), count, page of reports
    with django_assert_num_queries(5):
        first = client.get(reverse("scorecards:report-list"))
    for _ in range(29):
        new_report(committee_member, scheduled=True)
    with django_assert_num_queries(5):
        more = client.get(reverse("scorecards:report-list"))
    assert first.content.decode().count("scorecards/calibration") == more.content.decode().count(
        "scorecards/calibration")
    assert more.content.decode().count('data-status="queued"') == 25


def test_views_calibration_detail_query_count(client, done_report, django_assert_num_queries):
    """The finished report page reads one row (with role and requester); the figures come from its result."""
    client.force_login(done_report.requested_by)
    # session, user, report
    with django_assert_num_queries(3):
        response = client.get(reverse("scorecards:report-detail", args=[done_report.pk]))
    assert response.status_code == 200
