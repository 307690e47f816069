"""The navigation bar: each user sees only the entries their kind allows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, who sees it); url names that are not installed yet are skipped.
NAV_ITEMS: list[tuple[str, str, set[str]]] = [
    ("My interviews", "scorecards:my-interviews", {"interviewer", "recruiter", "committee", "admin"}),
    ("Pipeline", "hiring:pipeline", {"recruiter", "committee", "admin"}),
    ("Candidates", "hiring:candidate-list", {"recruiter", "committee", "admin"}),
    ("Exercises", "exercises:library", {"interviewer", "recruiter", "committee", "admin"}),
    ("Committee", "scorecards:committee-loops", {"committee", "admin"}),
    ("Calibration", "scorecards:report-list", {"committee", "admin"}),
    ("Audit trail", "hiring:audit-list", {"committee", "admin"}),
    ("Rubrics", "scorecards:rubric-list", {"interviewer", "recruiter", "committee", "admin"}),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    kind = "admin" if user.is_superuser else user.kind
    items = []
    for label, name, kinds in NAV_ITEMS:
        if kind not in kinds:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
