"""The committee's pages: loops awaiting decision, one loop's recommendation, matrix and decision form."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from hiring.models import AuditEvent, InterviewLoop
from scorecards.models import Recommendation
from scorecards.recommendations.services import recommendation_compute
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, scorecard_input, submit_scorecard
from tests.scorecards.test_rater_model_database import store_fit

RED_FLAG = "Recommends logging raw sensitive user data/prompts without safeguards."


def scores(*values: int | None) -> dict[str, int | None]:
    return dict(zip(ALL_DIMENSIONS, values, strict=True))


def decided_loop_ready(panel: list[tuple[tuple[int, ...], dict]], recruiter=None) -> InterviewLoop:
    loop = make_loop(recruiter=recruiter)
    for values, extra in panel:
        interview = make_interview(loop=loop, interviewer=extra.pop("interviewer", None) or UserFactory(),
                                   focus=list(ALL_DIMENSIONS))
        submit_scorecard(interview, scores(*values), **extra)
    recommendation_compute(loop_id=loop.pk)
    return loop


def text(response) -> str:
    """The page's visible text, whitespace collapsed, for asserting what a reader sees."""
    body = re.sub(r"</?(strong|span|a|em|b|bdi)\b[^>]*>", "", response.content.decode())
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(body.split())


@pytest.mark.django_db
def test_committee_loops_list_shows_awaiting_loops_with_recommendation(client, committee_member):
    """A committee member sees undecided loops with their feedback count, outcome and both scores."""
    loop = decided_loop_ready([((4,) * 7, {}), ((4,) * 7, {})])
    decided = decided_loop_ready([((3,) * 7, {})])
    InterviewLoop.objects.filter(pk=decided.pk).update(status="decided", decision="hire")
    client.force_login(committee_member)
    response = client.get(reverse("scorecards:committee-loops"))
    assert response.status_code == 200
    page = text(response)
    assert f'href="{reverse("scorecards:committee-loop", args=[loop.pk])}"' in response.content.decode()
    assert reverse("scorecards:committee-loop", args=[decided.pk]) not in response.content.decode()
    assert "In review" in page
    assert "2 of 2 submitted" in page
    assert "Hire 4.00 4.00" in page  # outcome, raw score, adjusted score (no history: no adjustment)
    decided_page = client.get(reverse("scorecards:committee-loops") + "?show=decided")
    assert reverse("scorecards:committee-loop", args=[decided.pk]) in decided_page.content.decode()


@pytest.mark.django_db
def test_committee_loops_list_query_count_is_fixed(client, committee_member, django_assert_num_queries):
    """One loop or twelve: the same number of queries."""
    recruiter = UserFactory(recruiter=True)
    decided_loop_ready([((4,) * 7, {})], recruiter=recruiter)
    client.force_login(committee_member)
    url = reverse("scorecards:committee-loops")
    client.get(url)
    # session, user, count, page of loops with joins and annotated counts
    with django_assert_num_queries(4):
        client.get(url)
    for _ in range(11):
        decided_loop_ready([((4,) * 7, {})], recruiter=recruiter)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.content.decode().count('href="/committee/loops/') == 12


@pytest.mark.parametrize(("kind", "status"), [("interviewer", 403), ("recruiter", 403), ("admin", 200)])
@pytest.mark.django_db
def test_committee_pages_by_role(client, kind, status):
    """Only the committee and admins open the committee's pages."""
    loop = decided_loop_ready([((4,) * 7, {})])
    client.force_login(UserFactory(kind=kind, is_superuser=kind == "admin"))
    assert client.get(reverse("scorecards:committee-loops")).status_code == status
    assert client.get(reverse("scorecards:committee-loop", args=[loop.pk])).status_code == status


