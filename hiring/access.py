"""Who may see what. Pages, the API, the Django admin, the audit trail and the privacy export all ask here,
so the rules live once.

The independence rule: a person who interviews on a loop sees no other
scorecard, score or recommendation of that loop until they have submitted
feedback for every interview of theirs on it. That holds for everyone on a
panel, the committee and admins included. Recruiters, the committee and
admins read everything of loops they do not interview on.

The same idea holds for a hire's manager (docs/quality-of-hire.md): while a check-in
on the person is theirs to fill in, the loop's scores and recommendation are hidden
from them, so that the rating of the work is not anchored on the interview.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hiring.models import Interview, InterviewLoop
from outcomes.models import CheckIn
from scorecards.models import Recommendation, Scorecard

# Audit events about these objects carry panel feedback in their before/after values: a scorecard's scores,
# signal ids and overall recommendation, the computed recommendation. Matched by object type rather than
# by action, so a scorecard or recommendation event added later is withheld without being listed here.
_FEEDBACK_OBJECT_TYPES = (Scorecard._meta.label_lower, Recommendation._meta.label_lower)
# The decision's event records the recommendation it was made against (outcome, weighted score).
_FEEDBACK_ACTIONS = ("loop.decided",)


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


def _owed_interviews(user: Any) -> QuerySet[Interview]:
    """The user's interviews that have no submitted scorecard of theirs: their feedback is still owed."""
    submitted = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=user, status=Scorecard.Status.SUBMITTED
    )
    return Interview.objects.scheduled().filter(interviewer=user).exclude(Exists(submitted))


def _pending_own_interviews(user: Any, loop_ref: Any) -> QuerySet[Interview]:
    """The user's interviews on a loop that have no submitted current scorecard of theirs."""
    return _owed_interviews(user).filter(loop=loop_ref)


def _pending_checkins(user: Any, loop_ref: Any) -> QuerySet[CheckIn]:
    """Check-ins on a hire from the loop that the user, as the hire's manager, has not submitted yet."""
    return CheckIn.objects.filter(hire__loop=loop_ref, hire__manager_id=user.pk).exclude(
        status=CheckIn.Status.SUBMITTED)


def loops_with_feedback_owed_by(user: Any) -> QuerySet[InterviewLoop]:
    """Loops whose panel the user may not see because they interview on it and have not submitted yet.

    For a user who sees every loop these are exactly the loops missing from
    ``loops_with_panel_visible_to``; for an interviewer, the loops they are not
    on are hidden as well, by ``loops_visible_to``.
    """
    return InterviewLoop.objects.filter(pk__in=_owed_interviews(user).values("loop_id"))


def loops_with_panel_visible_to(user: Any) -> QuerySet[InterviewLoop]:
    """Loops whose panel feedback (scores, recommendation) the user may read."""
    blocked = Exists(_pending_own_interviews(user, OuterRef("pk")))
    rating = Exists(_pending_checkins(user, OuterRef("pk")))
    if user.sees_all_loops:
        return InterviewLoop.objects.exclude(blocked).exclude(rating)
    on_panel = Exists(Interview.objects.scheduled().filter(loop=OuterRef("pk"), interviewer=user))
    return InterviewLoop.objects.filter(on_panel).exclude(blocked).exclude(rating)


def panel_blocked(user: Any, loop_ref: Any) -> Exists:
    """Inside a queryset of loops already narrowed by loops_visible_to(user): the user still owes feedback.

    On those loops the panel is visible exactly when this is false (a user who
    does not see every loop only sees the loops they interview on). A list
    annotates it per row; asking loops_with_panel_visible_to per row makes
    PostgreSQL hash the rule over every loop in the database first.
    A hire's manager with a check-in still to fill in is blocked the same way.
    """
    return Exists(InterviewLoop.objects.filter(pk=loop_ref).filter(
        Exists(_pending_own_interviews(user, OuterRef("pk"))) | Exists(_pending_checkins(user, OuterRef("pk")))
    ))


def can_open_committee_pages(user: Any) -> bool:
    """The committee's pages and their what-if: the hiring committee and admins (on loops whose panel they may
    see: ``can_see_panel``)."""
    return bool(user.is_committee or user.is_hireloop_admin)


def can_see_panel(user: Any, loop: InterviewLoop) -> bool:
    return loops_with_panel_visible_to(user).filter(pk=loop.pk).exists()


def scorecards_visible_to(user: Any) -> QuerySet[Scorecard]:
    """The user's own scorecards (any state) and submitted ones of loops whose panel they may see."""
    panel_loops = loops_with_panel_visible_to(user).values("pk")
    return Scorecard.objects.filter(
        Q(interviewer=user) | Q(status=Scorecard.Status.SUBMITTED, interview__loop__in=panel_loops)
    )


def recommendations_visible_to(user: Any) -> QuerySet[Recommendation]:
    """Computed recommendations of the loops whose panel the user may see."""
    return Recommendation.objects.filter(loop__in=loops_with_panel_visible_to(user).values("pk"))


def audit_values_withheld(user: Any) -> Q:
    """A condition on audit events: the ones whose before/after values the user may not read yet.

    Those are the events about a scorecard or the recommendation of a loop on
    which the user still owes feedback, and its decision. The events stay in
    the trail with who, what, when and which object: an auditor must see that
    something happened, and that much the loop page shows anyway (who has
    submitted); only the values are the panel's feedback. The user's own
    events stay readable: they hold nothing the user does not already know.
    """
    owed_loops = _owed_interviews(user).values("loop_id")
    about_feedback = Q(object_type__in=_FEEDBACK_OBJECT_TYPES) | Q(action__in=_FEEDBACK_ACTIONS)
    return about_feedback & Q(loop_id__in=owed_loops) & ~Q(actor_id=user.pk)
