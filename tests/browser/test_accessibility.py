"""WCAG 2.2 AA on every page as every role, at a laptop's width and a phone's (issue 23).

One live server and the demo's data (seed_demo); one browser context per role, signed in once, walks every
page that role can open (tests/browser/pages.py, built from the URL conf). On each page axe-core (bundled
by axe-playwright-python) runs with the WCAG 2.0/2.1/2.2 A and AA rules at 1280 px, the window narrows to
390 px, the page must not scroll sideways, and axe runs again. Everything is collected before asserting,
so one run gives the whole picture; the figures also go to test-artifacts/accessibility-audit.json.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from exercises.models import ExerciseAssignment
from exercises.services.assignments import take_home_reissue_link
from hiring.management.commands.seed_demo import DEMO_PASSWORD
from hiring.models import DomainEvent, Interview, InterviewLoop, User
from integrations.models import Delivery, DeliveryAttempt, Endpoint
from integrations.services.endpoints import EndpointInput, endpoint_create
from scorecards.models import CalibrationReport, Scorecard
from tests.browser.pages import AUDITED, ERROR_PAGES, EXCLUDED, EXCLUDED_NAMESPACES, Demo, named_patterns
from tests.conftest import REPO, SCREENSHOTS

pytestmark = pytest.mark.browser

WIDE, PHONE = 1280, 390
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
REPORT = REPO / "test-artifacts" / "accessibility-audit.json"
# The pages whose phone layout the closing note of issue 23 shows.
PHONE_SHOTS = {"hiring:pipeline": "pipeline", "hiring:loop-detail": "loop", "scorecards:scorecard-edit": "scorecard"}
OPEN_LOOPS = [InterviewLoop.Status.OPEN, InterviewLoop.Status.AWAITING_FEEDBACK, InterviewLoop.Status.IN_REVIEW]
# Pages drawn by a script after loading: what to wait for before auditing them.
READY = {"api-docs": ".opblock, [data-api-operation]"}
ROLES = ["anonymous", "interviewer", "recruiter", "committee", "admin"]


def test_every_named_page_is_audited_or_excluded_with_a_reason():
    """A new URL pattern must join the audit list (tests/browser/pages.py) or be excluded there, saying why."""
    names = set(named_patterns())
    missing = sorted(names - set(AUDITED) - set(EXCLUDED))
    assert not missing, f"URL patterns neither audited nor excluded: {missing}"
    stale = sorted((set(AUDITED) | set(EXCLUDED)) - names)
    assert not stale, f"The audit list names patterns that no longer exist: {stale}"
    assert all(reason.strip() for reason in [*EXCLUDED.values(), *EXCLUDED_NAMESPACES.values()])


def demo_rows() -> Demo:
    """Pick, in the seeded demo, rows in the states worth auditing."""
    submitted = Scorecard.objects.filter(interview=OuterRef("pk"), is_current=True, status=Scorecard.Status.SUBMITTED)
    interviews = Interview.objects.annotate(done=Exists(submitted)).select_related("loop", "interviewer")
    interviewer = next(
        user for user in User.objects.filter(kind=User.Kind.INTERVIEWER).order_by("username")
        if interviews.filter(interviewer=user, done=True, loop__status__in=OPEN_LOOPS).exists()
        and interviews.filter(interviewer=user, done=False, loop__status__in=OPEN_LOOPS).exists()
    )
    review = InterviewLoop.objects.filter(candidate__email="bea.novak@example.org").get()
    decided = InterviewLoop.objects.filter(candidate__email="alex.morgan@example.org").get()
    scheduled = InterviewLoop.objects.filter(candidate__email="fatima.zahra@example.org").get()
    assignment = ExerciseAssignment.objects.order_by("pk").first()
    assert assignment is not None
    recruiter = User.objects.get(username="recruiter")
    _, token = take_home_reissue_link(actor=recruiter, assignment_id=assignment.pk)
    delivery = Delivery.objects.order_by("pk").first()
    assert delivery is not None, "the demo's events made no webhook delivery"
    return Demo(
        interviewer=interviewer.username,
        open_interview=interviews.filter(interviewer=interviewer, done=False,
                                         loop__status__in=OPEN_LOOPS).order_by("pk")[0].pk,
        submitted_interview=interviews.filter(interviewer=interviewer, done=True,
                                              loop__status__in=OPEN_LOOPS).order_by("pk")[0].pk,
        candidate=review.candidate_id,
        loop=review.pk,
        decided_loop=decided.pk,
        interview=scheduled.interviews.order_by("pk")[0].pk,
        rubric_slug=review.role.slug,
        role_slug=assignment.exercise.role.slug,
        exercise=assignment.exercise_id,
        assignment=assignment.pk,
        take_home_token=token,
        report=CalibrationReport.objects.latest("pk").pk,
        endpoint=delivery.endpoint_id,
        delivery=delivery.pk,
    )


@pytest.fixture
def demo(transactional_db, settings, tmp_path) -> Demo:
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 200
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = True
    settings.HIRELOOP_WEBHOOK_REQUIRE_HTTPS = False
    call_command("seed_demo", verbosity=0)
    endpoint = endpoint_create(actor=User.objects.get(username="admin"), kind=Endpoint.Kind.WEBHOOK,
                               data=EndpointInput(name="ATS sync", url="http://127.0.0.1:9/hireloop",
                                                  events=["scorecard.submitted"])).endpoint
    # The demo's events came before the endpoint: one delivery that failed once, as the log would show it.
    now = timezone.now()
    delivery = Delivery.objects.create(
        endpoint=endpoint, event=DomainEvent.objects.filter(kind="scorecard.submitted").earliest("pk"),
        state=Delivery.State.PENDING, attempts=1, last_attempt_at=now, last_error="Connection refused",
        next_attempt_at=now + timedelta(minutes=1))
    DeliveryAttempt.objects.create(delivery=delivery, number=1, started_at=now, succeeded=False,
                                   error="Connection refused")
    return demo_rows()


class Audit:
    """What the walk found: pages audited, axe's violations, pages wider than the phone."""

    def __init__(self) -> None:
        self.pages: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.seconds: dict[str, float] = {}  # cumulative, per role: where the audit's time goes
        self.axe_seconds = 0.0

    def record(self, role: str, name: str, path: str, width: int, violations: list[dict[str, Any]],
               overflow: int = 0) -> None:
        self.pages.append({"role": role, "name": name, "path": path, "width": width, "overflow": overflow,
                           "violations": [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                                           "targets": [n["target"] for n in v["nodes"][:5]],
                                           "summary": v["nodes"][0].get("failureSummary", "")[:300]}
                                          for v in violations]})

    def write(self) -> None:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps({"summary": self.summary(), "pages": self.pages}, indent=1))

    def summary(self) -> dict[str, Any]:
        by_impact: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        nodes_by_rule: Counter[str] = Counter()
        failing: dict[str, set[str]] = defaultdict(set)
        for page in self.pages:
            for violation in page["violations"]:
                by_impact[violation["impact"]] += 1
                by_rule[violation["id"]] += 1
                nodes_by_rule[violation["id"]] += violation["nodes"]
                failing[violation["id"]].add(page["path"])
        return {
            "audits": len(self.pages),
            "pages": len({(p["role"], p["path"]) for p in self.pages}),
            "distinct_addresses": len({p["path"] for p in self.pages}),
            "audits_with_violations": sum(1 for p in self.pages if p["violations"]),
            "violations_by_impact": dict(by_impact),
            "violations_by_rule": dict(by_rule),
            "nodes_by_rule": dict(nodes_by_rule),
            "pages_by_rule": {rule: sorted(paths) for rule, paths in failing.items()},
            "seconds_after_role": self.seconds,
            "seconds_in_axe": round(self.axe_seconds, 1),
            "overflowing_at_390": sorted({f"{p['role']} {p['path']} (+{p['overflow']}px)"
                                          for p in self.pages if p["overflow"] > 0}),
        }


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # axe is loaded into every document by the context's init script (see ``audit_context``): evaluating its
    # 500 kB again for each run would cost more than the run.
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)


