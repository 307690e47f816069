"""The independence rule at every door that shows panel feedback, for everyone on a panel, admins included.

Nobody who interviews on a loop reads another panelist's scores, overall recommendation, signal ids, the
computed recommendation or the decision before submitting their own feedback: not through the audit trail
(API, page, CSV export), the privacy export, the Django admin, the loop page or the candidate summary.
Each test is parametrised over the four roles and three positions: on the panel with feedback pending,
on the panel and submitted, not on the panel. Calibration reports, shared by the committee, are built only
from loops whose panel is complete, so no reader can owe feedback on a loop in one.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hiring.models import AuditEvent, Interview, InterviewLoop, User
from scorecards.calibration.job import calibration_report_compute
from scorecards.calibration.services import calibration_report_request
from scorecards.decisions import DecisionInput, loop_decide
from scorecards.models import CalibrationReport, Recommendation, Scorecard
from scorecards.recommendations.services import recommendation_compute
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard
from tests.scorecards.interviewer_helpers import ML, RED_FLAG, SE

pytestmark = pytest.mark.django_db

ROLES = ("admin", "committee", "recruiter", "interviewer")
POSITIONS = ("pending", "submitted", "not_on_panel")
AUDITORS = ("admin", "committee")
RATIONALE = "No hire: the panel found a red flag on data handling."
# Audit events that carry, or are about, another panelist's feedback on the loop.
FEEDBACK_EVENTS = ("scorecard.created", "scorecard.saved", "scorecard.submitted", "recommendation.computed",
                   "loop.decided")
# What the audit page and the Django admin say where they withhold values.
PAGE_WITHHELD = "Values withheld:"
WITHHELD = "Withheld: you interview on this loop and have not submitted all your feedback yet."


@dataclass
class Panel:
    viewer: User
    loop: InterviewLoop
    card: Scorecard  # the colleague's submitted scorecard: the feedback the viewer may or may not read
    recommendation: Recommendation
    viewer_interview: Interview | None


def build_panel(kind: str, position: str, *, decided: bool = False) -> Panel:
    """A loop where a colleague submitted a Strong no with a red flag, and the recommendation is computed.

    ``position``: the viewer interviews on the loop with only a draft of their own ("pending"), has
    submitted ("submitted"), or does not interview on it. ``decided``: a committee member not on the panel
    then decides No hire, confirming the outstanding feedback.
    """
    viewer = UserFactory(username=f"viewer-{kind}", kind=kind, is_staff=True, is_superuser=kind == "admin")
    loop = make_loop()
    colleague = make_interview(loop=loop, interviewer=UserFactory(username="colleague"))
    viewer_interview = None if position == "not_on_panel" else make_interview(loop=loop, interviewer=viewer)
    card = submit_scorecard(colleague, {SE: 1, ML: 2}, overall="strong_no", signals={RED_FLAG: "Logged prompts."})
    if position == "pending":
        assert viewer_interview is not None
        save_draft(viewer_interview, {SE: 4})
    elif position == "submitted":
        assert viewer_interview is not None
        submit_scorecard(viewer_interview, {SE: 4, ML: 4}, overall="yes")
    recommendation_compute(loop_id=loop.pk)
    if decided:
        loop_decide(actor=UserFactory(username="decider", committee=True), loop_id=loop.pk, data=DecisionInput(
            decision=InterviewLoop.Decision.NO_HIRE, rationale=RATIONALE, confirm_outstanding=True))
        loop.refresh_from_db()
    return Panel(viewer=viewer, loop=loop, card=card, recommendation=Recommendation.objects.get(loop=loop),
                 viewer_interview=viewer_interview)


def sees_panel(kind: str, position: str) -> bool:
    """The rule the doors must follow: the panel shows once you submitted, or if you are not on it and see
    every loop (an interviewer sees only the loops they interview on)."""
    return position == "submitted" or (position == "not_on_panel" and kind != "interviewer")


def expected_values(panel: Panel, *, withheld: bool) -> dict[int, tuple[str, Any, Any, bool]]:
    """Every event of the loop by id: (action, before, after, values_withheld) as the viewer should read them."""
    rows = {}
    for event in AuditEvent.objects.filter(loop_id=panel.loop.pk):
        hidden = withheld and event.action in FEEDBACK_EVENTS and event.actor_id != panel.viewer.pk
        rows[event.pk] = (event.action, None, None, True) if hidden else (event.action, event.before, event.after,
                                                                          False)
    return rows


def submitted_event(panel: Panel) -> AuditEvent:
    return AuditEvent.objects.get(action="scorecard.submitted", object_id=str(panel.card.pk))


def grant_admin_views(user: User, *codenames: str) -> None:
    """Staff who are not superusers open an admin page only with its view permission."""
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


# --- The audit trail -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("decided", [False, True], ids=["open", "decided"])
@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_api_audit_events_list_withholds_panel_feedback_until_submitted(client, kind, position, decided):
    """`/api/v1/audit-events/?loop=N` withholds the values of other panelists' feedback from whoever owes theirs."""
    panel = build_panel(kind, position, decided=decided)
    client.force_login(panel.viewer)
    response = client.get("/api/v1/audit-events/", {"loop": panel.loop.pk})
    if kind not in AUDITORS:
        assert response.status_code == 403
        assert "strong_no" not in response.content.decode()
        return
    assert response.status_code == 200
    shown = {e["id"]: (e["action"], e["before"], e["after"], e.get("values_withheld", False))
             for e in response.json()["results"]}
    stored = submitted_event(panel)
    assert (stored.after or {}).get("overall") == "strong_no"
    if sees_panel(kind, position):
        assert shown[stored.pk] == ("scorecard.submitted", stored.before, stored.after, False)
    else:
        assert shown[stored.pk] == ("scorecard.submitted", None, None, True)
    assert shown == expected_values(panel, withheld=not sees_panel(kind, position))


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_audit_page_withholds_panel_feedback_until_submitted(client, kind, position):
    """`/audit/?loop=N` lists every event of the loop but shows no other panelist's values to whoever owes theirs."""
    panel = build_panel(kind, position)
    client.force_login(panel.viewer)
    response = client.get(reverse("hiring:audit-list"), {"loop": panel.loop.pk})
    page = response.content.decode()
    if kind not in AUDITORS:
        assert response.status_code == 403
        assert "strong_no" not in page
        return
    assert response.status_code == 200
    assert page.count("<code>") == AuditEvent.objects.filter(loop_id=panel.loop.pk).count()
    if sees_panel(kind, position):
        assert ("strong_no" in page, page.count(PAGE_WITHHELD)) == (True, 0)
    else:
        # The colleague's scorecard created and submitted, and the recommendation computed.
        assert ("strong_no" in page, page.count(PAGE_WITHHELD)) == (False, 3)
        # The viewer's own draft is theirs to read.
        assert "<dt>overall</dt>" in page


