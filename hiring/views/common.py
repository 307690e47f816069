"""What the recruiter's pages share: page size, a paginator that trusts a known count, the access decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils.functional import cached_property

from hiring.errors import NotFound, PermissionRefused
from hiring.types import AuthenticatedHttpRequest

PAGE_SIZE = 25


View = Callable[..., HttpResponse]



class KnownCountPaginator(Paginator):
    """A paginator told its total: counting a grouped, annotated queryset would compute every row's figures."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count



def readers_only(view: View) -> View:
    """Recruiters, the committee and admins: the people who read every loop."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.sees_all_loops:
            raise PermissionDenied("Only recruiters, the hiring committee and admins can open this page.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionRefused as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped



def managers_only(view: View) -> View:
    """Recruiters and admins: the people who run loops."""

    @readers_only
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.manages_hiring:
            raise PermissionDenied("Only recruiters and admins manage candidates, loops and schedules.")
        return view(request, *args, **kwargs)

    return wrapped



def querystring(params: dict[str, Any]) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "", False)})
