"""Reading another interviewer's scorecard leaves an audit event, on every page and endpoint that shows one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hiring.models import AuditEvent
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    """A loop with two submitted scorecards by two interviewers."""
    loop = make_loop()
    first = make_interview(loop=loop, interviewer=UserFactory(username="ivy"))
    second = make_interview(loop=loop, interviewer=UserFactory(username="omar"))
    return loop, submit_scorecard(first), submit_scorecard(second)


def _reads(actor) -> set[str]:
    return set(AuditEvent.objects.filter(action="scorecard.read", actor=actor).values_list("object_id", flat=True))


def test_audit_scorecard_reads_committee_page(client, panel, committee_member):
    """The committee's loop page records a read of each scorecard it shows."""
    loop, first, second = panel
    client.force_login(committee_member)
    assert client.get(reverse("scorecards:committee-loop", args=[loop.pk])).status_code == 200
    assert _reads(committee_member) == {str(first.pk), str(second.pk)}


def test_audit_scorecard_reads_panel_records_only_the_others(client, panel):
    """An interviewer reading the panel after submitting is audited for the other's scorecard, not their own."""
    loop, first, second = panel
    client.force_login(first.interviewer)
    assert client.get(reverse("scorecards:panel", args=[first.interview_id])).status_code == 200
    assert _reads(first.interviewer) == {str(second.pk)}


def test_audit_scorecard_reads_candidate_summary(client, panel, recruiter):
    """The recruiter's candidate summary shows scores, so its reads are audited."""
    loop, first, second = panel
    client.force_login(recruiter)
    assert client.get(reverse("hiring:candidate-summary", args=[loop.candidate_id])).status_code == 200
    assert _reads(recruiter) == {str(first.pk), str(second.pk)}


def test_audit_scorecard_reads_api_detail_and_list(client, panel, committee_member):
    """The API audits single reads and every scorecard of a listed page."""
    loop, first, second = panel
    client.force_login(committee_member)
    assert client.get(f"/api/v1/scorecards/{first.pk}/").status_code == 200
    assert _reads(committee_member) == {str(first.pk)}
    assert client.get("/api/v1/scorecards/").status_code == 200
    assert AuditEvent.objects.filter(action="scorecard.read", actor=committee_member).count() == 3
