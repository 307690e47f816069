"""Reads of quality of hire, with their joins built in: whose check-ins a user sees, which are overdue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from outcomes.models import CheckIn


def overdue_after() -> timedelta:
    return timedelta(days=settings.HIRELOOP_OUTCOME_OVERDUE_DAYS)


def checkins_visible_to(user: Any) -> QuerySet[CheckIn]:
    """Managers see their own reports' check-ins; recruiters, the committee and admins every one (recruiters
    without the ratings: the pages show them their status only)."""
    rows = CheckIn.objects.select_related("hire__loop__role", "hire__loop__candidate", "hire__manager",
                                          "hire__loop__recruiter")
    if user.sees_all_loops:
        return rows
    return rows.filter(hire__manager=user)


def checkins_overdue(*, today: date | None = None) -> QuerySet[CheckIn]:
    """Sent to the manager and not submitted though due more than HIRELOOP_OUTCOME_OVERDUE_DAYS ago."""
    today = today or timezone.localdate()
    return CheckIn.objects.exclude(status=CheckIn.Status.SUBMITTED).filter(due_on__lt=today - overdue_after())


def is_overdue(checkin: CheckIn, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return checkin.status != CheckIn.Status.SUBMITTED and checkin.due_on < today - overdue_after()
