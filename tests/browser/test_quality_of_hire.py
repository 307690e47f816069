"""A manager fills in a 90-day check-in from the emailed link; the committee then opens the validity report."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from outcomes.models import CheckIn
from outcomes.notifications import checkins_send_due
from tests.hiring.factories import UserFactory
from tests.outcomes.helpers import make_hire

pytestmark = pytest.mark.browser

START = date(2026, 1, 5)


def test_browser_manager_check_in_from_the_email_then_the_committee_report(
    page: Page, live_server, sign_in, screenshot, settings
):
    settings.SITE_URL = live_server.url
    manager = UserFactory(username="manny", first_name="Manny")
    hire = make_hire(manager=manager, start=START)
    UserFactory(committee=True, username="cora")
    mail.outbox.clear()
    due = START + timedelta(days=90)
    assert checkins_send_due(now=datetime(due.year, due.month, due.day, 9, tzinfo=UTC)) == 1

    # 1. The link in the manager's email, followed after signing in.
    [email] = mail.outbox
    link = re.search(r"http://\S+/outcomes/checkins/\d+/", str(email.body))
    assert link is not None
    sign_in("manny")
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name=re.compile("90d check-in"))).to_be_visible()
    expect(page.get_by_text("30/60/90-day delivery ownership (Main goals (from the document))")).to_be_visible()

    # 2. Submitting without a rating is refused, field by field; nothing is lost.
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.get_by_text("Choose a rating from 1 to 5.")).to_be_visible()
    screenshot("1-refused")

    # 3. The manager rates and submits.
    page.get_by_role("group", name="Overall performance").get_by_label("4 – Above expectations").check()
    page.get_by_role("group", name="30/60/90-day delivery ownership (Main goals (from the document))").get_by_label(
        "5 – Well above expectations").check()
    page.get_by_role("group", name=re.compile("would you hire them again")).get_by_label("Yes").check()
    page.get_by_role("group", name="Are they still in the role?").get_by_label("Yes").check()
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.get_by_text("Thank you: the check-in is recorded.")).to_be_visible()
    checkin = CheckIn.objects.get(hire=hire, label="90d")
    assert (checkin.status, checkin.performance, checkin.would_hire_again) == ("submitted", 4, True)
    screenshot("2-submitted")

    # 4. The committee opens the validity report from the navigation.
    page.context.clear_cookies()
    sign_in("cora")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quality of hire").click()
    page.get_by_label("Role").select_option(label=hire.loop.role.title)
    page.get_by_label("Check-in").fill("90d")
    page.get_by_role("button", name="Request report").click()
    expect(page.get_by_role("heading", name=f"Validity report: {hire.loop.role.title}")).to_be_visible()
    expect(page.get_by_role("heading", name="Predictors of performance")).to_be_visible()
    expect(page.locator("p.notice").get_by_text("Only 1 hires have an outcome")).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    screenshot("3-report")
