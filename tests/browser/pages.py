"""The pages the accessibility audit visits, built from the URL conf and the demo's data.

Every named URL pattern is either here, with a way to build its address from the demo's rows, or in
EXCLUDED with the reason it is not a page (a POST-only action, a download, JSON). A test fails when a new
pattern is in neither, so a new page cannot escape the audit (tests/browser/test_accessibility.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Whole namespaces that hold no page of Hireloop's own.
EXCLUDED_NAMESPACES = {
    "admin": "Django's own admin site: its templates are Django's, and only admins reach it",
    "api": "the REST API answers JSON, not pages (its documentation page, api-docs, is audited)",
}

POST_ONLY = "a POST-only action: its form lives on an audited page and it answers with a redirect"
EXCLUDED = {
    "logout": POST_ONLY,
    "profile-token-create": POST_ONLY,
    "profile-token-revoke": POST_ONLY,
    "profile-slack-id": POST_ONLY,
    "profile-locale": POST_ONLY,
    "profile-feed-create": POST_ONLY,
    "profile-feed-revoke": POST_ONLY,
    "hiring:loop-assign": POST_ONLY,
    "hiring:loop-candidate-invites": POST_ONLY,
    "scorecards:report-retry": POST_ONLY,
    "exercises:assignment-extend": POST_ONLY,
    "exercises:assignment-reissue": POST_ONLY,
    "integrations:endpoint-enable": POST_ONLY,
    "integrations:endpoint-disable": POST_ONLY,
    "integrations:endpoint-rotate-secret": POST_ONLY,
    "integrations:delivery-redeliver": POST_ONLY,
    "admin-sign-in": "redirects to the sign-in page (audited as login)",
    "oidc-authenticate": "redirects to the company's identity provider",
    "oidc-callback": "the identity provider's return address: it redirects, it shows nothing",
    "hiring:calendar-feed": "an iCalendar file for calendar apps",
    "hiring:audit-export": "a CSV download",
    "scorecards:report-status": "JSON polled by the report page's script",
    "scorecards:report-chart": "an SVG image embedded in the report page (audited there)",
    "scorecards:report-download": "a file download (PDF, CSV, XLSX, JSON)",
    "exercises:submission-download": "a file download (the candidate's zip)",
    "outcomes:validity-download": "a file download (the validity report as PDF, CSV, XLSX or JSON)",
    "scorecards:interview-notes": POST_ONLY,
    "scorecards:question-retire": POST_ONLY,
    "scorecards:rubric-discard": POST_ONLY,
    "api-schema": "the OpenAPI document (YAML/JSON); its page is api-docs",
}


def named_patterns() -> Iterator[str]:
    """Every named URL pattern of the project, namespaced like ``reverse`` wants it."""

    def walk(patterns: list, prefix: str) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                namespace = entry.namespace
                if namespace in EXCLUDED_NAMESPACES:
                    continue
                yield from walk(entry.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{prefix}{entry.name}"

    yield from walk(get_resolver().url_patterns, "")


@dataclass
class Demo:
    """The rows the audited addresses point at (filled by ``demo_rows`` after seed_demo)."""

    interviewer: str  # the interviewer whose pages are audited
    open_interview: int  # one of theirs with no submitted scorecard: the form
    submitted_interview: int  # one of theirs with a submitted scorecard: read-only page, amend, panel
    candidate: int
    loop: int  # a loop with interviews, scorecards and a recommendation
    decided_loop: int
    interview: int  # an interview of ``loop`` still to come (reassign, reschedule, cancel)
    rubric_slug: str
    role_slug: str
    exercise: int
    assignment: int
    take_home_token: str
    report: int
    endpoint: int
    delivery: int
    hire_loop: int  # decided "hire", start date recorded, managed by ``interviewer``
    open_checkin: int  # a check-in of that hire that is due: the manager's form
    submitted_checkin: int  # one the manager has submitted: the read-only ratings
    role: int  # the role of ``loop`` (outcome set-up)
    validity_report: int  # a finished validity report of the hire's role
    question: int  # a question in the bank of ``rubric_slug``'s role
    # ``rubric_slug``'s role also has an open rubric draft, so the review page has something to show.


# url name -> the addresses to audit (several when one view has distinct states worth auditing).
AUDITED: dict[str, Callable[[Demo], list[str]]] = {
    "home": lambda d: [reverse("home")],
    "login": lambda d: [reverse("login")],
    "profile": lambda d: [reverse("profile")],
    "api-docs": lambda d: [reverse("api-docs")],
    "hiring:pipeline": lambda d: [reverse("hiring:pipeline")],
    "hiring:candidate-list": lambda d: [reverse("hiring:candidate-list")],
    "hiring:candidate-create": lambda d: [reverse("hiring:candidate-create")],
    "hiring:candidate-detail": lambda d: [reverse("hiring:candidate-detail", args=[d.candidate])],
    "hiring:candidate-edit": lambda d: [reverse("hiring:candidate-edit", args=[d.candidate])],
    "hiring:candidate-summary": lambda d: [reverse("hiring:candidate-summary", args=[d.candidate])],
    "hiring:loop-create": lambda d: [reverse("hiring:loop-create")],
    "hiring:loop-detail": lambda d: [reverse("hiring:loop-detail", args=[d.loop]),
                                     reverse("hiring:loop-detail", args=[d.decided_loop])],
    "hiring:loop-withdraw": lambda d: [reverse("hiring:loop-withdraw", args=[d.loop])],
    "hiring:interview-create": lambda d: [reverse("hiring:interview-create", args=[d.loop])],
    "hiring:interview-reassign": lambda d: [reverse("hiring:interview-reassign", args=[d.interview])],
    "hiring:interview-reschedule": lambda d: [reverse("hiring:interview-reschedule", args=[d.interview])],
    "hiring:interview-cancel": lambda d: [reverse("hiring:interview-cancel", args=[d.interview])],
    "hiring:audit-list": lambda d: [reverse("hiring:audit-list")],
    "scorecards:report-list": lambda d: [reverse("scorecards:report-list")],
    "scorecards:report-detail": lambda d: [reverse("scorecards:report-detail", args=[d.report])],
    "scorecards:committee-loops": lambda d: [reverse("scorecards:committee-loops")],
    "scorecards:committee-loop": lambda d: [reverse("scorecards:committee-loop", args=[d.loop]),
                                            reverse("scorecards:committee-loop", args=[d.decided_loop])],
    "scorecards:my-interviews": lambda d: [reverse("scorecards:my-interviews")],
    "scorecards:interview-kit": lambda d: [reverse("scorecards:interview-kit", args=[d.open_interview])],
    "scorecards:scorecard-edit": lambda d: [reverse("scorecards:scorecard-edit", args=[d.open_interview]),
                                            reverse("scorecards:scorecard-edit", args=[d.submitted_interview])],
    "scorecards:scorecard-amend": lambda d: [reverse("scorecards:scorecard-amend", args=[d.submitted_interview])],
    "scorecards:panel": lambda d: [reverse("scorecards:panel", args=[d.submitted_interview]),
                                   reverse("scorecards:panel", args=[d.open_interview])],
    "scorecards:rubric-list": lambda d: [reverse("scorecards:rubric-list")],
    "scorecards:rubric-detail": lambda d: [reverse("scorecards:rubric-detail", args=[d.rubric_slug])],
    "exercises:library": lambda d: [reverse("exercises:library")],
    "exercises:role": lambda d: [reverse("exercises:role", args=[d.role_slug])],
    "exercises:exercise-create": lambda d: [reverse("exercises:exercise-create", args=[d.role_slug])],
    "exercises:exercise-detail": lambda d: [reverse("exercises:exercise-detail", args=[d.exercise])],
    "exercises:exercise-edit": lambda d: [reverse("exercises:exercise-edit", args=[d.exercise])],
    "exercises:assignment-list": lambda d: [reverse("exercises:assignment-list")],
    "exercises:assignment-detail": lambda d: [reverse("exercises:assignment-detail", args=[d.assignment])],
    "exercises:loop-exercises": lambda d: [reverse("exercises:loop-exercises", args=[d.loop])],
    "exercises:assign": lambda d: [reverse("exercises:assign", args=[d.loop])],
    "exercises:attach": lambda d: [reverse("exercises:attach", args=[d.loop])],
    "exercises:take-home": lambda d: [reverse("exercises:take-home", args=[d.take_home_token])],
    "integrations:endpoint-list": lambda d: [reverse("integrations:endpoint-list")],
    "integrations:endpoint-create": lambda d: [reverse("integrations:endpoint-create")],
    "integrations:endpoint-detail": lambda d: [reverse("integrations:endpoint-detail", args=[d.endpoint])],
    "integrations:endpoint-edit": lambda d: [reverse("integrations:endpoint-edit", args=[d.endpoint])],
    "integrations:endpoint-delete": lambda d: [reverse("integrations:endpoint-delete", args=[d.endpoint])],
    "integrations:delivery-detail": lambda d: [reverse("integrations:delivery-detail", args=[d.delivery])],
    "outcomes:checkins": lambda d: [reverse("outcomes:checkins")],
    "outcomes:checkin": lambda d: [reverse("outcomes:checkin", args=[d.open_checkin]),
                                   reverse("outcomes:checkin", args=[d.submitted_checkin])],
    "outcomes:hire-start": lambda d: [reverse("outcomes:hire-start", args=[d.loop]),
                                      reverse("outcomes:hire-start", args=[d.hire_loop])],
    "outcomes:setup": lambda d: [reverse("outcomes:setup", args=[d.role])],
    "outcomes:validity": lambda d: [reverse("outcomes:validity")],
    "outcomes:validity-detail": lambda d: [reverse("outcomes:validity-detail", args=[d.validity_report])],
    "scorecards:loop-questions": lambda d: [reverse("scorecards:loop-questions", args=[d.loop])],
    "scorecards:question-list": lambda d: [reverse("scorecards:question-list")],
    "scorecards:question-create": lambda d: [reverse("scorecards:question-create", args=[d.rubric_slug])],
    "scorecards:question-edit": lambda d: [reverse("scorecards:question-edit", args=[d.question])],
    "scorecards:rubric-edit": lambda d: [reverse("scorecards:rubric-edit", args=[d.rubric_slug])],
    "scorecards:rubric-review": lambda d: [reverse("scorecards:rubric-review", args=[d.rubric_slug])],
}

# Pages no URL name leads to: the error pages, each met as a signed-in user would meet it.
ERROR_PAGES = {"403": "hiring:pipeline", "404": "/no-such-page/"}
