"""Writes for live exercises on interviews: an exercise in an interview's kit."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from exercises.models import Exercise
from exercises.services.common import dimensions_by_name, require_recruiting
from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import Interview, User
from scorecards.models import Scorecard

LIVE_FORMATS = (Exercise.Format.LIVE, Exercise.Format.DISCUSSION)


@transaction.atomic
def interview_attach_exercise(
    *, actor: User, interview_id: int, exercise_id: int | None, add_focus: bool = True
) -> Interview:
    """Put a live or discussion exercise in an interview's kit (or take it out with ``exercise_id=None``).

    With ``add_focus`` the exercise's dimensions join the interview's focus.
    Refused once feedback for the interview was submitted: it was scored
    against what the kit said then.
    """
    require_recruiting(actor)
    try:
        interview = Interview.objects.select_for_update(of=("self",)).select_related("loop").get(pk=interview_id)
    except Interview.DoesNotExist as exc:
        raise NotFound(gettext("No such interview.")) from exc
    if interview.loop.is_closed:
        raise Conflict(gettext("The loop is closed; its interviews can no longer change."), code="loop_closed")
    if interview.cancelled_at is not None:
        raise Conflict(
            gettext("This interview was cancelled; its kit can no longer change."), code="interview_cancelled"
        )
    if interview.kind == Interview.Kind.TAKE_HOME_REVIEW:
        raise Conflict(gettext("A take-home review's exercise comes from its assignment."), code="take_home_review")
    if Scorecard.objects.filter(interview=interview, status=Scorecard.Status.SUBMITTED).exists():
        raise Conflict(gettext("Feedback for this interview is already submitted; its exercise can no longer change."),
                       code="feedback_submitted")
    exercise = None
    if exercise_id is not None:
        exercise = Exercise.objects.filter(pk=exercise_id).first()
        errors: dict[str, list[str]] = {}
        if exercise is None or exercise.role_id != interview.loop.role_id:
            errors["exercise"] = ["Choose an exercise of this loop's role."]
        elif exercise.format not in LIVE_FORMATS:
            errors["exercise"] = ["Take-home exercises are sent to the candidate; choose a live or discussion one."]
        elif not exercise.is_active:
            errors["exercise"] = ["This exercise is retired from the library."]
        if errors:
            raise ValidationFailed(gettext("The exercise could not be attached."), field_errors=errors)
    before_focus = sorted(interview.focus_dimensions.values_list("pk", flat=True))
    before = {"exercise_id": interview.exercise_id, "focus_dimension_ids": before_focus}
    interview.exercise = exercise
    interview.save(update_fields=["exercise"])
    if exercise is not None and add_focus:
        interview.focus_dimensions.add(*dimensions_by_name(interview.loop, exercise.dimension_names))
    after_focus = sorted(interview.focus_dimensions.values_list("pk", flat=True))
    audit_record(actor=actor, action="interview.exercise_attached" if exercise else "interview.exercise_detached",
                 obj=interview, loop_id=interview.loop_id, before=before,
                 after={"exercise_id": interview.exercise_id, "focus_dimension_ids": after_focus})
    return interview
