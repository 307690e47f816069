"""The candidate's private take-home link: a long random token, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse

# 32 random bytes: 43 URL-safe characters, far beyond guessing.
TOKEN_BYTES = 32
# Anything shorter or longer than a real token is rejected before touching the database.
TOKEN_MIN_LENGTH = 40
TOKEN_MAX_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible_token(token: str) -> bool:
    return TOKEN_MIN_LENGTH <= len(token) <= TOKEN_MAX_LENGTH


def candidate_link(token: str) -> str:
    """The absolute link the candidate receives by email."""
    return settings.SITE_URL + reverse("exercises:take-home", kwargs={"token": token})
