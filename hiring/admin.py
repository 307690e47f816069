from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Hireloop", {"fields": ("kind",)}))
    list_display = ("username", "email", "first_name", "last_name", "kind", "is_staff")
    list_filter = ("kind", "is_staff", "is_active")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "level", "source_document")
    search_fields = ("title", "slug")


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "email", "source", "created_at", "erased_at")
    search_fields = ("name", "email")


class InterviewInline(admin.TabularInline):
    model = Interview
    extra = 0
    fields = ("kind", "interviewer", "starts_at", "ends_at", "feedback_due_at", "exercise")
    raw_id_fields = ("interviewer", "exercise")


@admin.register(InterviewLoop)
class InterviewLoopAdmin(admin.ModelAdmin):
    list_display = ("id", "candidate", "role", "status", "decision", "opened_at")
    list_filter = ("status", "role", "decision")
    raw_id_fields = ("candidate", "rubric", "recruiter", "hiring_manager", "decided_by")
    inlines = [InterviewInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events cannot be edited or deleted through the application."""

    list_display = ("created_at", "actor", "action", "object_type", "object_id", "loop_id")
    list_filter = ("action", "object_type")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
