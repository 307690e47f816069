"""Issue 21 in a real browser: a recruiter picks questions for two interviewers and each sees only theirs in the
kit; evidence such as "great culture fit, very smart" is flagged while the interviewer types, by the same rules
(tests/scorecards/evidence_cases.json) the server applies at submit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from scorecards.questions.seed import questions_seed
from scorecards.questions.selectors import loop_question_plan
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import fixture_spec

pytestmark = pytest.mark.browser

CASES = json.loads((Path(__file__).parents[1] / "scorecards" / "evidence_cases.json").read_text())


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_browser_recruiter_picks_questions_and_each_interviewer_sees_only_theirs(
    page: Page, live_server, sign_in, screenshot
):
    recruiter = UserFactory(kind="recruiter", username="rosa")
    loop = make_loop(recruiter=recruiter)
    questions_seed(role=loop.role, spec=fixture_spec(loop.role.slug))
    ann = make_interview(loop=loop, interviewer=UserFactory(username="ann"), focus=["Software engineering"])
    bob = make_interview(loop=loop, interviewer=UserFactory(username="bob"), focus=["Software engineering"])
    plan = loop_question_plan(loop)
    first, second = plan.rows[0].candidates[0], plan.rows[0].candidates[1]

    sign_in("rosa")
    page.goto(f"{live_server.url}/loops/{loop.pk}/")
    page.get_by_role("link", name="Questions for the panel").click()
    page.locator(f"#pick-{ann.pk}-{first.pk}").check()
    page.locator(f"#pick-{ann.pk}-{second.pk}").check()
    page.locator(f"#pick-{bob.pk}-{second.pk}").check()
    page.get_by_role("button", name="Save questions").click()
    expect(page.locator("#shared-warning")).to_contain_text("Panelists share questions")
    page.locator(f"#pick-{ann.pk}-{second.pk}").uncheck()
    page.get_by_role("button", name="Save questions").click()
    expect(page.locator("#shared-warning")).to_have_count(0)
    screenshot("plan")
    _sign_out(page)

    for username, interview, mine, theirs in (("ann", ann, first, second), ("bob", bob, second, first)):
        sign_in(username)
        page.goto(f"{live_server.url}/interviews/{interview.pk}/kit/")
        questions = page.locator("#kit-questions .kit-question")
        expect(questions).to_have_count(1)
        expect(questions.first).to_contain_text(mine.text[:40])
        expect(page.locator("#kit-questions")).not_to_contain_text(theirs.text[:40])
        _sign_out(page)


def test_browser_evidence_is_flagged_while_typing(page: Page, live_server, sign_in, screenshot):
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(username="ivo"), focus=["Software engineering"])
    sign_in("ivo")
    page.goto(f"{live_server.url}/interviews/{interview.pk}/scorecard/")
    box = page.get_by_label("Evidence for Software engineering")
    box.press_sequentially("great culture fit, very smart", delay=10)
    hints = page.locator(f"#{box.get_attribute('id')}_hints")
    expect(hints).to_be_visible()
    expect(hints.locator("[data-rule=culture_fit]")).to_contain_text("Instead:")
    expect(hints.locator("[data-rule=only_adjectives]")).to_contain_text("smart")
    screenshot("evidence-hints")
    box.fill("")
    box.press_sequentially("Wrote the join, checked for duplicate rows and explained the weekly count.", delay=1)
    expect(hints).to_be_hidden()
    # The same cases as the server's tests, through the page's JavaScript.
    for case in CASES:
        got = page.evaluate("text => window.hireloopEvidence.check(text).map(f => f.rule)", case["text"])
        assert got == case["rules"], case["text"]
