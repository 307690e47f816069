"""Request types for code that runs only for a signed-in user (type annotations; no runtime effect)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from hiring.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a ``login_required`` page receives: its ``user`` is a Hireloop user, never anonymous."""

    user: User


def signed_in_user(request: Any) -> User:
    """The requesting user of a page or API view that only signed-in users reach (login_required, IsAuthenticated).

    For the places a request type cannot be narrowed in the signature (DRF's ``request.user``, class-based views).
    """
    return cast("User", request.user)
