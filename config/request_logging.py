"""How django.request logs a refused request (403): one line saying who was refused what, not a traceback.

Django logs a ``PermissionDenied`` raised by a page with the exception attached, so every refusal wrote a
traceback (with any chained exception) although it is the access rules working as meant; the API's
refusals were logged as ``Forbidden: <path>``, without who or why. This filter, on the django.request
logger, rewrites both into ``Forbidden: <method> <path> (user <id>): <reason>``. The path has no query
string (searches carry candidates' names), and the reason is the refusal's own fixed sentence.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

REFUSAL_ATTRIBUTE = "hireloop_refusal"
REWRITTEN_ATTRIBUTE = "hireloop_refusal_rewritten"


def note_refusal(request: HttpRequest, reason: str) -> None:
    """Tell the log line why the API refused this request (the error's code and message)."""
    setattr(request, REFUSAL_ATTRIBUTE, reason)


def _escaped(text: str) -> str:
    # As Django's own log_response: a path or message cannot start a forged log line.
    return text.encode("unicode_escape").decode("ascii")


def _who(request: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user {user.pk}"


class RefusalAsOneLine(logging.Filter):
    """On django.request: a 403 record loses its traceback and says method, path, user id and reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.setup() run again (Celery's Django fix-up does) adds this filter a second time; the second
        # must not find the traceback gone and rewrite the reason as unknown.
        if getattr(record, "status_code", None) != 403 or getattr(record, REWRITTEN_ATTRIBUTE, False):
            return True
        request = getattr(record, "request", None)
        reason = getattr(request, REFUSAL_ATTRIBUTE, "")
        if not reason and record.exc_info and record.exc_info[1] is not None:
            reason = str(record.exc_info[1])
        record.msg = "Forbidden: %s %s (%s): %s"
        record.args = (
            _escaped(getattr(request, "method", "") or "-"),
            _escaped(getattr(request, "path", "") or "-"),
            _who(request),
            _escaped(reason or "permission denied"),
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        setattr(record, REWRITTEN_ATTRIBUTE, True)
        return True
