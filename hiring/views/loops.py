"""The loop pages: the home redirect, opening a loop, one loop, its people, its candidate's calendar invites,
withdrawing it, and scheduling, moving, reassigning and cancelling its interviews.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hiring.errors import ApplicationError
from hiring.forms import (
    CandidateInvitesForm,
    InterviewForm,
    LoopAssignForm,
    LoopOpenForm,
    LoopWithdrawForm,
    ReassignForm,
    RescheduleForm,
    apply_error,
)
from hiring.models import Candidate
from hiring.selectors import loops as loop_selectors
from hiring.selectors.scheduling import interview_scheduled_notices
from hiring.services import interviews as interview_services
from hiring.services import loops as loop_services
from hiring.templatetags.isolation import html_message, isolate
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import managers_only, readers_only


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each user to the page they work from."""
    user = request.user
    if user.sees_all_loops and not user.is_committee:
        return redirect("hiring:pipeline")
    if user.is_committee:
        return redirect("scorecards:committee-loops")
    return redirect("scorecards:my-interviews")


@managers_only
def loop_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    candidate_id = request.POST.get("candidate") if data else request.GET.get("candidate")
    candidate = Candidate.objects.filter(pk=candidate_id, erased_at__isnull=True).first() if (
        candidate_id and str(candidate_id).isdigit()
    ) else None
    if candidate is None:
        messages.info(request, gettext("Choose the candidate to open a loop for."))
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
                candidate_invites=form.cleaned_data["candidate_invites"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                html_message(
                    gettext("Loop opened for %(title)s (rubric v%(version)s). Now schedule its interviews."),
                    title=isolate(loop.role.title),
                    version=loop.rubric.version,
                ),
            )
            return redirect("hiring:loop-detail", pk=loop.pk)
    return render(request, "hiring/loop_form.html", {"form": form, "candidate": candidate},
                  status=400 if form.is_bound else 200)


@readers_only
def loop_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = loop_selectors.loop_detail(user=request.user, loop_id=pk)
    may_manage = request.user.manages_hiring and not loop.is_closed
    return render(request, "hiring/loop_detail.html", {
        "loop": loop,
        "interviews": loop.interviews.all(),
        "coverage": loop_selectors.loop_coverage(loop=loop),
        "may_manage": may_manage,
        "assign_form": LoopAssignForm(initial={"recruiter": loop.recruiter_id,
                                                "hiring_manager": loop.hiring_manager_id}) if may_manage else None,
    })


@managers_only
@require_POST
def loop_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = loop_selectors.loop_get(user=request.user, loop_id=pk)
    form = LoopAssignForm(request.POST)
    if form.is_valid():
        try:
            loop_services.loop_assign(actor=request.user, loop=loop, recruiter=form.cleaned_data["recruiter"],
                                      hiring_manager=form.cleaned_data["hiring_manager"])
        except ApplicationError as exc:
            messages.error(request, " ".join([exc.message, *sum(exc.field_errors.values(), [])]))
        else:
            messages.success(request, gettext("Recruiter and hiring manager saved."))
    else:
        messages.error(request, gettext("Choose a recruiter for the loop."))
    return redirect("hiring:loop-detail", pk=pk)


@managers_only
def loop_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = loop_selectors.loop_get(user=request.user, loop_id=pk)
    form = LoopWithdrawForm(request.POST if request.method == "POST" else None)
    if loop.is_closed:
        messages.error(
            request, gettext("The loop is already %(status)s.") % {"status": loop.get_status_display().lower()}
        )
        return redirect("hiring:loop-detail", pk=pk)
    if form.is_bound and form.is_valid():
        try:
            loop_services.loop_withdraw(actor=request.user, loop=loop, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, gettext("The loop was withdrawn. Its interviewers no longer get reminders for it.")
            )
            return redirect("hiring:loop-detail", pk=pk)
    return render(request, "hiring/loop_withdraw.html", {"loop": loop, "form": form},
                  status=400 if form.is_bound else 200)


