"""Imported history in the app: read-only scorecards that say where they came from, open loops finished here,
import runs for admins, and candidates' data covered by export and erasure like any other."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hiring.errors import Conflict
from hiring.models import Candidate, Interview, InterviewLoop, User
from hiring.services.interviews import interview_reassign
from imports.models import ImportRun
from privacy.erasure import candidate_erase
from privacy.export import candidate_export_data
from scorecards.decisions import DecisionInput, loop_decide
from scorecards.models import RecomputeRequest, Scorecard
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import TEST_PASSWORD, UserFactory
from tests.imports.helpers import FILES, copy_files, run_import, snapshot
from tests.scorecards.factories import scorecard_input, submit_scorecard

pytestmark = pytest.mark.django_db

GREENHOUSE = FILES / "greenhouse"


@pytest.fixture
def imported(rubrics):
    kate = UserFactory(username="kate", email="kate.austen@example.com", first_name="Kate", last_name="Austen")
    run_import(GREENHOUSE)
    return kate


def _all_scores(interview: Interview, score: int = 4) -> dict[str, int | None]:
    return {d.name: score for d in interview.loop.rubric.dimensions.all()}


def test_imported_scorecard_amend_refused_changes_nothing(imported):
    """An imported scorecard is read-only, even to its interviewer once the loop is in review."""
    card = Scorecard.objects.get(source_id="211231")
    InterviewLoop.objects.filter(pk=card.interview.loop_id).update(status="in_review", decision="")
    before = snapshot()

    with pytest.raises(Conflict) as refused:
        scorecard_amend(actor=imported, interview_id=card.interview_id,
                        data=scorecard_input(card.interview, _all_scores(card.interview)), reason="Changed my mind.")

    assert refused.value.code == "imported"
    assert refused.value.message == ("This scorecard was imported from Greenhouse (scorecard 211231) and is "
                                     "read-only in Hireloop.")
    assert snapshot() == before
    assert Scorecard.objects.filter(interview=card.interview).count() == 1


def test_imported_scorecard_pages_show_source_and_offer_no_amendment(client, imported):
    card = Scorecard.objects.get(source_id="211231")
    InterviewLoop.objects.filter(pk=card.interview.loop_id).update(status="in_review", decision="")
    client.login(username="kate", password=TEST_PASSWORD)

    page = client.get(reverse("scorecards:scorecard-edit", args=[card.interview_id]))
    amend = client.get(reverse("scorecards:scorecard-amend", args=[card.interview_id]))
    panel = client.get(reverse("scorecards:panel", args=[card.interview_id]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Imported</span> from Greenhouse, scorecard 211231: read-only" in text
    assert "Amend after the debrief" not in text
    assert "and is read-only in Hireloop." in text
    assert amend.status_code == 409
    # The panel shows Zoë's imported scorecard the same way.
    assert panel.status_code == 200
    assert "Imported</span> from Greenhouse, scorecard 211232: read-only" in panel.content.decode()


def test_loop_page_marks_imported_feedback(client, imported):
    recruiter = UserFactory(recruiter=True)
    loop = Scorecard.objects.get(source_id="211231").interview.loop
    client.login(username=recruiter.username, password=TEST_PASSWORD)

    page = client.get(reverse("hiring:loop-detail", args=[loop.pk])).content.decode()

    assert page.count("Greenhouse scorecard 2112") == 3
    assert "Greenhouse scorecard 211234, read-only" in page


def test_open_imported_loop_is_finished_in_hireloop(imported, tmp_path):
    """A loop still open in Greenhouse: its pending interviews are done here, and the committee decides it."""
    loop = InterviewLoop.objects.get(candidate__name="小龙 李")
    assert loop.status == "awaiting_feedback"
    recruiter = UserFactory(recruiter=True)
    omar = UserFactory(username="omar")
    jose_interview = Interview.objects.get(loop=loop, interviewer__username="greenhouse-950")
    kate_interview = Interview.objects.get(loop=loop, interviewer=imported)

    # José is an inactive imported user: his interview goes to someone who can sign in.
    interview_reassign(actor=recruiter, interview=jose_interview, interviewer=omar)
    jose_interview.refresh_from_db()
    submit_scorecard(jose_interview, _all_scores(jose_interview, 4), overall="yes")
    submit_scorecard(kate_interview, _all_scores(kate_interview, 4), overall="yes")

    loop.refresh_from_db()
    assert loop.status == "in_review"
    committee = UserFactory(committee=True)
    decided = loop_decide(actor=committee, loop_id=loop.pk,
                          data=DecisionInput(decision="hire", rationale="Strong panel.", confirm_outstanding=True))
    assert (decided.status, decided.decision) == ("decided", "hire")
    assert sorted(Scorecard.objects.filter(interview__loop=loop).values_list("source", "interviewer__username")) == [
        ("", "kate"), ("", "omar"), ("greenhouse", "greenhouse-821"),
    ]

    # The next import leaves the committee's decision and the feedback written here alone, even when an interview
    # of the loop changed in Greenhouse meanwhile.
    directory = copy_files(tmp_path, "greenhouse")
    interviews = directory / "scheduled_interviews.json"
    interviews.write_text(interviews.read_text().replace('"2025-10-15T10:00:00.000Z"', '"2025-10-15T10:30:00.000Z"'))
    (directory / "mapping.yaml").write_text((GREENHOUSE / "mapping.yaml").read_text())
    requests = RecomputeRequest.objects.count()
    run_import(directory)
    assert ImportRun.objects.order_by("-pk").first().counts["interviews"] == {  # type: ignore[union-attr]
        "unchanged": 4, "updated": 2}
    assert RecomputeRequest.objects.count() == requests  # a decided loop needs no recommendation
    loop.refresh_from_db()
    assert (loop.status, loop.decision) == ("decided", "hire")
    assert Scorecard.objects.filter(interview__loop=loop).count() == 3


def test_import_runs_admin_shows_what_a_run_did(client, imported, admin_user):
    run = ImportRun.objects.get()
    client.force_login(admin_user)

    listing = client.get(reverse("admin:imports_importrun_changelist"))
    detail = client.get(reverse("admin:imports_importrun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert "3 users, 2 candidates, 2 loops, 6 interviews, 4 scorecards" in listing.content.decode()
    text = detail.content.decode()
    assert detail.status_code == 200
    assert "1 loops: a prospect with no job (e.g. 985317)" in text
    assert "job 6404 “Applied AI Engineer”: “Culture add”, 1 rating(s), left out by the mapping file" in text
    assert 'name="_save"' not in text


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_import_runs_admin_refused_to_staff_who_are_not_admins(client, imported, kind):
    staff = UserFactory(kind=kind, is_staff=True)
    client.force_login(staff)

    listing = client.get(reverse("admin:imports_importrun_changelist"))
    detail = client.get(reverse("admin:imports_importrun_change", args=[ImportRun.objects.get().pk]))

    assert listing.status_code == 403
    assert detail.status_code in (302, 403)


def test_imported_candidate_export_and_erasure_like_any_other(imported, tmp_path):
    soren = Candidate.objects.get(email="soren@example.com")

    exported = candidate_export_data(soren)
    cards = [card for loop in exported["loops"] for interview in loop["interviews"] for card in interview["scorecards"]]
    assert sorted((c["imported_from"], c["imported_id"]) for c in cards) == [
        ("greenhouse", "211231"), ("greenhouse", "211232"), ("greenhouse", "211234")]

    candidate_erase(actor=None, candidate_id=soren.pk, via="command")
    erased = snapshot()
    # Greenhouse still has the candidate, and a scorecard about them changed there since.
    directory = copy_files(tmp_path, "greenhouse")
    scorecards = directory / "scorecards.json"
    scorecards.write_text(scorecards.read_text().replace("Stuck on the retrieval step.", "Søren froze."))
    run = run_import(directory)

    soren.refresh_from_db()
    assert soren.erased_at is not None and soren.email != "soren@example.com"
    assert snapshot() == erased  # the import brings nothing back
    assert "skipped 1 candidates: erased in Hireloop (e.g. 53883394)" in run
    assert "skipped 1 scorecards: its candidate was erased in Hireloop (e.g. 211232)" in run
    assert not User.objects.filter(is_active=True, username__startswith="greenhouse-").exists()


@pytest.mark.parametrize("runs", [1, 50])
def test_import_runs_admin_list_costs_the_same_queries_for_1_and_50_runs(client, admin_user, runs,
                                                                       django_assert_num_queries):
    ImportRun.objects.bulk_create(
        ImportRun(source="greenhouse", directory="/srv/imports", mapping_file="/srv/imports/mapping.yaml",
                  status="done", started_by=admin_user, counts={"scorecards": {"created": n}})
        for n in range(runs)
    )
    client.force_login(admin_user)
    # The session, the user, the runs counted twice (filtered and in all) and one page of runs with the user who
    # started each joined in.
    with django_assert_num_queries(5):
        page = client.get(reverse("admin:imports_importrun_changelist"))
    assert page.status_code == 200
    assert page.content.decode().count('<td class="field-created_summary">') == runs


def test_api_scorecards_imported_shows_source_and_amend_refused(imported, api_client_for):
    """The API says where an imported scorecard came from and refuses to amend it, changing nothing."""
    card = Scorecard.objects.get(source_id="211231")
    InterviewLoop.objects.filter(pk=card.interview.loop_id).update(status="in_review", decision="")
    client = api_client_for(imported)
    before = snapshot()

    shown = client.get(f"/api/v1/scorecards/{card.pk}/")
    refused = client.post(f"/api/v1/scorecards/{card.pk}/amend/",
                          {"overall": "yes", "reason": "Changed my mind."}, format="json")

    assert shown.status_code == 200
    assert (shown.json()["imported_from"], shown.json()["imported_id"], shown.json()["status"]) == (
        "greenhouse", "211231", "submitted")
    assert (refused.status_code, refused.json()["code"]) == (409, "imported")
    assert snapshot() == before


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    from hiring.accounts.tokens import api_token_create

    def client_for(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=user, name='tests').plaintext}")
        return client

    return client_for


def test_imported_candidates_fall_under_retention_by_when_their_loop_closed_in_the_ats(imported):
    """Retention counts from the ATS's closing date, not from the day of the import."""
    from datetime import UTC, datetime

    from privacy.retention import retention_due

    soren = Candidate.objects.get(email="soren@example.com")
    due = retention_due(now=datetime(2026, 12, 7, tzinfo=UTC), months=12)

    # Søren's loop closed on 17 April 2025; Lee's is still open in Greenhouse.
    assert [(entry.candidate_id, entry.last_activity, entry.loops) for entry in due] == [
        (soren.pk, datetime(2025, 4, 17, 21, 8, 29, 686000, tzinfo=UTC), 1)]


def test_loop_withdrawn_in_hireloop_stays_withdrawn_when_the_ats_closes_it(imported, tmp_path):
    from hiring.services.loops import loop_withdraw

    loop = InterviewLoop.objects.get(candidate__name="小龙 李")
    loop_withdraw(actor=UserFactory(recruiter=True), loop=loop, reason="Took another offer.")
    before = snapshot()
    directory = copy_files(tmp_path, "greenhouse")
    applications = directory / "applications.json"
    applications.write_text(applications.read_text().replace(
        '"jobs": [{"id": 6404, "name": "Applied AI Engineer"}], "job_post_id": 123, "status": "active"',
        '"jobs": [{"id": 6404, "name": "Applied AI Engineer"}], "job_post_id": 123, "status": "hired"'))

    output = run_import(directory)

    assert "skipped 1 loops: closed in Hireloop since the last import (e.g. 985315)" in output
    assert snapshot() == before