def _csv_rows(client, **params: Any) -> dict[int, tuple[str, Any, Any, bool]]:
    response = client.get(reverse("hiring:audit-export"), params)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {
        int(row["id"]): (row["action"], json.loads(row["before"]) if row["before"] else None,
                         json.loads(row["after"]) if row["after"] else None, row.get("values_withheld") == "true")
        for row in rows
    }


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_audit_export_csv_withholds_panel_feedback_until_submitted(client, kind, position):
    """`/audit/export.csv?loop=N` (COPY on PostgreSQL) withholds the same values as the page, decision included."""
    panel = build_panel(kind, position, decided=True)
    client.force_login(panel.viewer)
    if kind not in AUDITORS:
        response = client.get(reverse("hiring:audit-export"), {"loop": panel.loop.pk})
        assert response.status_code == 403
        assert not AuditEvent.objects.filter(action="audit.exported").exists()
        return
    rows = _csv_rows(client, loop=panel.loop.pk)
    decided = AuditEvent.objects.get(action="loop.decided", loop_id=panel.loop.pk)
    assert (decided.after or {}).get("recommendation", {}).get("outcome") == panel.recommendation.outcome
    if sees_panel(kind, position):
        assert rows[decided.pk] == ("loop.decided", decided.before, decided.after, False)
    else:
        assert rows[decided.pk] == ("loop.decided", None, None, True)
    assert rows == expected_values(panel, withheld=not sees_panel(kind, position))


