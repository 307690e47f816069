"""``Idempotency-Key`` for create requests: a retry returns the first result instead of a duplicate.

The key is scoped to the user and the endpoint and is recorded in the same
transaction as the object it created, so either both exist or neither does.
The key is claimed (its row inserted) before the object is created, so two
concurrent requests with one key are serialised by its unique index: the second
waits, then replays the first one's result.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from hiring.errors import ValidationFailed
from hiring.models import IdempotencyKey
from hiring.types import signed_in_user

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

ModelT = TypeVar("ModelT", bound=models.Model)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string of your choosing (a UUID is ideal), at most 255 printable ASCII characters. "
        "Retrying the request with the same key within "
        f"{settings.HIRELOOP_IDEMPOTENCY_HOURS} hours returns the object the first request created "
        f"(header `{REPLAYED_HEADER}: true`) instead of creating another; reusing a key with a different "
        "body is refused with 400 `idempotency_key_reused`."
    ),
)


class _KeyTaken(Exception):
    """Another request with the same key committed first."""


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(32 < ord(char) < 127 for char in key):
        raise ValidationFailed(
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters without spaces.",
            code="invalid_idempotency_key",
            field_errors={HEADER: ["Use 1 to 255 printable ASCII characters without spaces."]},
        )
    return key


def _request_hash(data: Any) -> str:
    # Keyed, so the stored fingerprint of a body holding personal data cannot be matched by guessing it.
    payload = json.dumps(data, sort_keys=True, default=str).encode()
    return hmac.new(settings.SECRET_KEY.encode(), payload, hashlib.sha256).hexdigest()


def idempotent_create(
    request: Request,
    *,
    endpoint: str,
    create: Callable[[], ModelT],
    load: Callable[[str], ModelT],
    render: Callable[[ModelT], dict[str, Any]],
) -> Response:
    """Run ``create`` once per key: the first call creates, retries re-render the same object."""
    raw_key = request.headers.get(HEADER)
    if raw_key is None:
        # One transaction either way: a create made of several service calls is all or nothing.
        with transaction.atomic():
            obj = create()
        return Response(render(obj), status=status.HTTP_201_CREATED)
    key = _clean_key(raw_key)
    request_hash = _request_hash(request.data)
    # Only the create endpoints call this, and they are for signed-in users.
    user = signed_in_user(request)
    scope = {"user": user, "key": key, "endpoint": endpoint}
    fresh_since = timezone.now() - timedelta(hours=settings.HIRELOOP_IDEMPOTENCY_HOURS)
    try:
        with transaction.atomic():
            existing = IdempotencyKey.objects.filter(**scope, created_at__gte=fresh_since).first()
            if existing is not None:
                return _replay(existing, request_hash, load, render)
            # Expired records of this user are forgotten (the key may start over), so the table stays small.
            IdempotencyKey.objects.filter(user=user, created_at__lt=fresh_since).delete()
            # Claim the key before creating anything: a concurrent request with the same key waits on this
            # row's unique index until we commit (then replays our result) or roll back (then runs itself).
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        **scope, request_hash=request_hash, status_code=status.HTTP_201_CREATED, object_id=""
                    )
            except IntegrityError as exc:
                raise _KeyTaken from exc
            obj = create()
            record.object_id = str(obj.pk)
            record.save(update_fields=["object_id"])
    except _KeyTaken:
        return _replay(IdempotencyKey.objects.get(**scope), request_hash, load, render)
    return Response(render(obj), status=status.HTTP_201_CREATED)


def _replay(
    record: IdempotencyKey,
    request_hash: str,
    load: Callable[[str], ModelT],
    render: Callable[[ModelT], dict[str, Any]],
) -> Response:
    if record.request_hash != request_hash:
        raise ValidationFailed(
            f"This {HEADER} was already used for a different request.",
            code="idempotency_key_reused",
            field_errors={HEADER: ["Use a new key for a new request."]},
        )
    return Response(render(load(record.object_id)), status=record.status_code, headers={REPLAYED_HEADER: "true"})
