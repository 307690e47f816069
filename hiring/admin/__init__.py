from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from hiring.access import audit_values_withheld, loops_visible_to, panel_blocked
from hiring.accounts.roles import user_record_role_change, user_role_values
from hiring.admin.readonly import ReadOnlyAdminMixin
from hiring.audit.selectors import audit_values_shown
from hiring.errors import ApplicationError
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, Role, User
from hiring.types import signed_in_user
from privacy.erasure import candidate_erase
from privacy.export import candidate_export


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Django's UserAdmin always sets its fieldsets; the stub types the attribute as optional.
    fieldsets = (
        *cast("tuple[Any, ...]", BaseUserAdmin.fieldsets),
        ("Hireloop", {"fields": ("kind",)}),
        ("Identity provider (set at the first sign-in through it)", {"fields": ("oidc_issuer", "oidc_subject")}),
    )
    # Who the provider vouches for is the provider's to say; an edit here could hand one person's sign-in
    # another's account.
    readonly_fields = ("oidc_issuer", "oidc_subject")
    list_display = ("username", "email", "first_name", "last_name", "kind", "is_staff")
    list_filter = ("kind", "is_staff", "is_active")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = user_role_values(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        # The admin saves inside a transaction: the audit event commits with the change.
        user_record_role_change(actor=signed_in_user(request), user=obj, before=before)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "level", "source_document")
    search_fields = ("title", "slug")


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: candidates are added and edited on the candidate pages (candidate_create/candidate_update,
    audited, an erased candidate stays erased); the export button and the erase action call audited services."""

    list_display = ("id", "name", "email", "source", "created_at", "erased_at")
    search_fields = ("name", "email")
    change_form_template = "admin/hiring/candidate/change_form.html"
    actions = ["erase_personal_data"]

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "<int:candidate_id>/export/",
            self.admin_site.admin_view(self.export_view),
            name="hiring_candidate_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest, candidate_id: int) -> HttpResponseBase:
        """Everything held about the candidate, as a JSON download (POST: it is recorded in the audit trail).

        A refused export (the officer still owes feedback on one of the candidate's loops, or no such
        candidate) goes back to the candidate's page with the reason, instead of an error page.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            data = candidate_export(actor=signed_in_user(request), candidate_id=candidate_id, via="admin")
        except ApplicationError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(exc.message) from exc
            self.message_user(request, exc.message, messages.ERROR)
            if exc.status_code == 404:
                return redirect("admin:hiring_candidate_changelist")
            return redirect("admin:hiring_candidate_change", candidate_id)
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="candidate-{candidate_id}-export.json"'
        return response

    @admin.action(description="Erase personal data of the selected candidates (scores are kept)")
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> HttpResponse | None:
        if not signed_in_user(request).is_hireloop_admin:
            self.message_user(request, "Only admins erase candidates' data.", messages.ERROR)
            return None
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/hiring/candidate/erase_confirmation.html", {
                **self.admin_site.each_context(request),
                "title": "Erase candidates' personal data?",
                "opts": self.model._meta,
                "candidates": list(queryset.order_by("pk")),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            })
        erased = []
        for candidate_id in queryset.order_by("pk").values_list("pk", flat=True):
            candidate_erase(actor=signed_in_user(request), candidate_id=candidate_id, via="admin")
            erased.append(f"#{candidate_id}")
        self.message_user(
            request,
            f"Erased the personal data of candidate(s) {', '.join(erased)}. Scores and decisions are kept.",
            messages.SUCCESS,
        )
        return None


class InterviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Interview
    extra = 0
    fields = ("kind", "interviewer", "starts_at", "ends_at", "feedback_due_at", "exercise")
    readonly_fields = fields
    # Read-only here: scheduling, reassigning and deleting go through the loop's pages and the API, whose
    # services check the rules (an interviewer with a scorecard keeps the interview) and write the audit trail.


