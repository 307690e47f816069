"""Query filters for the hiring lists (django-filter); they narrow what the access rules already allow."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters import rest_framework as filters

from config.api.filters import IdFilter
from hiring.models import Candidate, Interview, InterviewLoop, User
from scorecards.models import Scorecard


class UserFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=User.Kind.choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["kind", "is_active"]


class CandidateFilter(filters.FilterSet):
    email = filters.CharFilter(field_name="email", lookup_expr="iexact", help_text="Exact email, any case.")
    search = filters.CharFilter(method="filter_search", help_text="Part of the name or email.")
    source = filters.CharFilter(field_name="source", lookup_expr="iexact")
    is_erased = filters.BooleanFilter(field_name="erased_at", lookup_expr="isnull", exclude=True)
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Candidate
        fields = ["email", "search", "source", "is_erased", "created_after", "created_before"]

    def filter_search(self, queryset: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class LoopFilter(filters.FilterSet):
    role = filters.CharFilter(field_name="role__slug", help_text="Role slug.")
    status = filters.MultipleChoiceFilter(choices=InterviewLoop.Status.choices)
    candidate = IdFilter(field_name="candidate_id")
    recruiter = IdFilter(field_name="recruiter_id")
    interviewer = IdFilter(method="filter_interviewer", help_text="Loops with an interview by this user.")
    opened_after = filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = InterviewLoop
        fields = ["role", "status", "candidate", "recruiter", "interviewer", "opened_after", "opened_before"]

    def filter_interviewer(self, queryset: QuerySet[InterviewLoop], name: str, value: int) -> QuerySet[InterviewLoop]:
        return queryset.filter(Exists(Interview.objects.scheduled().filter(loop=OuterRef("pk"), interviewer_id=value)))


class InterviewFilter(filters.FilterSet):
    loop = IdFilter(field_name="loop_id")
    role = filters.CharFilter(field_name="loop__role__slug", help_text="Role slug.")
    interviewer = IdFilter(field_name="interviewer_id")
    kind = filters.MultipleChoiceFilter(choices=Interview.Kind.choices)
    loop_status = filters.MultipleChoiceFilter(field_name="loop__status", choices=InterviewLoop.Status.choices)
    feedback_status = filters.ChoiceFilter(
        choices=[("pending", "Pending"), *Scorecard.Status.choices], help_text="pending, draft or submitted."
    )
    overdue = filters.BooleanFilter(field_name="is_overdue")
    cancelled = filters.BooleanFilter(
        field_name="cancelled_at", lookup_expr="isnull", exclude=True,
        help_text="true: only cancelled interviews; false: only those still scheduled.",
    )
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Interview
        fields = [
            "loop", "role", "interviewer", "kind", "loop_status", "feedback_status", "overdue", "cancelled",
            "starts_after", "starts_before",
        ]
