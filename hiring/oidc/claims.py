"""The provider's claims, checked for shape and turned into a ``ProviderIdentity``.

Claims come from the verified ID token and, where the provider has one, its
userinfo endpoint (most providers send the profile and groups from only one of
the two). Anything missing or malformed is refused here with a message naming
the claim, before any account is looked at.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from hiring.accounts.provisioning import ProviderIdentity
from hiring.oidc.errors import OidcSignInFailed
from hiring.text import strip_hidden

NAME_MAX = 150
SUBJECT_MAX = 255
EMAIL_MAX = 254
GROUPS_MAX = 1000


def identity_from_claims(claims: dict[str, Any], *, issuer: str) -> ProviderIdentity:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > SUBJECT_MAX:
        raise OidcSignInFailed("claim_sub", "The identity provider sent no usable subject (the `sub` claim).")
    return ProviderIdentity(
        issuer=issuer,
        subject=subject,
        email=_email(claims),
        email_verified=_flag(claims.get("email_verified")),
        first_name=_names(claims)[0],
        last_name=_names(claims)[1],
        groups=_groups(claims),
    )


def _email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise OidcSignInFailed(
            "claim_email",
            "The identity provider did not send your email address (the `email` claim), which Hireloop needs "
            "to know who you are. Ask your identity provider's administrators to release it to Hireloop "
            "(the `email` scope).",
        )
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise OidcSignInFailed(
            "claim_email", "The email address the identity provider sent (the `email` claim) is not valid."
        ) from exc
    if len(email) > EMAIL_MAX:
        raise OidcSignInFailed("claim_email", "The email address the identity provider sent is too long.")
    return email


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    # Some providers (Amazon Cognito among them) send booleans as strings.
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _text(value: Any) -> str:
    # A name the provider holds is taken, less the direction controls and zero-width characters that Hireloop
    # refuses when a name is typed here (hiring/text.py): refusing would lock the person out.
    return strip_hidden(value).strip()[:NAME_MAX] if isinstance(value, str) else ""


def _names(claims: dict[str, Any]) -> tuple[str, str]:
    first, last = _text(claims.get("given_name")), _text(claims.get("family_name"))
    if first or last:
        return first, last
    # Microsoft Entra ID sends only `name` unless given_name and family_name are added as optional claims.
    return _text(claims.get("name")), ""


def _claim_at(claims: dict[str, Any], path: str) -> tuple[bool, Any]:
    """The value at a dotted path (Keycloak's realm roles are at `realm_access.roles`), and whether it is there."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _groups(claims: dict[str, Any]) -> tuple[str, ...]:
    """The values of every role claim, pooled (Google's `hd` and `email` together, say)."""
    pooled: list[str] = []
    for claim in settings.HIRELOOP_OIDC_ROLE_CLAIMS:
        pooled += _claim_values(claims, claim)
    return tuple(pooled[:GROUPS_MAX])


def _claim_values(claims: dict[str, Any], claim: str) -> list[str]:
    names = claims.get("_claim_names")
    if isinstance(names, dict) and claim in names:
        # Microsoft Entra ID's "group overage": past 200 groups the token points to Microsoft Graph instead of
        # listing them. The person's groups are unknown, which is not the same as "in none": nothing changes.
        raise OidcSignInFailed(
            "claim_groups_overage",
            f"The identity provider sent a reference instead of your groups (the `{claim}` claim), because you "
            "are in too many. Hireloop's admins can fix this by sending only the groups assigned to Hireloop.",
        )
    present, value = _claim_at(claims, claim)
    if not present or value is None:
        # No claim: the provider says the person is in no group it releases to Hireloop.
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise OidcSignInFailed("claim_groups", f"The identity provider's `{claim}` claim is not a list of groups.")
    return [item for item in value[:GROUPS_MAX] if isinstance(item, str)]
