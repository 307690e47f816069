"""The loop's stage: deriving it from the interviews and their feedback, the sweep that moves loops whose
interviews have ended, and the "ready for review" notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hiring.audit.services import audit_record
from hiring.events import event_record
from hiring.jobs import enqueue
from hiring.models import AuditEvent, DomainEvent, Interview, InterviewLoop
from scorecards.models import Scorecard

NOTIFY_LOOP_READY_TASK = "hiring.tasks.notify_loop_ready"


def loop_refresh_status(*, loop: InterviewLoop, now: datetime | None = None, locked: bool = False) -> InterviewLoop:
    """Derive the stage of an undecided loop from its interviews and their feedback.

    Cancelled interviews count for nothing. open: nothing has happened yet or interviews are to come; awaiting
    feedback: an interview has ended and its scorecard is not submitted; in
    review: every interview has a submitted scorecard. Entering review
    notifies the recruiter and hiring manager once the transaction commits,
    and records a "ready for review" event (hiring.events).

    The loop row is locked first: two interviewers submitting the last two
    scorecards at once are serialised, so the second sees the first's
    scorecard and the loop does reach review. ``locked``: the caller has
    already locked the row in its transaction and ``loop`` is that fresh row
    (the scorecard services lock it with the interview).
    """
    # No savepoint: nothing here is caught and retried, and a caller's transaction rolls back as a whole.
    with transaction.atomic(savepoint=False):
        loop_row = loop if locked else InterviewLoop.objects.select_for_update().filter(pk=loop.pk).first()
        if loop_row is None or loop_row.is_closed:
            if loop_row is not None:
                loop.status = loop_row.status
            return loop
        now = now or timezone.now()
        submitted = Scorecard.objects.filter(
            interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), status=Scorecard.Status.SUBMITTED,
            is_current=True,
        )
        # One query over the panel, in a statement of its own: it reads after the lock was granted. A panel is a
        # handful of interviews; counting its rows here costs half the CPU of compiling three filtered COUNTs.
        panel = list(
            Interview.objects.scheduled().filter(loop_id=loop_row.pk)
            .annotate(done=Exists(submitted))
            .values_list("done", "ends_at")
        )
        status = stage_of(panel, now=now)
        before = loop_row.status
        loop.status = status
        if status == before:
            return loop
        InterviewLoop.objects.filter(pk=loop_row.pk).update(status=status)
        event = audit_record(actor=None, action="loop.status_changed", obj=loop_row, loop_id=loop_row.pk,
                             before={"status": before}, after={"status": status})
        if status == InterviewLoop.Status.IN_REVIEW:
            # Keyed by the status change, like the emails: one event per entry into review.
            event_record(DomainEvent.Kind.LOOP_READY_FOR_REVIEW, loop_id=loop_row.pk, occurred_at=event.created_at,
                         key=f"loop.ready_for_review:audit-{event.pk}", data={"loop_id": loop_row.pk})
            loop_id, event_id = loop_row.pk, event.pk
            transaction.on_commit(lambda: _enqueue_ready_for_review(loop_id, event_id))
    return loop


def stage_of(panel: Sequence[tuple[bool, datetime]], *, now: datetime) -> str:
    """The stage of an undecided loop from its panel: (has a submitted scorecard, ends at) per interview.

    A pure function: ``loop_refresh_status`` applies it to one locked loop,
    and a bulk load (the history import) to many at once.
    """
    pending_ends = [ends_at for done, ends_at in panel if not done]
    if panel and not pending_ends:
        return InterviewLoop.Status.IN_REVIEW
    if any(ends_at <= now for ends_at in pending_ends):
        return InterviewLoop.Status.AWAITING_FEEDBACK
    return InterviewLoop.Status.OPEN


def loops_refresh_stages(*, now: datetime | None = None) -> int:
    """Move open loops whose interviews have ended to "awaiting feedback" (time passes without an event).

    Returns the number of loops whose stage changed.
    """
    now = now or timezone.now()
    ended = Interview.objects.scheduled().filter(loop=OuterRef("pk"), ends_at__lte=now)
    stale = InterviewLoop.objects.filter(Exists(ended), status=InterviewLoop.Status.OPEN).values_list("pk", flat=True)
    changed = 0
    for loop in InterviewLoop.objects.filter(pk__in=list(stale)):
        before = loop.status
        if loop_refresh_status(loop=loop, now=now).status != before:
            changed += 1
    return changed


def _enqueue_ready_for_review(loop_id: int, event_id: int) -> None:
    """Hand the notification to a worker; a dead broker is logged (ids only) and the sweep catches up."""
    enqueue(NOTIFY_LOOP_READY_TASK, loop_id, event_id,
            failure=f"Could not enqueue the ready-for-review notice of loop {loop_id} (%s); the sweep will send it.")


def ready_for_review_events(*, since: datetime) -> list[AuditEvent]:
    """The latest "entered review" event of each loop still in review, since a time."""
    events = (
        AuditEvent.objects.filter(
            action="loop.status_changed",
            after__status=InterviewLoop.Status.IN_REVIEW,
            created_at__gte=since,
            loop_id__in=InterviewLoop.objects.filter(status=InterviewLoop.Status.IN_REVIEW).values("pk"),
        )
        .order_by("loop_id", "-created_at", "-id")
    )
    latest: dict[int, AuditEvent] = {}
    for event in events:
        if event.loop_id is not None:
            latest.setdefault(event.loop_id, event)
    return list(latest.values())
