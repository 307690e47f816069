"""The calendar feed: an .ics of the token owner's interviews, for calendar apps. No session: the token is the key."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from hiring.calendar.feeds import calendar_feed_ics, calendar_feed_owner


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    owner = calendar_feed_owner(token)
    if owner is None:
        # Unknown, revoked and deactivated look alike: a guess learns nothing.
        raise Http404(gettext("No such calendar feed."))
    response = HttpResponse(calendar_feed_ics(user=owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hireloop-interviews.ics"'
    # The URL is a secret: no shared cache keeps the answer, no search engine lists it, no link leaks it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
