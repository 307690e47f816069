"""``Idempotency-Key`` on every API write: a retry gets the first answer back instead of doing the write again.

A client that lost the answer to a write (a timeout, a dropped connection, a
500 after the database committed) cannot know whether the write happened.
With a key it need not know: it sends the same request with the same key, and
gets the first answer (status and body) while the write is not done again.

- ``IdempotentWritesMixin`` is on every API view that writes. The schema
  documents the header on every write of a view that has it
  (``config.api.schema``), and tests/api/test_api_idempotency.py walks the URL
  resolver and the schema, so a new write endpoint without it fails the suite.
- The key's row is claimed (inserted) before the write, in one transaction
  with it, and holds the answer when that transaction commits: the write and
  its answer commit together or not at all. A concurrent request with the
  same key waits on the row's unique index, then replays the answer.
- A key belongs to one user and names one request: its method, path and body
  (hashed with the secret key). The same key with another request is refused
  (422 ``idempotency_key_reused``), naming the header.
- A refusal (4xx) is not kept: whatever the view wrote before refusing
  commits as it would without a key, and a retry runs again.
- Answers are kept HIRELOOP_IDEMPOTENCY_HOURS (``hiring.accounts.idempotency``
  purges them); erasing a candidate scrubs them from the kept answers too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from config.api.schema import IDEMPOTENCY_HEADER, REPLAYED_HEADER, UNSAFE_METHODS
from hiring.errors import ApplicationError, ValidationFailed
from hiring.models import IdempotencyKey
from hiring.types import signed_in_user

HEADER = IDEMPOTENCY_HEADER
MAX_KEY_LENGTH = 255
# Headers of a kept answer that a replay sends again; the others are the framework's and are added anew.
KEPT_HEADERS = ("ETag", "Location", "Last-Modified")
# What a view raises to refuse a request (mapped to 4xx): the refusal is answered, and not kept.
REFUSALS = (ApplicationError, APIException, Http404, DjangoPermissionDenied, DjangoValidationError,
            ObjectDoesNotExist)


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    default_code = "idempotency_key_reused"


class _KeyTaken(Exception):
    """Another request with the same key committed first."""


def clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(32 < ord(char) < 127 for char in key):
        raise ValidationFailed(
            gettext("The %(HEADER)s header must be 1 to %(MAX_KEY_LENGTH)s printable ASCII characters without spaces.")
            % {"HEADER": HEADER, "MAX_KEY_LENGTH": MAX_KEY_LENGTH},
            code="invalid_idempotency_key",
            field_errors={
                HEADER: [
                    gettext("Use 1 to %(MAX_KEY_LENGTH)s printable ASCII characters without spaces.")
                    % {"MAX_KEY_LENGTH": MAX_KEY_LENGTH}
                ]
            },
        )
    return key


def request_fingerprint(request: Request) -> str:
    """A keyed hash of the method, the path with its query and the parsed body.

    The parsed body, so that the same JSON with its keys in another order or
    other spacing is the same request. Keyed, so that the stored fingerprint of
    a body holding personal data cannot be matched by guessing the body.
    """
    data = request.data
    if isinstance(data, QueryDict):
        data = {name: data.getlist(name) for name in sorted(data)}
    payload = json.dumps(
        {"method": request.method, "path": request.get_full_path(), "body": data}, sort_keys=True, default=str
    )
    return hmac.new(settings.SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


class IdempotentWritesMixin(APIView):
    """Honours ``Idempotency-Key`` on every write (POST, PUT, PATCH, DELETE) of the view, its actions included.

    Put it first among the bases of every API view that writes.
    """

    honours_idempotency_key = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permissions first: a refusal stays a 401/403
        if request.method not in UNSAFE_METHODS or HEADER not in request.headers:
            return
        key = clean_key(request.headers[HEADER])
        name = request.method.lower()
        handler = getattr(self, name, None)
        if handler is None or name not in self.http_method_names or not request.user.is_authenticated:
            return
        # DRF looks the handler up on the instance right after initial() (a viewset has bound its action there):
        # shadowing it here runs every write of the view, whichever action it is, through the key.
        setattr(self, name, partial(_run_once, handler, key))


def _run_once(handler: Callable[..., HttpResponseBase], key: str, request: Request, *args: Any,
              **kwargs: Any) -> HttpResponseBase:
    """Answer with the key's kept answer, or run ``handler`` in one transaction with the answer's record."""
    user = signed_in_user(request)  # initial() passes only signed-in users here
    fingerprint = request_fingerprint(request)
    fresh_since = timezone.now() - timedelta(hours=settings.HIRELOOP_IDEMPOTENCY_HOURS)
    with transaction.atomic():
        kept = IdempotencyKey.objects.filter(user=user, key=key).first()
        if kept is not None and kept.created_at >= fresh_since:
            return _replay(kept, fingerprint)
        # Expired keys of this user are forgotten here too (the key may start over), between the hourly purges.
        IdempotencyKey.objects.filter(user=user, created_at__lt=fresh_since).delete()
    refusal: Exception | None = None
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=user, key=key, request_hash=fingerprint, status_code=0, response_body="",
                        endpoint=f"{request.method} {request.path}"[:300],
                    )
            except IntegrityError as exc:
                raise _KeyTaken from exc
            try:
                response = handler(request, *args, **kwargs)
            except REFUSALS as exc:
                # Committed as it would be without a key (a decision refused as stale stores the fresh
                # recommendation first), with no answer kept.
                record.delete()
                refusal = exc
            else:
                _keep(record, response)
    except _KeyTaken:
        return _replay(IdempotencyKey.objects.get(user=user, key=key), fingerprint)
    if refusal is not None:
        raise refusal
    return response


def _keep(record: IdempotencyKey, response: HttpResponseBase) -> None:
    if not isinstance(response, Response) or response.status_code >= 400:
        record.delete()
        return
    record.status_code = response.status_code
    # DRF's own encoder, so that the replay renders exactly what the first answer rendered.
    record.response_body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
    record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    record.save(update_fields=["status_code", "response_body", "response_headers"])


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if not hmac.compare_digest(record.request_hash, fingerprint):
        raise IdempotencyKeyReused(
            gettext(
                "This %(HEADER)s was already sent with a different request (method, path or body); use a new key for a "
                "new request."
            )
            % {"HEADER": HEADER},
            field_errors={HEADER: [gettext("Already used for a different request. Use a new key for a new request.")]},
        )
    return Response(json.loads(record.response_body), status=record.status_code,
                    headers={**record.response_headers, REPLAYED_HEADER: "true"})
