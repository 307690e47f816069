"""Rate limits: per token and per user for the API (reads apart from writes), per address for anonymous
callers and for the candidates' take-home links.

Rates live in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (set from the environment in settings, listed
in docs/security.md) and are read at each request, so a changed setting applies at once; a rate of None
turns that limit off. Counters live in the ``throttle`` cache: Redis when ``REDIS_URL`` is set, so every
web process shares them.

- ``CallerRateThrottle``: for signed-in callers, two counters checked together. Each API token has its
  own (``TokenRateThrottle``), so one runaway script spends its own rate and not its owner's other tokens
  or browser session; the user has one over her tokens and session together (``UserRateThrottle``), so
  minting more tokens does not multiply her rate.
- ``AnonymousRateThrottle``: requests with no valid credentials, per client address. DRF checks
  permissions before throttles, so on every endpoint but the public schema an anonymous request would be
  refused (401) before any throttle ran; the API's exception handler counts those 401s here too
  (``anonymous_refusal_throttled``), which also slows down someone trying tokens.
- ``take_home_throttle``: a middleware for the candidate's take-home page, per client address.

Addresses come from ``hiring.accounts.throttling.client_ip_address``, which reads ``X-Forwarded-For`` only as far
as ``HIRELOOP_TRUSTED_PROXY_COUNT`` proxies, the same reading as the sign-in lockout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

from django.core.cache import BaseCache, caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.connection import ConnectionProxy
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from hiring.accounts.throttling import client_ip_address
from hiring.models import ApiToken

TAKE_HOME_VIEW = "exercises:take-home"


class ScopedRateThrottle(SimpleRateThrottle):
    """DRF's counter with the rate looked up per request (DRF reads its rates once, at import)."""

    cache = cast(BaseCache, ConnectionProxy(caches, "throttle"))
    scope: str | None = None

    def __init__(self) -> None:
        # The scope may depend on the request (read or write): the rate is read in allow_request.
        self.rate: str | None = None

    def scope_for(self, request: Any) -> str:
        assert self.scope is not None
        return self.scope

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}.")
        return rates[self.scope]

    def has_room(self, request: Any, view: Any) -> bool:
        """Whether the rate allows this request, without counting it (``record`` does)."""
        self.scope = self.scope_for(request)
        self.rate = self.get_rate()
        self.key = None
        if self.rate is None:
            return True
        num_requests, duration = self.parse_rate(self.rate)
        assert num_requests is not None and duration is not None
        self.num_requests, self.duration = num_requests, duration
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - duration:
            self.history.pop()
        return len(self.history) < num_requests

    def record(self) -> None:
        if self.key is not None:
            self.throttle_success()

    def allow_request(self, request: Any, view: Any) -> bool:
        if not self.has_room(request, view):
            return self.throttle_failure()
        self.record()
        return True

    def ident_of(self, request: Any) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = self.ident_of(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class ReadWriteRateThrottle(ScopedRateThrottle):
    """Reads (GET, HEAD, OPTIONS) and writes counted apart, at their own rates: ``<prefix>_read``/``_write``."""

    prefix = ""

    def scope_for(self, request: Any) -> str:
        return f"{self.prefix}_{'read' if request.method in SAFE_METHODS else 'write'}"


class TokenRateThrottle(ReadWriteRateThrottle):
    prefix = "token"

    def ident_of(self, request: Any) -> str | None:
        return str(request.auth.pk) if isinstance(request.auth, ApiToken) else None


class UserRateThrottle(ReadWriteRateThrottle):
    prefix = "user"

    def ident_of(self, request: Any) -> str | None:
        user = request.user
        return str(user.pk) if user is not None and user.is_authenticated else None


class CallerRateThrottle(BaseThrottle):
    """The token's and the user's counters, checked together and counted only when both allow.

    DRF counts a request in every throttle that allowed it even when another refused it: a spent token's
    refused requests would go on spending its owner's rate, and lock out her session and other tokens.
    """

    def __init__(self) -> None:
        self.refused_waits: list[float | None] = []

    def allow_request(self, request: Any, view: Any) -> bool:
        limits = [TokenRateThrottle(), UserRateThrottle()]
        self.refused_waits = [limit.wait() for limit in limits if not limit.has_room(request, view)]
        if self.refused_waits:
            return False
        for limit in limits:
            limit.record()
        return True

    def wait(self) -> float | None:
        return max((wait for wait in self.refused_waits if wait is not None), default=None)


class AnonymousRateThrottle(ScopedRateThrottle):
    scope = "anon"

    def ident_of(self, request: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return client_ip_address(request) or "unknown"


class TakeHomeRateThrottle(ScopedRateThrottle):
    scope = "take_home"

    def ident_of(self, request: Any) -> str | None:
        return client_ip_address(request) or "unknown"


def retry_after(wait: float | None) -> str | None:
    """Retry-After in whole seconds, rounded up: "0" would invite an immediate retry that is refused again."""
    return None if wait is None else str(max(1, math.ceil(wait)))


def anonymous_refusal_throttled(request: Any, view: Any) -> exceptions.Throttled | None:
    """Count a request refused for lack of valid credentials against its address; past the rate, the 429
    to answer instead of the 401."""
    throttle = AnonymousRateThrottle()
    if throttle.allow_request(request, view):
        return None
    return exceptions.Throttled(wait=throttle.wait())


class TakeHomeThrottleMiddleware:
    """The candidate's take-home page, per client address: the link needs no account, so only the address
    tells one caller from another. Refused before the view looks the token up or reads an upload."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name != TAKE_HOME_VIEW:
            return None
        throttle = TakeHomeRateThrottle()
        if throttle.allow_request(request, None):
            return None
        response = HttpResponse(
            "Too many requests from your address. Please wait and open your link again.\n",
            status=429, content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = retry_after(throttle.wait()) or "60"
        # As on the page itself: the URL holds the candidate's token.
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
