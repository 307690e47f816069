"""Roles, people, candidates, loops and interviews."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from hiring.errors import PermissionRefused
from hiring.text import limit, limited_text, validate_label


class User(AbstractUser):
    """A Hireloop user; ``kind`` decides what the navigation and pages offer.

    Anyone can be assigned an interview; the kind grants the wider reads.
    """

    class Kind(models.TextChoices):
        INTERVIEWER = "interviewer", gettext_lazy("Interviewer")
        RECRUITER = "recruiter", gettext_lazy("Recruiter")
        COMMITTEE = "committee", gettext_lazy("Hiring committee")
        ADMIN = "admin", gettext_lazy("Admin")

    # Django's own name fields, refusing the invisible characters that could disguise a name (hiring/text.py).
    first_name = models.CharField(
        "first name", max_length=limit("user.first_name"), blank=True, validators=[validate_label]
    )
    last_name = models.CharField(
        "last name", max_length=limit("user.last_name"), blank=True, validators=[validate_label]
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INTERVIEWER)
    # Who the company's identity provider says this is (OpenID Connect ``iss`` and ``sub``): set at the first
    # sign-in through it, then the only thing that finds the account, since an email address can change hands.
    oidc_issuer = models.CharField(max_length=255, blank=True, default="", db_default="")
    oidc_subject = models.CharField(max_length=255, blank=True, default="", db_default="")

    # Set by the user on their profile page; Slack messages mention them with it (docs/webhooks.md).
    slack_user_id = models.CharField(max_length=20, blank=True, default="", db_default="")

    # The interface language and time zone the user chose on their profile page; empty means "not chosen": the
    # browser's Accept-Language, then English, and the site's TIME_ZONE (hiring/locale.py).
    language = models.CharField(max_length=10, blank=True, default="", db_default="")
    time_zone = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"], condition=~Q(oidc_subject=""), name="user_unique_oidc_identity"
            ),
        ]

    @property
    def is_recruiter(self) -> bool:
        return self.kind == self.Kind.RECRUITER

    @property
    def is_committee(self) -> bool:
        return self.kind == self.Kind.COMMITTEE

    @property
    def is_hireloop_admin(self) -> bool:
        return self.kind == self.Kind.ADMIN or self.is_superuser

    @property
    def manages_hiring(self) -> bool:
        """Recruiters and admins: they manage candidates, loops, schedules and take-homes."""
        return self.is_recruiter or self.is_hireloop_admin

    @property
    def sees_all_loops(self) -> bool:
        """Recruiters, the committee and admins read every loop."""
        return self.kind in (self.Kind.RECRUITER, self.Kind.COMMITTEE, self.Kind.ADMIN) or self.is_superuser

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=limit("role.title"), validators=[validate_label])
    level = models.CharField(max_length=limit("role.level"), blank=True, validators=[validate_label])
    purpose = limited_text("role.purpose", blank=True)
    source_document = models.CharField(max_length=200, blank=True)
    source_lines = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    """A person applying. Name, email, phone and notes are personal data."""

    name = models.CharField(max_length=limit("candidate.name"), validators=[validate_label])
    email = models.EmailField(max_length=limit("candidate.email"))
    phone = models.CharField(max_length=limit("candidate.phone"), blank=True)
    source = models.CharField(max_length=limit("candidate.source"), blank=True)
    notes = limited_text("candidate.notes", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["email"])]
        constraints = [
            # One record per person: the duplicate check in candidate_create is backed by the database,
            # so two recruiters adding the same person at the same moment cannot both succeed.
            # A candidate imported from an applicant tracking system may have no email: those never collide.
            models.UniqueConstraint(
                Lower("email"), condition=Q(erased_at__isnull=True) & ~Q(email=""),
                name="candidate_unique_email_ci",
            ),
        ]

    def __str__(self) -> str:
        return f"Candidate #{self.pk}"


class InterviewLoop(models.Model):
    """One candidate's interview process for one role, pinned to a rubric version."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        AWAITING_FEEDBACK = "awaiting_feedback", gettext_lazy("Awaiting feedback")
        IN_REVIEW = "in_review", gettext_lazy("In review")
        DECIDED = "decided", gettext_lazy("Decided")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")

    class Decision(models.TextChoices):
        HIRE = "hire", gettext_lazy("Hire")
        NO_HIRE = "no_hire", gettext_lazy("No hire")

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="loops")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="loops")
    rubric = models.ForeignKey("scorecards.Rubric", on_delete=models.PROTECT, related_name="loops")
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruited_loops"
    )
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_loops"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    withdrawn_reason = limited_text("loop.withdrawn_reason", blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_rationale = limited_text("loop.decision_rationale", blank=True)
    decision_justification = limited_text("loop.decision_justification", blank=True)
    decision_recommendation = models.JSONField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="decided_loops"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    candidate_invites = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Email the candidate calendar invites for the loop's interviews (never their kit)."),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(status="decided"), name="loop_decision_only_when_decided"
            ),
        ]

    def __str__(self) -> str:
        return f"Loop #{self.pk} ({self.role_id})"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DECIDED, self.Status.WITHDRAWN)


