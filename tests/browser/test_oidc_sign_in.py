"""Signing in with the company's identity provider, in a real browser, with passwords switched off.

Playwright on Debian's Chromium against the live server and a real OpenID
provider (oidc-provider on 127.0.0.1): the person presses "Sign in with Test
IdP", signs in on the provider's own login page, and lands on Hireloop's start
page for their role. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hiring.models import User
from tests.integration.oidc_provider import GROUPS, configure_hireloop

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_browser_oidc_sign_in_lands_a_new_recruiter_on_the_pipeline(
    page: Page, live_server, transactional_db, start_oidc_provider, settings, screenshot
):
    """A recruiter unknown to Hireloop signs in at the provider and arrives on the pipeline as a recruiter."""
    provider = start_oidc_provider(redirect_uris=[f"{live_server.url}/accounts/oidc/callback/"])
    configure_hireloop(settings, provider.issuer)
    settings.HIRELOOP_PASSWORD_LOGIN = False
    provider.set_account("rosa", email="rosa.rivera@example.com", email_verified=True, given_name="Rosa",
                         family_name="Rivera", groups=[GROUPS["recruiter"]])
    # The provider's development login page imports a web font; there is no network to fetch it from.
    page.route(re.compile(r"^https://fonts\."), lambda route: route.abort())

    page.goto(f"{live_server.url}/pipeline/")
    expect(page.get_by_role("link", name="Sign in with Test IdP")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    screenshot("sign-in-page")
    page.get_by_role("link", name="Sign in with Test IdP").click()

    page.wait_for_url(re.compile(rf"^{re.escape(provider.issuer)}/interaction/"))
    page.locator("input[name=login]").fill("sub-rosa")
    page.locator("input[name=password]").fill("any password")
    screenshot("provider-login")
    page.get_by_role("button", name="Sign-in").click()

    page.wait_for_url(f"{live_server.url}/pipeline/")
    expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()
    expect(page.locator(".account .who")).to_have_text("Rosa Rivera Recruiter")
    screenshot("signed-in")
    user = User.objects.get(oidc_subject="sub-rosa")
    assert (user.kind, user.email, user.is_active) == ("recruiter", "rosa.rivera@example.com", True)
