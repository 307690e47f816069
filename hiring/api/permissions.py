"""Who may call which write endpoint, checked before the body is read.

The services check the same things again and remain the authority; checking
here first means a refused user gets 403 whatever they sent, and nothing of
the body (ids of candidates, loops, users) is looked up on their behalf.
The conditions are the User model's own predicates, not new rules.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from config.api.schema import error_response


def _user(request: Request) -> Any:
    return request.user


class _SignedIn(BasePermission):
    """Refuses anonymous requests (401) before any predicate of the user is asked."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return bool(user and user.is_authenticated) and self.allows(request, user)

    def allows(self, request: Request, user: Any) -> bool:
        return True


class ReadOrRecruiting(_SignedIn):
    """Anyone signed in reads what the access rules show them; recruiters and admins write."""

    message = "Only recruiters and admins manage candidates, loops and schedules."

    def allows(self, request: Request, user: Any) -> bool:
        return request.method in SAFE_METHODS or bool(user.manages_hiring)


class SeesAllLoops(_SignedIn):
    """Recruiters, the committee and admins: the people who read every loop."""

    message = "Only recruiters, the hiring committee and admins can see this."

    def allows(self, request: Request, user: Any) -> bool:
        return bool(user.sees_all_loops)


class SeesAllLoopsRecruitingWrites(_SignedIn):
    """Recruiters, the committee and admins read; recruiters and admins write."""

    message = "Only recruiters and admins manage candidates; recruiters, the committee and admins read them."

    def allows(self, request: Request, user: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(user.sees_all_loops)
        return bool(user.manages_hiring)


class ReadOrAdmin(_SignedIn):
    message = "Only admins can do this."

    def allows(self, request: Request, user: Any) -> bool:
        return request.method in SAFE_METHODS or user.is_hireloop_admin


class CommitteeOrAdmin(_SignedIn):
    message = "Only the hiring committee and admins can do this."

    def allows(self, request: Request, user: Any) -> bool:
        return bool(user.is_committee or user.is_hireloop_admin)


# The 403 the schema documents for every write these permissions refuse.
RECRUITING_403 = error_response("Only recruiters and admins manage candidates, loops and schedules.")