# The decision and what it was recorded against follow the independence rule, as in the API's LoopSerializer.
DECISION_FIELDS = ("decision", "decision_rationale", "decision_justification", "decision_recommendation",
                   "decided_by", "decided_at")
WITHHELD = "Withheld: you interview on this loop and have not submitted all your feedback yet."


class DecisionFilter(admin.SimpleListFilter):
    """By decision, among the loops whose panel the user may see (a filter on a hidden value would reveal it)."""

    title = "decision"
    parameter_name = "decision"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in InterviewLoop.Decision.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[InterviewLoop]) -> QuerySet[InterviewLoop]:
        if self.value() is None:
            return queryset
        return queryset.filter(~panel_blocked(signed_in_user(request), OuterRef("pk")), decision=self.value())


@admin.register(InterviewLoop)
class InterviewLoopAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: loops are opened, moved, withdrawn and decided through hiring.services (audited).

    Never hard-deleted either: a loop is withdrawn, a candidate erased. A delete here would skip the audit trail
    and leave interviewers' leniency history (LeniencyTotals) counting it.

    The loops come from ``hiring.access``; on a loop where the user still owes feedback, the decision, its
    rationale and the recommendation it was recorded against are left out of the list and the page.
    """

    list_display = ("id", "candidate", "role", "status", "shown_decision", "shown_decided_by", "opened_at")
    list_filter = ("status", "role", DecisionFilter)
    list_select_related = ("candidate", "role", "decided_by")
    search_fields = ("id__exact", "candidate__name", "candidate__email")
    inlines = [InterviewInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InterviewLoop]:
        user = signed_in_user(request)
        visible = super().get_queryset(request) & loops_visible_to(user)
        return visible.annotate(panel_visible=~panel_blocked(user, OuterRef("pk")))

    def get_exclude(self, request: HttpRequest, obj: InterviewLoop | None = None) -> Any:
        if obj is not None and not obj.panel_visible:  # type: ignore[attr-defined]
            return [*(super().get_exclude(request, obj) or ()), *DECISION_FIELDS]
        return super().get_exclude(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: InterviewLoop | None = None) -> Any:
        if obj is not None and not obj.panel_visible:  # type: ignore[attr-defined]
            return [*super().get_readonly_fields(request, obj), "decision_withheld"]
        return super().get_readonly_fields(request, obj)

    @admin.display(description="decision")
    def decision_withheld(self, loop: InterviewLoop) -> str:
        return WITHHELD if loop.decision else "—"

    @admin.display(description="decision")
    def shown_decision(self, loop: InterviewLoop) -> str:
        if not loop.panel_visible:  # type: ignore[attr-defined]
            return "—"
        return loop.get_decision_display() or "—"

    @admin.display(description="decided by")
    def shown_decided_by(self, loop: InterviewLoop) -> str:
        if not loop.panel_visible or loop.decided_by is None:  # type: ignore[attr-defined]
            return "—"
        return str(loop.decided_by)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events cannot be edited or deleted through the application.

    For the committee and admins, with the values as on the audit pages
    (``hiring.access.audit_values_withheld``): withheld where the user still owes feedback on the event's loop.
    """

    list_display = ("created_at", "actor", "action", "object_type", "object_id", "loop_id")
    list_filter = ("action", "object_type")
    exclude = ("before", "after")
    readonly_fields = ("values_before", "values_after")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # As on the audit pages and the API: the trail is for the committee and admins.
        user = signed_in_user(request)
        return (user.is_committee or user.is_hireloop_admin) and super().has_view_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return audit_values_shown(super().get_queryset(request),
                                  withheld=audit_values_withheld(signed_in_user(request)))

    @admin.display(description="before")
    def values_before(self, event: AuditEvent) -> Any:
        return WITHHELD if event.values_withheld else event.shown_before  # type: ignore[attr-defined]

    @admin.display(description="after")
    def values_after(self, event: AuditEvent) -> Any:
        return WITHHELD if event.values_withheld else event.shown_after  # type: ignore[attr-defined]
