"""Emails about take-homes: the link to the candidate, deadline changes, receipts, the reviewer's heads-up.

Sent by Celery tasks after the transaction commits, through Django's email
backend. Logs name assignments by id only: never an address or a name.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from exercises.links import candidate_link, token_digest
from exercises.models import ExerciseAssignment, ExerciseSubmission
from exercises.services.assignments import take_home_mark_emailed
from hiring.accounts.locale import user_locale
from hiring.models import User

logger = logging.getLogger(__name__)

NOTICES = ("deadline_extended", "submission_received")


def _send(template: str, context: dict[str, Any], to: str, *, user: User | None = None) -> None:
    """Worded in ``user``'s language and time zone; a candidate (no user) gets the site's."""
    with user_locale(user):
        subject = " ".join(render_to_string(f"exercises/email/{template}_subject.txt", context).split())
        text = render_to_string(f"exercises/email/{template}.txt", context)
        html = render_to_string(f"exercises/email/{template}.html", context)
    # The kind only: these go to candidates, who need no internal ids; the development console prints it.
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
                                     headers={"X-Hireloop-Notification": template})
    message.attach_alternative(html, "text/html")
    message.send()


def _assignment(assignment_id: int) -> ExerciseAssignment | None:
    return (
        ExerciseAssignment.objects.select_related(
            "loop", "loop__candidate", "loop__role", "reviewer", "review_interview__interviewer"
        )
        .filter(pk=assignment_id)
        .first()
    )


def _reachable(assignment: ExerciseAssignment | None) -> bool:
    if assignment is None or assignment.loop.is_closed:
        return False
    candidate = assignment.loop.candidate
    return candidate.erased_at is None and bool(candidate.email)


def send_take_home_link(*, assignment_id: int, token: str, reissued: bool = False) -> bool:
    """Email the candidate the private link; skipped when a newer link replaced this token meanwhile."""
    assignment = _assignment(assignment_id)
    if not _reachable(assignment) or assignment.token_hash != token_digest(token):  # type: ignore[union-attr]
        logger.info("Take-home link for assignment %s not sent: replaced, closed or no address.", assignment_id)
        return False
    assert assignment is not None
    context = {
        "assignment": assignment,
        "candidate_name": assignment.loop.candidate.name,
        "role_title": assignment.loop.role.title,
        "link": candidate_link(token),
        "reissued": reissued,
        "grace_hours": assignment.grace_hours,
    }
    _send("take_home_link", context, assignment.loop.candidate.email)
    take_home_mark_emailed(assignment_id=assignment_id, token=token)
    logger.info("Sent the take-home link for assignment %s.", assignment_id)
    return True


def send_take_home_notice(*, assignment_id: int, notice: str, submission_id: int | None = None) -> bool:
    """A deadline change or a submission receipt to the candidate (and a heads-up to the reviewer)."""
    if notice not in NOTICES:
        raise ValueError(f"Unknown take-home notice {notice!r}.")
    assignment = _assignment(assignment_id)
    if not _reachable(assignment):
        return False
    assert assignment is not None
    context: dict[str, Any] = {
        "assignment": assignment,
        "candidate_name": assignment.loop.candidate.name,
        "role_title": assignment.loop.role.title,
    }
    if notice == "deadline_extended":
        context["extension"] = assignment.extensions.order_by("-created_at", "-id").first()
        _send("deadline_extended", context, assignment.loop.candidate.email)
    else:
        # Without an id there is no submission to find: filter(pk=None) matches no row either.
        submission = (
            ExerciseSubmission.objects.filter(pk=submission_id, assignment=assignment).first()
            if submission_id is not None
            else None
        )
        if submission is None:
            return False
        context["submission"] = submission
        _send("submission_received", context, assignment.loop.candidate.email)
        reviewer = assignment.current_reviewer
        if reviewer.is_active and reviewer.email:
            context["review_url"] = settings.SITE_URL + reverse(
                "exercises:assignment-detail", kwargs={"pk": assignment.pk}
            )
            _send("submission_for_review", context, reviewer.email, user=reviewer)
    logger.info("Sent the %s notice for assignment %s.", notice, assignment_id)
    return True
