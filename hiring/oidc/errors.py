"""Why a sign-in through the provider failed, said to the person trying: the callback shows it on a page."""

from __future__ import annotations


class OidcSignInFailed(Exception):
    """The provider's answer cannot be trusted or used; ``code`` is for logs and tests, ``message`` for people.

    4xx: what arrived was wrong (a stale state, a rejected code, a bad token),
    or the provider turned the person away.
    """

    status = 400
    title = "Sign-in failed"

    def __init__(self, code: str, message: str, *, status: int | None = None, title: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title


class ProviderUnavailable(OidcSignInFailed):
    """The provider could not be reached, or answered with something other than what the protocol says."""

    status = 503
    title = "The identity provider is not answering"

    def __init__(self, message: str) -> None:
        super().__init__("provider_unavailable", message)
