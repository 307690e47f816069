"""The read-only rubric pages: every role's rubric, and one version with its history."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import signed_in
from scorecards.rubrics.drafts import may_edit_rubrics
from scorecards.rubrics.pages import rubric_catalogue, rubric_page


@signed_in
def rubric_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "scorecards/rubric_list.html", {"roles": rubric_catalogue()})


@signed_in
def rubric_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    version_param = request.GET.get("version")
    version = int(version_param) if version_param and version_param.isdigit() else None
    if version_param and version is None:
        raise Http404(gettext("No such rubric version."))
    page = rubric_page(role_slug=slug, version=version)
    return render(request, "scorecards/rubric_detail.html", {"page": page, "can_edit": may_edit_rubrics(request.user)})
