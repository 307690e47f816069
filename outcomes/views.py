"""Quality-of-hire pages: recording a start date, the manager's check-in, the check-ins list, the role's outcome
set-up and the validity report. Every page that shows outcome ratings audits the read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hiring.audit.services import audit_record
from hiring.errors import ApplicationError, NotFound
from hiring.forms import apply_error
from hiring.models import InterviewLoop, Role
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import page_for
from outcomes.forms import CheckInForm, HireStartForm, ValidityRequestForm
from outcomes.models import AreaRating, CheckIn, Hire, OutcomeArea, ValidityReport
from outcomes.selectors import checkins_visible_to, is_overdue
from outcomes.services import (
    AreaInput,
    CheckInInput,
    can_read_outcomes,
    can_record_hires,
    checkin_plan,
    checkin_submit,
    hire_record,
    outcome_areas_ensure,
    outcome_setup_save,
)
from outcomes.validity.exports import FORMATS, report_tables
from outcomes.validity.job import validity_report_read, validity_report_request
from scorecards.calibration.tables import format_value


def _signed_in(user: Any) -> bool:
    return True


anyone = page_for(_signed_in, "")
committee_only = page_for(can_read_outcomes, gettext_lazy("Only the hiring committee and admins read outcome data."))
hiring_staff = page_for(
    can_record_hires, gettext_lazy("Only recruiters, the hiring committee and admins record start dates.")
)


@require_GET
@anyone
def checkin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Managers: their reports' check-ins. Recruiters and the committee: every hire's, overdue first on request;
    the ratings themselves are not on this page."""
    rows = checkins_visible_to(request.user).order_by("due_on", "id")
    today = timezone.localdate()
    items = [{"checkin": c, "overdue": is_overdue(c, today), "mine": c.hire.manager_id == request.user.pk}
             for c in rows[:500]]
    if request.GET.get("overdue"):
        items = [item for item in items if item["overdue"]]
    return render(request, "outcomes/checkin_list.html",
                  {"items": items, "overdue_only": bool(request.GET.get("overdue"))})


@require_http_methods(["GET", "POST"])
@anyone
def checkin_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    checkin = CheckIn.objects.select_related("hire__loop__role", "hire__loop__candidate", "hire__manager").filter(
        pk=pk).first()
    if checkin is None:
        raise Http404(gettext("No such check-in."))
    is_manager = checkin.hire.manager_id == request.user.pk
    if not is_manager and not can_read_outcomes(request.user):
        raise Http404(gettext("No such check-in."))
    if checkin.status == CheckIn.Status.SUBMITTED:
        audit_record(actor=request.user, action="outcome.checkin_read", obj=checkin, loop_id=checkin.hire.loop_id)
        ratings = AreaRating.objects.filter(checkin=checkin).select_related("area").order_by("area__position")
        return render(request, "outcomes/checkin_detail.html", {"checkin": checkin, "ratings": ratings})
    if not is_manager:
        return render(request, "outcomes/checkin_detail.html", {"checkin": checkin, "ratings": []})
    areas = outcome_areas_ensure(role=checkin.hire.loop.role)
    form = CheckInForm(request.POST or None, areas=areas)
    if request.method == "POST":
        data = CheckInInput(performance=request.POST.get("performance", ""),
                            would_hire_again=request.POST.get("would_hire_again", ""),
                            still_in_role=request.POST.get("still_in_role", ""),
                            comment=request.POST.get("comment", ""), areas=form.area_values())
        try:
            checkin_submit(actor=request.user, checkin_id=checkin.pk, data=data)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except ApplicationError as exc:
            form.is_valid()
            apply_error(form, exc)
            return render(request, "outcomes/checkin_form.html", {"checkin": checkin, "form": form}, status=400)
        messages.success(request, gettext("Thank you: the check-in is recorded."))
        return redirect("outcomes:checkins")
    return render(request, "outcomes/checkin_form.html", {"checkin": checkin, "form": form})


