"""The domain events outbox (hiring.events): what each change records, in its own transaction, ids only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hiring import events
from hiring.errors import PermissionRefused, ValidationFailed
from hiring.events import EventSpec, event_record, events_reader_register, events_record_all, events_record_new
from hiring.models import AuditEvent, DomainEvent
from hiring.notifications import feedback_overdue_events_record
from scorecards.decisions import DecisionInput, loop_decide
from scorecards.models import Scorecard
from scorecards.recommendations.services import recommendation_compute
from scorecards.services.scorecards import scorecard_submit
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, scorecard_input, submit_scorecard

pytestmark = pytest.mark.django_db

def recorded() -> list[tuple[str, int | None, dict, str]]:
    return [(e.kind, e.loop_id, e.data, e.key) for e in DomainEvent.objects.order_by("id")]


def all_scores(value: int) -> dict[str, int | None]:
    return dict.fromkeys(ALL_DIMENSIONS, value)


def test_events_scorecard_submit_records_submitted_and_the_last_one_ready_for_review():
    """Each submit records "scorecard submitted" with ids only; the panel's last one also "ready for review"."""
    loop = make_loop()
    first = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    second = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))

    card_1 = submit_scorecard(first, all_scores(4))
    card_2 = submit_scorecard(second, all_scores(2))

    entered_review = AuditEvent.objects.get(action="loop.status_changed", after__status="in_review")
    assert [(kind, loop_id, data) for kind, loop_id, data, _ in recorded()] == [
        ("scorecard.submitted", loop.pk, {"loop_id": loop.pk, "interview_id": first.pk, "scorecard_id": card_1.pk,
                                          "interviewer_id": first.interviewer_id}),
        ("scorecard.submitted", loop.pk, {"loop_id": loop.pk, "interview_id": second.pk, "scorecard_id": card_2.pk,
                                          "interviewer_id": second.interviewer_id}),
        ("loop.ready_for_review", loop.pk, {"loop_id": loop.pk}),
    ]
    ready = DomainEvent.objects.get(kind="loop.ready_for_review")
    assert ready.key == f"loop.ready_for_review:audit-{entered_review.pk}"
    assert ready.occurred_at == entered_review.created_at
    assert DomainEvent.objects.get(kind="scorecard.submitted", data__scorecard_id=card_1.pk).occurred_at == (
        card_1.submitted_at
    )
    assert DomainEvent.objects.filter(dispatched_at__isnull=True).count() == 3


def test_events_refused_submit_records_nothing():
    """An incomplete scorecard is refused: no scorecard is submitted and no event is recorded."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    incomplete = scorecard_input(interview, {ALL_DIMENSIONS[0]: 3})

    with pytest.raises(ValidationFailed):
        scorecard_submit(actor=interview.interviewer, interview_id=interview.pk, data=incomplete,
                         expected_version=None)

    assert DomainEvent.objects.count() == 0
    assert not Scorecard.objects.filter(interview=interview).exists()


def test_events_recommendation_changed_only_when_the_outcome_changes():
    """The first recommendation and each new outcome are events; figures moving under the same outcome are not."""
    loop = make_loop()
    first = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(first, all_scores(4))
    DomainEvent.objects.all().delete()

    outcome_1 = recommendation_compute(loop_id=loop.pk).recommendation
    second = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(second, all_scores(4))
    same_outcome = recommendation_compute(loop_id=loop.pk)
    third = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(third, all_scores(1))
    DomainEvent.objects.exclude(kind="recommendation.changed").delete()
    outcome_2 = recommendation_compute(loop_id=loop.pk).recommendation

    assert outcome_1 is not None and outcome_2 is not None
    assert (outcome_1.outcome, same_outcome.changed, outcome_2.outcome) == ("hire", True, "needs_discussion")
    assert [(kind, loop_id, data) for kind, loop_id, data, _ in recorded()] == [
        ("recommendation.changed", loop.pk, {"loop_id": loop.pk, "computed_at": outcome_1.computed_at.isoformat()}),
        ("recommendation.changed", loop.pk, {"loop_id": loop.pk, "computed_at": outcome_2.computed_at.isoformat()}),
    ]


def test_events_decision_recorded_says_who_and_when_not_what(committee_member):
    """The decision's event carries the loop, the member and the time; hire or no hire stays in Hireloop."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(interview, all_scores(4))
    recommendation_compute(loop_id=loop.pk)
    DomainEvent.objects.all().delete()

    decided = loop_decide(actor=committee_member, loop_id=loop.pk,
                          data=DecisionInput(decision="hire", rationale="Strong across the board."))

    assert decided.decided_at is not None
    assert recorded() == [
        ("decision.recorded", loop.pk,
         {"loop_id": loop.pk, "decided_by_id": committee_member.pk, "decided_at": decided.decided_at.isoformat()},
         DomainEvent.objects.get().key),
    ]


