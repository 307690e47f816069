"""The audit trail: immutable, complete for the listed state changes, browsable by admins and the committee."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from exercises.models import Exercise, ExerciseAssignment
from hiring.audit.services import audit_record, audit_scorecard_read
from hiring.errors import PermissionRefused
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, User
from privacy.export import candidate_export
from scorecards.models import CalibrationReport, Recommendation, Scorecard
from scorecards.recommendations.services import recommendation_compute
from tests.exercises.factories import make_take_home
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard


def test_audit_events_cannot_be_edited_or_deleted_through_the_application(db, recruiter):
    event = audit_record(actor=recruiter, action="test.done", obj=recruiter, after={"n": 1})
    event.after = {"n": 2}
    with pytest.raises(PermissionRefused):
        event.save()
    with pytest.raises(PermissionRefused):
        event.delete()
    with pytest.raises(PermissionRefused):
        AuditEvent.objects.filter(pk=event.pk).update(after={"n": 3})
    with pytest.raises(PermissionRefused):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.values_list("after", flat=True).get(pk=event.pk) == {"n": 1}


def test_postgres_trigger_refuses_raw_updates_and_deletes_but_lets_erasure_scrub_values(db, recruiter):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL; the model-level refusal is tested above")
    event = audit_record(actor=recruiter, action="test.done", obj=recruiter, after={"n": 1})
    for sql in ("UPDATE hiring_auditevent SET action = 'x' WHERE id = %s",
                "DELETE FROM hiring_auditevent WHERE id = %s",
                "UPDATE hiring_auditevent SET after = '{}' WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    with transaction.atomic():
        AuditEvent.objects.scrub_values(pk=event.pk, before=None, after={"n": "[erased]"})
    assert AuditEvent.objects.values_list("action", "after").get(pk=event.pk) == ("test.done", {"n": "[erased]"})


def test_state_changes_write_audit_events(db, committee_member, admin_user, client):
    """Scorecard created/saved/submitted, loop opened, rubric published, role change, export: each audited."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory())
    scores = {d.name: 3 for d in interview.focus_dimensions.all()}
    save_draft(interview, scores)
    scorecard = submit_scorecard(interview, scores)
    candidate_export(actor=admin_user, candidate_id=loop.candidate_id, via="admin")
    client.force_login(admin_user)
    promoted = UserFactory(username="promoted")
    client.post(reverse("admin:hiring_user_change", args=[promoted.pk]), {
        "username": "promoted", "kind": "committee", "is_active": "on", "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00", "initial-date_joined_0": "2025-01-01", "initial-date_joined_1": "09:00:00",
    })
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"rubric.published", "loop.opened", "interview.scheduled", "scorecard.created", "scorecard.saved",
            "scorecard.submitted", "candidate.exported", "user.role_changed"} <= actions
    role_change = AuditEvent.objects.get(action="user.role_changed")
    assert (role_change.actor, role_change.before, role_change.after) == (
        admin_user, {"kind": "interviewer"}, {"kind": "committee"})
    submitted = AuditEvent.objects.get(action="scorecard.submitted", object_id=str(scorecard.pk))
    assert submitted.actor == interview.interviewer and submitted.loop_id == loop.pk
    assert "evidence" not in str(submitted.after).lower()


def test_reading_another_interviewers_scorecard_is_audited_and_ones_own_is_not(db, committee_member):
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory())
    scorecard = submit_scorecard(interview, {d.name: 4 for d in interview.focus_dimensions.all()})
    assert audit_scorecard_read(interview.interviewer, scorecard) is None
    event = audit_scorecard_read(committee_member, scorecard)
    assert event is not None
    assert (event.action, event.actor, event.loop_id, event.after) == (
        "scorecard.read", committee_member, loop.pk,
        {"interviewer_id": interview.interviewer_id, "revision": 1, "status": "submitted"})


@pytest.mark.parametrize(("kind", "status"), [("interviewer", 403), ("recruiter", 403), ("committee", 200),
                                              ("admin", 200)])
