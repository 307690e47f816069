"""Hires, their managers' check-ins at fixed times after the start date, the role's outcome areas, and the
validity reports computed from them (docs/quality-of-hire.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from hiring.text import limited_text

# The check-ins a role gets unless it says otherwise: a label the reports and the outcomes file use, and the
# days after the start date it falls due.
DEFAULT_CHECKINS: list[dict[str, Any]] = [{"label": "90d", "days": 90}, {"label": "12m", "days": 365}]

SCALE: dict[int, str | Promise] = {
    1: gettext_lazy("Well below expectations"),
    2: gettext_lazy("Below expectations"),
    3: gettext_lazy("Meets expectations"),
    4: gettext_lazy("Above expectations"),
    5: gettext_lazy("Well above expectations"),
}


def default_checkins() -> list[dict[str, Any]]:
    return [dict(item) for item in DEFAULT_CHECKINS]


class OutcomePlan(models.Model):
    """A role's check-in schedule (editable by the committee); a role without one uses ``DEFAULT_CHECKINS``."""

    role = models.OneToOneField("hiring.Role", on_delete=models.CASCADE, related_name="outcome_plan")
    checkins = models.JSONField(default=default_checkins, help_text='[{"label": "90d", "days": 90}, ...]')
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Outcome plan of role {self.role_id}"


class OutcomeArea(models.Model):
    """One thing a manager rates 1-5 at a check-in: a KPI or goal of the role's blueprint, or one the committee
    added. Areas taken from the document say so (``source``); editing keeps the source, removing deactivates
    so that past ratings keep their area."""

    class Source(models.TextChoices):
        KPI = "kpi", gettext_lazy("Top KPIs (from the document)")
        GOAL = "goal", gettext_lazy("Main goals (from the document)")
        COMMITTEE = "committee", gettext_lazy("Added by the committee")

    role = models.ForeignKey("hiring.Role", on_delete=models.CASCADE, related_name="outcome_areas")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    document_text = models.TextField(blank=True, help_text=gettext_lazy("The words of the document it was taken from."))
    edited = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["role", "position"], name="outcomearea_unique_position"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def from_document(self) -> bool:
        return self.source in (self.Source.KPI, self.Source.GOAL)


class Hire(models.Model):
    """A loop decided "hire" whose start date was recorded; its manager receives the check-ins."""

    loop = models.OneToOneField("hiring.InterviewLoop", on_delete=models.CASCADE, related_name="hire")
    start_date = models.DateField()
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_hires")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Hire of loop {self.loop_id}"


class CheckIn(models.Model):
    """One manager's rating of one hire at one time after the start date."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", gettext_lazy("Scheduled")
        SENT = "sent", gettext_lazy("Sent to the manager")
        SUBMITTED = "submitted", gettext_lazy("Submitted")

    hire = models.ForeignKey(Hire, on_delete=models.CASCADE, related_name="checkins")
    label = models.CharField(max_length=20)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performance = models.PositiveSmallIntegerField(null=True, blank=True)
    would_hire_again = models.BooleanField(null=True, blank=True)
    still_in_role = models.BooleanField(null=True, blank=True)
    comment = limited_text("checkin.comment", blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["hire", "label"], name="checkin_unique_label"),
            models.CheckConstraint(
                condition=Q(performance__isnull=True) | Q(performance__gte=1, performance__lte=5),
                name="checkin_performance_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(performance__isnull=False, submitted_at__isnull=False),
                name="checkin_submitted_has_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} check-in of hire {self.hire_id}"


class AreaRating(models.Model):
    """A check-in's rating of one outcome area (no score: not observed)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="area_ratings")
    area = models.ForeignKey(OutcomeArea, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["area__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "area"], name="arearating_once_per_area"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="arearating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Area {self.area_id} of check-in {self.checkin_id}"


class ValidityReport(models.Model):
    """A validity report for one role, computed by a Celery job from the database (docs/quality-of-hire.md)."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.ForeignKey("hiring.Role", on_delete=models.CASCADE, related_name="+")
    checkin_label = models.CharField(max_length=20, default="12m")
    min_sample = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Validity report {self.pk}"
