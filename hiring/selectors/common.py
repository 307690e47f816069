"""What the hiring reads share: which stages count as active or closed, and the subqueries behind the counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from hiring.models import InterviewLoop
from scorecards.models import Scorecard

ACTIVE_STATUSES = (
    InterviewLoop.Status.OPEN,
    InterviewLoop.Status.AWAITING_FEEDBACK,
    InterviewLoop.Status.IN_REVIEW,
)

CLOSED_STATUSES = (InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN)


def count_of(queryset: QuerySet[Any], *, by: str = "loop") -> Coalesce:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def submitted_by_interviewer() -> Exists:
    """Inside an Interview queryset: its interviewer's current scorecard is submitted."""
    return Exists(
        Scorecard.objects.filter(
            interview=OuterRef("pk"),
            interviewer=OuterRef("interviewer"),
            status=Scorecard.Status.SUBMITTED,
            is_current=True,
        )
    )
