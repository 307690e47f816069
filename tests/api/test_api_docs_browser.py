"""The API reference page renders in a real browser under the site's CSP, at a laptop's and a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_browser_api_docs_render_every_endpoint(page: Page, live_server, screenshot, width) -> None:
    """Every operation of the schema is on the page, with its parameters and responses; nothing is blocked
    and nothing scrolls sideways on a phone."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.get_by_role("heading", name="Hireloop API", level=1)).to_be_visible()
    assert page.locator("[data-api-operation]").count() >= 30
    submit = page.get_by_role("article", name="POST /api/v1/scorecards/{id}/submit/")
    expect(submit).to_have_count(1)
    expect(submit.get_by_role("heading", name="Responses")).to_be_visible()
    expect(page.get_by_role("heading", name="apiToken (http, bearer)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"api-docs-{width}")
    assert problems == []
