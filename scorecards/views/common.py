"""What the interviewer's and the rubric pages share: the signed-in check, and a dimension's anchors
as the pages show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from hiring.errors import NotFound
from scorecards.models import Dimension

View = Callable[..., HttpResponse]



def signed_in(view: View) -> View:
    """Sign-in required; a service's NotFound (someone else's interview) becomes a plain 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped



@dataclass
class Anchor:
    id: str
    value: str
    kind: str  # concerns | meets | exceeds
    title: str
    text: str



def anchors_of(dimension: Dimension, scale: dict[str, str]) -> list[Anchor]:
    """What 1, 3 and 5 look like, as the rubric words them; absent anchors are left out."""
    rows = [
        ("1", "concerns", "Common concerns", dimension.anchor_concerns),
        ("3", "meets", "Meets", dimension.anchor_meets),
        ("5", "exceeds", "Exceeds / strong", dimension.anchor_exceeds),
    ]
    return [
        Anchor(id=f"anchor-{dimension.pk}-{value}", value=value, kind=kind,
               title=f"{title} ({value} · {scale[value]})" if scale.get(value) else f"{title} ({value})", text=text)
        for value, kind, title, text in rows
        if text.strip()
    ]