@pytest.mark.parametrize("n", [1, 50])
def test_audit_page_and_export_cost_the_same_queries_for_1_and_50_withheld_events(
        client, django_assert_num_queries, n):
    """The rule is part of the query: withholding costs no query per row, on the page or in the CSV."""
    panel = build_panel("committee", "pending")
    for number in range(n):
        AuditEvent.objects.create(actor=panel.card.interviewer, action="scorecard.saved", loop_id=panel.loop.pk,
                                  object_type="scorecards.scorecard", object_id=str(panel.card.pk),
                                  after={"overall": "strong_no", "version": number})
    client.force_login(panel.viewer)
    colleagues = {"action": "scorecard.saved", "actor": panel.card.interviewer_id}
    # session + user, three filter choice lists, the count and the page (the rule is inside the page's query).
    with django_assert_num_queries(7):
        page = client.get(reverse("hiring:audit-list"), colleagues).content.decode()
    assert (page.count(PAGE_WITHHELD), "strong_no" in page) == (n, False)
    # session + user, the export's own audit event, then the rows: on PostgreSQL the COPY's savepoint and its
    # release (the COPY runs on psycopg's cursor, which the count does not see), elsewhere one chunked read.
    queries = 5 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(queries):
        rows = _csv_rows(client, **colleagues)
    assert sorted({row[1:] for row in rows.values()}) == [(None, None, True)]
    assert len(rows) == n


# --- The privacy export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_api_candidates_export_refuses_an_officer_who_owes_feedback_on_a_loop(client, kind, position):
    """A subject access export is complete or refused: an admin owing feedback on the candidate's loop gets 409."""
    panel = build_panel(kind, position)
    client.force_login(panel.viewer)
    events = AuditEvent.objects.count()
    response = client.get(f"/api/v1/candidates/{panel.loop.candidate_id}/export/")
    body = response.json()
    if kind != "admin":
        assert (response.status_code, body["code"]) == (403, "permission_denied")
        assert AuditEvent.objects.count() == events
        return
    if position == "pending":
        assert (response.status_code, body) == (409, {
            "code": "independence",
            "message": f"You interview on loop #{panel.loop.pk} of this candidate and have not submitted all your "
                       "feedback there; the export holds the panel's scorecards and recommendation, which you may "
                       "not read before. Submit your feedback first, or ask another admin to export.",
            "field_errors": {},
        })
        assert AuditEvent.objects.count() == events
        return
    assert response.status_code == 200
    (loop,) = body["loops"]
    cards = {card["id"]: card for interview in loop["interviews"] for card in interview["scorecards"]}
    assert (cards[panel.card.pk]["overall"], loop["recommendation"]["outcome"]) == (
        "strong_no", panel.recommendation.outcome)
    assert AuditEvent.objects.filter(action="candidate.exported", actor=panel.viewer).count() == 1


@pytest.mark.parametrize("position", POSITIONS)
def test_admin_candidate_export_button_tells_an_officer_who_owes_feedback_why(client, position):
    """The admin's export button goes back to the candidate with the reason (not a server error), nothing audited."""
    panel = build_panel("admin", position)
    client.force_login(panel.viewer)
    events = AuditEvent.objects.count()
    response = client.post(reverse("admin:hiring_candidate_export", args=[panel.loop.candidate_id]), follow=True)
    if position == "pending":
        assert response.redirect_chain == [
            (reverse("admin:hiring_candidate_change", args=[panel.loop.candidate_id]), 302)]
        assert f"You interview on loop #{panel.loop.pk} of this candidate" in response.content.decode()
        assert AuditEvent.objects.count() == events
        return
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["loops"][0]["recommendation"]["outcome"] == panel.recommendation.outcome
    assert AuditEvent.objects.count() == events + 1


def test_candidate_export_command_is_never_refused(db, capsys):
    """The operator's command has no actor on any panel: the export is whole."""
    from django.core.management import call_command

    panel = build_panel("admin", "pending")
    call_command("candidate_export", str(panel.loop.candidate_id))
    data = json.loads(capsys.readouterr().out)
    cards = [card for interview in data["loops"][0]["interviews"] for card in interview["scorecards"]]
    assert panel.card.pk in {card["id"] for card in cards}


