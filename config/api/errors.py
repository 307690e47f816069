"""One JSON shape for every API error: ``{"code", "message", "field_errors": {field: [messages]}}``.

Services raise ``hiring.errors.ApplicationError``; DRF raises its own
exceptions for parsing, authentication and serializer validation. Both end
here, so a client handles a single shape whatever refused the request.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.api.throttling import anonymous_refusal_throttled, retry_after
from config.request_logging import note_refusal
from hiring.errors import ApplicationError

NON_FIELD = "non_field_errors"
StrOrPromise = str | Promise

# The message a client sees for each DRF exception, when DRF's own wording is not specific enough.
_MESSAGES: dict[type[exceptions.APIException], StrOrPromise] = {
    exceptions.ValidationError: gettext_lazy("The request has invalid values."),
    exceptions.NotAuthenticated: gettext_lazy("Authentication credentials were not provided."),
    exceptions.NotFound: gettext_lazy("Not found."),
}


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documents the shape in the schema)."""

    code = serializers.CharField(help_text=gettext_lazy("Stable, machine-readable reason, e.g. `stale_version`."))
    message = serializers.CharField(help_text=gettext_lazy("A sentence for people."))
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages by field name; nested fields are dotted (`ratings.0.score`)."),
    )


def error_body(code: str, message: StrOrPromise, field_errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": str(message), "field_errors": field_errors or {}}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{dotted.field: [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key in (NON_FIELD, "__all__") and not prefix:
                name = NON_FIELD
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or NON_FIELD: [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if not item:
                continue
            for field, messages in flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    return {prefix or NON_FIELD: [str(detail)]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST framework's EXCEPTION_HANDLER: every refusal becomes the one error shape."""
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed) and context.get("request"):
        # DRF refuses these before its throttles run: count them against the address here.
        exc = anonymous_refusal_throttled(context["request"], context.get("view")) or exc
    response = _error_response(exc)
    if response is not None and response.status_code == 403 and context.get("request") is not None:
        note_refusal(context["request"]._request, f"{response.data['code']}: {response.data['message']}")
    return response


def _error_response(exc: Exception) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.field_errors), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        field_errors = (
            {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {NON_FIELD: [str(m) for m in exc.messages]}
        )
        exc = exceptions.ValidationError(field_errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.Throttled) and (seconds := retry_after(getattr(exc, "wait", None))):
        headers["Retry-After"] = seconds

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _MESSAGES[exceptions.ValidationError], flatten_errors(exc.detail))
    else:
        detail = exc.detail
        message = (
            str(detail) if not isinstance(detail, dict | list)
            else _MESSAGES.get(type(exc), gettext("Request refused."))
        )
        body = error_body(getattr(detail, "code", None) or exc.default_code, message)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


@csrf_exempt  # Nothing happens here; a CSRF refusal would answer an API client with an HTML page.
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under the API answer in the API's error shape, not with an HTML page."""
    return JsonResponse(error_body("not_found", gettext("No such API endpoint.")), status=404)
