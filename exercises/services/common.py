"""What the exercise services share: the recruiting check, times in messages, a loop's dimensions by name,
and the emails enqueued after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from hiring.errors import PermissionRefused
from hiring.jobs import enqueue
from hiring.models import InterviewLoop
from scorecards.models import Dimension

SEND_LINK_TASK = "exercises.tasks.send_take_home_link"
SEND_NOTICE_TASK = "exercises.tasks.send_take_home_notice"


def require_recruiting(actor: Any) -> None:
    if not actor.manages_hiring:
        raise PermissionRefused(gettext("Only recruiters and admins assign exercises and change deadlines."))


def local_time_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y, %H:%M %Z")


def dimensions_by_name(loop: InterviewLoop, names: list[str]) -> list[Dimension]:
    """The loop's rubric dimensions with these names, in rubric order; names not in that version are skipped."""
    return list(Dimension.objects.filter(rubric_id=loop.rubric_id, name__in=names).order_by("position"))


def enqueue_link_email(assignment_id: int, token: str, *, reissued: bool = False) -> None:
    # A dead broker must not fail the request; the page offers to resend.
    enqueue(SEND_LINK_TASK, assignment_id, token, reissued,
            failure=f"Could not enqueue the take-home link email for assignment {assignment_id} (%s).")


def enqueue_notice(assignment_id: int, notice: str, submission_id: int | None = None) -> None:
    # A notice is a courtesy; the pages show the same facts.
    enqueue(SEND_NOTICE_TASK, assignment_id, notice, submission_id,
            failure=f"Could not enqueue the {notice} notice for assignment {assignment_id} (%s).")
