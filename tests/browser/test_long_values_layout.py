"""Long unbroken values (a 200-character name, a long email) stay inside the page instead of widening it.

Playwright on Debian's Chromium against the live server, at a laptop's width and a phone's.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop

pytestmark = pytest.mark.browser

LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff" * 6)[:200]  # the longest name allowed, no space to break at


@pytest.fixture
def long_candidate(transactional_db):
    recruiter = UserFactory(recruiter=True, username="rita", first_name="Rita", last_name="Ramos")
    candidate = CandidateFactory(name=LONG_NAME, email=f"{LONG_NAME.lower()[:60]}@example.org")
    loop = make_loop(recruiter=recruiter, candidate=candidate)
    make_interview(loop=loop, interviewer=UserFactory(username="ivy", first_name="Ivy", last_name="Ito"))
    return candidate


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_unbroken_name_does_not_widen_the_recruiter_pages(page: Page, live_server, sign_in, long_candidate,
                                                                 width, screenshot):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("rita")
    for path in (f"/candidates/{long_candidate.pk}/", f"/candidates/{long_candidate.pk}/summary/", "/pipeline/",
                 "/candidates/"):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_text(LONG_NAME[:40]).first.is_visible()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            screenshot(f"{width}-{path.strip('/').replace('/', '-')}")
        assert scroll_width <= width, f"{path} is {scroll_width}px wide in a {width}px window"
