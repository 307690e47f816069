"""Writes for interview loops: opening one, assigning its people, inviting its candidate by calendar, withdrawing
it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from hiring.services.common import lock_open_loop, require_recruiting
from hiring.services.interviews import enqueue_invites, loop_interviews_call_off
from scorecards.models import Rubric


def _check_people(recruiter: User | None, hiring_manager: User | None) -> None:
    errors: dict[str, list[str]] = {}
    if recruiter is not None:
        if not recruiter.is_active:
            errors["recruiter"] = ["This user is deactivated."]
        elif not recruiter.manages_hiring:
            errors["recruiter"] = ["Choose a recruiter (or an admin) to run the loop."]
    if hiring_manager is not None and not hiring_manager.is_active:
        errors["hiring_manager"] = ["This user is deactivated."]
    if errors:
        raise ValidationFailed(gettext("The loop could not be saved."), field_errors=errors)


@transaction.atomic
def loop_open(
    *,
    actor: User,
    candidate: Candidate,
    role: Role,
    recruiter: User | None = None,
    hiring_manager: User | None = None,
    candidate_invites: bool = False,
) -> InterviewLoop:
    """Open a loop for a candidate and a role, pinning the role's current rubric version.

    ``candidate_invites``: email the candidate a calendar invite for each interview scheduled.

    A candidate has at most one active loop per role: a second one would split
    the panel's feedback between two recommendations.
    """
    require_recruiting(actor)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        raise ValidationFailed(gettext("This candidate's data was erased; open no new loop."),
                               field_errors={"candidate": [gettext("Erased candidate.")]})
    recruiter = recruiter or actor
    _check_people(recruiter, hiring_manager)
    active = InterviewLoop.objects.filter(candidate=candidate, role=role).exclude(
        status__in=[InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN]
    )
    if active.exists():
        raise Conflict(
            gettext("This candidate already has an active loop for %(title)s; withdraw or decide it first.")
            % {"title": role.title},
            code="loop_exists",
            field_errors={"role": [gettext("The candidate already has an active loop for this role.")]},
        )
    rubric = Rubric.objects.current(role=role)
    loop = InterviewLoop.objects.create(
        candidate=candidate,
        role=role,
        rubric=rubric,
        recruiter=recruiter,
        hiring_manager=hiring_manager,
        candidate_invites=candidate_invites,
    )
    audit_record(
        actor=actor,
        action="loop.opened",
        obj=loop,
        loop_id=loop.pk,
        after={"role": role.slug, "rubric_version": rubric.version, "candidate_id": candidate.pk,
               "recruiter_id": loop.recruiter_id, "hiring_manager_id": hiring_manager.pk if hiring_manager else None,
               "candidate_invites": candidate_invites},
    )
    return loop


@transaction.atomic
def loop_assign(
    *, actor: User, loop: InterviewLoop, recruiter: User, hiring_manager: User | None
) -> InterviewLoop:
    """Change who runs the loop (recruiter) and who reviews it with the committee (hiring manager)."""
    require_recruiting(actor)
    loop = lock_open_loop(loop, doing="its people can no longer change")
    _check_people(recruiter, hiring_manager)
    before = {"recruiter_id": loop.recruiter_id, "hiring_manager_id": loop.hiring_manager_id}
    loop.recruiter = recruiter
    loop.hiring_manager = hiring_manager
    after = {"recruiter_id": loop.recruiter_id, "hiring_manager_id": loop.hiring_manager_id}
    if after == before:
        return loop
    loop.save(update_fields=["recruiter", "hiring_manager"])
    audit_record(actor=actor, action="loop.assigned", obj=loop, loop_id=loop.pk, before=before, after=after)
    return loop


@transaction.atomic
def loop_set_candidate_invites(*, actor: User, loop: InterviewLoop, enabled: bool) -> InterviewLoop:
    """Start or stop emailing the candidate calendar invites for the loop's interviews.

    Turned on, the candidate is invited to every interview still to come. Turned off, nothing more is sent
    to them, cancellations included: the recruiter has taken the conversation over.
    """
    require_recruiting(actor)
    loop = lock_open_loop(loop, doing="its invitations can no longer change")
    if loop.candidate_invites == enabled:
        return loop
    loop.candidate_invites = enabled
    loop.save(update_fields=["candidate_invites"])
    audit_record(actor=actor, action="loop.candidate_invites_changed", obj=loop, loop_id=loop.pk,
                 before={"candidate_invites": not enabled}, after={"candidate_invites": enabled})
    if enabled:
        upcoming = list(
            Interview.objects.scheduled().filter(loop=loop, ends_at__gt=timezone.now())
            .exclude(kind=Interview.Kind.TAKE_HOME_REVIEW).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _invite_candidate(upcoming))
    return loop


def _invite_candidate(interview_ids: list[int]) -> None:
    # After commit, in a statement of its own: inside the transaction it would lock the interviews after the loop,
    # the opposite order to the scorecard writes. Marked pending first, so the catch-up sends what a dead
    # broker drops.
    Interview.objects.filter(pk__in=interview_ids).update(invites_pending=True)
    for interview_id in interview_ids:
        enqueue_invites(interview_id)


@transaction.atomic
def loop_withdraw(*, actor: User, loop: InterviewLoop, reason: str) -> InterviewLoop:
    """Close a loop without a decision (the candidate withdrew, the role closed...), with a reason.

    The reason is free text and may name people, so the audit event records
    only the change of status. The invitees of its interviews still to come
    are sent cancellations.
    """
    require_recruiting(actor)
    loop = lock_open_loop(loop, doing="it cannot be withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            gettext("Say why the loop is withdrawn."), field_errors={"reason": [gettext("A reason is required.")]}
        )
    before = {"status": loop.status}
    loop.status = InterviewLoop.Status.WITHDRAWN
    loop.withdrawn_reason = reason
    loop.closed_at = timezone.now()
    loop.save(update_fields=["status", "withdrawn_reason", "closed_at"])
    audit_record(actor=actor, action="loop.withdrawn", obj=loop, loop_id=loop.pk,
                 before=before, after={"status": loop.status})
    loop_interviews_call_off(loop=loop, now=loop.closed_at)
    return loop
