"""Check-ins on hires: scheduled from the start date, sent by beat to the manager, filled in by them alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hiring.access import can_see_panel
from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, DomainEvent
from integrations.selectors import slack_facts
from integrations.slack import slack_text
from outcomes.models import AreaRating, CheckIn, OutcomeArea, OutcomePlan
from outcomes.notifications import checkins_send_due, overdue_checkin_digests_send
from outcomes.services import CheckInInput, checkin_submit, hire_record
from privacy.erasure import candidate_erase
from privacy.export import candidate_export_data
from tests.hiring.factories import UserFactory
from tests.outcomes.helpers import decided_loop, make_hire

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _fill(manager, checkin, **overrides):
    areas = {str(a.pk): "4" for a in OutcomeArea.objects.filter(role=checkin.hire.loop.role, active=True)}
    data = {"performance": "4", "would_hire_again": "yes", "still_in_role": "yes", "areas": areas, **overrides}
    return checkin_submit(actor=manager, checkin_id=checkin.pk, data=CheckInInput(**data))


def test_recording_a_start_date_schedules_the_default_check_ins_and_the_documents_outcome_areas():
    hire = make_hire(start=START)

    assert [(c.label, c.due_on) for c in hire.checkins.order_by("due_on")] == [
        ("90d", START + timedelta(days=90)), ("12m", START + timedelta(days=365))]
    areas = list(OutcomeArea.objects.filter(role=hire.loop.role).order_by("position"))
    # Applied AI Engineer's "Main goals" row (four goals) and its "Top KPIs" row, verbatim from the document.
    assert [a.title for a in areas][:2] == ["30/60/90-day delivery ownership", "6–12 month measurable business impact"]
    kpis = areas[-1]
    assert kpis.source == OutcomeArea.Source.KPI and "Online KPI lift" in kpis.description
    assert AuditEvent.objects.filter(action="outcome.hire_recorded", loop_id=hire.loop_id).count() == 1


def test_a_roles_own_schedule_is_used():
    loop = decided_loop()
    OutcomePlan.objects.create(role=loop.role, checkins=[{"label": "6m", "days": 182}])
    assert loop.recruiter is not None
    hire = hire_record(actor=loop.recruiter, loop_id=loop.pk, start_date=START, manager_id=UserFactory().pk)
    assert [(c.label, c.due_on) for c in hire.checkins.all()] == [("6m", START + timedelta(days=182))]


def test_a_start_date_needs_a_hire_decision_a_manager_and_the_right_person():
    rejected = decided_loop(decision="no_hire")
    assert rejected.recruiter is not None
    with pytest.raises(Conflict):
        hire_record(actor=rejected.recruiter, loop_id=rejected.pk, start_date=START, manager_id=UserFactory().pk)
    loop = decided_loop()
    with pytest.raises(PermissionRefused):
        hire_record(actor=UserFactory(), loop_id=loop.pk, start_date=START, manager_id=UserFactory().pk)
    assert loop.recruiter is not None
    with pytest.raises(ValidationFailed) as refused:
        hire_record(actor=loop.recruiter, loop_id=loop.pk, start_date=None, manager_id=None)
    assert set(refused.value.field_errors) == {"start_date", "manager"}
    assert not CheckIn.objects.exists()


def test_beat_sends_a_due_check_in_once_by_email_and_as_a_slack_event():
    manager = UserFactory(username="manny", slack_user_id="U0MANNY")
    hire = make_hire(manager=manager, start=START)
    mail.outbox.clear()

    assert checkins_send_due(now=_at(START + timedelta(days=89))) == 0
    assert checkins_send_due(now=_at(START + timedelta(days=90))) == 1
    assert checkins_send_due(now=_at(START + timedelta(days=91))) == 0

    [email] = mail.outbox
    ninety = hire.checkins.get(label="90d")
    assert email.to == [manager.email]
    assert f"/outcomes/checkins/{ninety.pk}/" in email.body
    ninety.refresh_from_db()
    assert ninety.status == CheckIn.Status.SENT
    event = DomainEvent.objects.get(kind=DomainEvent.Kind.OUTCOME_CHECKIN_DUE)
    assert event.data["manager_id"] == manager.pk and "name" not in str(event.data)
    text = slack_text(slack_facts(event))
    assert "<@U0MANNY>" in text and f"/outcomes/checkins/{ninety.pk}/" in text
    assert hire.loop.candidate.name not in text


def test_the_manager_fills_the_form_and_nobody_else_can(client):
    manager = UserFactory(username="manny")
    hire = make_hire(manager=manager)
    checkin = hire.checkins.get(label="90d")
    url = reverse("outcomes:checkin", args=[checkin.pk])

    for other in (UserFactory(), UserFactory(recruiter=True), UserFactory(committee=True)):
        client.force_login(other)
        page = client.get(url)
        assert b"Overall performance" not in page.content
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404

    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Overall performance" in text and "30/60/90-day delivery ownership" in text
    assert "from the document" in text
    # The interview is not shown: no scores, no recommendation.
    assert "Recommendation" not in text and "weighted" not in text.lower()

    refused = client.post(url, {"would_hire_again": "maybe"})
    assert refused.status_code == 400
    assert "Choose a rating from 1 to 5." in refused.content.decode()
    assert "Answer yes or no." in refused.content.decode()
    checkin.refresh_from_db()
    assert checkin.status != CheckIn.Status.SUBMITTED

    areas = OutcomeArea.objects.filter(role=hire.loop.role, active=True).order_by("position")
    answers = {"performance": "4", "would_hire_again": "yes", "still_in_role": "yes",
               f"area_{areas[0].pk}": "5", "comment": "Owns the evaluation pipeline."}
    assert client.post(url, answers).status_code == 302
    checkin.refresh_from_db()
    assert (checkin.performance, checkin.would_hire_again, checkin.status) == (4, True, CheckIn.Status.SUBMITTED)
    assert dict(AreaRating.objects.filter(checkin=checkin).values_list("area_id", "score"))[areas[0].pk] == 5
    assert client.post(url, answers).status_code == 200  # the read-only page; nothing is written twice
    assert AreaRating.objects.filter(checkin=checkin).count() == areas.count()


def test_the_committee_reads_a_submitted_check_in_and_the_read_is_audited(client):
    manager = UserFactory(username="manny")
    checkin = make_hire(manager=manager).checkins.get(label="90d")
    _fill(manager, checkin, comment="Great start.")
    committee = UserFactory(committee=True)
    client.force_login(committee)
    page = client.get(reverse("outcomes:checkin", args=[checkin.pk]))
    assert "4 / 5" in page.content.decode() and "Great start." in page.content.decode()
    assert AuditEvent.objects.filter(action="outcome.checkin_read", actor=committee).count() == 1
    recruiter = UserFactory(recruiter=True)
    client.force_login(recruiter)
    assert client.get(reverse("outcomes:checkin", args=[checkin.pk])).status_code == 404


def test_a_manager_with_a_check_in_to_fill_does_not_see_the_interview_until_they_rate():
    manager = UserFactory(committee=True, username="manny")
    hire = make_hire(manager=manager)
    assert not can_see_panel(manager, hire.loop)
    for checkin in hire.checkins.all():
        _fill(manager, checkin)
    assert can_see_panel(manager, hire.loop)


def test_overdue_check_ins_reach_the_recruiter_like_overdue_feedback(client):
    # The list page judges "overdue" by today's date: a start date well in the past.
    start = timezone.localdate() - timedelta(days=200)
    hire = make_hire(start=start)
    recruiter = hire.loop.recruiter
    assert recruiter is not None
    checkins_send_due(now=_at(start + timedelta(days=90)))
    mail.outbox.clear()
    assert overdue_checkin_digests_send(now=_at(start + timedelta(days=100))) == 0
    assert overdue_checkin_digests_send(now=_at(start + timedelta(days=110))) == 1
    [email] = mail.outbox
    assert email.to == [recruiter.email] and "90d check-in" in email.body

    client.force_login(recruiter)
    page = client.get(reverse("outcomes:checkins") + "?overdue=1").content.decode()
    assert "<strong class=\"error\">Overdue</strong>" in page and hire.loop.candidate.name in page
    # The recruiter follows up; the ratings are not theirs to read.
    assert reverse("outcomes:checkin", args=[hire.checkins.get(label="90d").pk]) not in page


def test_outcomes_are_in_the_candidates_export_and_gone_after_erasure():
    manager = UserFactory(username="manny")
    hire = make_hire(manager=manager)
    _fill(manager, hire.checkins.get(label="90d"), comment="Mentors the juniors.")
    candidate = hire.loop.candidate
    exported = candidate_export_data(candidate)
    [loop] = exported["loops"]
    assert loop["hire"]["checkins"][0]["performance"] == 4
    assert loop["hire"]["checkins"][0]["comment"] == "Mentors the juniors."

    report = candidate_erase(actor=None, candidate_id=candidate.pk, via="test")
    assert report.outcome_checkins_deleted == 2
    assert not CheckIn.objects.filter(hire__loop__candidate=candidate).exists()
