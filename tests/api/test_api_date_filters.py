"""Date filters on every list: a date or time the database cannot store is bad input (400), never a 500.

PostgreSQL refuses UTC offsets beyond ±15:59 and Python cannot hold a year outside 1 to 9999 once a value is
moved to UTC; both must come back as a 400 that names the parameter, whatever the database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend

# Every list with a date or time filter, and those parameters. The guard below fails when a list gains one
# that is not here, so a new endpoint cannot skip these cases.
DATE_FILTERS: dict[str, tuple[str, ...]] = {
    "/api/v1/candidates/": ("created_after", "created_before"),
    "/api/v1/loops/": ("opened_after", "opened_before"),
    "/api/v1/interviews/": ("starts_after", "starts_before"),
    "/api/v1/scorecards/": ("submitted_after", "submitted_before"),
    "/api/v1/recommendations/": ("computed_after", "computed_before"),
    "/api/v1/calibration-reports/": ("created_after", "created_before"),
    "/api/v1/take-homes/": ("due_after", "due_before"),
    "/api/v1/take-home-submissions/": ("submitted_after", "submitted_before"),
}
CASES = [(path, parameter) for path, parameters in DATE_FILTERS.items() for parameter in parameters]

UNSTORABLE = {
    # The report in issue 17: a valid ISO 8601 offset that PostgreSQL refuses ("time zone displacement out of range").
    "offset_too_far_east": "2026-09-15T05:30:33+23:59",
    "offset_too_far_west": "2026-09-15T05:30:33-16:00",
    # Python reads offsets to the microsecond; PostgreSQL's input syntax stops at whole seconds.
    "offset_in_fractions_of_a_second": "2026-09-15T05:30:33+05:30:33.5",
    # 0001-01-01 00:00 at +01:00 is 31 December of year 0 in UTC.
    "year_0_in_utc": "0001-01-01T00:00:00+01:00",
    # 9999-12-31 23:00 at -05:00 is in year 10000 in UTC.
    "year_10000_in_utc": "9999-12-31T23:00:00-05:00",
}
STORABLE = ["2026-09-15T05:30:33+15:59:59", "2026-09-15T05:30:33-15:59:59", "2026-09-15T05:30:33+05:30:33",
            "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z", "2026-09-15"]


def _list_endpoints_with_date_filters() -> dict[str, set[str]]:
    """/api/v1/ lists whose FilterSet has a date, date-time or time filter, by path, with those parameters."""
    found: dict[str, set[str]] = {}

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            view: Any = pattern.callback
            view_class = getattr(view, "cls", None)
            if view_class is None or "list" not in (getattr(view, "actions", None) or {}).values():
                continue
            backends: list[type] = view_class.filter_backends
            filterset_class = getattr(view_class, "filterset_class", None)
            if filterset_class is None or not any(issubclass(b, DjangoFilterBackend) for b in backends):
                continue
            dated = {
                name for name, declared in filterset_class.base_filters.items()
                if isinstance(declared.field, forms.DateField | forms.DateTimeField | forms.TimeField)
            }
            if dated:
                path = "/" + (prefix + str(pattern.pattern)).replace("^", "").replace("$", "")
                found[path] = dated

    walk(get_resolver().url_patterns, "")
    return found


def test_api_date_filters_table_covers_every_list_with_a_date_filter() -> None:
    """The cases below reach every list that filters by date: none was added without them."""
    assert _list_endpoints_with_date_filters() == {path: set(params) for path, params in DATE_FILTERS.items()}


@pytest.mark.parametrize("value", UNSTORABLE.values(), ids=UNSTORABLE.keys())
@pytest.mark.parametrize(("path", "parameter"), CASES)
def test_api_list_unstorable_date_filter_is_400_naming_the_parameter(api, admin_user, path, parameter, value):
    """A value the database cannot store is refused before any query, with the parameter named."""
    response = api(admin_user).get(path, {parameter: value})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["field_errors"]) == [parameter]
    assert len(body["field_errors"][parameter]) == 1


@pytest.mark.parametrize("value", STORABLE)
@pytest.mark.parametrize(("path", "parameter"), CASES)
def test_api_list_date_filter_at_the_edges_of_the_range_is_accepted(api, admin_user, path, parameter, value):
    """The furthest offsets and years the database does store still filter (an empty page here)."""
    response = api(admin_user).get(path, {parameter: value})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_api_list_unstorable_dates_in_two_parameters_name_both(api, admin_user):
    """Both bounds wrong: both are named at once, so the caller fixes them in one go."""
    query = {"opened_after": UNSTORABLE["year_0_in_utc"], "opened_before": UNSTORABLE["offset_too_far_east"]}
    response = api(admin_user).get("/api/v1/loops/", query)

    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {"opened_after", "opened_before"}


@pytest.mark.parametrize("query", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
                                   {"date_from": "0001-01-01", "date_to": "9999-12-31"}])
def test_api_audit_events_first_and_last_days_of_the_calendar_bound_nothing(api, admin_user, query):
    """The audit trail's own date bounds at the calendar's ends answer every event, never a 500."""
    # Reading the trail is audited too, so the second answer holds one event more than the first.
    before = {event["id"] for event in api(admin_user).get("/api/v1/audit-events/").json()["results"]}

    response = api(admin_user).get("/api/v1/audit-events/", query)

    assert response.status_code == 200
    assert before and before <= {event["id"] for event in response.json()["results"]}
