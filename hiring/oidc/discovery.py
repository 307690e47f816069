"""The provider's metadata, from ``<issuer>/.well-known/openid-configuration``, fetched when first needed.

Fetched lazily, not at start-up: a provider that is down must not stop Hireloop
from starting (password sign-in, the API and everyone already signed in go on),
and only a sign-in needs it. The document is kept in Django's cache for
``HIRELOOP_OIDC_DISCOVERY_CACHE_SECONDS``; a failed fetch is not cached, so the
next sign-in tries again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache

from hiring.oidc.errors import ProviderUnavailable

logger = logging.getLogger(__name__)
WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str  # "" when the provider has none (it is optional)
    token_auth_basic: bool  # client_secret_basic at the token endpoint; else client_secret_post


def is_acceptable_url(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a provider run for development or tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def discovery_url(issuer: str) -> str:
    # OpenID Connect Discovery 1.0, section 4: a trailing slash is removed before the well-known path.
    return issuer.rstrip("/") + WELL_KNOWN


def _cache_key(issuer: str) -> str:
    return "hireloop:oidc:discovery:" + hashlib.sha256(issuer.encode()).hexdigest()[:32]


def provider_metadata() -> ProviderMetadata:
    issuer: str = settings.HIRELOOP_OIDC_ISSUER
    key = _cache_key(issuer)
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down only costs a fetch
        logger.warning("OIDC discovery: the cache is unavailable; fetching the document")
        cached = None
    if isinstance(cached, dict):
        return ProviderMetadata(**cached)
    metadata = _fetch(issuer)
    try:
        cache.set(key, asdict(metadata), settings.HIRELOOP_OIDC_DISCOVERY_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - as above
        logger.warning("OIDC discovery: the cache is unavailable; the document is not kept")
    return metadata


def forget_provider_metadata() -> None:
    """Drop the cached document (after the provider's configuration changed, or between tests)."""
    cache.delete(_cache_key(settings.HIRELOOP_OIDC_ISSUER))


def _fetch(issuer: str) -> ProviderMetadata:
    url = discovery_url(issuer)
    try:
        response = requests.get(
            url, timeout=settings.HIRELOOP_OIDC_TIMEOUT_SECONDS, headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        logger.warning("OIDC discovery: %s unreachable (%s)", url, type(exc).__name__)
        raise ProviderUnavailable(
            f"Hireloop could not reach the identity provider at {url} ({type(exc).__name__}). "
            "Try again in a few minutes; if it goes on, tell your Hireloop admins."
        ) from exc
    if response.status_code != 200:
        logger.warning("OIDC discovery: %s answered HTTP %s", url, response.status_code)
        raise ProviderUnavailable(
            f"The identity provider answered HTTP {response.status_code} at {url} instead of its configuration. "
            "Try again in a few minutes; if it goes on, tell your Hireloop admins."
        )
    try:
        document: Any = response.json()
    except ValueError as exc:
        raise ProviderUnavailable(f"The identity provider's configuration at {url} is not JSON.") from exc
    return _metadata_from(document, issuer=issuer, url=url)


def _metadata_from(document: Any, *, issuer: str, url: str) -> ProviderMetadata:
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"The identity provider's configuration at {url} is not a JSON object.")
    if document.get("issuer") != issuer:
        # Discovery section 4.3: the document must name exactly the issuer it was fetched for; otherwise
        # tokens would be checked against another issuer than the one configured.
        raise ProviderUnavailable(
            f"The identity provider at {url} calls itself {str(document.get('issuer'))[:200]!r}, not "
            f"{issuer!r}: HIRELOOP_OIDC_ISSUER must be its exact issuer. Tell your Hireloop admins."
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not is_acceptable_url(value):
            raise ProviderUnavailable(
                f"The identity provider's configuration at {url} has no usable {name} (HTTPS is required)."
            )
        endpoints[name] = value
    userinfo = document.get("userinfo_endpoint")
    userinfo = userinfo if isinstance(userinfo, str) and is_acceptable_url(userinfo) else ""
    methods = document.get("token_endpoint_auth_methods_supported")
    # Absent means client_secret_basic only (Discovery section 3), which every provider supports.
    basic = not isinstance(methods, list) or "client_secret_basic" in methods or "client_secret_post" not in methods
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        userinfo_endpoint=userinfo,
        token_auth_basic=basic,
    )
