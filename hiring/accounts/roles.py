"""Audit of users' roles: who made whom a recruiter, committee member, admin or staff, and when."""

from __future__ import annotations

from typing import Any

from hiring.audit.services import audit_record
from hiring.models import User

ROLE_FIELDS = ("kind", "is_active", "is_staff", "is_superuser")


def user_role_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in ROLE_FIELDS}


def user_record_role_change(
    *, actor: User | None, user: User, before: dict[str, Any] | None, via: str | None = None
) -> None:
    """Write ``user.created`` or ``user.role_changed`` (only the role fields that changed).

    Call it in the transaction that saved ``user`` with the values it had
    before (None for a new user). ``via`` names where a change with no acting
    user came from ("oidc": the identity provider's groups at a sign-in), so the
    trail says why an actor-less change happened.
    """
    after = user_role_values(user)
    source = {"via": via} if via else {}
    if before is None:
        audit_record(actor=actor, action="user.created", obj=user, after={**after, **source})
        return
    changed = [name for name in ROLE_FIELDS if before.get(name) != after[name]]
    if changed:
        audit_record(actor=actor, action="user.role_changed", obj=user,
                     before={name: before.get(name) for name in changed},
                     after={**{name: after[name] for name in changed}, **source})
