from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from hiring.access import recommendations_visible_to, scorecards_visible_to
from hiring.admin.readonly import ReadOnlyAdminMixin
from hiring.types import signed_in_user
from scorecards.models import (
    CalibrationReport,
    Dimension,
    FocusArea,
    Rating,
    Recommendation,
    Rubric,
    Scorecard,
    Signal,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class DimensionInline(ReadOnlyInline):
    model = Dimension
    fields = ("position", "name", "weight_given", "weight_kind", "critical")


class SignalInline(ReadOnlyInline):
    model = Signal
    fields = ("position", "kind", "text")


class FocusAreaInline(ReadOnlyInline):
    model = FocusArea
    fields = ("position", "title", "description")


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    """Published rubric versions are immutable: publish a new one with ``load_rubrics``."""

    list_display = ("role", "version", "weight_kind", "published_at")
    list_filter = ("role",)
    inlines = [DimensionInline, FocusAreaInline, SignalInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


class RatingInline(ReadOnlyInline):
    model = Rating
    fields = ("dimension", "score", "not_assessed")


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: scorecards are drafted and submitted by their interviewer through scorecards.services
    (scores required, audited); evidence is never hard-deleted, as in hiring.admin.InterviewLoopAdmin.

    Only the scorecards ``hiring.access`` lets the user read (the ratings inline and the filters follow):
    nobody on a panel sees the others' before submitting their own, and others' drafts are not shown.
    """

    list_display = ("id", "interview", "interviewer", "status", "overall", "revision", "submitted_at")
    list_filter = ("status", "overall")
    list_select_related = ("interview", "interviewer")
    search_fields = ("interview__loop__id__exact", "interviewer__username", "interviewer__email")
    inlines = [RatingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scorecard]:
        return super().get_queryset(request) & scorecards_visible_to(signed_in_user(request))


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: recommendations are computed from the submitted scorecards by scorecards.services.

    Only those of loops whose panel the user may see (``hiring.access``).
    """

    list_display = ("loop", "outcome", "weighted_score", "coverage", "computed_at")
    list_filter = ("outcome",)
    search_fields = ("loop__id__exact",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Recommendation]:
        return super().get_queryset(request) & recommendations_visible_to(signed_in_user(request))


@admin.register(CalibrationReport)
class CalibrationReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: reports are requested and built through scorecards.calibration.services (audited)."""

    list_display = ("id", "role", "date_from", "date_to", "status", "created_at")
    list_filter = ("status", "role")
