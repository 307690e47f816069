"""What a recruiter should hear about an interview just scheduled or reassigned, though none of it is an error.

An interview that started in the past (recording one held already), a second
interview by the same person on one panel, and an interviewer booked elsewhere
at the same time can each be intended; the page says so beside the success,
as it does for the rubric's coverage.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hiring.models import Interview
from hiring.selectors.common import CLOSED_STATUSES
from hiring.selectors.loops import loop_coverage


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%a %d %b, %H:%M}"


def interview_schedule_warnings(interview: Interview, *, new: bool, now: datetime | None = None) -> list[str]:
    """Warnings about ``interview`` as now scheduled (two queries); ``new``: it was just created, not reassigned."""
    now = now or timezone.now()
    name = interview.interviewer.display_name
    warnings = []
    if new and interview.starts_at < now:
        warnings.append(f"This interview started in the past ({_when(interview.starts_at)}); its feedback is due "
                        f"{_when(interview.feedback_due_at)}.")
    same_panel = (
        Interview.objects.filter(loop_id=interview.loop_id, interviewer_id=interview.interviewer_id)
        .exclude(pk=interview.pk).count()
    )
    if same_panel:
        warnings.append(f"{name} already interviews on this loop: a second interview by the same person adds less "
                        "independent evidence than a new interviewer would.")
    clashes = list(
        Interview.objects.filter(
            interviewer_id=interview.interviewer_id,
            starts_at__lt=interview.ends_at,
            ends_at__gt=interview.starts_at,
        )
        .exclude(pk=interview.pk)
        .exclude(loop__status__in=CLOSED_STATUSES)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")[:3]
    )
    if clashes:
        times = "; ".join(f"{_when(start)}–{timezone.localtime(end):%H:%M}" for start, end in clashes)
        warnings.append(f"{name} has another interview at that time ({times}).")
    return warnings


def interview_scheduled_notices(interview: Interview, *, new: bool) -> list[str]:
    """Everything a recruiter should hear after scheduling (``new``) or reassigning an interview: the warnings
    above, then the loop's coverage warnings. The pages show them as messages, the API returns them."""
    return [
        *interview_schedule_warnings(interview, new=new),
        *(warning.message for warning in loop_coverage(loop=interview.loop).warnings),
    ]
