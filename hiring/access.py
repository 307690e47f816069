"""Who may see what. Pages and the API both ask here, so the rules live once.

The independence rule: a person who interviews on a loop sees no other
scorecard, score or recommendation of that loop until they have submitted
feedback for every interview of theirs on it. Recruiters, the committee and
admins read everything of loops they do not interview on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hiring.models import Interview, InterviewLoop
from scorecards.models import Scorecard


def loops_visible_to(user: Any) -> QuerySet[InterviewLoop]:
    if user.sees_all_loops:
        return InterviewLoop.objects.all()
    return InterviewLoop.objects.filter(
        Exists(Interview.objects.scheduled().filter(loop=OuterRef("pk"), interviewer=user))
    )


def interviews_visible_to(user: Any) -> QuerySet[Interview]:
    """Everyone's interviews, cancelled ones included, for those who read every loop; an interviewer's own
    scheduled ones otherwise (a cancelled interview is no longer theirs to prepare or score)."""
    if user.sees_all_loops:
        return Interview.objects.all()
    return Interview.objects.scheduled().filter(interviewer=user)


def _pending_own_interviews(user: Any, loop_ref: Any) -> QuerySet[Interview]:
    """The user's interviews on a loop that have no submitted current scorecard of theirs."""
    submitted = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=user, status=Scorecard.Status.SUBMITTED
    )
    return Interview.objects.scheduled().filter(loop=loop_ref, interviewer=user).exclude(Exists(submitted))


def loops_with_panel_visible_to(user: Any) -> QuerySet[InterviewLoop]:
    """Loops whose panel feedback (scores, recommendation) the user may read."""
    blocked = Exists(_pending_own_interviews(user, OuterRef("pk")))
    if user.sees_all_loops:
        return InterviewLoop.objects.exclude(blocked)
    on_panel = Exists(Interview.objects.scheduled().filter(loop=OuterRef("pk"), interviewer=user))
    return InterviewLoop.objects.filter(on_panel).exclude(blocked)


def panel_blocked(user: Any, loop_ref: Any) -> Exists:
    """Inside a queryset of loops already narrowed by loops_visible_to(user): the user still owes feedback.

    On those loops the panel is visible exactly when this is false (a user who
    does not see every loop only sees the loops they interview on). A list
    annotates it per row; asking loops_with_panel_visible_to per row makes
    PostgreSQL hash the rule over every loop in the database first.
    """
    return Exists(_pending_own_interviews(user, loop_ref))


def can_see_panel(user: Any, loop: InterviewLoop) -> bool:
    return loops_with_panel_visible_to(user).filter(pk=loop.pk).exists()


def scorecards_visible_to(user: Any) -> QuerySet[Scorecard]:
    """The user's own scorecards (any state) and submitted ones of loops whose panel they may see."""
    panel_loops = loops_with_panel_visible_to(user).values("pk")
    return Scorecard.objects.filter(
        Q(interviewer=user) | Q(status=Scorecard.Status.SUBMITTED, interview__loop__in=panel_loops)
    )
