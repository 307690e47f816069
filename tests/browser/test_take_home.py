"""A take-home in a real browser: the recruiter sends it, the candidate opens the emailed link and submits.

Playwright on Debian's Chromium against the live server. Screenshots land in
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect

from exercises.models import ExerciseAssignment, ExerciseSubmission
from tests.conftest import SCREENSHOTS
from tests.exercises.factories import zip_bytes
from tests.hiring.factories import CandidateFactory, UserFactory, make_loop

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
LINK = re.compile(r"http://127\.0\.0\.1:8000(/exercises/take-home/[A-Za-z0-9_-]{43}/)")


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path / "media")}}}
    return tmp_path


def test_browser_take_home_from_emailed_link_to_confirmed_submission(
    page: Page, browser: Browser, live_server, sign_in, screenshot, media
):
    loop = make_loop(candidate=CandidateFactory(name="Noor Haddad", email="noor@example.org"))
    assert loop.recruiter is not None
    UserFactory(username="rey", first_name="Rey", last_name="Vance")

    # 1. The recruiter sends the role's take-home from the loop's exercises page.
    sign_in(loop.recruiter.username)
    page.goto(f"{live_server.url}/exercises/loops/{loop.pk}/")
    page.get_by_role("link", name="Send a take-home").click()
    expect(page.get_by_role("heading", name="Send a take-home to Noor Haddad")).to_be_visible()
    due = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=17, minute=0, second=0, microsecond=0)
    page.get_by_label("Deadline").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reviewer").select_option(label="Rey Vance")
    screenshot("1-assign")
    page.get_by_role("button", name="Send the take-home").click()
    expect(page.get_by_text("is on its way to the candidate by email")).to_be_visible()
    expect(page.get_by_text("Awaiting submission")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # 2. The candidate's email carries the private link.
    message = mail.outbox[-1]
    assert message.to == ["noor@example.org"]
    assert isinstance(message.body, str)
    link = LINK.search(message.body)
    assert link is not None
    path = link.group(1)
    assignment = ExerciseAssignment.objects.get()
    assert assignment.due_at == due

    # 3. Opened without an account: the brief, the deadline, the form.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Take-home or live coding", level=1)).to_be_visible()
    expect(page.get_by_text("Build a small inference microservice or pipeline component")).to_be_visible()
    expect(page.locator(".deadline")).to_contain_text(due.strftime("%A %-d %B %Y, 17:00"))
    screenshot("2-candidate-page")

    # 4. A wrong file type is refused beside the field, with what is accepted.
    page.get_by_label("File").set_input_files(
        files=[FilePayload(name="setup.exe", mimeType="application/octet-stream", buffer=b"MZ\x90\x00")])
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".field.has-error .errorlist")).to_have_text(
        "“setup.exe” is not an accepted file type. Accepted: .ipynb, .md, .pdf, .py, .tar.gz, .txt, .zip.")
    assert ExerciseSubmission.objects.count() == 0
    screenshot("3-wrong-type")

    # 5. A zip and a repository URL: confirmed with the time, the file and the repository.
    page.get_by_label("Repository URL").fill("https://github.com/noor-h/inference-service")
    page.get_by_label("File").set_input_files(
        files=[FilePayload(name="solution.zip", mimeType="application/zip", buffer=zip_bytes())])
    page.get_by_label("Note for the reviewers").fill("Run `make test` first.")
    page.get_by_role("button", name="Submit").click()
    confirmation = page.get_by_role("status").filter(has_text="Submission received")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("We received submission #1")
    expect(confirmation).to_contain_text("with the file “solution.zip”")
    expect(confirmation).to_contain_text("the repository https://github.com/noor-h/inference-service")
    screenshot("4-confirmed")
    assert "We received your take-home submission" in mail.outbox[-2].subject

    # 6. A resubmission is kept beside the first, newest first.
    page.get_by_label("Repository URL").fill("https://github.com/noor-h/inference-service-v2")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status")).to_contain_text("We received submission #2")
    history = page.locator("section", has=page.get_by_role("heading", name="Your submissions")).locator("li")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("inference-service-v2")
    expect(history.nth(1)).to_contain_text("solution.zip")
    assert list(ExerciseSubmission.objects.order_by("number").values_list("number", flat=True)) == [1, 2]

    # 7. On a phone the page fits the screen.
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    phone.goto(f"{live_server.url}{path}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "take-home-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    # 8. A wrong token shows a plain refusal.
    page.goto(f"{live_server.url}/exercises/take-home/{'x' * 43}/")
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()

    # 9. The reviewer finds the review in "My interviews" and both versions on the take-home page.
    sign_in("rey")
    page.goto(f"{live_server.url}/interviews/")
    expect(page.get_by_text("Take-home review").first).to_be_visible()
    page.goto(f"{live_server.url}/exercises/take-homes/{assignment.pk}/")
    expect(page.get_by_text("Submitted (2); open until the deadline")).to_be_visible()
    expect(page.get_by_role("link", name="solution.zip")).to_have_attribute(
        "href", f"/exercises/submissions/{ExerciseSubmission.objects.get(number=1).pk}/download/")
    expect(page.get_by_role("link", name="Write the review scorecard")).to_be_visible()
    screenshot("5-reviewer")
