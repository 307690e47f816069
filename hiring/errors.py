"""The one application error type, mapped to 4xx in the API and to form errors on pages."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refused action: ``code`` is stable for clients, ``field_errors`` maps field -> messages."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field_errors = field_errors or {}


class ValidationFailed(ApplicationError):
    status_code = 400
    default_code = "invalid"


class PermissionRefused(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(ApplicationError):
    """Also raised where an object exists but the actor must not learn that it does."""

    status_code = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    """A stale version or a state that no longer allows the action."""

    status_code = 409
    default_code = "conflict"
