"""No decision on no evidence: a hire cannot be recorded on a loop without a submitted scorecard, by any door
(service, page, API, admin); a no hire or a withdrawal can. Nothing changes on refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from hiring.errors import ValidationFailed
from hiring.models import AuditEvent, DomainEvent, InterviewLoop
from hiring.services.loops import loop_withdraw
from scorecards.decisions import NO_EVIDENCE, DecisionInput, loop_decide
from scorecards.models import Recommendation, RecomputeRequest
from scorecards.recommendations.services import recommendation_compute
from tests.api.conftest import api  # noqa: F401 - the token-authenticated client fixture
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, save_draft, submit_scorecard

REFUSAL = ("A hire cannot be recorded on a loop with no submitted scorecard: wait for the panel's feedback, "
           "or record no hire (or withdraw the loop).")
HIRE = DecisionInput(decision="hire", rationale="Strong résumé.", justification="We trust the referral.",
                     confirm_outstanding=True)


def everything(loop: InterviewLoop) -> dict[str, Any]:
    return {
        "loop": InterviewLoop.objects.filter(pk=loop.pk).values().get(),
        "audit": AuditEvent.objects.count(),
        "events": DomainEvent.objects.count(),
        "recommendations": list(Recommendation.objects.values()),
        "requests": RecomputeRequest.objects.count(),
    }


@pytest.fixture
def no_evidence_loop(db) -> InterviewLoop:
    """A panel of two: one draft, one interview without feedback; the recommendation says insufficient evidence."""
    loop = make_loop()
    drafting = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    save_draft(drafting, dict.fromkeys(ALL_DIMENSIONS, 5))
    make_interview(loop=loop, interviewer=UserFactory())
    recommendation_compute(loop_id=loop.pk)
    return loop


def test_hire_refused_on_a_loop_with_no_submitted_scorecard_and_nothing_changes(no_evidence_loop, committee_member):
    before = everything(no_evidence_loop)

    with pytest.raises(ValidationFailed) as refused:
        loop_decide(actor=committee_member, loop_id=no_evidence_loop.pk, data=HIRE)

    assert (refused.value.code, refused.value.message, refused.value.field_errors) == (
        NO_EVIDENCE, REFUSAL, {"decision": [REFUSAL]})
    assert everything(no_evidence_loop) == before


def test_hire_refused_on_a_loop_with_no_interview_at_all(db, committee_member):
    loop = make_loop()
    with pytest.raises(ValidationFailed) as refused:
        loop_decide(actor=committee_member, loop_id=loop.pk, data=HIRE)
    assert refused.value.code == NO_EVIDENCE
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.OPEN


def test_no_hire_and_withdrawal_need_no_evidence(db, committee_member, recruiter):
    first, second = make_loop(recruiter=recruiter), make_loop(recruiter=recruiter)
    make_interview(loop=first, interviewer=UserFactory())

    decided = loop_decide(actor=committee_member, loop_id=first.pk, data=DecisionInput(
        decision="no_hire", rationale="The panel never reported.", confirm_outstanding=True))
    withdrawn = loop_withdraw(actor=recruiter, loop=second, reason="The candidate accepted another offer.")

    assert (decided.status, decided.decision) == (InterviewLoop.Status.DECIDED, "no_hire")
    assert withdrawn.status == InterviewLoop.Status.WITHDRAWN


def test_hire_recorded_once_one_scorecard_is_submitted(no_evidence_loop, committee_member):
    submit_scorecard(no_evidence_loop.interviews.order_by("pk").first(), dict.fromkeys(ALL_DIMENSIONS, 5))
    loop = loop_decide(actor=committee_member, loop_id=no_evidence_loop.pk, data=HIRE)
    assert (loop.status, loop.decision) == (InterviewLoop.Status.DECIDED, "hire")


def test_committee_page_says_it_before_and_refuses_the_hire(client, no_evidence_loop, committee_member):
    client.force_login(committee_member)
    url = reverse("scorecards:committee-loop", args=[no_evidence_loop.pk])
    assert REFUSAL in client.get(url).content.decode().replace("&#x27;", "'")
    before = everything(no_evidence_loop)

    response = client.post(url, {"decision": "hire", "rationale": "Strong résumé.",
                                 "justification": "We trust the referral.", "confirm_outstanding": "on",
                                 "expected_fingerprint": Recommendation.objects.get(loop=no_evidence_loop).fingerprint})

    assert response.status_code == 200
    assert response.content.decode().replace("&#x27;", "'").count(REFUSAL) >= 2  # the summary and under the field
    after = everything(no_evidence_loop)
    # The page's own reads are audited; nothing else moved.
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    assert not AuditEvent.objects.filter(action="loop.decided").exists()


def test_api_refuses_the_hire_naming_the_decision(no_evidence_loop, committee_member, api):  # noqa: F811
    client = api(committee_member)
    before = everything(no_evidence_loop)

    response = client.post(f"/api/v1/loops/{no_evidence_loop.pk}/decision/", {
        "decision": "hire", "rationale": "Strong résumé.", "justification": "We trust the referral.",
        "confirm_outstanding": True}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": NO_EVIDENCE, "message": REFUSAL, "field_errors": {"decision": [REFUSAL]}}
    assert everything(no_evidence_loop) == before


def test_admin_cannot_record_a_decision_at_all(client, no_evidence_loop, admin_user):
    client.force_login(admin_user)
    before = everything(no_evidence_loop)
    response = client.post(reverse("admin:hiring_interviewloop_change", args=[no_evidence_loop.pk]),
                           {"decision": "hire", "status": "decided", "decision_rationale": "Admin says so."})
    assert response.status_code == 403
    assert everything(no_evidence_loop) == before
