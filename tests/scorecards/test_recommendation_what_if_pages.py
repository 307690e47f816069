"""The what-if on the committee's loop page: a GET form with checkboxes (no script needed), the result beside the
real recommendation, marked as a what-if, never stored, audited; the fragment the page's script fetches."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hiring.models import AuditEvent
from scorecards.models import Recommendation
from scorecards.recommendations.loop_whatif import AUDIT_ACTION
from scorecards.recommendations.services import recommendation_compute
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, scorecard_input
from tests.scorecards.test_recommendation_committee_pages import text
from tests.scorecards.test_recommendation_what_if_loop import on_panel, recommendation_tables, scores


@pytest.fixture
def panel(db):
    ana = UserFactory(first_name="Ana", last_name="Lopez")
    ben = UserFactory(first_name="Ben", last_name="Okoro")
    cy = UserFactory(first_name="Cy", last_name="Young")
    loop = make_loop()
    on_panel(loop, ana, (4,) * 7, overall="yes")
    on_panel(loop, ben, (4,) * 7, overall="yes")
    on_panel(loop, cy, (2,) * 7, overall="no")
    recommendation_compute(loop_id=loop.pk)
    return {"loop": loop, "ana": ana, "ben": ben, "cy": cy, "url": reverse("scorecards:committee-loop", args=[loop.pk])}


def test_loop_page_offers_the_what_if_form_without_computing_one(client, panel, committee_member):
    client.force_login(committee_member)
    response = client.get(panel["url"])
    body = response.content.decode()

    assert 'id="what-if-form"' in body and 'method="get"' in body
    for person in ("ana", "ben", "cy"):
        assert f'name="leave_out" value="{panel[person].pk}"' in body
    assert "Ignore the debrief amendment of" not in body  # nobody amended
    assert "What-if · not saved" not in text(response)
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


def test_loop_page_what_if_shows_both_side_by_side_marked_and_saves_nothing(client, panel, committee_member):
    client.force_login(committee_member)
    before = recommendation_tables()

    response = client.get(panel["url"], {"what_if": "1", "leave_out": [panel["cy"].pk]})

    page = text(response)
    assert response.status_code == 200
    assert "What-if · not saved Without Cy Young" in page
    assert "With all current feedback What-if" in page
    assert "Outcome Needs discussion Hire (a different outcome)" in page
    assert "Weighted score (raw) 3.33 4.00" in page
    # No history: no correction, and each side has its interval (its width is the rater model's business).
    assert re.search(r"Leniency-adjusted \(95% interval\) 3\.33 \(\d\.\d\d to \d\.\d\d\) 4\.00 \(", page)
    assert "Scorecards 3 2" in page
    assert "Weighted score 4.00 is at or above the 3.5 hire threshold sets the outcome" in page
    # The box stays ticked, so the next change starts from this one.
    assert re.search(rf'name="leave_out" value="{panel["cy"].pk}"[^>]*checked', response.content.decode())
    assert recommendation_tables() == before
    assert Recommendation.objects.get(loop=panel["loop"]).outcome == "needs_discussion"
    event = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert event.after == {"left_out_interviewer_ids": [panel["cy"].pk], "ignored_amendment_ids": [], "via": "page"}


def test_loop_page_what_if_ignores_an_amendment(client, panel, committee_member):
    loop, cy = panel["loop"], panel["cy"]
    interview = loop.interviews.get(interviewer=cy)
    amended = scorecard_amend(actor=cy, interview_id=interview.pk,
                              data=scorecard_input(interview, scores(*(4,) * 7), overall="yes"),
                              reason="The debrief showed I misread the design answer.")
    recommendation_compute(loop_id=loop.pk)
    client.force_login(committee_member)

    form_page = client.get(panel["url"]).content.decode()
    assert f'name="ignore_amendments" value="{amended.pk}"' in form_page
    response = client.get(panel["url"], {"what_if": "1", "ignore_amendments": [amended.pk]})

    page = text(response)
    assert "ignoring the debrief amendment of Cy Young (revision 2)" in page
    assert "Outcome Hire Needs discussion (a different outcome)" in page


def test_loop_page_what_if_refuses_an_id_not_on_the_loop_and_nothing_asked(client, panel, committee_member):
    client.force_login(committee_member)
    stranger = UserFactory()

    crafted = text(client.get(panel["url"], {"what_if": "1", "leave_out": [stranger.pk]}))
    empty = text(client.get(panel["url"], {"what_if": "1"}))

    assert f"Select a valid choice. {stranger.pk} is not one of the available choices." in crafted
    assert "Choose at least one interviewer to leave out or one amendment to ignore." in empty
    assert "What-if · not saved" not in crafted + empty
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


def test_loop_page_what_if_fragment_for_the_script(client, panel, committee_member):
    client.force_login(committee_member)
    response = client.get(panel["url"], {"what_if": "1", "leave_out": [panel["cy"].pk], "partial": "what-if"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Record the decision" not in body
    assert "What-if · not saved" in text(response)
    # Only the what-if is read there: one audit event, and no scorecard reads.
    assert list(AuditEvent.objects.values_list("action", flat=True).filter(actor=committee_member)) == [AUDIT_ACTION]


def test_loop_page_what_if_refused_to_those_who_may_not_see_the_panel(client, panel):
    owing = UserFactory(kind="committee")
    make_interview(loop=panel["loop"], interviewer=owing, focus=list(ALL_DIMENSIONS))
    ask = {"what_if": "1", "leave_out": [panel["cy"].pk]}
    answers = {}
    for who, user in (("owing committee member", owing), ("submitted interviewer", panel["ana"]),
                      ("recruiter", UserFactory(recruiter=True))):
        client.force_login(user)
        answers[who] = (client.get(panel["url"], ask).status_code,
                        client.get(panel["url"], {**ask, "partial": "what-if"}).status_code)
    assert answers == {"owing committee member": (404, 404), "submitted interviewer": (403, 403),
                       "recruiter": (403, 403)}
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


def test_loop_page_with_what_if_query_count_is_fixed(client, panel, committee_member, django_assert_num_queries):
    """Three panelists or eight: the page with a what-if costs the same number of queries."""
    client.force_login(committee_member)
    ask = {"what_if": "1", "leave_out": [panel["cy"].pk]}
    client.get(panel["url"], ask)
    with CaptureQueriesContext(connection) as small:
        client.get(panel["url"], ask)
    for _ in range(5):
        on_panel(panel["loop"], UserFactory(), (3,) * 7)
    recommendation_compute(loop_id=panel["loop"].pk)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(panel["url"], ask)
    assert "Scorecards 8 7" in text(response)
