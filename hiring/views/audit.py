"""The audit trail pages: browse and filter (admins and the committee), and export as CSV.

Both read through ``hiring.access.audit_values_withheld``: on a loop where the reader still owes feedback,
the values of its scorecard, recommendation and decision events are withheld, the events still listed.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from hiring.access import audit_values_withheld
from hiring.audit.export import audit_csv
from hiring.audit.selectors import AuditFilters, audit_changes, audit_events, audit_filter_choices
from hiring.audit.services import audit_record
from hiring.types import AuthenticatedHttpRequest

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=60)
    actor = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Who"))
    object_type = forms.CharField(required=False, max_length=60, label=gettext_lazy("Object type"))
    object_id = forms.CharField(required=False, max_length=40, label=gettext_lazy("Object id"))
    loop = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Loop"))
    date_from = forms.DateField(required=False, label=gettext_lazy("From"))
    date_to = forms.DateField(required=False, label=gettext_lazy("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", gettext("The end date must not be before the start date."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            action=data.get("action") or "",
            actor_id=data.get("actor"),
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            loop_id=data.get("loop"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _require_auditor(user: Any) -> None:
    if not (user.is_committee or user.is_hireloop_admin):
        raise PermissionDenied(gettext("Only the hiring committee and admins read the audit trail."))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every recorded change, newest first, filterable by action, person, object, loop and dates."""
    _require_auditor(request.user)
    form = AuditFilterForm(request.GET or None)
    choices = audit_filter_choices()
    context: dict[str, Any] = {"form": form, **choices, "page_query": _query_without_page(request)}
    if form.is_bound and not form.is_valid():
        return render(request, "hiring/audit/list.html", {**context, "page": None, "rows": []}, status=400)
    filters = form.filters() if form.is_bound else AuditFilters()
    events = audit_events(filters, withheld=audit_values_withheld(request.user))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": event, "changes": audit_changes(event)} for event in page.object_list]
    return render(request, "hiring/audit/list.html", {**context, "page": page, "rows": rows, "filters": filters})


@login_required
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV (streamed, so a long trail never sits in memory). The export is audited."""
    _require_auditor(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # An ErrorList yields each error as its message text (str), whatever it was added as.
        errors = "; ".join(f"{field}: {' '.join(cast(list[str], messages))}" for field, messages in form.errors.items())
        return HttpResponse(f"Invalid filter. {errors}", status=400, content_type="text/plain; charset=utf-8")
    filters = form.filters() if form.is_bound else AuditFilters()
    audit_record(actor=request.user, action="audit.exported", obj=request.user,
                 after={key: str(value) for key, value in vars(filters).items() if value not in ("", None)})
    events = audit_events(filters, withheld=audit_values_withheld(request.user))
    response = StreamingHttpResponse(audit_csv(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="hireloop-audit-{stamp}.csv"'
    return response
