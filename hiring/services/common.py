"""What the hiring services share: the recruiting check and locking a loop that must still be open."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from hiring.errors import Conflict, PermissionRefused
from hiring.models import InterviewLoop


def require_recruiting(actor: Any) -> None:
    if not actor.manages_hiring:
        raise PermissionRefused(gettext("Only recruiters and admins manage candidates, loops and schedules."))


def lock_open_loop(loop: InterviewLoop, *, doing: str) -> InterviewLoop:
    loop = InterviewLoop.objects.select_for_update().get(pk=loop.pk)
    if loop.is_closed:
        raise Conflict(
            gettext("The loop is %(status)s; %(doing)s.")
            % {"status": loop.get_status_display().lower(), "doing": doing},
            code="loop_closed",
        )
    return loop
