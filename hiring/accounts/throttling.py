"""Sign-in throttling (django-axes): repeated failures lock the account from that address.

Axes counts failures per username and client address together
(``AXES_LOCKOUT_PARAMETERS`` in settings): whoever guesses a password locks
only their own attempts at that account, never its owner signing in from
elsewhere. The lockout ends after ``HIRELOOP_LOCKOUT_MINUTES``.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class SignInThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, applied to every sign-in that comes with a request.

    ``authenticate()`` without a request (the test client's ``login()``, a
    management command checking a password) is not a sign-in from an address,
    so there is nothing to throttle; axes itself would raise instead.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address, trusting ``X-Forwarded-For`` only as far as the configured proxies.

    Behind N reverse proxies (``HIRELOOP_TRUSTED_PROXY_COUNT``), the client is
    the N-th address from the right of ``X-Forwarded-For``; anything further
    left was written by the client and could be forged to dodge the lockout.
    """
    proxies: int = settings.HIRELOOP_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> Any:
    """The page shown instead of signing in while locked out: says so, and for how long (HTTP 429)."""
    from django.shortcuts import render

    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "lockout_minutes": settings.HIRELOOP_LOCKOUT_MINUTES,
        },
        status=429,
    )
