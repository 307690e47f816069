"""In a real browser: a committee member ticks an interviewer to leave out and reads the what-if beside the real
recommendation at once; without script the same form works with its button. Nothing is stored."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from hiring.models import AuditEvent
from scorecards.models import Recommendation
from scorecards.recommendations.loop_whatif import AUDIT_ACTION
from scorecards.recommendations.services import recommendation_compute
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = pytest.mark.browser


@pytest.fixture
def loop(db):
    """Ana and Ben say 4, Cy says 2: two points apart, so the panel needs a discussion; without Cy, a hire."""
    loop = make_loop()
    for first, last, score, overall in (("Ana", "Lopez", 4, "yes"), ("Ben", "Okoro", 4, "yes"),
                                        ("Cy", "Young", 2, "no")):
        person = UserFactory(first_name=first, last_name=last)
        submit_scorecard(make_interview(loop=loop, interviewer=person, focus=list(ALL_DIMENSIONS)),
                         dict.fromkeys(ALL_DIMENSIONS, score), overall=overall)
    recommendation_compute(loop_id=loop.pk)
    return loop


def test_browser_what_if_at_once_with_script(page: Page, live_server, sign_in, screenshot, committee_member, loop):
    stored = Recommendation.objects.get(loop=loop)
    sign_in(committee_member.username)
    page.goto(f"{live_server.url}/committee/loops/{loop.pk}/")
    what_if = page.locator("#what-if")
    expect(what_if.get_by_role("heading", name=re.compile("What if"))).to_be_visible()

    what_if.get_by_label("Cy Young").check()  # no button pressed: the script asks at once

    table = what_if.locator("[data-what-if-result]")
    expect(table).to_be_visible()
    expect(table).to_contain_text("What-if · not saved Without Cy Young")
    expect(table.get_by_role("row", name=re.compile("^Outcome "))).to_contain_text("Needs discussion")
    expect(table.get_by_role("row", name=re.compile("^Outcome "))).to_contain_text("Hire (a different outcome)")
    expect(table.get_by_role("row", name=re.compile(r"^Weighted score \(raw\)"))).to_contain_text("3.33 4.00")
    expect(table.get_by_role("row", name=re.compile("^Leniency-adjusted"))).to_contain_text(" to ")
    assert f"leave_out={loop.interviews.get(interviewer__first_name='Cy').interviewer_id}" in page.url
    screenshot("what-if")

    what_if.get_by_label("Cy Young").uncheck()
    expect(table).to_be_hidden()

    # The real recommendation stays as it was stored; the what-if was read once, by ids.
    assert Recommendation.objects.get(loop=loop).fingerprint == stored.fingerprint
    assert Recommendation.objects.get(loop=loop).outcome == "needs_discussion"
    assert AuditEvent.objects.filter(action=AUDIT_ACTION, actor=committee_member).count() == 1
    expect(page.locator(".recommendation .outcome")).to_contain_text("Needs discussion")


def test_browser_what_if_without_script(browser: Browser, live_server, committee_member, loop):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(committee_member.username)
        page.get_by_label("Password").fill("hireloop-test")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/committee/loops/{loop.pk}/")
        what_if = page.locator("#what-if")
        what_if.get_by_label("Cy Young").check()
        expect(what_if.locator("[data-what-if-result]")).to_have_count(0)  # nothing happens until the button

        what_if.get_by_role("button", name="Show the what-if").click()

        table = page.locator("#what-if [data-what-if-result]")
        expect(table).to_contain_text("What-if · not saved Without Cy Young")
        expect(table.get_by_role("row", name=re.compile("^Outcome "))).to_contain_text("Hire (a different outcome)")
        expect(page.locator("#what-if").get_by_label("Cy Young")).to_be_checked()
    finally:
        context.close()
    assert Recommendation.objects.get(loop=loop).outcome == "needs_discussion"
