from django.contrib import admin
from django.http import HttpRequest

from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("title", "role", "format", "duration", "origin", "is_active")
    list_filter = ("role", "format", "origin", "is_active")
    search_fields = ("title",)


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
class ExerciseAssignmentAdmin(admin.ModelAdmin):
    """Read-mostly: deadlines and links change through the Hireloop pages, which audit them."""

    list_display = ("id", "title", "loop", "due_at", "reviewer", "link_emailed_at")
    list_filter = ("exercise__role",)
    readonly_fields = (
        "loop", "exercise", "title", "format", "duration", "materials", "tasks", "evaluation", "dimension_names",
        "due_at", "original_due_at", "grace_hours", "token_hash", "token_issued_at", "link_emailed_at",
        "reviewer", "review_interview", "created_by", "created_at",
    )
    inlines = [DeadlineExtensionInline, ExerciseSubmissionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
