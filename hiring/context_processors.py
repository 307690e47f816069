"""The navigation bar: each user sees only the entries their kind allows."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

StrOrPromise = str | Promise

# (label, url name, who sees it); url names that are not installed yet are skipped.
NAV_ITEMS: list[tuple[StrOrPromise, str, set[str]]] = [
    (gettext_lazy("My interviews"), "scorecards:my-interviews", {"interviewer", "recruiter", "committee", "admin"}),
    (gettext_lazy("Pipeline"), "hiring:pipeline", {"recruiter", "committee", "admin"}),
    (gettext_lazy("Candidates"), "hiring:candidate-list", {"recruiter", "committee", "admin"}),
    (gettext_lazy("Exercises"), "exercises:library", {"interviewer", "recruiter", "committee", "admin"}),
    (gettext_lazy("Committee"), "scorecards:committee-loops", {"committee", "admin"}),
    (gettext_lazy("Calibration"), "scorecards:report-list", {"committee", "admin"}),
    (gettext_lazy("Check-ins"), "outcomes:checkins", {"interviewer", "recruiter", "committee", "admin"}),
    (gettext_lazy("Quality of hire"), "outcomes:validity", {"committee", "admin"}),
    (gettext_lazy("Audit trail"), "hiring:audit-list", {"committee", "admin"}),
    (gettext_lazy("Rubrics"), "scorecards:rubric-list", {"interviewer", "recruiter", "committee", "admin"}),
    (gettext_lazy("Questions"), "scorecards:question-list", {"recruiter", "admin"}),
    (gettext_lazy("Integrations"), "integrations:endpoint-list", {"admin"}),
]


@lru_cache(maxsize=8)
def _nav_urls(urlconf: str | None, script_prefix: str) -> tuple[tuple[StrOrPromise, str, frozenset[str]], ...]:
    """The entries' URLs: the same on every request for a URLconf and script prefix, so reversed once."""
    entries = []
    for label, name, kinds in NAV_ITEMS:
        try:
            entries.append((label, reverse(name, urlconf=urlconf), frozenset(kinds)))
        except NoReverseMatch:
            continue
    return tuple(entries)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    kind = "admin" if user.is_superuser else user.kind
    return {"nav_items": [
        {"label": label, "url": url, "active": request.path.startswith(url)}
        for label, url, kinds in _nav_urls(get_urlconf(), get_script_prefix())
        if kind in kinds
    ]}