@require_http_methods(["GET", "POST"])
@hiring_staff
def hire_start(request: AuthenticatedHttpRequest, loop_id: int) -> HttpResponseBase:
    loop = InterviewLoop.objects.select_related("role", "candidate").filter(pk=loop_id).first()
    if loop is None:
        raise Http404(gettext("No such loop."))
    hire = Hire.objects.select_related("manager").filter(loop=loop).first()
    form = HireStartForm(request.POST or None)
    if request.method == "POST" and hire is None:
        form.is_valid()
        manager = form.cleaned_data.get("manager")
        try:
            hire_record(actor=request.user, loop_id=loop.pk, start_date=form.cleaned_data.get("start_date"),
                        manager_id=manager.pk if manager else None)
        except ApplicationError as exc:
            apply_error(form, exc)
            return render(request, "outcomes/hire_start.html", {"loop": loop, "form": form,
                                                                "plan": checkin_plan(loop.role)}, status=400)
        messages.success(request, gettext("Start date recorded; the check-ins are scheduled."))
        return redirect("outcomes:hire-start", loop_id=loop.pk)
    checkins = list(hire.checkins.order_by("due_on")) if hire else []
    return render(request, "outcomes/hire_start.html", {"loop": loop, "form": form, "hire": hire,
                                                        "checkins": checkins, "plan": checkin_plan(loop.role)})


@require_http_methods(["GET", "POST"])
@committee_only
def outcome_setup(request: AuthenticatedHttpRequest, role_id: int) -> HttpResponseBase:
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        raise Http404(gettext("No such role."))
    outcome_areas_ensure(role=role)
    areas = list(OutcomeArea.objects.filter(role=role).order_by("position"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            outcome_setup_save(
                actor=request.user, role_id=role.pk, plan_text=request.POST.get("plan", ""),
                areas=[AreaInput(id=area.pk, title=request.POST.get(f"title_{area.pk}", area.title),
                                 description=request.POST.get(f"description_{area.pk}", area.description),
                                 active=bool(request.POST.get(f"active_{area.pk}"))) for area in areas],
                new_title=request.POST.get("new_title", ""), new_description=request.POST.get("new_description", ""))
        except ApplicationError as exc:
            errors = {"__all__": [exc.message], **exc.field_errors}
        else:
            messages.success(request, gettext("Outcome set-up saved."))
            return redirect("outcomes:setup", role_id=role.pk)
    plan = ", ".join(f"{item['label']}={item['days']}" for item in checkin_plan(role))
    return render(request, "outcomes/setup.html", {
        "role": role, "areas": areas, "plan": request.POST.get("plan", plan), "errors": errors,
    }, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@committee_only
def validity_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = ValidityRequestForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
        role = form.cleaned_data.get("role") if hasattr(form, "cleaned_data") else None
        try:
            report = validity_report_request(actor=request.user, role_id=role.pk if role else "",
                                             checkin=request.POST.get("checkin", "").strip())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("outcomes:validity-detail", pk=report.pk)
    reports = ValidityReport.objects.select_related("role", "requested_by").defer("result")[:50]
    roles = Role.objects.order_by("title")
    return render(request, "outcomes/validity_list.html", {"form": form, "reports": reports, "roles": roles},
                  status=400 if form.errors else 200)


@require_GET
@committee_only
def validity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = validity_report_read(actor=request.user, report_id=pk)
    tables = [
        {"title": table.title, "headers": [column.header for column in table.columns],
         "rows": [{"small": bool(row.get("small_sample")),
                   "cells": [format_value(row.get(column.key), column.kind) for column in table.columns]}
                  for row in table.rows]}
        for table in (report_tables(report.result) if report.result else [])
    ]
    return render(request, "outcomes/validity_detail.html", {
        "report": report, "result": report.result, "tables": tables, "formats": FORMATS,
    })


@require_GET
@committee_only
def validity_download(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(gettext("No such format."))
    report = validity_report_read(actor=request.user, report_id=pk)
    if not report.result:
        raise Http404(gettext("The report is not ready."))
    export = FORMATS[fmt]
    response = HttpResponse(export.render(report.result), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="validity-report-{report.pk}.{export.extension}"'
    return response


