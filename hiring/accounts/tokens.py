"""Personal API tokens: create, revoke, and resolve a presented token to its user.

The plaintext token is shown once, when it is created; only its SHA-256 and
a short prefix are stored, so a leaked database gives no usable token. (A
token is 32 random bytes: a fast hash is as unrecoverable as a slow one here,
and a slow one would cost every API request.)

Every token expires: ``HIRELOOP_API_TOKEN_DAYS`` after its creation unless
its owner chose another lifetime, up to ``HIRELOOP_API_TOKEN_MAX_DAYS``. A
token has the scope ``read_write`` or ``read``; a read-only token is refused
any request that could change something.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import ApiToken, User
from hiring.text import label_problem, length_problem

TOKEN_MARK = "hl_"  # noqa: S105 - a public prefix that marks Hireloop tokens, not a secret
PREFIX_LENGTH = len(TOKEN_MARK) + 8
MAX_ACTIVE_TOKENS = 20
# Writing last_used_at on every request would make each API read a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str


class ApiTokenRefused(Exception):
    """A presented token that authenticates nobody; ``code`` and ``message`` are what the client is told."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def days_left(token: ApiToken, *, now: datetime | None = None) -> int:
    """Whole days from today to the token's expiry day, in the site's time zone (0: it expires today)."""
    return (timezone.localdate(token.expires_at) - timezone.localdate(now or timezone.now())).days


def _expiry_days(value: int | None) -> int:
    days = settings.HIRELOOP_API_TOKEN_DAYS if value is None else value
    maximum = settings.HIRELOOP_API_TOKEN_MAX_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise ValidationFailed(
            gettext("The expiry is out of range."),
            field_errors={
                "expires_in_days": [gettext("Choose between 1 and %(maximum)s days.") % {"maximum": maximum}]
            },
        )
    return days


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    name: str,
    expires_in_days: int | None = None,
    scope: str = ApiToken.Scope.READ_WRITE,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a new token for the actor; the plaintext is returned once and never stored.

    It expires ``expires_in_days`` after ``now`` (``HIRELOOP_API_TOKEN_DAYS`` when not given).
    """
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise ValidationFailed(
            gettext("Name the token."), field_errors={"name": [gettext("Say what the token is for.")]}
        )
    if problem := length_problem(name, "api_token.name"):
        raise ValidationFailed(gettext("The name is too long."), field_errors={"name": [problem]})
    if problem := label_problem(name):
        raise ValidationFailed(gettext("The name holds an invisible character."), field_errors={"name": [problem]})
    days = _expiry_days(expires_in_days)
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed(
            gettext("Unknown scope."),
            field_errors={"scope": [gettext("Choose one of: %(join)s.") % {"join": ", ".join(ApiToken.Scope.values)}]},
        )
    # Serialise concurrent creations by the same user so the cap holds.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if usable_tokens(now=now).filter(user=actor).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            gettext("You already have %(MAX_ACTIVE_TOKENS)s active tokens; revoke one first.")
            % {"MAX_ACTIVE_TOKENS": MAX_ACTIVE_TOKENS},
            code="too_many_tokens",
        )
    plaintext = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=plaintext[:PREFIX_LENGTH], token_hash=token_digest(plaintext),
        scope=scope, created_at=now, expires_at=now + timedelta(days=days),
    )
    audit_record(actor=actor, action="api_token.created", obj=token, after={
        "prefix": token.prefix, "name": name, "scope": scope, "expires_at": token.expires_at.isoformat(),
    })
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; a token of someone else is reported as missing."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound(gettext("No such token."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoked", obj=token, after={"prefix": token.prefix})
    return token


def usable_tokens(*, now: datetime) -> QuerySet[ApiToken]:
    """Tokens that authenticate at ``now``: neither revoked nor expired, of an active user."""
    return ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def api_token_authenticate(plaintext: str, *, now: datetime | None = None) -> tuple[User, ApiToken]:
    """The user a presented token acts for, or ``ApiTokenRefused`` saying why it does not.

    The reasons are told apart (expired, revoked, deactivated user) so that the token's holder knows
    what to do; none of them tells someone without the token anything about it.
    """
    if not plaintext.startswith(TOKEN_MARK) or len(plaintext) > 200:
        raise ApiTokenRefused("authentication_failed", "The token is not valid.")
    token = ApiToken.objects.select_related("user").filter(token_hash=token_digest(plaintext)).first()
    if token is None:
        raise ApiTokenRefused("authentication_failed", "The token is not valid.")
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise ApiTokenRefused("token_revoked", f"The token was revoked on {_when(token.revoked_at)}.")
    if token.is_expired(now):
        raise ApiTokenRefused(
            "token_expired",
            f"The token expired on {_when(token.expires_at)}; create a new one on your profile page.",
        )
    if not token.user.is_active:
        raise ApiTokenRefused("user_inactive", "The token's user account is deactivated.")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def api_token_refusal(token: ApiToken, *, method: str) -> str | None:
    """Why ``token`` may not make a request with ``method``, or None when it may."""
    if token.is_read_only and method.upper() not in READ_METHODS:
        return (
            f"This token has the read-only scope ('{ApiToken.Scope.READ}'): it may read (GET, HEAD, OPTIONS) but "
            f"not {method.upper()}. Create a token with the read and write scope on your profile page to make changes."
        )
    return None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def api_tokens_expiring(*, now: datetime, within_days: int) -> QuerySet[ApiToken]:
    """Usable tokens expiring before the end of the day ``within_days`` days from today (site's time zone).

    A token whose whole life is that short is left out: its owner chose it knowing when it ends.
    """
    cutoff = _local_midnight(timezone.localdate(now) + timedelta(days=within_days + 1))
    return (
        usable_tokens(now=now)
        .filter(expires_at__lt=cutoff, created_at__lt=F("expires_at") - timedelta(days=within_days))
        .select_related("user")
        .order_by("expires_at", "id")
    )
