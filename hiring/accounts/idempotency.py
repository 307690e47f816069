"""Answers kept for retried API writes (``Idempotency-Key``): purged when they expire, scrubbed by an erasure.

The API keeps the answer to each write sent with a key (``config.api.idempotency``), so that a retry gets it back
instead of doing the write again. An answer may quote a candidate as the API answered (a name, an email, a
scorecard's evidence), so answers are kept no longer than HIRELOOP_IDEMPOTENCY_HOURS, and erasing a candidate
rewrites every kept answer that mentions them (``privacy.erasure``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hiring.models import IdempotencyKey


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete the keys (and kept answers) older than HIRELOOP_IDEMPOTENCY_HOURS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.HIRELOOP_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotency_answers_scrub(needles: Iterable[str], scrub: Callable[[Any], Any]) -> int:
    """Rewrite the kept answers that mention any of ``needles`` with ``scrub`` (applied to the parsed JSON).

    The key stays used, so a retry after an erasure replays the erased answer
    rather than writing the candidate's data again. Answers are stored as JSON
    text, where a value with quotes, backslashes or line breaks is spelled
    escaped, so each needle is also looked for as JSON spells it. Returns how
    many answers changed.
    """
    match = Q()
    for needle in needles:
        match |= Q(response_body__icontains=needle)
        spelled = json.dumps(needle, ensure_ascii=False)[1:-1]
        if spelled != needle:
            match |= Q(response_body__icontains=spelled)
    if not match:
        return 0
    changed = 0
    for pk, body in IdempotencyKey.objects.filter(match).values_list("pk", "response_body"):
        answer = json.loads(body)
        scrubbed = scrub(answer)
        if scrubbed != answer:
            IdempotencyKey.objects.filter(pk=pk).update(response_body=json.dumps(scrubbed, ensure_ascii=False))
            changed += 1
    return changed
