"""Live and discussion exercises in a loop's interview kits: staff put one in a kit or take it out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from exercises.forms import AttachForm
from exercises.selectors import take_homes as take_home_selectors
from exercises.services.interview_kits import interview_attach_exercise
from exercises.views.common import error_status, loop_or_404, raise_http, require_manager
from hiring.errors import ApplicationError
from hiring.templatetags.isolation import html_message, isolate
from hiring.types import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def attach(request: AuthenticatedHttpRequest, loop_id: int) -> HttpResponse:
    """Put a live or discussion exercise in one of the loop's interview kits."""
    require_manager(request.user)
    loop = loop_or_404(request, loop_id)
    interviews = take_home_selectors.loop_interviews(user=request.user, loop=loop).exclude(kind="take_home_review")
    choices = take_home_selectors.live_exercise_choices(loop)
    form = AttachForm(request.POST or None, interviews=interviews, exercises=choices,
                      initial={"interview": request.GET.get("interview"), "exercise": request.GET.get("exercise"),
                               "add_focus": True})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = interview_attach_exercise(
                actor=request.user,
                interview_id=data["interview"].pk,
                exercise_id=data["exercise"].pk if data["exercise"] else None,
                add_focus=data["add_focus"],
            )
        except ApplicationError as error:
            raise_http(error)
            form.add_service_error(error)
            status = error_status(error)
        else:
            if interview.exercise is not None:
                kind = interview.get_kind_display().lower()
                messages.success(
                    request,
                    html_message(
                        gettext("“%(title)s” is now in the %(kind)s kit."),
                        title=isolate(interview.exercise.title),
                        kind=kind,
                    ),
                )
            else:
                messages.success(request, gettext("The exercise was taken out of the interview kit."))
            return redirect("exercises:loop-exercises", loop_id=loop.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/attach_form.html",
                  {"form": form, "loop": loop, "has_interviews": interviews.exists()}, status=status)
