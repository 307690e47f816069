"""A read-only Django admin for the models whose changes must go through Hireloop's audited services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Make a ``ModelAdmin`` a read-only view: no add, no change, no delete (not even "delete selected").

    Loops, interviews, scorecards and their ratings, recommendations, decisions, take-home assignments and
    submissions, calibration reports, library exercises and candidates change only through the services in
    ``hiring/services``, ``scorecards/services`` and ``exercises/services`` (and the pages and API built on
    them). Those services enforce the product's rules (who may decide, what a submitted scorecard needs, that
    evidence is withdrawn or erased rather than deleted) and write the append-only ``AuditEvent`` in the same
    transaction. A plain admin form would save the row directly: no rules, no audit event, and a decision or
    scorecard attributed to someone who never made it. So the admin keeps its list, search, filters and
    detail pages for support, and every write is refused (403 on the add, change-POST and delete URLs).

    Put it first in the bases, before ``admin.ModelAdmin`` (or an inline's ``admin.TabularInline``). Custom
    actions that call an audited service (e.g. erasing a candidate's personal data) keep working: Django only
    hides actions that need a permission.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
