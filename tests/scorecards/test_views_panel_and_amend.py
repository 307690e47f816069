"""The panel's feedback opens only after one's own submission; amendments after the debrief keep the original."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hiring.models import AuditEvent, InterviewLoop
from scorecards.models import Scorecard
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard
from tests.scorecards.interviewer_helpers import ML, SE, close_loop, dimension, scorecard_state

pytestmark = pytest.mark.django_db

# Session, user, the interview (with its loop; then its focus dimensions, the rubric's dimensions and signals),
# the visibility check, the panel's scorecards with their ratings and signals, the interviews still pending,
# and one insert auditing the reads of the others' scorecards.
PANEL_QUERIES = 12


@pytest.fixture
def loop():
    return make_loop()


@pytest.fixture
def mine(loop, interviewer):
    return make_interview(loop=loop, interviewer=interviewer)


@pytest.fixture
def colleague_card(loop):
    return submit_scorecard(make_interview(loop=loop), evidence="COLLEAGUE-EVIDENCE", summary="COLLEAGUE-SUMMARY")


def panel_url(interview) -> str:
    return reverse("scorecards:panel", args=[interview.pk])


def amend_url(interview) -> str:
    return reverse("scorecards:scorecard-amend", args=[interview.pk])


def test_views_panel_locked_before_own_submission(client, interviewer, mine, colleague_card):
    """Before submitting, the panel page says what to do and shows nothing of anyone's feedback."""
    save_draft(mine, {SE: 3}, evidence="MY-DRAFT")
    client.force_login(interviewer)
    response = client.get(panel_url(mine))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Submit your own feedback first" in html
    assert "COLLEAGUE" not in html
    assert colleague_card.interviewer.display_name not in html


def test_views_panel_open_after_own_submission(client, interviewer, loop, mine, colleague_card):
    """After submitting, the interviewer reads the panel's submitted scorecards, side by side, not drafts."""
    drafting = make_interview(loop=loop)
    save_draft(drafting, {SE: 1}, evidence="DRAFT-OF-ANOTHER")
    submit_scorecard(mine, {SE: 4, ML: 2}, overall="no")
    client.force_login(interviewer)

    response = client.get(panel_url(mine))

    assert response.status_code == 200
    html = response.content.decode()
    assert "COLLEAGUE-EVIDENCE" in html
    assert "COLLEAGUE-SUMMARY" in html
    assert "DRAFT-OF-ANOTHER" not in html
    assert f"Still waiting for feedback from: <bdi>{drafting.interviewer.display_name}</bdi>" in html
    assert [card.pk for card in response.context["scorecards"]] == [
        card.pk for card in Scorecard.objects.filter(status="submitted").order_by("interview__starts_at", "pk")
    ]
    se_row = [ratings for dim, ratings in response.context["matrix"] if dim.name == SE][0]
    assert sorted(r.score for r in se_row if r) == [3, 4]


def test_views_panel_someone_elses_interview_not_found(client, mine, colleague_card):
    """A colleague on another loop cannot reach this loop's panel through an interview not theirs."""
    client.force_login(UserFactory())
    assert client.get(panel_url(mine)).status_code == 404


@pytest.mark.parametrize("panel_size", [2, 6])
def test_views_panel_query_count_fixed(client, django_assert_num_queries, interviewer, loop, mine, panel_size):
    """The panel costs the same queries for two scorecards and for six."""
    for _ in range(panel_size - 1):
        submit_scorecard(make_interview(loop=loop))
    submit_scorecard(mine)
    client.force_login(interviewer)
    with django_assert_num_queries(PANEL_QUERIES):
        response = client.get(panel_url(mine))
    assert len(response.context["scorecards"]) == panel_size


# --- Amendments ---------------------------------------------------------------------------


def test_views_amend_before_debrief_refused(client, interviewer, loop, mine):
    """While a colleague's feedback is still due, the amend page explains and offers no form."""
    make_interview(loop=loop)
    submit_scorecard(mine)
    client.force_login(interviewer)
    response = client.get(amend_url(mine))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Amendments open after the debrief" in html
    assert "<textarea" not in html
    detail = client.get(reverse("scorecards:scorecard-edit", args=[mine.pk])).content.decode()
    assert "Amend after the debrief" not in detail


def test_views_amend_of_draft_redirects_to_form(client, interviewer, mine):
    """A draft has nothing to amend: the page sends the interviewer back to finish it."""
    save_draft(mine, {SE: 3})
    client.force_login(interviewer)
    response = client.get(amend_url(mine))
    assert response.status_code == 302
    assert response["Location"] == reverse("scorecards:scorecard-edit", args=[mine.pk])


