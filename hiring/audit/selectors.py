"""Reads of the audit trail, filtered; a fixed number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Case, ExpressionWrapper, F, JSONField, Q, QuerySet, When
from django.utils import timezone

from hiring.models import AuditEvent, User


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    loop_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_values_shown(events: QuerySet[AuditEvent], *, withheld: Q) -> QuerySet[AuditEvent]:
    """The events with the values their reader may see: ``shown_before``, ``shown_after``, ``values_withheld``.

    ``withheld`` says which events' values the reader may not see (the
    independence rule: ``hiring.access.audit_values_withheld``); theirs read
    as null, decided in the query itself, so the pages, the API and the CSV
    export (PostgreSQL's COPY included) all get the same answer at no extra
    query. ``before`` and ``after`` themselves are not loaded: read the shown
    values.
    """
    return events.defer("before", "after").annotate(
        values_withheld=ExpressionWrapper(withheld, output_field=BooleanField()),
        shown_before=Case(When(withheld, then=None), default=F("before"), output_field=JSONField()),
        shown_after=Case(When(withheld, then=None), default=F("after"), output_field=JSONField()),
    )


def audit_events(filters: AuditFilters, *, withheld: Q) -> QuerySet[AuditEvent]:
    """Events newest first, with the values the reader may see (``audit_values_shown``).

    ``date_to`` includes the whole day (in the site's time zone).
    """
    events = audit_values_shown(AuditEvent.objects.select_related("actor"), withheld=withheld).order_by(
        "-created_at", "-id"
    )
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_id is not None:
        events = events.filter(actor_id=filters.actor_id)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.loop_id is not None:
        events = events.filter(loop_id=filters.loop_id)
    # The calendar's first and last days bound nothing: every event is after the one and before the other,
    # and the day after 9999-12-31 (or midnight of 0001-01-01 east of UTC) has no datetime to compare with.
    if filters.date_from is not None and filters.date_from > date.min:
        events = events.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max:
        events = events.filter(created_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return events


def audit_filter_choices() -> dict[str, Any]:
    """The actions, object types and actors that occur in the trail (three queries)."""
    return {
        "actions": list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()),
        "object_types": list(
            AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        ),
        "actors": list(
            User.objects.filter(pk__in=AuditEvent.objects.filter(actor__isnull=False).values("actor_id"))
            .order_by("username")
        ),
    }


def audit_changes(event: AuditEvent) -> list[dict[str, Any]]:
    """Rows ``{"field", "before", "after"}`` for the keys an event's shown before/after values mention.

    ``event`` comes from ``audit_events`` or ``audit_values_shown``; a withheld event has none.
    """
    shown_before, shown_after = event.shown_before, event.shown_after  # type: ignore[attr-defined]
    before = shown_before if isinstance(shown_before, dict) else {}
    after = shown_after if isinstance(shown_after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        {"field": key, "before": before.get(key), "after": after.get(key), "changed": before.get(key) != after.get(key)}
        for key in keys
    ]
