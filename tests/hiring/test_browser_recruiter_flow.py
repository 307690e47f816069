"""A recruiter's day in a real browser: candidate, loop, two interviews, then each interviewer's list.

Playwright on Debian's Chromium against the live server. Screenshots land in
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hiring.models import Candidate, Interview, InterviewLoop
from tests.hiring.factories import UserFactory
from tests.scorecards.factories import publish_fixture_rubrics

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db, settings):
    publish_fixture_rubrics(["applied-ai-engineer"])
    return {
        "rita": UserFactory(recruiter=True, username="rita", first_name="Rita", last_name="Ramos"),
        "ivy": UserFactory(username="ivy", first_name="Ivy", last_name="Ito"),
        "omar": UserFactory(username="omar", first_name="Omar", last_name="Okafor"),
    }


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _schedule(page: Page, *, kind: str, interviewer: str, starts: str, ends: str, focus: list[str],
              button: str) -> None:
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Interviewer").select_option(label=interviewer)
    page.get_by_label("Starts").fill(starts)
    page.get_by_label("Ends").fill(ends)
    for name in focus:
        page.get_by_role("group", name=re.compile("Focus dimensions")).get_by_label(re.compile(re.escape(name))).check()
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_recruiter_schedules_two_interviews_that_reach_the_interviewers(page: Page, live_server, sign_in, people,
                                                                        screenshot):
    sign_in("rita")
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()

    # A new candidate, then straight to their loop.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Candidates").click()
    page.get_by_role("link", name="Add a candidate").click()
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Source").fill("Referral")
    page.get_by_role("button", name="Add and open a loop").click()
    expect(page.get_by_role("heading", name="Open a loop for Ada Lovelace")).to_be_visible()
    page.get_by_label("Role").select_option(label="Applied AI Engineer")
    page.get_by_role("button", name="Open loop").click()
    expect(page.get_by_text("Loop opened for Applied AI Engineer (rubric v1)")).to_be_visible()

    # Two interviews, tomorrow and the day after: the second warns that a dimension is left uncovered.
    tomorrow = (timezone.localtime() + timedelta(days=1)).date()
    day_after = tomorrow + timedelta(days=1)
    page.get_by_role("link", name="Schedule an interview").click()
    _schedule(page, kind="Coding", interviewer="Ivy Ito (Interviewer)", starts=f"{tomorrow}T10:00",
              ends=f"{tomorrow}T11:00", button="Schedule and add another",
              focus=["Software engineering", "AI system design", "Applied ML/AI fundamentals",
                     "MLOps/operational readiness"])
    expect(page.get_by_text("Coding with Ivy Ito scheduled.")).to_be_visible()
    _schedule(page, kind="System design", interviewer="Omar Okafor (Interviewer)", starts=f"{day_after}T14:00",
              ends=f"{day_after}T15:30", button="Schedule",
              focus=["Software engineering", "AI system design", "Cost/performance thinking",
                     "Responsible AI / security / privacy"])
    expect(page.get_by_text("System design with Omar Okafor scheduled.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(
        has_text="No interview covers Communication & collaboration.").first).to_be_visible()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Ivy Ito")
    expect(rows.nth(1)).to_contain_text("Omar Okafor")
    screenshot("loop-detail")

    loop = InterviewLoop.objects.get(candidate=Candidate.objects.get(email="ada@example.org"))
    interviews = list(Interview.objects.filter(loop=loop).order_by("starts_at"))
    assert [(i.kind, i.interviewer.username, i.focus_dimensions.count()) for i in interviews] == [
        ("coding", "ivy", 4), ("system_design", "omar", 4)]
    assert [timezone.localtime(i.ends_at).strftime("%H:%M") for i in interviews] == ["11:00", "15:30"]
    assert [i.feedback_due_at - i.ends_at for i in interviews] == [timedelta(hours=24)] * 2

    # The pipeline shows the loop with both interviews to come.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_contain_text("0 done · 2 to come")
    screenshot("pipeline")
    _sign_out(page)

    for username, kind in (("ivy", "Coding"), ("omar", "System design")):
        sign_in(username)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My interviews").click()
        upcoming = page.get_by_role("region", name=re.compile("Upcoming"))
        expect(upcoming.get_by_role("listitem")).to_have_count(1)
        expect(upcoming).to_contain_text("Ada Lovelace")
        expect(upcoming).to_contain_text(kind)
        screenshot(f"my-interviews-{username}")
        _sign_out(page)