@managers_only
def interview_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = loop_selectors.loop_get(user=request.user, loop_id=pk)
    if loop.is_closed:
        messages.error(
            request,
            gettext("The loop is %(status)s; no interviews can be added.")
            % {"status": loop.get_status_display().lower()},
        )
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
            messages.success(
                request,
                html_message(
                    gettext("%(kind)s with %(display_name)s scheduled."),
                    kind=interview.get_kind_display(),
                    display_name=isolate(interview.interviewer.display_name),
                ),
            )
            for message in interview_scheduled_notices(interview, new=True):
                messages.warning(request, message)
            if "add_another" in request.POST:
                return redirect("hiring:interview-create", pk=pk)
            return redirect("hiring:loop-detail", pk=pk)
    return render(request, "hiring/interview_form.html", {
        "loop": loop,
        "form": form,
        "coverage": loop_selectors.loop_coverage(loop=loop),
        "due_hours": settings.HIRELOOP_FEEDBACK_DUE_HOURS,
        "time_zone": timezone.get_current_timezone_name(),
    }, status=400 if form.is_bound else 200)


@managers_only
def interview_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    interview = loop_selectors.interview_get(user=request.user, interview_id=pk)
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
            messages.success(
                request,
                gettext("%(kind)s moved from %(previous)s to %(display_name)s.")
                % {
                    "kind": interview.get_kind_display(),
                    "previous": previous,
                    "display_name": interview.interviewer.display_name,
                },
            )
            for message in interview_scheduled_notices(interview, new=False):
                messages.warning(request, message)
            return redirect("hiring:loop-detail", pk=interview.loop_id)
    return render(request, "hiring/interview_reassign.html", {"interview": interview, "form": form},
                  status=400 if form.is_bound else 200)



@managers_only
def interview_reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    interview = loop_selectors.interview_get(user=request.user, interview_id=pk)
    form = RescheduleForm(request.POST) if request.method == "POST" else RescheduleForm.for_interview(interview)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            interview = interview_services.interview_reschedule(
                actor=request.user, interview=interview, starts_at=data["starts_at"], ends_at=data["ends_at"],
                feedback_due_at=data["feedback_due_at"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                html_message(
                    gettext("%(kind)s with %(display_name)s moved to %(localtime)s."),
                    kind=interview.get_kind_display(),
                    display_name=isolate(interview.interviewer.display_name),
                    localtime=format(timezone.localtime(interview.starts_at), "%a %d %b, %H:%M"),
                ),
            )
            for message in interview_scheduled_notices(interview, new=False, moved=True):
                messages.warning(request, message)
            return redirect("hiring:loop-detail", pk=interview.loop_id)
    return render(request, "hiring/interview_reschedule.html", {
        "interview": interview, "form": form, "time_zone": timezone.get_current_timezone_name(),
    }, status=400 if form.is_bound else 200)



@managers_only
def interview_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    interview = loop_selectors.interview_get(user=request.user, interview_id=pk)
    error = ""
    if request.method == "POST":
        try:
            interview = interview_services.interview_cancel(actor=request.user, interview=interview)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                html_message(
                    gettext(
                        "%(kind)s with %(display_name)s cancelled; its interviewer is sent a cancellation for their "
                        "calendar."
                    ),
                    kind=interview.get_kind_display(),
                    display_name=isolate(interview.interviewer.display_name),
                ),
            )
            return redirect("hiring:loop-detail", pk=interview.loop_id)
    return render(request, "hiring/interview_cancel.html", {"interview": interview, "error": error},
                  status=409 if error else 200)



@managers_only
@require_POST
def loop_candidate_invites(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = loop_selectors.loop_get(user=request.user, loop_id=pk)
    form = CandidateInvitesForm(request.POST)
    form.is_valid()  # a missing box is "off", which is valid
    enabled = bool(form.cleaned_data.get("enabled"))
    try:
        loop_services.loop_set_candidate_invites(actor=request.user, loop=loop, enabled=enabled)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("The candidate is now sent calendar invites for this loop's interviews.")
                         if enabled else gettext("The candidate is no longer sent calendar invites."))
    return redirect("hiring:loop-detail", pk=pk)
