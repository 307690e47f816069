"""What the exercise pages share: the list page size, the recruiting check, a loop by id, and how a
service's refusal becomes a 4xx page or a form error's status.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from exercises.selectors import take_homes as take_home_selectors
from hiring.errors import ApplicationError, Conflict, NotFound, PermissionRefused
from hiring.models import InterviewLoop

LIST_PAGE_SIZE = 50

def raise_http(error: ApplicationError) -> None:
    """Errors no form can show: a missing object is a 404, a refused permission a 403."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    if isinstance(error, PermissionRefused):
        raise PermissionDenied(error.message)


def require_manager(user: Any) -> None:
    if not user.manages_hiring:
        raise PermissionDenied(gettext("Only recruiters and admins assign exercises and change deadlines."))


def error_status(error: ApplicationError) -> int:
    return 409 if isinstance(error, Conflict) else 400


def loop_or_404(request: HttpRequest, loop_id: int) -> InterviewLoop:
    try:
        return take_home_selectors.loop_for_exercises(user=request.user, loop_id=loop_id)
    except NotFound as error:
        raise Http404(error.message) from error
