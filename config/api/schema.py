"""OpenAPI generation: every operation documents the errors it can answer with, in the one error shape."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny

from config.api.errors import ErrorSerializer

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
UNAUTHENTICATED_401 = (
    "Not authenticated: no credentials were sent, or the token is refused; `code` says why: `token_expired` "
    "(past its expiry), `token_revoked`, `user_inactive` (its user is deactivated), `authentication_failed` "
    "(not a token Hireloop issued)."
)
# An error's description, not a secret.
READ_ONLY_TOKEN_403 = "`token_read_only`: the token has the read-only scope, which may not make changes."  # noqa: S105

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string of your choosing (a UUID is ideal), 1 to 255 printable ASCII characters. Retrying the "
        f"request with the same key within {settings.HIRELOOP_IDEMPOTENCY_HOURS} hours returns the first answer "
        f"(status and body, with the header `{REPLAYED_HEADER}: true`) instead of doing the write again; reusing "
        "a key for a different request (another method, path or body) is refused with 422 "
        "`idempotency_key_reused`. Refusals (4xx) are not kept: a retry after one runs again."
    ),
)


def error_response(description: str) -> OpenApiResponse:
    """An error response for ``extend_schema(responses=...)``: the error shape with a specific description."""
    return OpenApiResponse(response=ErrorSerializer, description=description)


class HireloopAutoSchema(AutoSchema):
    """Adds the errors every operation can give unless the view documents them more precisely."""

    def _default_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        is_list = self.method == "GET" and self._is_list_view()
        if self.method in UNSAFE_METHODS or is_list:
            errors["400"] = (
                "Invalid input: `field_errors` names each field at fault."
                if self.method in UNSAFE_METHODS
                else "Invalid filter value: `field_errors` names the query parameter."
            )
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["401"] = UNAUTHENTICATED_401
        if self.method in UNSAFE_METHODS:
            errors["403"] = (
                "Refused: your kind of user may not do this (or, with session authentication, the CSRF check failed)."
            )
        if "{" in self.path:
            errors["404"] = "Not found, or not visible to you (the API does not reveal objects you may not see)."
        elif is_list:
            errors["404"] = "The requested page is past the last page."
        if self.view.throttle_classes:
            errors["429"] = (
                "Too many requests: the rate of your token, of your user or (without valid credentials) of your "
                "address is spent for now; `Retry-After` says in how many seconds to try again."
            )
        if self._honours_idempotency_key():
            errors["422"] = (
                f"`idempotency_key_reused`: this {IDEMPOTENCY_HEADER} was already sent with a different request."
            )
        return errors

    def _honours_idempotency_key(self) -> bool:
        return self.method in UNSAFE_METHODS and bool(getattr(self.view, "honours_idempotency_key", False))

    def get_override_parameters(self) -> list[Any]:
        """Every write documents the Idempotency-Key header, from the one place that honours it."""
        parameters = list(super().get_override_parameters())
        if self._honours_idempotency_key():
            parameters.append(IDEMPOTENCY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._default_errors().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error_response(description), code, direction=direction)
        if self.method in UNSAFE_METHODS and "403" in responses:
            # Whatever a view says about its own 403, a read-only token is refused here first.
            responses["403"]["description"] = f"{responses['403']['description']} {READ_ONLY_TOKEN_403}"
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer", "minimum": 1},
                "description": "Seconds to wait before the next request can succeed.",
            }
        return dict(sorted(responses.items()))


class ScopedQuerysetMixin:
    """``get_queryset`` from the access rules for the requesting user.

    While the schema is generated there is no user; an empty queryset of the
    model lets drf-spectacular read field and parameter types from it.
    """

    scoped_model: Any = None

    def scoped_queryset(self, user: Any) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.scoped_model.objects.none()
        return self.scoped_queryset(self.request.user)  # type: ignore[attr-defined]

    def _render(self, obj: Any, code: int = 200) -> Any:
        """Answer with ``obj`` as the requester reads it: re-read through the scoped queryset after a write."""
        from rest_framework.response import Response

        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer_class()(fresh).data, status=code)  # type: ignore[attr-defined]