# --- The Django admin ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_admin_scorecard_pages_follow_the_independence_rule(client, kind, position):
    """The scorecard changelist, its filters and its change page (ratings inline) show the colleague's card only
    to a viewer who may see the panel."""
    panel = build_panel(kind, position)
    grant_admin_views(panel.viewer, "view_scorecard")
    client.force_login(panel.viewer)
    change = reverse("admin:scorecards_scorecard_change", args=[panel.card.pk])
    changelist = client.get(reverse("admin:scorecards_scorecard_changelist"), {"overall__exact": "strong_no"})
    assert changelist.status_code == 200
    page = client.get(change)
    if sees_panel(kind, position):
        assert (change in changelist.content.decode(), page.status_code) == (True, 200)
        assert "Strong no" in page.content.decode()
    else:
        assert (change in changelist.content.decode(), page.status_code) == (False, 302)
        assert "0 scorecards" in changelist.content.decode()


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_admin_recommendation_pages_follow_the_independence_rule(client, kind, position):
    """The recommendation changelist and change page show the loop's only to a viewer who may see the panel."""
    panel = build_panel(kind, position)
    grant_admin_views(panel.viewer, "view_recommendation")
    client.force_login(panel.viewer)
    change = reverse("admin:scorecards_recommendation_change", args=[panel.recommendation.pk])
    changelist = client.get(reverse("admin:scorecards_recommendation_changelist"))
    assert changelist.status_code == 200
    page = client.get(change)
    expected = (True, 200) if sees_panel(kind, position) else (False, 302)
    assert (change in changelist.content.decode(), page.status_code) == expected


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_admin_loop_pages_hide_the_decision_until_submitted(client, kind, position):
    """The loop changelist (column and filter) and change page leave the decision out while feedback is owed."""
    panel = build_panel(kind, position, decided=True)
    grant_admin_views(panel.viewer, "view_interviewloop")
    client.force_login(panel.viewer)
    change = reverse("admin:hiring_interviewloop_change", args=[panel.loop.pk])
    by_decision = client.get(reverse("admin:hiring_interviewloop_changelist"), {"decision": "no_hire"})
    page = client.get(change)
    if sees_panel(kind, position):
        assert (change in by_decision.content.decode(), page.status_code) == (True, 200)
        assert (RATIONALE in page.content.decode(), WITHHELD in page.content.decode()) == (True, False)
    elif kind == "interviewer" and position == "not_on_panel":
        # Not their loop at all.
        assert (change in by_decision.content.decode(), page.status_code) == (False, 302)
    else:
        assert (change in by_decision.content.decode(), page.status_code) == (False, 200)
        html = page.content.decode()
        assert (RATIONALE in html, WITHHELD in html, "No hire" in html) == (False, True, False)
        listed = client.get(reverse("admin:hiring_interviewloop_changelist")).content.decode()
        assert (change in listed, '<td class="field-shown_decision">—</td>' in listed) == (True, True)


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_admin_audit_event_page_withholds_panel_feedback_until_submitted(client, kind, position):
    """The admin's audit event page is for auditors and withholds values as the audit pages do."""
    panel = build_panel(kind, position)
    grant_admin_views(panel.viewer, "view_auditevent")
    client.force_login(panel.viewer)
    page = client.get(reverse("admin:hiring_auditevent_change", args=[submitted_event(panel).pk]))
    if kind not in AUDITORS:
        assert page.status_code == 403
        return
    html = page.content.decode()
    assert page.status_code == 200
    expected = (True, False) if sees_panel(kind, position) else (False, True)
    assert ("strong_no" in html, WITHHELD in html) == expected


