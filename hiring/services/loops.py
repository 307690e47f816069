"""Writes for interview loops: opening one, assigning its people, withdrawing it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from hiring.audit.services import audit_record
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Candidate, InterviewLoop, Role, User
from hiring.services.common import lock_open_loop, require_recruiting
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
        raise ValidationFailed("The loop could not be saved.", field_errors=errors)


@transaction.atomic
def loop_open(
    *,
    actor: User,
    candidate: Candidate,
    role: Role,
    recruiter: User | None = None,
    hiring_manager: User | None = None,
) -> InterviewLoop:
    """Open a loop for a candidate and a role, pinning the role's current rubric version.

    A candidate has at most one active loop per role: a second one would split
    the panel's feedback between two recommendations.
    """
    require_recruiting(actor)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        raise ValidationFailed("This candidate's data was erased; open no new loop.",
                               field_errors={"candidate": ["Erased candidate."]})
    recruiter = recruiter or actor
    _check_people(recruiter, hiring_manager)
    active = InterviewLoop.objects.filter(candidate=candidate, role=role).exclude(
        status__in=[InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN]
    )
    if active.exists():
        raise Conflict(
            f"This candidate already has an active loop for {role.title}; withdraw or decide it first.",
            code="loop_exists",
            field_errors={"role": ["The candidate already has an active loop for this role."]},
        )
    rubric = Rubric.objects.current(role=role)
    loop = InterviewLoop.objects.create(
        candidate=candidate,
        role=role,
        rubric=rubric,
        recruiter=recruiter,
        hiring_manager=hiring_manager,
    )
    audit_record(
        actor=actor,
        action="loop.opened",
        obj=loop,
        loop_id=loop.pk,
        after={"role": role.slug, "rubric_version": rubric.version, "candidate_id": candidate.pk,
               "recruiter_id": loop.recruiter_id, "hiring_manager_id": hiring_manager.pk if hiring_manager else None},
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
def loop_withdraw(*, actor: User, loop: InterviewLoop, reason: str) -> InterviewLoop:
    """Close a loop without a decision (the candidate withdrew, the role closed...), with a reason.

    The reason is free text and may name people, so the audit event records
    only the change of status.
    """
    require_recruiting(actor)
    loop = lock_open_loop(loop, doing="it cannot be withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the loop is withdrawn.", field_errors={"reason": ["A reason is required."]})
    before = {"status": loop.status}
    loop.status = InterviewLoop.Status.WITHDRAWN
    loop.withdrawn_reason = reason
    loop.closed_at = timezone.now()
    loop.save(update_fields=["status", "withdrawn_reason", "closed_at"])
    audit_record(actor=actor, action="loop.withdrawn", obj=loop, loop_id=loop.pk,
                 before=before, after={"status": loop.status})
    return loop
