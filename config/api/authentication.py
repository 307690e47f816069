"""Personal API tokens, sent as ``Authorization: Bearer hl_...``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from hiring.accounts.locale import activate_for_user
from hiring.accounts.tokens import ApiTokenRefused, api_token_authenticate, api_token_refusal


class TokenScopeRefused(exceptions.PermissionDenied):
    default_code = "token_read_only"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Looks the token up by its SHA-256; the plaintext is never stored or logged.

    The token's scope is enforced here, not in the views' permission classes: every API view
    authenticates through this class, so a read-only token cannot write through a view that forgot
    to ask, nor through one added later.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(gettext("Send the token as 'Authorization: Bearer <token>'."))
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(gettext("The token is not valid.")) from exc
        try:
            user, token = api_token_authenticate(plaintext)
        except ApiTokenRefused as refused:
            raise exceptions.AuthenticationFailed(refused.message, code=refused.code) from None
        refusal = api_token_refusal(token, method=request.method or "")
        if refusal is not None:
            raise TokenScopeRefused(refusal)
        # DRF authenticates inside the view, after the middleware: the token's user's own language and time zone
        # are switched on here, as UserLocaleMiddleware does for a session's user.
        activate_for_user(user)
        request._request.LANGUAGE_CODE = translation.get_language()
        return user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token created on your profile page (`hl_...`). It acts with your permissions, "
                f"expires after the days chosen at creation ({settings.HIRELOOP_API_TOKEN_DAYS} by default, at most "
                f"{settings.HIRELOOP_API_TOKEN_MAX_DAYS}), and stops working when revoked or when your account "
                "is deactivated: 401 with `code` `token_expired`, `token_revoked` or `user_inactive` "
                "(`authentication_failed` for an unknown token). A token with the read-only scope gets 403 "
                "`token_read_only` on POST, PUT, PATCH and DELETE."
            ),
        }
