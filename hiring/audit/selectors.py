"""Reads of the audit trail, filtered; a fixed number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
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


def audit_events(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Events newest first; ``date_to`` includes the whole day (in the site's time zone)."""
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
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
    if filters.date_from is not None:
        events = events.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
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
    """Rows ``{"field", "before", "after"}`` for the keys an event's before/after values mention."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        {"field": key, "before": before.get(key), "after": after.get(key), "changed": before.get(key) != after.get(key)}
        for key in keys
    ]
