"""In a real browser: a committee member reads a loop's recommendation, opens the evidence, and decides."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hiring.models import InterviewLoop
from scorecards.recommendations.services import recommendation_compute
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = pytest.mark.browser


def test_browser_committee_reads_evidence_and_records_a_decision(
    page: Page, live_server, sign_in, screenshot, committee_member
):
    """Evidence is one click from a score; deciding against the recommendation asks for a justification."""
    loop = make_loop()
    ana = UserFactory(first_name="Ana", last_name="Lopez")
    ben = UserFactory(first_name="Ben", last_name="Ode")
    submit_scorecard(
        make_interview(loop=loop, interviewer=ana, focus=list(ALL_DIMENSIONS)),
        dict.fromkeys(ALL_DIMENSIONS, 4),
        evidence="Designed a retry queue with idempotency keys and explained the failure modes.",
    )
    submit_scorecard(make_interview(loop=loop, interviewer=ben, focus=list(ALL_DIMENSIONS)),
                     dict.fromkeys(ALL_DIMENSIONS, 4))
    recommendation_compute(loop_id=loop.pk)

    sign_in(committee_member.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Committee").click()
    expect(page.get_by_role("heading", name="Hiring committee")).to_be_visible()
    page.get_by_role("link", name=loop.candidate.name).click()

    expect(page.get_by_text("Weighted score 4.00 is at or above the 3.5 hire threshold")).to_be_visible()
    evidence = page.get_by_text("Designed a retry queue with idempotency keys").first
    expect(evidence).to_be_hidden()
    ana_row = page.get_by_role("row").filter(has_text="Ana Lopez")
    ana_row.get_by_label("Score 4, show evidence").first.click()
    expect(evidence).to_be_visible()
    screenshot("loop")

    page.get_by_label("No hire").check()
    page.get_by_label("Rationale").fill("The team's budget for this level was withdrawn.")
    page.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_text("Not hiring goes against the recommendation (hire). Write a justification.")
    ).to_be_visible()
    assert InterviewLoop.objects.get(pk=loop.pk).status == "in_review"

    page.get_by_label("No hire").check()
    page.get_by_label("Justification").fill("Headcount freeze confirmed by finance on the day of the debrief.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()
    expect(page.get_by_text("The recommendation at that moment")).to_be_visible()
    screenshot("decided")
    loop.refresh_from_db()
    assert (loop.status, loop.decision, loop.decided_by) == ("decided", "no_hire", committee_member)
