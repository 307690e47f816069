"""Reads for the candidate pages: the searchable list, one candidate, and the loops a user may see of them."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import gettext

from hiring.access import loops_visible_to
from hiring.errors import NotFound
from hiring.models import Candidate, Interview, InterviewLoop
from hiring.selectors.common import ACTIVE_STATUSES, count_of, submitted_by_interviewer


def candidate_list(*, query: str = "") -> QuerySet[Candidate]:
    """Candidates matching a name or email fragment, with how many loops they have (active and all)."""
    candidates = Candidate.objects.filter(erased_at__isnull=True)
    query = query.strip()
    if query:
        candidates = candidates.filter(Q(name__icontains=query) | Q(email__icontains=query))
    return candidates.annotate(
        loop_count=Count("loops"),
        active_loop_count=Count("loops", filter=Q(loops__status__in=ACTIVE_STATUSES)),
    ).order_by("name", "id")


def candidate_get(*, candidate_id: int) -> Candidate:
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound(gettext("No such candidate."))
    return candidate


def candidate_loops(*, user: Any, candidate: Candidate) -> QuerySet[InterviewLoop]:
    """The candidate's loops for the detail page, newest first, with their interview counts."""
    interviews = Interview.objects.scheduled().filter(loop=OuterRef("pk"))
    return (
        loops_visible_to(user)
        .filter(candidate=candidate)
        .select_related("role", "rubric", "recruiter", "hiring_manager")
        .annotate(
            interview_count=count_of(interviews),
            submitted_count=count_of(interviews.filter(submitted_by_interviewer())),
        )
        .order_by("-opened_at", "-id")
    )
