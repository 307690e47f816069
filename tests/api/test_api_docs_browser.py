"""The API documentation page renders in a real browser, from local assets, under the site's CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_browser_api_docs_render_every_endpoint(page: Page, live_server, screenshot) -> None:
    """Swagger UI loads the live schema and lists the endpoints; no script or style is blocked."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))

    page.goto(f"{live_server.url}/api/docs/")

    # The first request of a process generates the schema (it is kept afterwards): allow it the time.
    expect(page.get_by_role("heading", name="Hireloop API")).to_be_visible(timeout=60_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 30
    assert page.locator(".opblock-summary-path", has_text="/api/v1/scorecards/{id}/submit/").count() == 1
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("apiToken (http, Bearer)")).to_be_visible()
    screenshot("api-docs")
    assert problems == []
