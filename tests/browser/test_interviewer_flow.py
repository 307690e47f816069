"""The interviewer's day in a real browser: kit, draft, errors, submission, independence, stale tabs.

Driven by Playwright on Debian's Chromium against the live server, on the demo
data (`seed_demo`) so the pages are the ones a new user sees. Screenshots land
in test-artifacts/screenshots/ (desktop and phone widths).
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, ViewportSize, expect

from hiring.management.commands.seed_demo import DEMO_PASSWORD
from hiring.models import Interview, InterviewLoop
from scorecards.models import Scorecard
from tests.conftest import SCREENSHOTS
from tests.hiring.factories import make_interview, make_loop

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
A_EVIDENCE = "Sketched the retrieval pipeline and named the latency budget before writing code."


def _pending_pair() -> tuple[Interview, Interview]:
    """Two ended interviews of one demo loop, by two different demo interviewers, both without feedback."""
    for loop in InterviewLoop.objects.filter(status=InterviewLoop.Status.AWAITING_FEEDBACK).order_by("pk"):
        pending = [
            interview
            for interview in loop.interviews.select_related("interviewer").order_by("starts_at")
            if not Scorecard.objects.filter(interview=interview).exists()
        ]
        if len(pending) >= 2 and pending[0].interviewer_id != pending[1].interviewer_id:
            return pending[0], pending[1]
    raise AssertionError("The demo data has no loop with two interviewers still to give feedback.")


def _score(page: Page, dimension_name: str, value: str) -> None:
    page.get_by_role("group", name=f"Score for {dimension_name}").locator(f"input[value='{value}']").check()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _phone_shot(browser: Browser, live_url: str, username: str, path: str, name: str) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    phone = context.new_page()
    phone.goto(f"{live_url}/accounts/login/")
    phone.get_by_label("Username").fill(username)
    phone.get_by_label("Password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_load_state()
    phone.goto(f"{live_url}{path}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / f"interviewer-phone-{name}.png"), full_page=True)
    # Nothing may overflow sideways on a phone: the page is as wide as the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_browser_interviewer_scorecard_flow(page: Page, browser: Browser, live_server, sign_in, screenshot):
    """Kit, partial draft, reload, refused submit with the error beside the field, submit, read-only;
    a second interviewer of the loop sees none of it until they submit too."""
    call_command("seed_demo", verbosity=0)
    first, second = _pending_pair()
    first_user, second_user = first.interviewer, second.interviewer
    candidate = first.loop.candidate.name
    focus = list(first.focus_dimensions.order_by("position"))
    assert len(focus) >= 2

    # 1. My interviews: the demo interviewer's overdue feedback, with how late it is.
    sign_in(first_user.username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="My interviews")).to_be_visible()
    overdue = page.locator("section.overdue")
    expect(overdue).to_contain_text(candidate)
    expect(overdue).to_contain_text("late")
    screenshot("1-my-interviews")

    # 2. The kit: focus dimensions with anchors, what to assess, signals and red flags.
    page.goto(f"{live_server.url}/interviews/{first.pk}/kit/")
    expect(page.get_by_role("heading", name=re.compile("Interview kit"))).to_be_visible()
    for dimension in focus:
        expect(page.locator(".kit-dimension").filter(has_text=dimension.name)).to_be_visible()
    expect(page.get_by_role("heading", name="What to assess")).to_be_visible()
    expect(page.get_by_text("Red flags", exact=True)).to_be_visible()
    if first.exercise_id:
        assert first.exercise is not None
        expect(page.get_by_role("heading", name=f"Exercise: {first.exercise.title}")).to_be_visible()
    expect(page.get_by_role("button", name="Print kit")).to_be_visible()
    screenshot("2-kit")

    # 3. Part of a scorecard, saved as a draft.
    page.get_by_role("link", name="Write scorecard").click()
    _score(page, focus[0].name, "4")
    page.get_by_label(f"Evidence for {focus[0].name}").fill(A_EVIDENCE)
    strong = first.loop.rubric.signals.filter(kind="strong").first()
    assert strong is not None
    page.get_by_label(strong.text).check()
    expect(page.locator("[data-progress]")).to_contain_text(f"1 of {len(focus)} focus dimensions answered")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(re.compile("Draft saved at"))).to_be_visible()

    # 4. Reloaded, it is exactly as left.
    page.reload()
    group = page.get_by_role("group", name=f"Score for {focus[0].name}")
    expect(group.locator("input[value='4']")).to_be_checked()
    expect(page.get_by_label(f"Evidence for {focus[0].name}")).to_have_value(A_EVIDENCE)
    expect(page.get_by_label(strong.text)).to_be_checked()
    expect(page.get_by_role("group", name="Overall recommendation").locator("input:checked")).to_have_count(0)
    screenshot("3-draft-reloaded")

    # 5. Submit with a score but no evidence on the second dimension: the error sits beside that field.
    _score(page, focus[1].name, "2")
    for dimension in focus[2:]:
        page.get_by_role("group", name=f"Score for {dimension.name}").get_by_label("Not assessed").check()
    page.get_by_role("group", name="Overall recommendation").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Submit scorecard").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("1 problem to fix")
    block = page.locator(f"#dimension-{focus[1].pk}")
    expect(block.locator(".evidence .errorlist")).to_have_text(
        "Give the evidence for this score: what the candidate said or did."
    )
    expect(page.get_by_label(f"Evidence for {focus[1].name}")).to_have_attribute("aria-invalid", "true")
    # Everything typed is still there.
    expect(page.get_by_label(f"Evidence for {focus[0].name}")).to_have_value(A_EVIDENCE)
    expect(block.locator("input[value='2']")).to_be_checked()
    screenshot("4-submit-refused")

    # 6. Completed and submitted: read-only and timestamped.
    page.get_by_label(f"Evidence for {focus[1].name}").fill("Could not say how to detect drift in production.")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_role("heading", name="Submitted — read-only")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Scorecard submitted on \d"))).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit scorecard")).to_have_count(0)
    expect(page.get_by_text(A_EVIDENCE)).to_be_visible()
    screenshot("5-submitted-read-only")
    _sign_out(page)

    # 7. The second interviewer of the loop: nothing of the first one's feedback anywhere before submitting.
    sign_in(second_user.username, DEMO_PASSWORD)
    for path in ("/interviews/", f"/interviews/{second.pk}/kit/", f"/interviews/{second.pk}/scorecard/",
                 f"/interviews/{second.pk}/panel/"):
        page.goto(f"{live_server.url}{path}")
        assert A_EVIDENCE not in page.content(), path
    expect(page.get_by_role("heading", name="Submit your own feedback first")).to_be_visible()
    screenshot("6-panel-locked")
    _phone_shot(browser, live_server.url, second_user.username, f"/interviews/{second.pk}/scorecard/", "form")
    _phone_shot(browser, live_server.url, second_user.username, "/interviews/", "my-interviews")
    _phone_shot(browser, live_server.url, second_user.username, f"/interviews/{second.pk}/kit/", "kit")

    page.goto(f"{live_server.url}/interviews/{second.pk}/scorecard/")
    for dimension in second.focus_dimensions.order_by("position"):
        _score(page, dimension.name, "3")
        page.get_by_label(f"Evidence for {dimension.name}").fill("Explained the trade-offs clearly.")
    page.get_by_role("group", name="Overall recommendation").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_role("heading", name="Submitted — read-only")).to_be_visible()

    # 8. Now the panel opens, with the first interviewer's scorecard in it.
    page.get_by_role("link", name="See the panel's feedback").click()
    expect(page.get_by_role("heading", name="Panel feedback")).to_be_visible()
    expect(page.get_by_text(A_EVIDENCE)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(first_user.display_name))).to_be_visible()
    screenshot("7-panel-after-submitting")
    _phone_shot(browser, live_server.url, second_user.username, f"/interviews/{second.pk}/panel/", "panel")


def test_browser_two_tabs_stale_save_refused(page: Page, live_server, sign_in, screenshot, interviewer):
    """The later of two tabs' saves is refused with a clear message and keeps what that tab typed."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=interviewer)
    dimension = interview.focus_dimensions.order_by("position").first()
    assert dimension is not None
    sign_in(interviewer.username)
    url = f"{live_server.url}/interviews/{interview.pk}/scorecard/"
    page.goto(url)
    other_tab = page.context.new_page()
    other_tab.goto(url)

    page.get_by_label(f"Evidence for {dimension.name}").fill("Typed in the first tab.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(re.compile("Draft saved at"))).to_be_visible()

    other_tab.get_by_label(f"Evidence for {dimension.name}").fill("Typed in the second tab.")
    other_tab.get_by_role("button", name="Save draft").click()
    conflict = other_tab.get_by_role("heading", name="Not saved: this scorecard changed since you opened it")
    expect(conflict).to_be_visible()
    expect(other_tab.get_by_label(f"Evidence for {dimension.name}")).to_have_value("Typed in the second tab.")
    other_tab.screenshot(path=str(SCREENSHOTS / f"{test_browser_two_tabs_stale_save_refused.__name__}-conflict.png"),
                         full_page=True)

    card = Scorecard.objects.get(interview=interview)
    assert [r.evidence for r in card.ratings.all()] == ["Typed in the first tab."]
    assert card.version == 2


def test_browser_keyboard_scoring_and_printable_kit(page: Page, live_server, sign_in, screenshot, interviewer):
    """A score is chosen and its evidence typed with the keyboard alone; the kit prints without navigation,
    with space for notes under each focus dimension."""
    interview = make_interview(loop=make_loop(), interviewer=interviewer)
    dimension = interview.focus_dimensions.order_by("position").first()
    assert dimension is not None
    sign_in(interviewer.username)

    page.goto(f"{live_server.url}/interviews/{interview.pk}/scorecard/")
    group = page.get_by_role("group", name=f"Score for {dimension.name}")
    group.locator("input[value='3']").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(group.locator("input[value='4']")).to_be_checked()
    page.keyboard.press("Tab")
    evidence = page.get_by_label(f"Evidence for {dimension.name}")
    expect(evidence).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    expect(evidence).to_have_value("Typed without a mouse.")

    page.goto(f"{live_server.url}/interviews/{interview.pk}/kit/")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print kit")).to_be_hidden()
    expect(page.locator(".print-notes").first).to_be_visible()
    expect(page.get_by_role("heading", name=dimension.name)).to_be_visible()
    screenshot("kit-print")