# --- Other pages that show the decision ----------------------------------------------------------------------


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_loop_page_hides_the_decision_until_submitted(client, kind, position):
    """The loop page shows the decision and its rationale only where the panel is visible, as the API does."""
    panel = build_panel(kind, position, decided=True)
    client.force_login(panel.viewer)
    response = client.get(reverse("hiring:loop-detail", args=[panel.loop.pk]))
    if kind == "interviewer":
        # Interviewers work from their own pages; the loop page is for those who read every loop.
        assert (response.status_code, RATIONALE in response.content.decode()) == (403, False)
        return
    html = response.content.decode()
    assert response.status_code == 200
    expected = (True, False) if sees_panel(kind, position) else (False, True)
    assert (RATIONALE in html, "its decision appears here once you have submitted" in html) == expected


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("kind", ROLES)
def test_candidate_summary_hides_the_decision_until_submitted(client, kind, position):
    """The candidate summary hides a decided loop's decision and rationale, like its scores, while feedback is owed."""
    panel = build_panel(kind, position, decided=True)
    client.force_login(panel.viewer)
    response = client.get(reverse("hiring:candidate-summary", args=[panel.loop.candidate_id]))
    if kind == "interviewer":
        assert response.status_code == 403
        return
    html = response.content.decode()
    assert response.status_code == 200
    expected = (True, False) if sees_panel(kind, position) else (False, True)
    assert (RATIONALE in html, "its decision appears here once you have submitted" in html) == expected


def narrow_report(panel: Panel, actor: User) -> tuple[CalibrationReport, dict[str, Any]]:
    """A computed report of the loop's role, one interview kind and the last day: one colleague's scorecard may
    be all it covers."""
    today = timezone.localdate()
    report = calibration_report_request(actor=actor, role=panel.loop.role, date_from=today - timedelta(days=1),
                                        date_to=today, interview_kind=Interview.Kind.CODING)
    calibration_report_compute(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == CalibrationReport.Status.DONE and report.result is not None
    return report, report.result


@pytest.fixture
def quick_reports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 100


@pytest.mark.parametrize("kind", AUDITORS)
def test_calibration_report_leaves_out_a_loop_its_reader_owes_feedback_on(client, quick_reports, kind):
    """A narrow report over a loop its reader owes feedback on shows no rating of that loop and counts it as left
    out; once the reader has submitted, a new report includes the loop."""
    panel = build_panel(kind, "pending")
    colleague = panel.card.interviewer
    client.force_login(panel.viewer)
    pending, _ = narrow_report(panel, panel.viewer)
    page = client.get(reverse("scorecards:report-detail", args=[pending.pk])).content.decode()
    download = json.loads(client.get(reverse("scorecards:report-download", args=[pending.pk, "json"])).content)

    assert (download["interviewers"], download["interviewer_dimensions"], download["dimensions"]) == ([], [], [])
    assert colleague.get_full_name() not in page
    assert download["totals"] == {"scorecards": 0, "loops": 0, "loops_left_out": 1, "interviewers": 0, "scores": 0,
                                  "roles": 0, "rows": 0}
    assert "<dt>Loops left out, feedback still missing</dt><dd>1</dd>" in page
    assert "<dt>Loops whose panel is complete</dt><dd>0</dd>" in page

    assert panel.viewer_interview is not None
    submit_scorecard(panel.viewer_interview, {SE: 4, ML: 4}, overall="yes")
    _, submitted = narrow_report(panel, panel.viewer)
    people = {row["interviewer"]: (row["scores"], row["mean_score"]) for row in submitted["interviewers"]}
    assert people == {"colleague": (2, 1.5), panel.viewer.username: (2, 4.0)}
    assert (submitted["totals"]["loops"], submitted["totals"]["loops_left_out"]) == (1, 0)
    # The first report was computed while feedback was owed, and stays as it was.
    pending.refresh_from_db()
    assert pending.result is not None and pending.result["interviewers"] == []


def test_calibration_report_leaves_out_a_decided_loop_with_a_missing_scorecard(quick_reports, committee_member):
    """A loop decided with feedback outstanding stays out of reports: its missing panelist still may not read the
    panel, whoever requests the report."""
    panel = build_panel("interviewer", "pending", decided=True)
    assert panel.loop.decision == InterviewLoop.Decision.NO_HIRE
    _, result = narrow_report(panel, committee_member)
    assert result["interviewers"] == []
    assert (result["totals"]["loops"], result["totals"]["loops_left_out"]) == (0, 1)
