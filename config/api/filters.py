"""Filter types shared by the API's lists."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

# The largest id the database stores (64-bit); larger numbers are refused as input, never sent to SQL.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class IdFilter(filters.NumberFilter):
    """A whole, positive id: '1.5', '-3' or a 30-digit number is bad input (400), not a database error."""

    field_class = IdField
