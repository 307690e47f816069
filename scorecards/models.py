"""Rubrics (versioned), scorecards, computed recommendations and calibration reports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from hiring.errors import NotFound
from hiring.text import limit, limited_text, validate_label


class WeightKind(models.TextChoices):
    PERCENT = "percent", gettext_lazy("Percent")
    HIGH_MEDIUM = "high_medium", gettext_lazy("High / Medium")
    EQUAL = "equal", gettext_lazy("Equal")


class RubricQuerySet(models.QuerySet["Rubric"]):
    def current(self, *, role: models.Model) -> Rubric:
        """The role's newest published version: the one a new loop is scored against."""
        rubric = self.filter(role=role).order_by("-version").first()
        if rubric is None:
            raise NotFound(
                gettext("Role %(slug)s has no published rubric.") % {"slug": repr(role.slug)},  # type: ignore[attr-defined]
                code="no_rubric",
            )
        return rubric


class Rubric(models.Model):
    """One published version of a role's rubric. Published versions are never edited."""

    role = models.ForeignKey("hiring.Role", on_delete=models.CASCADE, related_name="rubrics")
    version = models.PositiveIntegerField()
    weight_kind = models.CharField(max_length=20, choices=WeightKind.choices)
    scale_labels = models.JSONField(default=dict, help_text=gettext_lazy("{'1': 'Below bar', ... '5': 'Exceptional'}"))
    hire_threshold = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("3.50"))
    discuss_threshold = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("3.00"))
    critical_floor = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("2.50"))
    min_coverage = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.800"))
    high_to_medium_ratio = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("2.00"))
    content_hash = models.CharField(max_length=64)
    source = models.JSONField(help_text=gettext_lazy("The file content this version was published from."))
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_note = models.TextField(
        blank=True, help_text="Why this version was published (required when published from the editor)."
    )

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["role", "-version"]
        permissions = [("edit_rubric", "Can edit rubric drafts and publish rubric versions")]
        constraints = [
            models.UniqueConstraint(fields=["role", "version"], name="rubric_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="rubric_version_positive"),
            models.CheckConstraint(
                condition=Q(discuss_threshold__lte=models.F("hire_threshold")), name="rubric_thresholds_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} v{self.version}"


class AnchorSource(models.TextChoices):
    """Who wrote an anchor: copied from the role's source document, or written by the hiring team."""

    DOCUMENT = "document", "From the document"
    TEAM = "team", "Written by the team"


class Dimension(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="dimensions")
    position = models.PositiveSmallIntegerField()
    # The dimension's identity across versions: kept when it is renamed, reweighted or reworded, so what hangs
    # off a dimension (questions, exercises) follows it from one version to the next.
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=limit("dimension.name"), validators=[validate_label])
    weight_given = models.CharField(
        max_length=20, help_text=gettext_lazy("The weight as the document gives it: 20, high, 1.")
    )
    weight_kind = models.CharField(max_length=20, choices=WeightKind.choices)
    weight_value = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        help_text=gettext_lazy("Numeric weight before normalisation (High = ratio x Medium)."),
    )
    critical = models.BooleanField(default=False)
    anchors = models.JSONField(
        default=dict,
        help_text="What each point looks like: {'1': {'text': ..., 'source': 'document' | 'team'}, ... '5': ...}.",
    )

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "name"], name="dimension_unique_name_per_rubric"),
            models.UniqueConstraint(fields=["rubric", "key"], name="dimension_unique_key_per_rubric"),
            models.UniqueConstraint(fields=["rubric", "position"], name="dimension_unique_position_per_rubric"),
            models.CheckConstraint(condition=Q(weight_value__gt=0), name="dimension_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RubricDraft(models.Model):
    """A role's rubric being edited in the app: the next version, in the file format, until it is published.

    One per role. ``based_on`` is the published version it started from; publishing refuses a draft whose base
    is no longer the newest version, so nobody overwrites a version they have not seen.
    """

    role = models.OneToOneField("hiring.Role", on_delete=models.CASCADE, related_name="rubric_draft")
    based_on = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="+")
    document = models.JSONField(help_text="The draft as a rubric document (fixtures/rubrics/FORMAT.md).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Optimistic concurrency, as scorecards: a save based on an older revision is refused.
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Draft of {self.role} (from v{self.based_on.version})"


class FocusArea(models.Model):
    """A "what to assess in interviews" area of the rubric."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="focus_areas")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=limit("focus_area.title"), validators=[validate_label])
    description = limited_text("rubric.text", blank=True)

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "position"], name="focusarea_unique_position"),
        ]

    def __str__(self) -> str:
        return self.title


class Signal(models.Model):
    class Kind(models.TextChoices):
        STRONG = "strong", gettext_lazy("Strong signal")
        WEAK = "weak", gettext_lazy("Weak signal")
        RED_FLAG = "red_flag", gettext_lazy("Red flag")

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="signals")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = limited_text("rubric.text")

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "position"], name="signal_unique_position"),
            models.CheckConstraint(condition=Q(kind__in=["strong", "weak", "red_flag"]), name="signal_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.text


class Overall(models.TextChoices):
    """The interviewer's overall recommendation: deliberately no neutral choice."""

    STRONG_NO = "strong_no", gettext_lazy("Strong no")
    NO = "no", gettext_lazy("No")
    YES = "yes", gettext_lazy("Yes")
    STRONG_YES = "strong_yes", gettext_lazy("Strong yes")


class Scorecard(models.Model):
    """One interviewer's feedback on one interview.

    An amendment after the debrief is a new row (``revision`` + 1) that
    ``amends`` the previous one; the original stays as it was. Exactly one
    revision per interview and interviewer is ``is_current``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")

    class Source(models.TextChoices):
        HIRELOOP = "", gettext_lazy("Hireloop")
        GREENHOUSE = "greenhouse", gettext_lazy("Greenhouse")
        LEVER = "lever", gettext_lazy("Lever")

    interview = models.ForeignKey("hiring.Interview", on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    overall = models.CharField(max_length=12, choices=Overall.choices, blank=True)
    summary = limited_text("scorecard.summary", blank=True)
    revision = models.PositiveSmallIntegerField(default=1)
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by"
    )
    amendment_reason = limited_text("scorecard.amendment_reason", blank=True)
    is_current = models.BooleanField(default=True)
    # Optimistic concurrency: every save bumps it; a save based on an older one is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Written in another system and imported (imports/): the record of what the interviewer wrote there, so it is
    # read-only here; its id there lets a re-run of the import find it again.
    # Defaults in the database too: bulk writers that name their columns (the benchmarks' COPY, the floors' raw
    # INSERTs) write Hireloop's own scorecards without knowing these columns.
    source = models.CharField(max_length=20, choices=Source.choices, blank=True, default="", db_default="")
    source_id = models.CharField(max_length=100, blank=True, default="", db_default="")

    class Meta:
        ordering = ["interview", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "interviewer"], condition=Q(is_current=True), name="scorecard_one_current"
            ),
            models.UniqueConstraint(fields=["interview", "interviewer", "revision"], name="scorecard_unique_revision"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="scorecard_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=Q(revision=1) | ~Q(amendment_reason=""), name="scorecard_amendment_has_reason"
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~Q(source=""), name="scorecard_unique_source_id"
            ),
        ]
        indexes = [models.Index(fields=["interviewer", "status"])]

    def __str__(self) -> str:
        return f"Scorecard #{self.pk} r{self.revision}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_imported(self) -> bool:
        return bool(self.source)


class Rating(models.Model):
    """A score on one dimension: 1-5, or explicitly not assessed; evidence says why."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    not_assessed = models.BooleanField(default=False)
    evidence = limited_text("rating.evidence", blank=True)

    class Meta:
        ordering = ["scorecard", "dimension__position"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "dimension"], name="rating_unique_dimension"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(not_assessed=True, score__isnull=False), name="rating_not_assessed_has_no_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}: {self.score}"


class ObservedSignal(models.Model):
    """A strong/weak signal or red flag the interviewer ticked; red flags carry a note."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="observed_signals")
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="observations")
    note = limited_text("observed_signal.note", blank=True)

    class Meta:
        ordering = ["scorecard", "signal__position"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "signal"], name="observedsignal_unique"),
        ]

    def __str__(self) -> str:
        return f"Signal {self.signal_id} on scorecard {self.scorecard_id}"


class Recommendation(models.Model):
    """The current computed hire recommendation of a loop (one per loop)."""

    class Outcome(models.TextChoices):
        HIRE = "hire", gettext_lazy("Hire")
        NO_HIRE = "no_hire", gettext_lazy("No hire")
        NEEDS_DISCUSSION = "needs_discussion", gettext_lazy("Needs discussion")
        INSUFFICIENT_EVIDENCE = "insufficient_evidence", gettext_lazy("Insufficient evidence")

    loop = models.OneToOneField("hiring.InterviewLoop", on_delete=models.CASCADE, related_name="recommendation")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    weighted_score = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    adjusted_score = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    adjusted_low = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    adjusted_high = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    coverage = models.DecimalField(max_digits=5, decimal_places=4)
    details = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    scorecard_count = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for loop {self.loop_id}"


class RecomputeRequest(models.Model):
    """Outbox row: a loop's recommendation must be recomputed.

    Written in the same transaction as the scorecard change, so the need is
    never lost when the broker is down; a periodic job drains what the
    immediate enqueue did not.
    """

    loop = models.ForeignKey("hiring.InterviewLoop", on_delete=models.CASCADE, related_name="recompute_requests")
    reason = models.CharField(max_length=60)
    requested_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["loop"], condition=Q(processed_at__isnull=True), name="recompute_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"Recompute loop {self.loop_id} ({self.reason})"


class LeniencyResidual(models.Model):
    """A scorecard's leave-one-out residual against its co-panelists (scorecards.leniency.offsets), as its loop
    last saw it.

    Written only by a transaction holding its loop's lock (the loop's
    recompute), which replaces the loop's rows: one per current submitted
    scorecard with a dimension some other interviewer also scored. A residual
    depends only on its own loop's scores, so the history of an interviewer
    is a sum over these rows (kept in ``LeniencyTotals``), and leaving a loop
    out is subtracting its rows.
    """

    loop = models.ForeignKey("hiring.InterviewLoop", on_delete=models.CASCADE, related_name="+")
    # No database constraint: inserting a row must not wait for the scorecard's row lock (an amendment holds it
    # while it waits for the loop lock the recompute holds).
    scorecard = models.OneToOneField(Scorecard, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    residual = models.FloatField()
    comparisons = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"Residual {self.residual:+.3f} of scorecard {self.scorecard_id}"


class LeniencyTotals(models.Model):
    """One interviewer's sums over their ``LeniencyResidual`` rows: their whole leniency history in one row.

    Moved by the same transactions that replace residual rows, by the
    difference they make, so reading everyone's history is reading a row per
    interviewer. ``leniency_residuals_rebuild`` recomputes it exactly.
    """

    interviewer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    scorecards = models.IntegerField(default=0)
    comparisons = models.IntegerField(default=0)
    residual_sum = models.FloatField(default=0.0)
    residual_squares = models.FloatField(default=0.0)

    class Meta:
        verbose_name_plural = "leniency totals"

    def __str__(self) -> str:
        return f"Leniency history of interviewer {self.interviewer_id}: {self.scorecards} scorecard(s)"


class RaterModelFit(models.Model):
    """One fit of the rater model (scorecards.leniency.model) to every current submitted score.

    Recommendations read the newest row: a submit recomputes its own loop
    with the interviewers' stored effects, never the history. Refitted by
    beat (``HIRELOOP_RATER_MODEL_FIT_MINUTES``) and after each calibration
    report. ``interviewers`` maps a user id (text) to ``[offset, offset_sd,
    scale, scale_sd, loops, ratings, connected]``.
    """

    fitted_at = models.DateTimeField(db_index=True)
    ratings = models.IntegerField()
    loops = models.IntegerField()
    connected_loops = models.IntegerField()
    fitted = models.BooleanField()
    converged = models.BooleanField()
    iterations = models.IntegerField()
    sigma = models.FloatField(null=True)
    tau = models.FloatField(null=True)
    sigma_offset = models.FloatField(null=True)
    sigma_scale = models.FloatField(null=True)
    seconds = models.FloatField()
    notes = models.JSONField(default=list)
    interviewers = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Rater model fit of {self.fitted_at:%Y-%m-%d %H:%M} ({self.ratings} ratings)"


class CalibrationReport(models.Model):
    """A calibration report requested for a scope; computed by a Celery job."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.ForeignKey("hiring.Role", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    interview_kind = models.CharField(max_length=30, blank=True)
    min_sample = models.PositiveSmallIntegerField(
        default=5,
        help_text=gettext_lazy("Statistics from fewer scorecards or loops than this are shown greyed with their n."),
    )
    scheduled = models.BooleanField(
        default=False, help_text=gettext_lazy("Made by the monthly beat job, not by a person.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    csv_file = models.FileField(upload_to="reports/", blank=True)
    xlsx_file = models.FileField(upload_to="reports/", blank=True)
    pdf_file = models.FileField(upload_to="reports/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The job's lease (scorecards/calibration/lease.py): a worker that stops renewing it has stopped.
    queued_at = models.DateTimeField(
        default=timezone.now,
        help_text=gettext_lazy("When it was last handed to the broker (requested, requeued or retried)."),
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text=gettext_lazy("Workers that started computing it since it was requested or last retried.")
    )
    lease_expires_at = models.DateTimeField(
        null=True, blank=True,
        help_text=gettext_lazy("While running: when the worker's claim lapses unless its heartbeat renews it first."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(date_from__lte=models.F("date_to")), name="report_dates_ordered"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max_100"),
            models.CheckConstraint(condition=Q(min_sample__gte=2), name="report_min_sample_at_least_2"),
        ]
        indexes = [models.Index(fields=["scheduled", "role", "date_from"], name="report_scheduled_idx")]

    def __str__(self) -> str:
        return f"Calibration report #{self.pk}"


# --- Question bank, the questions picked per interview, interviewers' notes, evidence flags ----------------------


class QuestionOrigin(models.TextChoices):
    DOCUMENT = "document", "From the document"
    TEAM = "team", "Written by the team"


class Question(models.Model):
    """A question of a role's bank, linked to dimensions by their key within the role (not a rubric version's row),
    so it stays linked when the rubric is published again."""

    role = models.ForeignKey("hiring.Role", on_delete=models.CASCADE, related_name="questions")
    # The seed's name for the question: a re-run of the seed finds it again; "" for questions written in the app.
    seed_key = models.CharField(max_length=120, blank=True, default="")
    text = limited_text("question.text")
    probes = models.JSONField(default=list, blank=True, help_text="Follow-up probes, one string each.")
    strong_answer = limited_text("question.text", blank=True)
    weak_answer = limited_text("question.text", blank=True)
    origin = models.CharField(max_length=10, choices=QuestionOrigin.choices, default=QuestionOrigin.TEAM)
    guidance_origin = models.CharField(
        max_length=10, choices=QuestionOrigin.choices, default=QuestionOrigin.TEAM,
        help_text="Who wrote the probes and the strong and weak answers.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Document and lines the question comes from.")
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["role", "seed_key"], condition=~Q(seed_key=""),
                                    name="question_unique_seed_key_per_role"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class QuestionDimension(models.Model):
    """A question assesses a dimension of its role, named by the dimension's stable key."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="dimension_links")
    dimension_key = models.CharField(max_length=200)

    class Meta:
        ordering = ["question", "dimension_key"]
        constraints = [
            models.UniqueConstraint(fields=["question", "dimension_key"], name="questiondimension_unique"),
        ]
        indexes = [models.Index(fields=["dimension_key"])]

    def __str__(self) -> str:
        return self.dimension_key


class QuestionPick(models.Model):
    """The recruiter picked this question for this interview's interviewer to ask."""

    interview = models.ForeignKey("hiring.Interview", on_delete=models.CASCADE, related_name="question_picks")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="picks")
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    picked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["interview", "question"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "question"], name="questionpick_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} for interview {self.interview_id}"


class QuestionNote(models.Model):
    """The interviewer's own note on one question during the interview: private, like a scorecard draft."""

    interview = models.ForeignKey("hiring.Interview", on_delete=models.CASCADE, related_name="question_notes")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="notes")
    text = limited_text("question_note.text", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["interview", "question"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "interviewer", "question"], name="questionnote_unique"),
        ]

    def __str__(self) -> str:
        return f"Note on {self.question_id} ({self.interview_id})"


class EvidenceFlag(models.Model):
    """A rule of ``scorecards/evidence/rules.json`` that a submitted rating's evidence tripped (never blocking)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="evidence_flags")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40)
    # The listed words that matched (the rules file's words, never the rest of the evidence).
    terms = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["scorecard", "dimension", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "dimension", "rule"], name="evidenceflag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on scorecard {self.scorecard_id}"
