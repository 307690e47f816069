"""A scorecard filled and submitted with the keyboard alone (issue 23).

The test only presses keys: Tab walks the form; Space, the arrow keys and typing fill it; Enter submits.
At every stop the focused control must show a focus ring and must not be hidden under the sticky submit
bar (WCAG 2.4.7, 2.4.11). A blank submission lands on the error summary, each field's error tied to it.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scorecards.models import Scorecard
from tests.hiring.factories import make_interview, make_loop

pytestmark = pytest.mark.browser

# What the focused element is, whether its ring shows (on itself or, for the visually hidden radios, on
# their label) and whether the sticky bar covers any of it.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const ringOf = node => {
    const s = getComputedStyle(node);
    return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  };
  const shown = el.type === "radio" || el.type === "checkbox" ? el.closest("label") || el : el;
  const rect = shown.getBoundingClientRect();
  const bar = document.querySelector(".submit-bar");
  const barTop = bar && getComputedStyle(bar).position === "sticky" ? bar.getBoundingClientRect().top : innerHeight;
  const inBar = bar && bar.contains(el);
  return {tag: el.tagName, type: el.type || "", name: el.name || "", value: el.value || "", id: el.id,
          text: (el.innerText || "").trim(), ring: ringOf(el) || ringOf(shown),
          hidden: !inBar && (rect.bottom > barTop + 1 || rect.top < 0), bottom: rect.bottom, barTop};
}"""


def tab(page: Page) -> dict[str, Any]:
    page.keyboard.press("Tab")
    state = page.evaluate(FOCUS_STATE)
    assert state["ring"], f"no visible focus ring on {state}"
    assert not state["hidden"], f"focused control hidden by the sticky submit bar: {state}"
    return state


def test_browser_keyboard_only_scorecard_submission(page: Page, live_server, sign_in, interviewer):
    """Tab through the whole form at a laptop's size (the submit bar is sticky there), scoring the first
    focus dimension 4, marking the second "Not assessed", ticking a signal, choosing an overall and
    submitting with Enter."""
    interview = make_interview(loop=make_loop(), interviewer=interviewer)
    sign_in(interviewer.username)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{live_server.url}/interviews/{interview.pk}/scorecard/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    scored = not_assessed = ticked = 0
    overall_chosen = False
    for _ in range(200):
        state = tab(page)
        if state["type"] == "radio" and state["name"].endswith("-score"):
            if scored == 0:
                page.keyboard.press("Space")  # the first option, 1
                for _ in range(3):
                    page.keyboard.press("ArrowRight")  # ... to 4
                scored += 1
            elif not_assessed == 0:
                page.keyboard.press("ArrowLeft")  # from the first option round to the last: Not assessed
                after = page.evaluate(FOCUS_STATE)
                assert after["value"] == "na" and after["ring"], f"'Not assessed' shows no focus ring: {after}"
                not_assessed += 1
        elif state["tag"] == "TEXTAREA" and "evidence" in state["name"] and scored == 1 and not_assessed == 0:
            page.keyboard.type("Explained each trade-off before choosing.")
        elif state["type"] == "checkbox" and ticked == 0:
            page.keyboard.press("Space")
            ticked += 1
        elif state["type"] == "radio" and state["name"] == "overall" and not overall_chosen:
            page.keyboard.press("Space")  # the first choice, Strong no ...
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")  # ... then Yes
            overall_chosen = True
        elif state["tag"] == "BUTTON" and state["text"] == "Submit scorecard":
            break
    else:
        pytest.fail("Tab never reached the Submit scorecard button")
    assert (scored, not_assessed, ticked, overall_chosen) == (1, 1, 1, True)

    page.keyboard.press("Enter")
    expect(page.get_by_text("Scorecard submitted on")).to_be_visible()
    card = Scorecard.objects.get(interview=interview, is_current=True)
    assert card.status == Scorecard.Status.SUBMITTED
    assert card.overall == "yes"
    assert sorted((r.score, r.evidence) for r in card.ratings.all() if r.score) == [
        (4, "Explained each trade-off before choosing.")]
    assert card.observed_signals.count() == 1


def test_browser_blank_submission_focuses_the_error_summary(page: Page, live_server, sign_in, interviewer):
    """Submitting nothing: focus lands on the error summary (announced as an alert), each of its links
    leads to a field whose error is tied to it with aria-describedby."""
    interview = make_interview(loop=make_loop(), interviewer=interviewer)
    sign_in(interviewer.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/interviews/{interview.pk}/scorecard/")
    submit = page.get_by_role("button", name="Submit scorecard")
    submit.focus()
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has_text="to fix before this can be submitted")
    expect(summary).to_be_focused()
    targets = summary.get_by_role("link").evaluate_all("links => links.map(a => a.hash.slice(1))")
    assert targets
    for target in targets:
        described = page.evaluate(
            """id => { const el = document.getElementById(id);
                       const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
                       return ids.map(i => (document.getElementById(i) || {}).className || "missing"); }""",
            target,
        )
        assert "errorlist" in described, f"#{target}'s error is not tied to it: {described}"
