"""The recruiter's pages: thin views that read through selectors and write through services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from hiring import selectors, summary_selectors
from hiring.audit import audit_scorecards_read
from hiring.errors import ApplicationError, NotFound, PermissionRefused
from hiring.forms import (
    SOURCE_SUGGESTIONS,
    CandidateForm,
    CandidateSearchForm,
    InterviewForm,
    LoopAssignForm,
    LoopOpenForm,
    LoopWithdrawForm,
    PipelineFilterForm,
    ReassignForm,
    apply_error,
)
from hiring.models import Candidate
from hiring.scheduling import interview_scheduled_notices
from hiring.services import candidates as candidate_services
from hiring.services import interviews as interview_services
from hiring.services import loops as loop_services
from hiring.types import AuthenticatedHttpRequest

PAGE_SIZE = 25
View = Callable[..., HttpResponse]


class KnownCountPaginator(Paginator):
    """A paginator told its total: counting a grouped, annotated queryset would compute every row's figures."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each user to the page they work from."""
    user = request.user
    if user.sees_all_loops and not user.is_committee:
        return redirect("hiring:pipeline")
    if user.is_committee:
        return redirect("scorecards:committee-loops")
    return redirect("scorecards:my-interviews")


def readers_only(view: View) -> View:
    """Recruiters, the committee and admins: the people who read every loop."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.sees_all_loops:
            raise PermissionDenied("Only recruiters, the hiring committee and admins can open this page.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionRefused as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped


def managers_only(view: View) -> View:
    """Recruiters and admins: the people who run loops."""

    @readers_only
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.manages_hiring:
            raise PermissionDenied("Only recruiters and admins manage candidates, loops and schedules.")
        return view(request, *args, **kwargs)

    return wrapped


def _querystring(params: dict[str, Any]) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "", False)})


# --- Candidates -------------------------------------------------------------------


@readers_only
def candidate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CandidateSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.candidate_list(query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hiring/candidate_list.html", {
        "form": form,
        "query": query,
        "page": page,
        "page_query": _querystring({"q": query}),
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
    messages.success(request, "Candidate added.")
    if "open_loop" in request.POST:
        return redirect(f"{reverse('hiring:loop-create')}?candidate={candidate.pk}")
    return redirect("hiring:candidate-detail", pk=candidate.pk)


@managers_only
def candidate_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(candidate_id=pk)
    if candidate.erased_at is not None:
        messages.error(request, "This candidate's data was erased; there is nothing to edit.")
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
    messages.success(request, "Candidate details saved.")
    return redirect("hiring:candidate-detail", pk=pk)


@readers_only
def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(candidate_id=pk)
    return render(request, "hiring/candidate_detail.html", {
        "candidate": candidate,
        "loops": selectors.candidate_loops(user=request.user, candidate=candidate),
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


# --- Loops ------------------------------------------------------------------------


@managers_only
def loop_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    candidate_id = request.POST.get("candidate") if data else request.GET.get("candidate")
    candidate = Candidate.objects.filter(pk=candidate_id, erased_at__isnull=True).first() if (
        candidate_id and str(candidate_id).isdigit()
    ) else None
    if candidate is None:
        messages.info(request, "Choose the candidate to open a loop for.")
        return redirect("hiring:candidate-list")
    form = LoopOpenForm(data, initial={"candidate": candidate.pk, "recruiter": request.user.pk})
    if data is not None and form.is_valid():
        try:
            loop = loop_services.loop_open(
                actor=request.user,
                candidate=form.cleaned_data["candidate"],
                role=form.cleaned_data["role"],
                recruiter=form.cleaned_data["recruiter"],
                hiring_manager=form.cleaned_data["hiring_manager"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"Loop opened for {loop.role.title} (rubric v{loop.rubric.version}). "
                                      "Now schedule its interviews.")
            return redirect("hiring:loop-detail", pk=loop.pk)
    return render(request, "hiring/loop_form.html", {"form": form, "candidate": candidate},
                  status=400 if form.is_bound else 200)


@readers_only
def loop_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = selectors.loop_detail(user=request.user, loop_id=pk)
    may_manage = request.user.manages_hiring and not loop.is_closed
    return render(request, "hiring/loop_detail.html", {
        "loop": loop,
        "interviews": loop.interviews.all(),
        "coverage": selectors.loop_coverage(loop=loop),
        "may_manage": may_manage,
        "assign_form": LoopAssignForm(initial={"recruiter": loop.recruiter_id,
                                                "hiring_manager": loop.hiring_manager_id}) if may_manage else None,
    })


@managers_only
@require_POST
def loop_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = selectors.loop_get(user=request.user, loop_id=pk)
    form = LoopAssignForm(request.POST)
    if form.is_valid():
        try:
            loop_services.loop_assign(actor=request.user, loop=loop, recruiter=form.cleaned_data["recruiter"],
                                      hiring_manager=form.cleaned_data["hiring_manager"])
        except ApplicationError as exc:
            messages.error(request, " ".join([exc.message, *sum(exc.field_errors.values(), [])]))
        else:
            messages.success(request, "Recruiter and hiring manager saved.")
    else:
        messages.error(request, "Choose a recruiter for the loop.")
    return redirect("hiring:loop-detail", pk=pk)


@managers_only
def loop_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = selectors.loop_get(user=request.user, loop_id=pk)
    form = LoopWithdrawForm(request.POST if request.method == "POST" else None)
    if loop.is_closed:
        messages.error(request, f"The loop is already {loop.get_status_display().lower()}.")
        return redirect("hiring:loop-detail", pk=pk)
    if form.is_bound and form.is_valid():
        try:
            loop_services.loop_withdraw(actor=request.user, loop=loop, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, "The loop was withdrawn. Its interviewers no longer get reminders for it.")
            return redirect("hiring:loop-detail", pk=pk)
    return render(request, "hiring/loop_withdraw.html", {"loop": loop, "form": form},
                  status=400 if form.is_bound else 200)


# --- Interviews -------------------------------------------------------------------


@managers_only
def interview_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = selectors.loop_get(user=request.user, loop_id=pk)
    if loop.is_closed:
        messages.error(request, f"The loop is {loop.get_status_display().lower()}; no interviews can be added.")
        return redirect("hiring:loop-detail", pk=pk)
    form = InterviewForm(request.POST if request.method == "POST" else None, loop=loop)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        plan = interview_services.InterviewPlan(
            kind=data["kind"],
            interviewer=data["interviewer"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            focus_dimension_ids=[d.pk for d in data["focus_dimensions"]],
            exercise=data["exercise"],
            feedback_due_at=data["feedback_due_at"],
        )
        try:
            interview = interview_services.interview_schedule(actor=request.user, loop=loop, plan=plan)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"{interview.get_kind_display()} with {interview.interviewer.display_name} "
                                      "scheduled.")
            for message in interview_scheduled_notices(interview, new=True):
                messages.warning(request, message)
            if "add_another" in request.POST:
                return redirect("hiring:interview-create", pk=pk)
            return redirect("hiring:loop-detail", pk=pk)
    return render(request, "hiring/interview_form.html", {
        "loop": loop,
        "form": form,
        "coverage": selectors.loop_coverage(loop=loop),
        "due_hours": settings.HIRELOOP_FEEDBACK_DUE_HOURS,
        "time_zone": timezone.get_current_timezone_name(),
    }, status=400 if form.is_bound else 200)


@managers_only
def interview_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_get(user=request.user, interview_id=pk)
    form = ReassignForm(request.POST if request.method == "POST" else None, exclude=interview.interviewer)
    if form.is_bound and form.is_valid():
        previous = interview.interviewer.display_name
        try:
            interview = interview_services.interview_reassign(
                actor=request.user, interview=interview, interviewer=form.cleaned_data["interviewer"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"{interview.get_kind_display()} moved from {previous} to "
                                      f"{interview.interviewer.display_name}.")
            for message in interview_scheduled_notices(interview, new=False):
                messages.warning(request, message)
            return redirect("hiring:loop-detail", pk=interview.loop_id)
    return render(request, "hiring/interview_reassign.html", {"interview": interview, "form": form},
                  status=400 if form.is_bound else 200)


# --- The pipeline -----------------------------------------------------------------


PIPELINE_COLUMNS = [
    ("candidate", "Candidate"),
    ("role", "Role"),
    ("stage", "Stage"),
    ("next", "Interviews"),
    ("overdue", "Feedback"),
]


@readers_only
def pipeline(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PipelineFilterForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    loops = selectors.pipeline_loops(user=request.user, filters=filters, now=now)
    total = selectors.pipeline_count(user=request.user, filters=filters, now=now)
    page = KnownCountPaginator(loops, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    page.object_list = selectors.pipeline_people(page.object_list)
    base = {
        "role": filters.role_id,
        "recruiter": filters.recruiter_id,
        "status": filters.status,
        "overdue": "1" if filters.overdue_only else "",
    }
    columns = []
    for key, label in PIPELINE_COLUMNS:
        current = filters.sort.lstrip("-") == key
        descending = filters.sort.startswith("-")
        # A first click sorts the way a recruiter most often wants: most overdue first, others A-Z.
        next_sort = (key if descending else f"-{key}") if current else ("-overdue" if key == "overdue" else key)
        columns.append({
            "label": label,
            "url": "?" + _querystring({**base, "sort": next_sort}),
            "sorted": ("descending" if descending else "ascending") if current else "",
        })
    return render(request, "hiring/pipeline.html", {
        "form": form,
        "page": page,
        "columns": columns,
        "now": now,
        "page_query": _querystring({**base, "sort": filters.sort}),
        "filtered": any(base.values()),
        "may_manage": request.user.manages_hiring,
    })
