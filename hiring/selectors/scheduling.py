"""What a recruiter should hear about an interview just scheduled, moved or reassigned, though none of it is an error.

An interview that started in the past (recording one held already), a second
interview by the same person on one panel, an interviewer booked elsewhere at
the same time, and an interviewer with more interviews in one week than the
team's limit (``HIRELOOP_INTERVIEWS_PER_WEEK_WARNING``) can each be intended;
the page says so beside the success, as it does for the rubric's coverage,
and the API returns the same sentences.

Cancelled interviews and take-home reviews (a deadline spanning days, not a
session) count for none of it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from hiring.models import Interview, InterviewLoop
from hiring.selectors.common import CLOSED_STATUSES
from hiring.selectors.loops import loop_coverage


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%a %d %b, %H:%M}"


def iso_week_of(moment: datetime) -> tuple[datetime, datetime]:
    """The ISO week (Monday to Monday, in the site's time zone) that ``moment`` falls in, as aware bounds."""
    day = timezone.localtime(moment).date()
    monday = day - timedelta(days=day.weekday())
    zone = timezone.get_current_timezone()
    # Each bound is built from its own local midnight: a week that changes clocks is not 7 × 24 hours long.
    return (datetime.combine(monday, time.min, tzinfo=zone),
            datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone))


def interview_schedule_warnings(
    interview: Interview, *, new: bool, moved: bool = False, now: datetime | None = None
) -> list[str]:
    """Warnings about ``interview`` as now scheduled (at most three queries).

    ``new``: it was just created; ``moved``: its time just changed; neither: it was reassigned.
    """
    now = now or timezone.now()
    name = interview.interviewer.display_name
    warnings = []
    if (new or moved) and interview.starts_at < now:
        warnings.append(f"This interview {'started' if new else 'now starts'} in the past "
                        f"({_when(interview.starts_at)}); its feedback is due {_when(interview.feedback_due_at)}.")
    same_panel = (
        Interview.objects.scheduled().filter(loop_id=interview.loop_id, interviewer_id=interview.interviewer_id)
        .exclude(pk=interview.pk).count()
    )
    if same_panel:
        warnings.append(f"{name} already interviews on this loop: a second interview by the same person adds less "
                        "independent evidence than a new interviewer would.")
    if interview.kind == Interview.Kind.TAKE_HOME_REVIEW:
        return warnings
    sessions = (
        Interview.objects.scheduled().filter(interviewer_id=interview.interviewer_id)
        .exclude(kind=Interview.Kind.TAKE_HOME_REVIEW)
    )
    clashes = list(
        sessions.filter(starts_at__lt=interview.ends_at, ends_at__gt=interview.starts_at)
        .exclude(pk=interview.pk)
        .exclude(loop__status__in=CLOSED_STATUSES)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")[:3]
    )
    if clashes:
        times = "; ".join(f"{_when(start)}–{timezone.localtime(end):%H:%M}" for start, end in clashes)
        warnings.append(f"{name} has another interview at that time ({times}).")
    limit = settings.HIRELOOP_INTERVIEWS_PER_WEEK_WARNING
    monday, next_monday = iso_week_of(interview.starts_at)
    # The week's load counts the sessions held or to come: a decided loop's interviews took place, a withdrawn
    # loop's may not have, and its later ones are off.
    in_week = (
        sessions.filter(starts_at__gte=monday, starts_at__lt=next_monday)
        .exclude(loop__status=InterviewLoop.Status.WITHDRAWN)
        .count()
    )
    if in_week > limit:
        warnings.append(f"{name} has {in_week} interviews in the week of {monday:%a %d %b} "
                        f"(ISO week {monday.isocalendar().week}), over the limit of {limit} a week.")
    return warnings


def interview_scheduled_notices(interview: Interview, *, new: bool, moved: bool = False) -> list[str]:
    """Everything a recruiter should hear after scheduling (``new``), moving (``moved``) or reassigning an
    interview: the warnings above, then the loop's coverage warnings. The pages show them as messages, the API
    returns them."""
    return [
        *interview_schedule_warnings(interview, new=new, moved=moved),
        *(warning.message for warning in loop_coverage(loop=interview.loop).warnings),
    ]