def test_views_amend_page_prefilled_with_submitted_version(client, interviewer, mine, colleague_card):
    """After the debrief: the submitted version read-only, and a form prefilled with it plus the reason."""
    card = submit_scorecard(mine, {SE: 4, ML: None}, overall="yes", evidence="Original evidence")
    client.force_login(interviewer)
    detail = client.get(reverse("scorecards:scorecard-edit", args=[mine.pk])).content.decode()
    assert "Amend after the debrief" in detail

    response = client.get(amend_url(mine))

    assert response.status_code == 200
    html = response.content.decode()
    se, ml = dimension(mine, SE), dimension(mine, ML)
    assert f'name="version" value="{card.version}"' in html
    assert f'id="id_dimension-{se.pk}-score_4" value="4" checked' in html
    assert f'id="id_dimension-{ml.pk}-score_na" value="na" checked' in html
    assert html.count("Original evidence") == 2  # read-only copy and prefilled box
    assert "Why are you amending this scorecard?" in html


def _amend_data(mine, version, *, reason: str, se_score: str = "3") -> dict[str, str]:
    se, ml = dimension(mine, SE), dimension(mine, ML)
    return {
        "version": str(version),
        "reason": reason,
        f"dimension-{se.pk}-score": se_score,
        f"dimension-{se.pk}-evidence": "Rethought after hearing the system design round.",
        f"dimension-{ml.pk}-score": "na",
        "overall": "no",
    }


def test_views_amend_without_reason_refused(client, interviewer, mine, colleague_card):
    """No reason: refused beside the reason field, typed values kept, nothing written."""
    card = submit_scorecard(mine)
    before = scorecard_state(mine)
    client.force_login(interviewer)
    response = client.post(amend_url(mine), _amend_data(mine, card.version, reason="  "))
    assert response.status_code == 400
    assert scorecard_state(mine) == before
    html = response.content.decode()
    assert ('<ul class="errorlist" id="id_reason_errors"><li>Say why you amend the scorecard: what changed.'
            "</li></ul>") in html
    assert ">Rethought after hearing the system design round.</textarea>" in html


def test_views_amend_creates_revision_and_keeps_original(client, interviewer, mine, colleague_card):
    """The amendment is a new revision with its reason; the page shows it and the original, both read-only."""
    card = submit_scorecard(mine, evidence="Original evidence")
    client.force_login(interviewer)

    response = client.post(amend_url(mine), _amend_data(mine, card.version, reason="The debrief changed my view."))

    assert response.status_code == 302
    original, amended = scorecard_state(mine)
    assert (original["revision"], original["is_current"], original["overall"]) == (1, False, "yes")
    assert (amended["revision"], amended["is_current"], amended["overall"]) == (2, True, "no")
    assert amended["reason"] == "The debrief changed my view."
    html = client.get(reverse("scorecards:scorecard-edit", args=[mine.pk])).content.decode()
    assert "Amendment saved as revision 2" in html
    assert "Reason: <bdi>The debrief changed my view.</bdi>" in html
    assert "Original scorecard, submitted" in html
    assert "Original evidence" in html


def test_views_amend_pressed_twice_amends_once(client, interviewer, mine, colleague_card):
    """The amendment form posted twice records one revision and one audit event; both posts land on its page."""
    card = submit_scorecard(mine)
    client.force_login(interviewer)
    data = _amend_data(mine, card.version, reason="The debrief changed my view.")

    first = client.post(amend_url(mine), data)
    second = client.post(amend_url(mine), data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(reverse("scorecards:scorecard-edit", args=[mine.pk]), 302)]
    assert [state["revision"] for state in scorecard_state(mine)] == [1, 2]
    assert AuditEvent.objects.filter(action="scorecard.amended", loop_id=mine.loop_id).count() == 1
    assert "Amendment saved as revision 2" in second.content.decode()


def test_views_amend_stale_refused(client, interviewer, mine, colleague_card):
    """An amendment written from an already amended version is refused; what was typed stays."""
    card = submit_scorecard(mine)
    client.force_login(interviewer)
    client.post(amend_url(mine), _amend_data(mine, card.version, reason="First tab"))
    before = scorecard_state(mine)
    response = client.post(amend_url(mine), _amend_data(mine, card.version, reason="Second tab", se_score="5"))
    assert response.status_code == 409
    assert scorecard_state(mine) == before
    html = response.content.decode()
    assert "Not saved: this scorecard changed since you opened it" in html
    assert ">Second tab</textarea>" in html


def test_views_amend_closed_loop_refused(client, interviewer, mine, colleague_card):
    """After the decision the amend page explains that feedback is final; a post sent from a page opened
    before the decision is refused, keeps what was typed and writes nothing."""
    card = submit_scorecard(mine)
    close_loop(mine.loop, InterviewLoop.Status.DECIDED)
    client.force_login(interviewer)
    page = client.get(amend_url(mine))
    assert page.status_code == 409
    assert "<textarea" not in page.content.decode()
    response = client.post(amend_url(mine), _amend_data(mine, card.version, reason="Late thoughts"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "This loop is closed; its feedback can no longer be amended." in html
    assert ">Late thoughts</textarea>" in html
    assert "Submit amendment" not in html
    assert Scorecard.objects.filter(interview=mine).count() == 1
