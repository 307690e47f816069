"""Per-request language and time zone from the signed-in user's profile (hiring/accounts/locale.py).

Runs after ``LocaleMiddleware`` (browser's Accept-Language) and the authentication middleware, so that a
language chosen on the profile wins over the browser's; the API's token users are switched by the token
authentication itself (config/api/authentication.py), since DRF authenticates inside the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import timezone, translation

from hiring.accounts.locale import activate_for_user


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, which activates the browser's language for the request, and then puts the thread's language and
    time zone back as they were: Django leaves them active, so the next thing the same thread runs (a job, a
    test, an email sent after the response) would silently inherit one user's language."""

    def __call__(self, request: HttpRequest) -> Any:  # Django's own signature (sync or async response)
        language, zone = translation.get_language(), timezone.get_current_timezone()
        try:
            return super().__call__(request)
        finally:
            if language:
                translation.activate(language)
            else:
                translation.deactivate()
            timezone.activate(zone)


class UserLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for_user(user)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return self.get_response(request)
