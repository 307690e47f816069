"""Filter types shared by the API's lists, and the filter backend every list goes through."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.request import Request

# The largest id the database stores (64-bit); larger numbers are refused as input, never sent to SQL.
MAX_ID = 2**63 - 1

# PostgreSQL reads UTC offsets up to ±15:59:59 and in whole seconds; Python reads up to ±23:59:59.999999.
# Refused whatever the database, so that a query valid on SQLite does not fail in production.
OFFSET_LIMIT = timedelta(hours=16)
OFFSET_MESSAGE = "Use a UTC offset between -15:59 and +15:59, in whole seconds."
YEAR_MESSAGE = "Use a date and time between the years 1 and 9999 in UTC."


class IdField(forms.IntegerField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class IdFilter(filters.NumberFilter):
    """A whole, positive id: '1.5', '-3' or a 30-digit number is bad input (400), not a database error."""

    field_class = IdField


def unstorable_reason(value: Any) -> str | None:
    """Why the database cannot take this filter value (a date-time or time), or None when it can.

    Range filters clean to a slice and list filters to a list; their bounds and items are checked too.
    """
    if isinstance(value, slice):
        value = [value.start, value.stop]
    if isinstance(value, list | tuple):
        return next((reason for item in value if (reason := unstorable_reason(item))), None)
    if not isinstance(value, datetime | time):
        return None
    offset = value.utcoffset()
    if offset is None:
        return None
    if abs(offset) >= OFFSET_LIMIT or offset.microseconds:
        return OFFSET_MESSAGE
    if isinstance(value, datetime):
        try:
            # Django's SQLite and MySQL backends move every value to UTC; out of Python's years it overflows.
            value.astimezone(UTC)
        except OverflowError:
            return YEAR_MESSAGE
    return None


class StorableValuesFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, refusing (400, parameter named) date and time values the database cannot store.

    Every list's FilterSet passes through here, so one check covers the filters of every app, present and
    future, without each FilterSet having to declare a special filter type.
    """

    def get_filterset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and filterset.is_bound:
            form = filterset.form
            form.full_clean()
            for name, value in list(form.cleaned_data.items()):
                if reason := unstorable_reason(value):
                    form.add_error(name, reason)
        return filterset
