"""Retention: candidates past the retention period, and their anonymisation (an erasure each)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from hiring.models import Candidate, InterviewLoop
from privacy.erasure import candidate_erase

logger = logging.getLogger(__name__)


def _months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # The same day of the month, or the month's last day (31 March - 1 month = 28/29 February).
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


@dataclass(frozen=True)
class RetentionEntry:
    candidate_id: int
    last_activity: datetime
    loops: int


def retention_due(*, now: datetime | None = None, months: int | None = None) -> list[RetentionEntry]:
    """Candidates to anonymise: not erased, no loop still running, and the last loop closed (or, with no
    loop, the record created) more than ``months`` (HIRELOOP_RETENTION_MONTHS) ago."""
    now = now or timezone.now()
    months = settings.HIRELOOP_RETENTION_MONTHS if months is None else months
    cutoff = _months_before(now, months)
    closed = (InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN)
    running = InterviewLoop.objects.filter(candidate=OuterRef("pk")).exclude(status__in=closed)
    last_closed = (
        InterviewLoop.objects.filter(candidate=OuterRef("pk"))
        .values("candidate")
        .annotate(last=Max(Coalesce("closed_at", "decided_at", "opened_at")))
        .values("last")
    )
    loops = InterviewLoop.objects.filter(candidate=OuterRef("pk")).values("candidate").annotate(
        n=models.Count("pk")).values("n")
    candidates = (
        Candidate.objects.filter(erased_at__isnull=True)
        .exclude(Exists(running))
        .annotate(last_activity=Coalesce(Subquery(last_closed), "created_at"),
                  loop_count=Coalesce(Subquery(loops), 0))
        .filter(last_activity__lt=cutoff)
        .order_by("last_activity", "pk")
    )
    return [RetentionEntry(c.pk, c.last_activity, c.loop_count) for c in candidates]


def retention_anonymise(*, apply: bool, now: datetime | None = None, months: int | None = None,
                        via: str) -> list[RetentionEntry]:
    """List the candidates past retention and, with ``apply``, erase each (one transaction each)."""
    due = retention_due(now=now, months=months)
    if not apply:
        return due
    done = []
    for entry in due:
        try:
            candidate_erase(actor=None, candidate_id=entry.candidate_id, via=via)
        except Exception:
            # One failure must not stop the others; the next run retries it.
            logger.exception("Retention could not anonymise candidate %s", entry.candidate_id)
            continue
        done.append(entry)
    return done
