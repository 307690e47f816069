"""Cache-Control for everything under /api/: the data API is never stored; its schema and docs are revalidated.

API answers carry personal data and differ by caller (token, session, permissions), and an error stored by
a shared cache would be served to the next caller of the same URL: every response under /api/v1/, errors,
redirects and downloads included, says ``no-store``. The views do not decide this one by one, so an
endpoint added later cannot forget it.

The schema (/api/schema/) and the docs page (/api/docs/) hold no personal data and are the same for
everyone, so they may be kept; but they change with each deploy under the same URL, and the docs page
carries a per-response CSP nonce that a shared cache must not hand out again. ``no-cache`` lets them be
stored and always revalidated; their errors (a 429, say) are ``no-store`` like the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"
REVALIDATED_VIEWS = frozenset({"api-schema", "api-docs"})


def api_cache_control(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if request.path_info.startswith(API_PREFIX):
            match = request.resolver_match
            revalidated = match is not None and match.view_name in REVALIDATED_VIEWS and response.status_code == 200
            # Replaces whatever a view set: "private, max-age" on a download is still a stored copy.
            response["Cache-Control"] = "no-cache" if revalidated else "no-store"
        return response

    return middleware