def audit_page(page: Page, audit: Audit, role: str, name: str, path: str) -> None:
    began = time.monotonic()
    page.set_viewport_size({"width": WIDE, "height": 900})
    audit.record(role, name, path, WIDE, axe_violations(page))
    page.set_viewport_size({"width": PHONE, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    audit.record(role, name, path, PHONE, axe_violations(page), overflow=max(0, overflow))
    audit.axe_seconds += time.monotonic() - began
    shot = PHONE_SHOTS.get(name)
    if shot and role in ("recruiter", "interviewer") and not (SCREENSHOTS / f"phone-{shot}.png").exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"phone-{shot}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.mark.timeout(1800)
def test_every_page_as_every_role_passes_axe_at_both_widths(browser: Browser, live_server, demo: Demo):
    axe_script = Axe().axe_script
    audit = Audit()
    started = time.monotonic()
    for stale in SCREENSHOTS.glob("phone-*.png"):
        stale.unlink()
    users = {"interviewer": demo.interviewer, "recruiter": "recruiter", "committee": "committee", "admin": "admin"}
    opened: set[str] = set()
    for role in ROLES:
        context = browser.new_context(viewport={"width": WIDE, "height": 900})
        context.add_init_script(axe_script)
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, live_server.url, users[role])
        for name, build in AUDITED.items():
            for path in build(demo):
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None
                redirected = not page.url.endswith(path) and name != "home"
                if response.status in (403, 404) or redirected:
                    audit.refused.append(f"{role} {path}")
                    continue
                assert response.status == 200, f"{role} {path}: HTTP {response.status}"
                opened.add(name)
                if name in READY:
                    page.locator(READY[name]).first.wait_for(timeout=60_000)
                audit_page(page, audit, role, name, path)
        for error, where in ERROR_PAGES.items():
            if (role, error) in (("interviewer", "403"), ("anonymous", "404")):
                path = reverse(where) if ":" in where else where
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == int(error)
                audit_page(page, audit, role, error, path)
        context.close()
        audit.seconds[role] = round(time.monotonic() - started, 1)
        audit.write()  # after each role: a run stopped half-way still leaves its figures

    summary = audit.summary()
    never = sorted(set(AUDITED) - opened)
    assert not never, f"No role could open these audited pages (the audit list builds a wrong address?): {never}"
    assert not summary["violations_by_rule"], f"axe violations (details in {REPORT}): {json.dumps(summary, indent=1)}"
    assert not summary["overflowing_at_390"], f"Pages scrolling sideways at 390 px: {summary['overflowing_at_390']}"