@pytest.mark.django_db
def test_committee_loop_page_shows_reasons_scores_matrix_and_evidence(client, committee_member):
    """The page shows the outcome, its reasons, raw and adjusted scores, and each score's evidence."""
    ana, ben = UserFactory(first_name="Ana", last_name="Lopez"), UserFactory(first_name="Ben", last_name="Ode")
    loop = decided_loop_ready(
        [
            ((4, 4, 4, 4, 4, 4, 4), {"interviewer": ana, "evidence": "Designed a retry queue with idempotency keys."}),
            ((2, 4, 4, 4, 4, 4, 4), {"interviewer": ben, "overall": "no",
                                     "signals": {RED_FLAG: "Wanted to log every prompt verbatim."}}),
        ]
    )
    client.force_login(committee_member)
    response = client.get(reverse("scorecards:committee-loop", args=[loop.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "No hire" in page
    assert f"Red flag '{RED_FLAG}' raised by 1 interviewer: no hire unless the committee" in page
    assert "Interviewers are 2 points apart on Software engineering (scores from 2 to 4)" in page
    # SE mean 3: 0.2*3 + 0.8*4 = 3.8
    assert "Weighted score (raw) 3.80" in page
    assert "Leniency-adjusted 3.80" in page
    assert "Ana Lopez: No history yet: adjustment 0" in page
    assert "Designed a retry queue with idempotency keys." in page
    assert "Wanted to log every prompt verbatim." in page
    assert "Before the debrief: feedback as first submitted" in page
    assert "After the debrief" not in page
    assert "Record the decision" in page
    assert "Hire needs a written justification: Hiring goes against the recommendation (no hire)." in page


@pytest.mark.django_db
def test_committee_loop_page_keeps_pre_and_post_debrief_scores_apart(client, committee_member):
    """An amendment appears in its own table with what changed; the original stays in the first one."""
    ana = UserFactory(first_name="Ana", last_name="Lopez")
    loop = decided_loop_ready([((4,) * 7, {"interviewer": ana}), ((4,) * 7, {})])
    interview = loop.interviews.get(interviewer=ana)
    scorecard_amend(
        actor=ana,
        interview_id=interview.pk,
        data=scorecard_input(interview, scores(3, 4, 4, 4, 4, 4, 4), overall="no"),
        reason="The debrief surfaced gaps in testing.",
    )
    recommendation_compute(loop_id=loop.pk)
    client.force_login(committee_member)
    page = text(client.get(reverse("scorecards:committee-loop", args=[loop.pk])))
    before, after = page.split("After the debrief: amended feedback (the recommendation uses these)")
    assert "Before the debrief: feedback as first submitted" in before
    assert "Ana Lopez" in before and "Ana Lopez" in after
    assert "Reason: The debrief surfaced gaps in testing." in after
    assert "Changed: Software engineering 4 → 3; overall Yes → No" in after
    # 0.2 * 3.5 + 0.8 * 4 = 3.9
    assert "Weighted score (raw) 3.90" in before


@pytest.mark.django_db
def test_committee_loop_page_query_count_is_fixed(client, committee_member, django_assert_num_queries):
    """One scorecard or six: the same number of queries."""
    loop = decided_loop_ready([((4,) * 7, {})])
    client.force_login(committee_member)
    url = reverse("scorecards:committee-loop", args=[loop.pk])
    client.get(url)
    # session, user, loop (with access checks), dimensions, interviews, scorecards, ratings, signals,
    # recommendation, pending recompute, red-flag signals, and one insert auditing the scorecard reads
    with django_assert_num_queries(12):
        client.get(url)
    for _ in range(5):
        interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
        submit_scorecard(interview, scores(3, 3, 3, 3, 3, 3, 3))
    recommendation_compute(loop_id=loop.pk)
    with django_assert_num_queries(12):
        response = client.get(url)
    assert "Scorecards 6" in text(response)


@pytest.mark.django_db
def test_committee_decide_against_recommendation_through_the_form(client, committee_member):
    """Without a justification the form says why one is needed and nothing changes; with one it is recorded."""
    loop = decided_loop_ready([((4,) * 7, {}), ((4,) * 7, {})])
    client.force_login(committee_member)
    url = reverse("scorecards:committee-loop", args=[loop.pk])
    fingerprint = loop.recommendation.fingerprint
    refused = client.post(url, {"decision": "no_hire", "rationale": "Budget.", "expected_fingerprint": fingerprint})
    assert refused.status_code == 200
    assert "Not hiring goes against the recommendation (hire). Write a justification." in text(refused)
    loop.refresh_from_db()
    assert (loop.status, loop.decision) == ("in_review", "")
    assert not AuditEvent.objects.filter(action="loop.decided").exists()

    done = client.post(
        url,
        {"decision": "no_hire", "rationale": "Budget.", "justification": "The role was cancelled.",
         "expected_fingerprint": fingerprint},
    )
    assert done.status_code == 302 and done["Location"] == url
    page = text(client.get(url))
    assert "The decision was recorded." in page
    assert f"No hire by {committee_member.display_name}" in page
    assert "Justification The role was cancelled." in page
    assert "The recommendation at that moment Hire weighted score 4.00, adjusted 4.00, coverage 100%, from 2" in page
    assert "Record the decision" not in page


@pytest.mark.django_db
def test_committee_decide_with_outstanding_feedback_needs_the_box_ticked(client, committee_member):
    loop = decided_loop_ready([((4,) * 7, {})])
    make_interview(loop=loop, interviewer=UserFactory(first_name="Cy", last_name="Ng"), focus=list(ALL_DIMENSIONS))
    client.force_login(committee_member)
    url = reverse("scorecards:committee-loop", args=[loop.pk])
    page = text(client.get(url))
    assert "1 interview still without submitted feedback:" in page
    assert "with Cy Ng" in page
    refused = client.post(url, {"decision": "hire", "rationale": "Strong."})
    assert "Confirm that you decide without their feedback." in text(refused)
    assert InterviewLoop.objects.get(pk=loop.pk).status != "decided"
    done = client.post(url, {"decision": "hire", "rationale": "Strong.", "confirm_outstanding": "on"})
    assert done.status_code == 302
    assert InterviewLoop.objects.get(pk=loop.pk).decision == "hire"


@pytest.mark.django_db
def test_committee_loop_page_admin_reads_without_a_form(client, admin_user):
    loop = decided_loop_ready([((4,) * 7, {})])
    client.force_login(admin_user)
    url = reverse("scorecards:committee-loop", args=[loop.pk])
    page = text(client.get(url))
    assert "Only members of the hiring committee record decisions." in page
    assert client.post(url, {"decision": "hire", "rationale": "x"}).status_code == 403
    assert InterviewLoop.objects.get(pk=loop.pk).status != "decided"


def hidden_fingerprint(response) -> str:
    """The fingerprint the page's decision form carries (what its next submission names)."""
    match = re.search(r'<input[^>]*name="expected_fingerprint"[^>]*>', response.content.decode())
    assert match is not None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.mark.django_db
def test_committee_decide_on_a_stale_recommendation_through_the_form(client, committee_member):
    """The stored recommendation predates the rater model's newest fit (as on the demo data).

    The first submission is refused and the page shows the refreshed
    recommendation, its fingerprint in the form; submitting that form again
    records the decision.
    """
    generous = UserFactory()
    loop = decided_loop_ready([((2,) * 7, {"interviewer": generous, "overall": "no"}), ((2,) * 7, {"overall": "no"})])
    client.force_login(committee_member)
    url = reverse("scorecards:committee-loop", args=[loop.pk])
    seen = hidden_fingerprint(client.get(url))
    store_fit({generous.pk: [0.8, 0.2, 1.0, 0.1, 30, 200, True]})  # the model measured them since
    assert seen == Recommendation.objects.get(loop=loop).fingerprint
    form = {"decision": "no_hire", "rationale": "Not this time.", "expected_fingerprint": seen}

    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "Review the updated recommendation before deciding." in text(refused)
    current = Recommendation.objects.get(loop=loop).fingerprint
    assert current != seen
    assert hidden_fingerprint(refused) == current
    assert InterviewLoop.objects.get(pk=loop.pk).status != "decided"
    assert not AuditEvent.objects.filter(action="loop.decided").exists()

    done = client.post(url, {**form, "expected_fingerprint": hidden_fingerprint(refused)})
    assert done.status_code == 302 and done["Location"] == url
    assert InterviewLoop.objects.get(pk=loop.pk).decision == "no_hire"
    assert AuditEvent.objects.filter(action="loop.decided", loop_id=loop.pk).count() == 1
