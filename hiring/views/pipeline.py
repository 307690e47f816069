"""The pipeline page: every visible loop with its stage and feedback, filtered, sorted and paged."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hiring.forms import (
    PipelineFilterForm,
)
from hiring.selectors import pipeline as pipeline_selectors
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import PAGE_SIZE, KnownCountPaginator, querystring, readers_only

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
    loops = pipeline_selectors.pipeline_loops(user=request.user, filters=filters, now=now)
    total = pipeline_selectors.pipeline_count(user=request.user, filters=filters, now=now)
    page = KnownCountPaginator(loops, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    page.object_list = pipeline_selectors.pipeline_people(page.object_list)
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
            "url": "?" + querystring({**base, "sort": next_sort}),
            "sorted": ("descending" if descending else "ascending") if current else "",
        })
    return render(request, "hiring/pipeline.html", {
        "form": form,
        "page": page,
        "columns": columns,
        "now": now,
        "page_query": querystring({**base, "sort": filters.sort}),
        "filtered": any(base.values()),
        "may_manage": request.user.manages_hiring,
    })
