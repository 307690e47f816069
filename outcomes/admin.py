"""Outcome data in the Django admin: read-only, for admins (the pages are where people write it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from outcomes.models import CheckIn, Hire, OutcomeArea


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_hireloop_admin)


@admin.register(Hire)
class HireAdmin(_ReadOnly):
    list_display = ("loop", "start_date", "manager")


@admin.register(CheckIn)
class CheckInAdmin(_ReadOnly):
    list_display = ("hire", "label", "due_on", "status")
    list_filter = ("status", "label")
    exclude = ("comment", "performance", "would_hire_again", "still_in_role")


@admin.register(OutcomeArea)
class OutcomeAreaAdmin(_ReadOnly):
    list_display = ("role", "position", "title", "source", "active")
