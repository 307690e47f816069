"""Import runs from an applicant tracking system, and which Hireloop row each of its records became."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Source(models.TextChoices):
    GREENHOUSE = "greenhouse", gettext_lazy("Greenhouse")
    LEVER = "lever", gettext_lazy("Lever")


class ImportRun(models.Model):
    """One ``import_history`` run: what it created, updated and skipped, and what it could not map.

    A refused run (a malformed file, a bad mapping) is recorded too, with its
    problems, though none of its rows were written. Dry runs write nothing,
    not even this row. ``problems`` and ``unmapped`` name files, record ids,
    attribute names and what was wrong, never a candidate's data.
    """

    class Status(models.TextChoices):
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Refused")

    source = models.CharField(max_length=20, choices=Source.choices)
    directory = models.CharField(
        max_length=500, help_text=gettext_lazy("The folder the vendor's files were read from.")
    )
    mapping_file = models.CharField(max_length=500)
    fetched = models.BooleanField(
        default=False, help_text=gettext_lazy("The files were fetched from the vendor's API first.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(
        default=dict, blank=True, help_text=gettext_lazy("{kind: {created, updated, unchanged, skipped}}")
    )
    skipped = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Why records were skipped, with counts.")
    )
    unmapped = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Attributes no dimension was mapped to.")
    )
    problems = models.JSONField(default=list, blank=True, help_text=gettext_lazy("Why the run was refused."))

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} import #{self.pk}"


class ExternalRecord(models.Model):
    """A record of the vendor's and the Hireloop row it became: what makes re-running an import idempotent.

    ``fingerprint`` is a hash of the record's imported values: a re-run
    updates the row only when it changed.
    """

    class Kind(models.TextChoices):
        USER = "user", gettext_lazy("User")
        CANDIDATE = "candidate", gettext_lazy("Candidate")
        LOOP = "loop", gettext_lazy("Loop")
        INTERVIEW = "interview", gettext_lazy("Interview")
        SCORECARD = "scorecard", gettext_lazy("Scorecard")

    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    external_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=40)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="records",
                            help_text=gettext_lazy("The run that last created or changed the row."))

    class Meta:
        ordering = ["source", "kind", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "external_id"], name="externalrecord_unique_id"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="externalrecord_object_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id} -> #{self.object_id}"
