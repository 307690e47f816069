"""The candidate pages: list and search, add and edit, one candidate, their summary across loops."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_scorecards_read
from hiring.errors import ApplicationError
from hiring.forms import (
    SOURCE_SUGGESTIONS,
    CandidateForm,
    CandidateSearchForm,
    apply_error,
)
from hiring.models import Candidate
from hiring.selectors import candidates as candidate_selectors
from hiring.services import candidates as candidate_services
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import PAGE_SIZE, managers_only, querystring, readers_only
from scorecards.selectors import summary as summary_selectors


@readers_only
def candidate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CandidateSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(candidate_selectors.candidate_list(query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hiring/candidate_list.html", {
        "form": form,
        "query": query,
        "page": page,
        "page_query": querystring({"q": query}),
        "may_manage": request.user.manages_hiring,
    })


def _candidate_form_page(request: HttpRequest, form: CandidateForm, candidate: Candidate | None,
                         duplicate: Candidate | None = None) -> HttpResponse:
    return render(request, "hiring/candidate_form.html", {
        "form": form,
        "candidate": candidate,
        "duplicate": duplicate,
        "source_suggestions": SOURCE_SUGGESTIONS,
    }, status=400 if form.is_bound and form.errors else 200)


@managers_only
def candidate_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _candidate_form_page(request, CandidateForm(), None)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        return _candidate_form_page(request, form, None)
    try:
        candidate = candidate_services.candidate_create(actor=request.user, **form.cleaned_data)
    except candidate_services.DuplicateCandidate as exc:
        apply_error(form, exc)
        return _candidate_form_page(request, form, None, Candidate.objects.filter(pk=exc.existing_id).first())
    except ApplicationError as exc:
        apply_error(form, exc)
        return _candidate_form_page(request, form, None)
    messages.success(request, gettext("Candidate added."))
    if "open_loop" in request.POST:
        return redirect(f"{reverse('hiring:loop-create')}?candidate={candidate.pk}")
    return redirect("hiring:candidate-detail", pk=candidate.pk)


@managers_only
def candidate_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_selectors.candidate_get(candidate_id=pk)
    if candidate.erased_at is not None:
        messages.error(request, gettext("This candidate's data was erased; there is nothing to edit."))
        return redirect("hiring:candidate-detail", pk=pk)
    if request.method != "POST":
        return _candidate_form_page(request, CandidateForm.for_candidate(candidate), candidate)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        return _candidate_form_page(request, form, candidate)
    try:
        candidate_services.candidate_update(actor=request.user, candidate=candidate, **form.cleaned_data)
    except candidate_services.DuplicateCandidate as exc:
        apply_error(form, exc)
        return _candidate_form_page(request, form, candidate, Candidate.objects.filter(pk=exc.existing_id).first())
    except ApplicationError as exc:
        apply_error(form, exc)
        return _candidate_form_page(request, form, candidate)
    messages.success(request, gettext("Candidate details saved."))
    return redirect("hiring:candidate-detail", pk=pk)


@readers_only
def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_selectors.candidate_get(candidate_id=pk)
    return render(request, "hiring/candidate_detail.html", {
        "candidate": candidate,
        "loops": candidate_selectors.candidate_loops(user=request.user, candidate=candidate),
        "may_manage": request.user.manages_hiring,
    })


@readers_only
def candidate_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    summary = summary_selectors.candidate_summary(user=request.user, candidate_id=pk)
    audit_scorecards_read(request.user, [card for loop in summary.loops for card in loop.scorecards])
    return render(request, "hiring/candidate_summary.html", {
        "summary": summary,
        "candidate": summary.candidate,
        "printed_at": timezone.now(),
    })
