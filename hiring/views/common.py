"""What the recruiter's pages share: page size, a paginator that trusts a known count, the access decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy

from hiring.errors import NotFound, PermissionRefused
from hiring.types import AuthenticatedHttpRequest

PAGE_SIZE = 25


View = Callable[..., HttpResponseBase]


class KnownCountPaginator(Paginator):
    """A paginator told its total: counting a grouped, annotated queryset would compute every row's figures."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


StrOrPromise = str | Promise


def page_for(allowed: Callable[[Any], bool], refusal: StrOrPromise) -> Callable[[View], View]:
    """A page for the signed-in users ``allowed`` admits; the services' errors become a 404 or a 403.

    The one decorator every page of every app uses, so a refused user meets the same answer everywhere.
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user):
                raise PermissionDenied(str(refusal))
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except PermissionRefused as exc:
                raise PermissionDenied(exc.message) from exc

        return wrapped

    return decorate


def _anyone(user: Any) -> bool:
    return True


# Sign-in required, nothing more: what a page shows is then narrowed by the access rules.
signed_in = page_for(_anyone, "")
# Recruiters, the committee and admins: the people who read every loop.
readers_only = page_for(
    lambda user: user.sees_all_loops,
    gettext_lazy("Only recruiters, the hiring committee and admins can open this page."),
)
# Recruiters and admins: the people who run loops.
managers_only = page_for(
    lambda user: user.manages_hiring, gettext_lazy("Only recruiters and admins manage candidates, loops and schedules.")
)


def querystring(params: dict[str, Any]) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "", False)})
