"""The OpenID Connect settings: Hireloop's (``HIRELOOP_OIDC_*``) and the library's, derived from them.

mozilla-django-oidc reads its settings (``OIDC_*``) through ``get_settings``,
which the backend and views here override with ``library_setting``: one source
of truth, and the provider's endpoints come from discovery when a sign-in needs
them instead of being settings of their own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from hiring.accounts.provisioning import RoleMap
from hiring.models import User

CALLBACK_URL_NAME = "oidc-callback"

# Fixed choices, not settings: each is what the flow must do, whatever the provider.
_FIXED: dict[str, Any] = {
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_USE_NONCE": True,
    "OIDC_VERIFY_KID": True,
    "OIDC_VERIFY_SSL": True,
    "OIDC_ALLOW_UNSECURED_JWT": False,
    # Hireloop needs neither token after the sign-in; not keeping them leaves nothing in sessions to steal.
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_STORE_ID_TOKEN": False,
    "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
    "OIDC_REDIRECT_FIELD_NAME": "next",
}


def oidc_enabled() -> bool:
    return bool(settings.HIRELOOP_OIDC_ISSUER)


def library_setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's ``get_settings``, answered from Hireloop's settings."""
    derived: dict[str, Any] = {
        "OIDC_RP_CLIENT_ID": settings.HIRELOOP_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.HIRELOOP_OIDC_CLIENT_SECRET,
        "OIDC_RP_SCOPES": settings.HIRELOOP_OIDC_SCOPES,
        "OIDC_RP_SIGN_ALGO": settings.HIRELOOP_OIDC_SIGN_ALGO,
        "OIDC_TIMEOUT": settings.HIRELOOP_OIDC_TIMEOUT_SECONDS,
    }
    if name in derived:
        return derived[name]
    if name in _FIXED:
        return _FIXED[name]
    if default:
        return getattr(settings, name, default[0])
    return getattr(settings, name)


def role_map() -> RoleMap:
    return RoleMap(groups_by_kind={
        User.Kind.ADMIN: frozenset(settings.HIRELOOP_OIDC_ADMIN_GROUPS),
        User.Kind.RECRUITER: frozenset(settings.HIRELOOP_OIDC_RECRUITER_GROUPS),
        User.Kind.COMMITTEE: frozenset(settings.HIRELOOP_OIDC_COMMITTEE_GROUPS),
        User.Kind.INTERVIEWER: frozenset(settings.HIRELOOP_OIDC_INTERVIEWER_GROUPS),
    })
