"""Per-request language and time zone from the signed-in user's profile (hiring/accounts/locale.py).

Runs after ``LocaleMiddleware`` (browser's Accept-Language) and the authentication middleware, so that a
language chosen on the profile wins over the browser's; the API's token users are switched by the token
authentication itself (config/api/authentication.py), since DRF authenticates inside the view.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from hiring.accounts.locale import activate_for_user


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