class InterviewQuerySet(models.QuerySet["Interview"]):
    def scheduled(self) -> InterviewQuerySet:
        """Interviews not cancelled: the ones that count for the loop's stage, feedback and coverage."""
        return self.filter(cancelled_at__isnull=True)


class Interview(models.Model):
    """One session of a loop with one interviewer.

    A cancelled interview is kept (``cancelled_at``) so that calendars can be
    told it is off, but counts for nothing else: read ``scheduled()``.
    """

    class Kind(models.TextChoices):
        PHONE_SCREEN = "phone_screen", gettext_lazy("Phone screen")
        CODING = "coding", gettext_lazy("Coding")
        SYSTEM_DESIGN = "system_design", gettext_lazy("System design")
        ML_FUNDAMENTALS = "ml_fundamentals", gettext_lazy("ML fundamentals")
        PRACTICAL = "practical", gettext_lazy("Practical exercise")
        TAKE_HOME_REVIEW = "take_home_review", gettext_lazy("Take-home review")
        BEHAVIOURAL = "behavioural", gettext_lazy("Behavioural")
        HIRING_MANAGER = "hiring_manager", gettext_lazy("Hiring manager")

    loop = models.ForeignKey(InterviewLoop, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    exercise = models.ForeignKey(
        "exercises.Exercise", null=True, blank=True, on_delete=models.PROTECT, related_name="interviews"
    )
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    focus_dimensions = models.ManyToManyField("scorecards.Dimension", related_name="focused_in", blank=True)
    feedback_due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The calendar's view of the interview (RFC 5545): one UID for its whole life, a SEQUENCE raised by every
    # change its invitees must hear of, the time of that change, and whether invites are still to be emailed.
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    invites_pending = models.BooleanField(default=False)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["interviewer", "starts_at"]),
            models.Index(fields=["id"], condition=Q(invites_pending=True), name="interview_invites_pending"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="interview_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Append-only: the ORM refuses to update or delete audit events (PostgreSQL's trigger does too).

    The single exception is ``scrub_values``, used by candidate erasure to
    replace personal data that reached an event's before/after values.
    """

    def update(self, **kwargs: Any) -> int:
        raise PermissionRefused(gettext("Audit events cannot be edited."), code="audit_immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionRefused(gettext("Audit events cannot be deleted."), code="audit_immutable")

    def scrub_values(self, *, pk: int, before: Any, after: Any) -> None:
        """Replace one event's before/after values; only erasure calls it, inside its transaction.

        On PostgreSQL the trigger lets this UPDATE through only while the
        transaction-local ``hireloop.audit_scrub`` flag is on and only if no
        column but ``before`` and ``after`` changes.
        """
        from django.db import connection

        postgres = connection.vendor == "postgresql"
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('hireloop.audit_scrub', 'on', true)")
        try:
            models.QuerySet.update(self.model.objects.all().filter(pk=pk), before=before, after=after)
        finally:
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('hireloop.audit_scrub', 'off', true)")


class AuditEvent(models.Model):
    """An append-only record of a state change; never holds candidates' personal data."""

    # PROTECT: a user who appears in the trail is deactivated, never deleted (that would rewrite the trail).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    loop_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["action"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionRefused(gettext("Audit events cannot be edited."), code="audit_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionRefused(gettext("Audit events cannot be deleted."), code="audit_immutable")


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 and a short prefix (to recognise it in lists) are stored.

    Every token expires (``expires_at``); a read-only one may only read (its ``scope``).
    """

    class Scope(models.TextChoices):
        READ = "read", gettext_lazy("Read only")
        READ_WRITE = "read_write", gettext_lazy("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=limit("api_token.name"), validators=[validate_label],
        help_text=gettext_lazy("What the token is for, e.g. 'ATS sync'."
    ))
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ_WRITE)
    # Set by the service, which may be told what time it is (tests, the expiry warnings).
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_read_only(self) -> bool:
        return self.scope == self.Scope.READ

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired()


class IdempotencyKey(models.Model):
    """The answer to an API write sent with an ``Idempotency-Key`` header (config/api/idempotency.py).

    A retry with the same key (same user, same method, path and body) gets
    this answer back instead of doing the write again. The row is written in
    the write's own transaction, so the write and its answer commit together.
    The answer may quote a candidate: it is kept HIRELOOP_IDEMPOTENCY_HOURS,
    and erasing a candidate scrubs them from every answer that mentions them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(
        max_length=300, help_text=gettext_lazy("The request's method and path, for people reading it.")
    )
    request_hash = models.CharField(max_length=64, help_text=gettext_lazy("A keyed hash of the method, path and body."))
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField(blank=True, help_text=gettext_lazy("The answer's JSON, as the API sent it."))
    response_headers = models.JSONField(
        default=dict, blank=True, help_text=gettext_lazy("The answer's ETag and Location.")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A key names one request of one user, whichever endpoint it went to.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class SentNotification(models.Model):
    """An email already sent, so that a job run twice sends it once.

    ``key`` names the occasion: the local date for daily reminders and
    digests, the status-change audit event for "ready for review", the token
    for an API token's expiry warning. The row is written in the same
    transaction that sends the email.
    """

    class Kind(models.TextChoices):
        FEEDBACK_REMINDER = "feedback_reminder", gettext_lazy("Overdue feedback reminder")
        OVERDUE_DIGEST = "overdue_digest", gettext_lazy("Recruiter's overdue feedback digest")
        LOOP_READY = "loop_ready", gettext_lazy("Loop ready for review")
        API_TOKEN_EXPIRY = "api_token_expiry", gettext_lazy("API token expires soon")
        OUTCOME_CHECKIN = "outcome_checkin", gettext_lazy("A hire's check-in for their manager")
        OUTCOME_OVERDUE_DIGEST = "outcome_overdue_digest", gettext_lazy("Recruiter's overdue check-ins digest")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    loop = models.ForeignKey(InterviewLoop, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    interview_ids = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("The interviews the email was about.")
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "key"], name="sentnotification_once_per_occasion"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} ({self.key})"


class InterviewInvite(models.Model):
    """An iCalendar message emailed about an interview: what its recipient was told, and when.

    The sender compares a recipient's latest row with the interview as it is
    now and sends only the difference, so a job that runs twice, late or in
    parallel tells nobody anything twice (the unique constraints settle a race).
    ``recipient`` is the interviewer; no recipient means the loop's candidate.
    """

    class Method(models.TextChoices):
        REQUEST = "REQUEST", gettext_lazy("Invitation or update")
        CANCEL = "CANCEL", gettext_lazy("Cancellation")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="invites")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    sequence = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "recipient", "sequence", "method"], condition=Q(recipient__isnull=False),
                name="interviewinvite_once_per_interviewer",
            ),
            models.UniqueConstraint(
                fields=["interview", "sequence", "method"], condition=Q(recipient__isnull=True),
                name="interviewinvite_once_to_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} #{self.sequence} of interview {self.interview_id}"


class CalendarFeed(models.Model):
    """A user's private calendar feed URL. Only the SHA-256 of its token is stored; one active feed per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_active_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"


class DomainEvent(models.Model):
    """Outbox row: something happened that systems outside Hireloop may hear of (webhooks, Slack).

    Written by ``hiring.events`` in the transaction that makes the change, so an event exists exactly when its
    change committed; a reader above the domain (the integrations app) hands it on and sets ``dispatched_at``.
    ``data`` holds ids and timestamps only: never names, scores or evidence (docs/webhooks.md).
    """

    class Kind(models.TextChoices):
        SCORECARD_SUBMITTED = "scorecard.submitted", gettext_lazy("Scorecard submitted")
        LOOP_READY_FOR_REVIEW = "loop.ready_for_review", gettext_lazy("Loop ready for review")
        RECOMMENDATION_CHANGED = "recommendation.changed", gettext_lazy("Recommendation changed")
        DECISION_RECORDED = "decision.recorded", gettext_lazy("Decision recorded")
        FEEDBACK_OVERDUE = "feedback.overdue", gettext_lazy("Feedback overdue")
        OUTCOME_CHECKIN_DUE = "outcome.checkin_due", gettext_lazy("Check-in on a hire due")

    # The id receivers see (and deduplicate by): random, so it tells nothing about volumes or order.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # The occasion: an occasion noticed twice (the hourly overdue check) is one event.
    key = models.CharField(max_length=120, unique=True)
    loop_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(dispatched_at__isnull=True), name="domainevent_pending_idx"),
            models.Index(fields=["occurred_at"], name="domainevent_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"
