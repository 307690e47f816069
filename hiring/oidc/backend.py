"""The authentication backend: the code exchange, the ID token's checks, and the hand-over to provisioning.

mozilla-django-oidc runs the flow (state, nonce, PKCE verifier, the token
request, the JWKS lookup); this subclass adds what it leaves out or gets wrong
for Hireloop:

- the endpoints come from discovery when a sign-in needs them, not from settings;
- the ID token's issuer, audience (and ``azp``) and the presence of ``exp``,
  ``iat`` and ``sub`` are verified, not only its signature and expiry;
- every failure becomes an ``OidcSignInFailed`` with a message for the person
  (the library raises bare HTTP errors, which would be 500s, and logs nothing useful);
- ``get_user`` refuses deactivated users, as Django's ``ModelBackend`` does
  (the library's own returns them, which would keep a deactivated person's session alive).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from requests.auth import HTTPBasicAuth

from hiring.accounts.provisioning import user_sign_in_with_identity
from hiring.models import User
from hiring.oidc.claims import identity_from_claims
from hiring.oidc.conf import library_setting, role_map
from hiring.oidc.discovery import ProviderMetadata, provider_metadata
from hiring.oidc.errors import OidcSignInFailed, ProviderUnavailable

logger = logging.getLogger(__name__)
# Userinfo claims never override what the verified ID token says about who issued it to whom.
TOKEN_ONLY_CLAIMS = frozenset({"iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "sub"})
TRY_AGAIN = "Sign in again; if it happens again, tell your Hireloop admins."


def _unreachable(what: str, exc: Exception) -> ProviderUnavailable:
    logger.warning("OIDC sign-in: %s unreachable (%s)", what, type(exc).__name__)
    return ProviderUnavailable(
        f"Hireloop could not reach the identity provider's {what} ({type(exc).__name__}). "
        "Try again in a few minutes; if it goes on, tell your Hireloop admins."
    )


class OidcBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(library_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads the endpoints, which would fetch discovery, and Django builds a
        # backend for every request with a session (get_user), which must not depend on the provider.
        self.UserModel = get_user_model()

    @property
    def metadata(self) -> ProviderMetadata:
        return provider_metadata()

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # noqa: N802 - the library's attribute names
        return str(settings.HIRELOOP_OIDC_CLIENT_ID)

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:  # noqa: N802
        return str(settings.HIRELOOP_OIDC_CLIENT_SECRET)

    @property
    def OIDC_RP_SIGN_ALGO(self) -> str:  # noqa: N802
        return str(settings.HIRELOOP_OIDC_SIGN_ALGO)

    @property
    def OIDC_RP_IDP_SIGN_KEY(self) -> None:  # noqa: N802 - keys always come from the provider's JWKS
        return None

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return self.metadata.jwks_uri

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802
        return self.metadata.token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return self.metadata.userinfo_endpoint

    def get_user(self, user_id: Any) -> User | None:
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback view's call is ours (it passes the nonce and verifier from the session); a password
        # sign-in whose URL happens to carry ?code=&state= must not start a token exchange.
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The token request; the client secret goes in the Authorization header when the provider allows it."""
        auth = None
        if self.metadata.token_auth_basic:
            # RFC 6749 section 2.3.1: both are form-encoded before they are put in the header.
            auth = HTTPBasicAuth(quote(payload["client_id"], safe=""), quote(payload.pop("client_secret"), safe=""))
        try:
            response = requests.post(
                self.OIDC_OP_TOKEN_ENDPOINT,
                data=payload,
                auth=auth,
                timeout=settings.HIRELOOP_OIDC_TIMEOUT_SECONDS,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise _unreachable("token endpoint", exc) from exc
        body = _json_object(response)
        if response.status_code != 200:
            error = _error_code(body.get("error"))
            logger.warning("OIDC sign-in: the token endpoint refused the code (HTTP %s, %s)",
                           response.status_code, error)
            if response.status_code >= 500:
                raise ProviderUnavailable(
                    f"The identity provider's token endpoint failed (HTTP {response.status_code}). {TRY_AGAIN}"
                )
            raise OidcSignInFailed(
                "code_rejected",
                f"The identity provider refused the sign-in code ({error}). A code works only once and only "
                f"for a few minutes, and only in the browser that asked for it. {TRY_AGAIN}",
            )
        if not isinstance(body.get("id_token"), str):
            raise OidcSignInFailed("token_missing", f"The identity provider sent no ID token. {TRY_AGAIN}")
        return body

    def retrieve_matching_jwk(self, token: str) -> Any:
        try:
            return super().retrieve_matching_jwk(token)
        except requests.RequestException as exc:
            raise _unreachable("signing keys (JWKS)", exc) from exc
        except SuspiciousOperation as exc:
            raise OidcSignInFailed(
                "token_key_unknown",
                "The ID token is signed with a key the identity provider does not publish, so Hireloop cannot "
                f"tell who issued it. {TRY_AGAIN}",
            ) from exc
        except (KeyError, TypeError, ValueError, jwt.PyJWTError) as exc:
            raise OidcSignInFailed(
                "token_malformed", f"The ID token or the identity provider's keys are malformed. {TRY_AGAIN}"
            ) from exc

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except SuspiciousOperation as exc:
            # The library's nonce check: the token was issued for another sign-in than this browser's.
            raise OidcSignInFailed(
                "token_nonce", f"The ID token was issued for a different sign-in than this one. {TRY_AGAIN}"
            ) from exc
        return payload

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Signature, issuer, audience, expiry, issue time and subject of the ID token (OIDC Core 3.1.3.7)."""
        try:
            algorithm = jwt.get_unverified_header(payload).get("alg")
        except jwt.PyJWTError as exc:
            raise OidcSignInFailed("token_malformed", f"The ID token is malformed. {TRY_AGAIN}") from exc
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise OidcSignInFailed(
                "token_algorithm",
                f"The ID token is signed with {str(algorithm)[:20]!r}, not {self.OIDC_RP_SIGN_ALGO!r} as "
                "HIRELOOP_OIDC_SIGN_ALGO says. Tell your Hireloop admins.",
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.HIRELOOP_OIDC_ISSUER,
                leeway=settings.HIRELOOP_OIDC_CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise OidcSignInFailed(
                "token_expired",
                "The ID token has expired. Sign in again; if it happens again, the clocks of Hireloop's server "
                "and the identity provider disagree: tell your Hireloop admins.",
            ) from exc
        except jwt.InvalidSignatureError as exc:
            raise OidcSignInFailed(
                "token_signature",
                "The ID token's signature does not match the identity provider's published keys, so it was not "
                f"issued by the provider. {TRY_AGAIN}",
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise OidcSignInFailed("token_audience", f"The ID token was issued for another application. {TRY_AGAIN}") \
                from exc
        except jwt.InvalidIssuerError as exc:
            raise OidcSignInFailed(
                "token_issuer", f"The ID token was issued by another identity provider. {TRY_AGAIN}"
            ) from exc
        except jwt.ImmatureSignatureError as exc:
            raise OidcSignInFailed(
                "token_not_yet_valid",
                "The ID token is dated in the future: the clocks of Hireloop's server and the identity provider "
                "disagree. Tell your Hireloop admins.",
            ) from exc
        except jwt.PyJWTError as exc:
            raise OidcSignInFailed("token_invalid", f"The ID token is not valid ({exc}). {TRY_AGAIN}") from exc
        authorized_party = claims.get("azp")
        if authorized_party is not None and authorized_party != self.OIDC_RP_CLIENT_ID:
            raise OidcSignInFailed("token_audience", f"The ID token was issued for another application. {TRY_AGAIN}")
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint's when the provider has one."""
        claims = dict(payload)
        endpoint = self.OIDC_OP_USER_ENDPOINT
        if not endpoint or not access_token:
            return claims
        try:
            response = requests.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
                timeout=settings.HIRELOOP_OIDC_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise _unreachable("userinfo endpoint", exc) from exc
        if response.status_code != 200:
            raise OidcSignInFailed(
                "userinfo_refused",
                f"The identity provider's userinfo endpoint answered HTTP {response.status_code}. {TRY_AGAIN}",
            )
        userinfo = _json_object(response)
        if not userinfo:
            raise OidcSignInFailed(
                "userinfo_malformed", "The identity provider's userinfo answer is not a JSON object. Tell your "
                "Hireloop admins (signed or encrypted userinfo is not supported)."
            )
        if userinfo.get("sub") != payload.get("sub"):
            # OIDC Core 5.3.2: userinfo about someone else than the ID token's subject must not be used.
            raise OidcSignInFailed("userinfo_subject", f"The identity provider's answers disagree. {TRY_AGAIN}")
        claims.update({name: value for name, value in userinfo.items() if name not in TOKEN_ONLY_CLAIMS})
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        claims = self.get_userinfo(access_token, id_token, payload)
        identity = identity_from_claims(claims, issuer=settings.HIRELOOP_OIDC_ISSUER)
        return user_sign_in_with_identity(identity=identity, role_map=role_map())


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_code(value: Any) -> str:
    """The provider's OAuth error code, kept only if it looks like one (it ends up on a page and in the log)."""
    if isinstance(value, str) and value and len(value) <= 64 and all(c.isalnum() or c in "_-." for c in value):
        return value
    return "no error code given"