def test_events_refused_decision_records_nothing(recruiter):
    """A recruiter may not decide: the loop stays undecided and no event is recorded."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(interview, all_scores(4))
    DomainEvent.objects.all().delete()

    with pytest.raises(PermissionRefused):
        loop_decide(actor=recruiter, loop_id=loop.pk, data=DecisionInput(decision="hire", rationale="Yes."))

    loop.refresh_from_db()
    assert (loop.status, loop.decision) == ("in_review", "")
    assert DomainEvent.objects.count() == 0


def test_events_feedback_overdue_once_per_interview_and_day():
    """The hourly check records each overdue interview once a day; submitted or not-yet-due feedback is no event."""
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    shift = noon - timezone.now()  # interviews placed around today's noon, whatever the time of the run
    loop = make_loop()
    late = make_interview(loop=loop, interviewer=UserFactory(), starts_in=shift - timedelta(days=3))
    done = make_interview(loop=loop, interviewer=UserFactory(), starts_in=shift - timedelta(days=3))
    submit_scorecard(done)
    due_tomorrow = make_interview(loop=loop, interviewer=UserFactory(), starts_in=shift - timedelta(hours=2))
    DomainEvent.objects.all().delete()

    counts = [feedback_overdue_events_record(now=noon), feedback_overdue_events_record(now=noon + timedelta(hours=1))]
    next_day = feedback_overdue_events_record(now=noon + timedelta(days=1))

    assert counts == [1, 0]
    assert next_day == 2  # the late interview again, and the one that fell due meanwhile
    assert sorted(DomainEvent.objects.values_list("data__interview_id", flat=True)) == sorted(
        [late.pk, late.pk, due_tomorrow.pk]
    )
    first = DomainEvent.objects.order_by("id").first()
    assert first is not None
    assert (first.kind, first.loop_id, first.key, first.data) == (
        "feedback.overdue", loop.pk, f"feedback.overdue:interview-{late.pk}:{noon.date().isoformat()}",
        {"loop_id": loop.pk, "interview_id": late.pk, "interviewer_id": late.interviewer_id,
         "feedback_due_at": late.feedback_due_at.isoformat()},
    )


def test_events_record_new_refuses_events_without_a_key():
    """A check that records only new occasions must name them: without a key nothing could be recognised."""
    with pytest.raises(ValueError, match="needs every event's key"):
        events_record_new([EventSpec(kind="feedback.overdue", loop_id=None)])
    assert DomainEvent.objects.count() == 0


def test_events_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown event kind 'loop.renamed'"):
        event_record("loop.renamed", loop_id=None)
    assert DomainEvent.objects.count() == 0


def test_events_readers_are_told_once_per_transaction_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    """One call after commit with every kind the transaction recorded (each call may cost a broker publish)."""
    calls: list[frozenset[str]] = []
    monkeypatch.setattr(events, "_readers", [])
    events_drain = calls.append
    events_reader_register(events_drain)
    events_reader_register(events_drain)  # registering twice (two ready() calls) is harmless

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_record("decision.recorded", loop_id=None)
        event_record("loop.ready_for_review", loop_id=None)
        events_record_all([EventSpec(kind="recommendation.changed", loop_id=None)])
    assert calls == []
    for callback in callbacks:
        callback()

    assert len(callbacks) == 1
    assert calls == [frozenset({"decision.recorded", "loop.ready_for_review", "recommendation.changed"})]


def test_events_rolled_back_savepoint_tells_no_reader_of_its_events(monkeypatch, django_capture_on_commit_callbacks):
    calls: list[frozenset[str]] = []
    monkeypatch.setattr(events, "_readers", [calls.append])

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                event_record("decision.recorded", loop_id=None)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        event_record("loop.ready_for_review", loop_id=None)

    assert calls == [frozenset({"loop.ready_for_review"})]
    assert list(DomainEvent.objects.values_list("kind", flat=True)) == ["loop.ready_for_review"]


def test_events_a_failing_reader_does_not_reach_the_user(monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broken(kinds: frozenset[str]) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(events, "_readers", [broken])

    with django_capture_on_commit_callbacks(execute=True):
        event_record("decision.recorded", loop_id=None)

    assert caplog.messages == ["An event outbox reader failed after commit; its periodic sweep will catch up."]
