from django.contrib import admin

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


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ("id", "interview", "interviewer", "status", "overall", "revision", "submitted_at")
    list_filter = ("status", "overall")
    inlines = [RatingInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # evidence, as in hiring.admin.InterviewLoopAdmin


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("loop", "outcome", "weighted_score", "coverage", "computed_at")
    list_filter = ("outcome",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalibrationReport)
class CalibrationReportAdmin(admin.ModelAdmin):
    list_display = ("id", "role", "date_from", "date_to", "status", "created_at")
    list_filter = ("status", "role")