def test_audit_list_is_for_the_committee_and_admins(db, client, kind, status):
    client.force_login(UserFactory(kind=kind, username=f"who-{kind}"))
    assert client.get(reverse("hiring:audit-list")).status_code == status
    assert client.get(reverse("hiring:audit-export")).status_code == status


def _events(n: int, actor: User) -> None:
    for number in range(n):
        audit_record(actor=actor, action="test.event", obj=actor, loop_id=number + 1, before={"v": number},
                     after={"v": number + 1})


@pytest.mark.parametrize("n", [1, 50])
def test_audit_list_costs_the_same_queries_for_1_and_50_events(db, client, committee_member,
                                                               django_assert_num_queries, n):
    _events(n, committee_member)
    client.force_login(committee_member)
    # session + user, three filter choice lists, the count and the page.
    with django_assert_num_queries(7):
        response = client.get(reverse("hiring:audit-list"), {"action": "test.event"})
    assert response.status_code == 200
    assert response.content.decode().count("<code>test.event</code>") == n


def test_audit_list_filters_and_refuses_bad_input_naming_the_field(db, client, committee_member, recruiter):
    _events(3, committee_member)
    audit_record(actor=recruiter, action="other.event", obj=recruiter)
    client.force_login(committee_member)
    page = client.get(reverse("hiring:audit-list"), {"actor": recruiter.pk}).content.decode()
    assert "<code>other.event</code>" in page and "<code>test.event</code>" not in page
    page = client.get(reverse("hiring:audit-list"), {"loop": 2}).content.decode()
    assert page.count("<code>test.event</code>") == 1
    response = client.get(reverse("hiring:audit-list"), {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert "The end date must not be before the start date." in response.content.decode()


def test_audit_export_is_the_filtered_trail_as_csv_and_is_itself_audited(db, client, admin_user):
    _events(2, admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("hiring:audit-export"), {"action": "test.event"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["id", "at", "actor_id", "actor", "action", "object_type", "object_id", "loop_id", "before",
                       "after", "values_withheld"]
    assert [(r[3], r[4], r[7], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("ada", "test.event", "2", '{"v": 1}', '{"v": 2}', "false"),
        ("ada", "test.event", "1", '{"v": 0}', '{"v": 1}', "false")]
    assert AuditEvent.objects.filter(action="audit.exported", actor=admin_user).count() == 1


def test_admin_cannot_hard_delete_loops_interviews_or_scorecards(db, client, admin_user):
    """Evidence is withdrawn or erased through the services (audited), never deleted in the admin."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory())
    card = submit_scorecard(interview, {d.name: 3 for d in interview.focus_dimensions.all()})
    client.force_login(admin_user)
    for name, pk in (("hiring_interviewloop", loop.pk), ("scorecards_scorecard", card.pk)):
        assert client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    changelist = client.post(reverse("admin:hiring_interviewloop_changelist"),
                             {"action": "delete_selected", "_selected_action": [loop.pk], "post": "yes"})
    assert changelist.status_code in (200, 302)
    assert (InterviewLoop.objects.filter(pk=loop.pk).exists(), Interview.objects.filter(pk=interview.pk).exists(),
            Scorecard.objects.filter(pk=card.pk).exists()) == (True, True, True)
    # The loop's admin page shows its interviews read-only: changes go through the audited services.
    page = client.get(reverse("admin:hiring_interviewloop_change", args=[loop.pk])).content.decode()
    assert interview.get_kind_display() in page
    assert 'name="interviews-0-interviewer"' not in page and 'name="interviews-0-DELETE"' not in page


def _decided_hire(committee: User) -> InterviewLoop:
    """A loop with a submitted scorecard, a computed recommendation and a recorded Hire decision."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory())
    submit_scorecard(interview, {d.name: 4 for d in interview.focus_dimensions.all()})
    recommendation_compute(loop_id=loop.pk)
    # Set directly: this test is about the admin, not about how the committee records a decision.
    InterviewLoop.objects.filter(pk=loop.pk).update(
        status=InterviewLoop.Status.DECIDED, decision=InterviewLoop.Decision.HIRE,
        decision_rationale="Strong across the panel.", decided_by=committee, decided_at=timezone.now(),
        closed_at=timezone.now())
    loop.refresh_from_db()
    return loop


def test_admin_shows_a_decided_loop_read_only_and_refuses_to_change_its_decision(
        db, client, admin_user, committee_member):
    """The admin cannot rewrite a decision in the committee member's name without an audit event."""
    loop = _decided_hire(committee_member)
    events = AuditEvent.objects.count()
    client.force_login(admin_user)
    url = reverse("admin:hiring_interviewloop_change", args=[loop.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Strong across the panel." in html
    assert 'name="_save"' not in html and 'name="decision"' not in html and 'name="decision_rationale"' not in html
    response = client.post(url, {
        "candidate": loop.candidate_id, "role": loop.role_id, "rubric": loop.rubric_id, "status": "decided",
        "decision": "no_hire", "decision_rationale": "Changed in the admin.", "decided_by": committee_member.pk,
        "interviews-TOTAL_FORMS": "0", "interviews-INITIAL_FORMS": "0", "_save": "Save",
    })
    assert response.status_code == 403
    loop.refresh_from_db()
    assert (loop.decision, loop.decision_rationale, loop.decided_by) == (
        "hire", "Strong across the panel.", committee_member)
    assert AuditEvent.objects.count() == events


def test_admin_refuses_to_add_loops_scorecards_or_recommendations(db, client, admin_user, committee_member):
    loop = _decided_hire(committee_member)
    interview = make_interview(loop=make_loop(), interviewer=UserFactory(username="other-interviewer"))
    counts = (InterviewLoop.objects.count(), Scorecard.objects.count(), Recommendation.objects.count(),
              AuditEvent.objects.count())
    client.force_login(admin_user)
    for name in ("hiring_interviewloop", "scorecards_scorecard", "scorecards_recommendation"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    posts = {
        "scorecards_scorecard": {"interview": interview.pk, "interviewer": admin_user.pk, "status": "submitted",
                                 "overall": "strong_yes", "revision": "1", "version": "1", "is_current": "on",
                                 "submitted_at_0": "2026-01-01", "submitted_at_1": "09:00:00",
                                 "ratings-TOTAL_FORMS": "0", "ratings-INITIAL_FORMS": "0"},
        "scorecards_recommendation": {"loop": loop.pk, "rubric": loop.rubric_id, "outcome": "hire",
                                      "coverage": "1", "details": "{}", "fingerprint": "x",
                                      "scorecard_count": "3", "computed_at_0": "2026-01-01",
                                      "computed_at_1": "09:00:00"},
        "hiring_interviewloop": {"candidate": loop.candidate_id, "role": loop.role_id, "rubric": loop.rubric_id,
                                 "status": "decided", "decision": "hire", "interviews-TOTAL_FORMS": "0",
                                 "interviews-INITIAL_FORMS": "0"},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"admin:{name}_add"), data).status_code == 403
    assert (InterviewLoop.objects.count(), Scorecard.objects.count(), Recommendation.objects.count(),
            AuditEvent.objects.count()) == counts


def test_admin_cannot_delete_take_homes_library_exercises_or_calibration_reports(db, client, admin_user):
    """Take-homes are evidence, exercises are referenced (archived on the library pages), reports are audited."""
    assignment, _token = make_take_home()
    exercise = assignment.exercise
    report = CalibrationReport.objects.create(role=None, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    client.force_login(admin_user)
    targets = (("exercises_exerciseassignment", ExerciseAssignment, assignment.pk),
               ("exercises_exercise", Exercise, exercise.pk),
               ("scorecards_calibrationreport", CalibrationReport, report.pk))
    for name, model, pk in targets:
        assert client.get(reverse(f"admin:{name}_delete", args=[pk])).status_code == 403
        assert client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
        # "Delete selected" is not offered either; posting it anyway deletes nothing.
        changelist = reverse(f"admin:{name}_changelist")
        assert 'value="delete_selected"' not in client.get(changelist).content.decode()
        client.post(changelist, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
        assert model.objects.filter(pk=pk).exists(), name
    # Nor can they be edited there: changes go through the audited services and the library pages.
    for name, _model, pk in targets:
        assert client.post(reverse(f"admin:{name}_change", args=[pk]), {"title": "Edited"}).status_code == 403
    exercise.refresh_from_db()
    assert exercise.title != "Edited"


def test_admin_read_only_pages_still_list_search_and_show_records_for_support(
        db, client, admin_user, committee_member):
    loop = _decided_hire(committee_member)
    scorecard = Scorecard.objects.filter(interview__loop=loop).get()
    recommendation = Recommendation.objects.get(loop=loop)
    assignment, _token = make_take_home()
    report = CalibrationReport.objects.create(role=None, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    client.force_login(admin_user)
    pages = (("hiring_interviewloop", loop.pk, str(loop.pk)),
             ("hiring_candidate", loop.candidate_id, loop.candidate.name),
             ("scorecards_scorecard", scorecard.pk, str(loop.pk)),
             ("scorecards_recommendation", recommendation.pk, str(loop.pk)),
             ("exercises_exerciseassignment", assignment.pk, str(assignment.loop_id)),
             ("exercises_exercise", assignment.exercise_id, assignment.exercise.title),
             ("scorecards_calibrationreport", report.pk, ""))
    for name, pk, query in pages:
        changelist = client.get(reverse(f"admin:{name}_changelist"), {"q": query} if query else {})
        assert changelist.status_code == 200, name
        assert reverse(f"admin:{name}_change", args=[pk]) in changelist.content.decode(), name
        assert client.get(reverse(f"admin:{name}_changelist"), {"q": "no such thing"}).status_code == 200, name
        detail = client.get(reverse(f"admin:{name}_change", args=[pk]))
        assert detail.status_code == 200, name
        assert 'name="_save"' not in detail.content.decode(), name
    # The scorecard's detail shows its ratings (read-only).
    detail = client.get(reverse("admin:scorecards_scorecard_change", args=[scorecard.pk])).content.decode()
    rating = scorecard.ratings.select_related("dimension").first()
    assert rating is not None
    assert rating.dimension.name in detail and 'name="ratings-0-score"' not in detail


def test_admin_candidate_page_is_read_only_but_keeps_export_and_erase(db, client, admin_user):
    candidate = CandidateFactory(name="Rea Only", email="rea.only@example.org")
    client.force_login(admin_user)
    url = reverse("admin:hiring_candidate_change", args=[candidate.pk])
    html = client.get(url).content.decode()
    assert "Export personal data (JSON)" in html and 'name="_save"' not in html
    assert client.post(url, {"name": "Renamed", "email": "renamed@example.org"}).status_code == 403
    assert client.get(reverse("admin:hiring_candidate_add")).status_code == 403
    assert Candidate.objects.get(pk=candidate.pk).name == "Rea Only"
    changelist = client.get(reverse("admin:hiring_candidate_changelist")).content.decode()
    assert 'value="erase_personal_data"' in changelist and 'value="delete_selected"' not in changelist


def test_admin_still_manages_users(db, client, admin_user):
    user = UserFactory(username="managed")
    client.force_login(admin_user)
    assert client.get(reverse("admin:hiring_user_add")).status_code == 200
    assert client.get(reverse("admin:hiring_user_changelist"), {"q": "managed"}).status_code == 200
    page = client.get(reverse("admin:hiring_user_change", args=[user.pk])).content.decode()
    assert 'name="_save"' in page
    response = client.post(reverse("admin:hiring_user_change", args=[user.pk]), {
        "username": "managed", "kind": "recruiter", "is_active": "on", "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00", "initial-date_joined_0": "2025-01-01", "initial-date_joined_1": "09:00:00",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.kind == "recruiter"
    assert AuditEvent.objects.filter(action="user.role_changed", object_id=str(user.pk)).exists()
