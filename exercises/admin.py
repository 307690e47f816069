from django.contrib import admin

from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission
from hiring.admin.readonly import ReadOnlyAdminMixin


@admin.register(Exercise)
class ExerciseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: admins add, edit and archive (``is_active``) exercises on the library pages, through
    exercises.services.library (validated against the rubric, audited). Never deleted: interviews and
    take-home assignments refer to them."""

    list_display = ("title", "role", "format", "duration", "origin", "is_active")
    list_filter = ("role", "format", "origin", "is_active")
    search_fields = ("title", "slug")


class DeadlineExtensionInline(admin.TabularInline):
    model = DeadlineExtension
    extra = 0
    can_delete = False
    readonly_fields = ("previous_due_at", "new_due_at", "reason", "extended_by", "created_at")


class ExerciseSubmissionInline(admin.TabularInline):
    model = ExerciseSubmission
    extra = 0
    can_delete = False
    fields = ("number", "submitted_at", "size", "content_type", "sha256")
    readonly_fields = fields


@admin.register(ExerciseAssignment)
class ExerciseAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: take-homes are assigned, extended, re-sent and submitted through exercises.services and the
    Hireloop pages, which audit them; never hard-deleted (the candidate's submissions are evidence)."""

    list_display = ("id", "title", "loop", "due_at", "reviewer", "link_emailed_at")
    list_filter = ("exercise__role",)
    search_fields = ("loop__id__exact", "title")
    inlines = [DeadlineExtensionInline, ExerciseSubmissionInline]
