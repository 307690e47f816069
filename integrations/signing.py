"""Webhook secrets and signatures: HMAC-SHA256 over the timestamp and the body (docs/webhooks.md).

Signing the timestamp with the body lets a receiver refuse a captured request replayed later; the receiver's
side of this, the verification snippet, is in docs/webhooks.md and the tests run it as written there.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker of Hireloop's webhook secrets, not a secret
SCHEME = "v1"
MIN_SECRET_LENGTH = 24
MAX_SECRET_LENGTH = 200


def secret_generate() -> str:
    """A new secret: 32 random bytes, URL-safe, marked so that a leaked one is recognised."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_problem(secret: str) -> str | None:
    """Why an admin's own ``secret`` cannot sign webhooks, or None."""
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        return (f"Use a secret of {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters, or leave it empty and "
                "Hireloop makes one.")
    if not all(33 <= ord(ch) <= 126 for ch in secret):
        return "Use printable ASCII characters only, without spaces."
    return None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Hireloop-Signature`` header's value: ``v1=`` and the hex HMAC-SHA256 of ``"<timestamp>." + body``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"
