"""Editing a rubric in a real browser: a rubric editor writes anchors for every point, publishes with a note,
and a loop opened afterwards gets the new version while a loop already open keeps the old one.

Playwright on Debian's Chromium against the live server. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from scorecards.models import Rubric
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import rubric_editors_group

pytestmark = pytest.mark.browser

ANCHORS = {
    "1": "Cannot explain how their own code fails; no tests at all.",
    "2": "Happy-path tests only; debugging needs several hints.",
    "3": "Tests the main paths and finds a planted bug unaided.",
    "4": "Tests edge cases first and explains the service's failure modes.",
    "5": "Designs for failure, proves it with tests, and teaches the panel something.",
}


def test_browser_editor_writes_five_anchors_publishes_and_only_new_loops_get_it(
    page: Page, live_server, sign_in, screenshot
):
    old_loop = make_loop(role_slug="applied-ai-engineer")
    assert old_loop.recruiter is not None
    editor = UserFactory(username="eddie", first_name="Eddie", last_name="Rowe")
    editor.groups.add(rubric_editors_group())

    # 1. The editor opens the role's rubric and starts a draft.
    sign_in("eddie")
    page.goto(f"{live_server.url}/rubrics/applied-ai-engineer/")
    page.get_by_role("link", name="Edit this rubric").click()
    expect(page.get_by_role("heading", name=re.compile("Edit the Applied AI Engineer rubric"))).to_be_visible()
    first = page.locator("fieldset.editor-dimension").first
    expect(first.get_by_text("document", exact=True)).to_be_visible()  # point 3 is the document's

    # 2. A mistake is refused beside its field, and nothing is lost.
    first.get_by_label("Weight").fill("30")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("percent weights must add up to 100, they add up to 110")).to_be_visible()
    screenshot("1-refused")

    # 3. Anchors for all five points, then save and review.
    first = page.locator("fieldset.editor-dimension").first
    first.get_by_label("Weight").fill("20")
    for point, text in ANCHORS.items():
        first.get_by_label(f"{point} looks like").fill(text)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    first = page.locator("fieldset.editor-dimension").first
    for point, text in ANCHORS.items():
        expect(first.get_by_label(f"{point} looks like")).to_have_value(text)
    expect(first.locator(".badge.warn", has_text="team")).to_have_count(5)
    screenshot("2-saved")
    page.get_by_role("button", name="Save and review").click()

    # 4. The side-by-side diff; publishing wants a note.
    expect(page.get_by_role("heading", name="Review and publish: Applied AI Engineer")).to_be_visible()
    section = page.locator("tbody", has=page.get_by_text("Dimension: Software engineering"))
    expect(section.locator("td.before", has_text="Writes clean, testable code")).to_be_visible()
    expect(section.locator("td.after", has_text=ANCHORS["5"])).to_be_visible()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("A change note is required.")).to_be_visible()
    page.get_by_label("Change note").fill("Software engineering: anchors for every point, from the debrief.")
    screenshot("3-review")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 published.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Applied AI Engineer v2"))).to_be_visible()
    expect(page.get_by_text("from the debrief")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # 5. A loop opened now gets version 2; the loop opened before keeps version 1.
    candidate = CandidateFactory(name="Mira Costa")
    sign_in(old_loop.recruiter.username)
    page.goto(f"{live_server.url}/loops/new/?candidate={candidate.pk}")
    page.get_by_label("Role").select_option(label="Applied AI Engineer")
    page.get_by_role("button", name="Open loop").click()
    expect(page.get_by_text("rubric v2")).to_be_visible()
    expect(page.get_by_text("Applied AI Engineer v2")).to_be_visible()
    page.goto(f"{live_server.url}/loops/{old_loop.pk}/")
    expect(page.get_by_text("Applied AI Engineer v1")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    new_loop = candidate.loops.get()
    assert new_loop.rubric == Rubric.objects.get(role__slug="applied-ai-engineer", version=2)

    # 6. The new loop's kit shows what each of the five points looks like; the old loop's kit keeps its words.
    interviewer = UserFactory(username="ivan")
    new_interview = make_interview(loop=new_loop, interviewer=interviewer, focus=["Software engineering"])
    old_interview = make_interview(loop=old_loop, interviewer=interviewer, focus=["Software engineering"])
    sign_in("ivan")
    page.goto(f"{live_server.url}/interviews/{new_interview.pk}/kit/")
    kit = page.locator(".kit-dimension", has_text="Software engineering")
    for point, text in ANCHORS.items():
        expect(kit.locator(f"[data-point='{point}']")).to_contain_text(text)
    screenshot("4-new-kit")
    page.goto(f"{live_server.url}/interviews/{old_interview.pk}/kit/")
    kit = page.locator(".kit-dimension", has_text="Software engineering")
    expect(kit.locator("[data-point='3']")).to_contain_text("Writes clean, testable code")
    expect(kit.locator("[data-point='5']")).not_to_contain_text(ANCHORS["5"])
