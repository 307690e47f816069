"""A user's interface language and time zone: the choices offered, and activating them for a request, an email
or a document (docs/translations.md).

The order is the profile's setting, then (pages and API) the browser's Accept-Language that
``LocaleMiddleware`` already activated, then English; the time zone is the profile's, else ``TIME_ZONE``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone, translation


def language_choices() -> list[tuple[str, str]]:
    """The languages the interface ships in, each named in itself (a German reader finds "Deutsch")."""
    return [(code, name) for code, name in settings.LANGUAGES]


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def is_language(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def is_time_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def activate_for_user(user: Any) -> None:
    """Switch the current thread to the user's own language and time zone where they chose them."""
    language = getattr(user, "language", "")
    if language and is_language(language):
        translation.activate(language)
    zone = getattr(user, "time_zone", "")
    if zone and is_time_zone(zone):
        timezone.activate(zoneinfo.ZoneInfo(zone))
    else:
        timezone.deactivate()


@contextmanager
def user_locale(user: Any) -> Iterator[None]:
    """Render something for ``user`` (an email to them): their language, else English, and their time zone.

    Outside a request the browser's language is unknown, so a recipient without a setting gets the site's
    language, whatever language the sender's request runs in.
    """
    language = getattr(user, "language", "")
    zone = getattr(user, "time_zone", "")
    chosen = language if language and is_language(language) else settings.LANGUAGE_CODE
    previous_zone = timezone.get_current_timezone()
    with translation.override(chosen):
        timezone.activate(zoneinfo.ZoneInfo(zone if zone and is_time_zone(zone) else settings.TIME_ZONE))
        try:
            yield
        finally:
            timezone.activate(previous_zone)
