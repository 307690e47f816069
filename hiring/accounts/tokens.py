"""Personal API tokens: create, revoke, and resolve a presented token to its user.

The plaintext token is shown once, when it is created; only its SHA-256 and
a short prefix are stored, so a leaked database gives no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import ApiToken, User

TOKEN_MARK = "hl_"  # noqa: S105 - a public prefix that marks Hireloop tokens, not a secret
PREFIX_LENGTH = len(TOKEN_MARK) + 8
MAX_ACTIVE_TOKENS = 20
# Writing last_used_at on every request would make each API read a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> IssuedToken:
    """Issue a new token for the actor; the plaintext is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed("Name the token.", field_errors={"name": ["Say what the token is for."]})
    if len(name) > 100:
        raise ValidationFailed("The name is too long.", field_errors={"name": ["Use at most 100 characters."]})
    # Serialise concurrent creations by the same user so the cap holds.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.", code="too_many_tokens"
        )
    plaintext = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=plaintext[:PREFIX_LENGTH], token_hash=token_digest(plaintext)
    )
    audit_record(actor=actor, action="api_token.created", obj=token, after={"prefix": token.prefix, "name": name})
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; a token of someone else is reported as missing."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoked", obj=token, after={"prefix": token.prefix})
    return token


def api_token_user(plaintext: str) -> tuple[User, ApiToken] | None:
    """The active user a presented token belongs to, or None for an unknown, revoked or inactive one."""
    if not plaintext.startswith(TOKEN_MARK) or len(plaintext) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(plaintext), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
