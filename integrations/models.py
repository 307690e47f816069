"""Endpoints that hear of Hireloop's events (signed webhooks, Slack channels), and the log of deliveries to them."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hiring.text import limit, validate_label


class Endpoint(models.Model):
    """Where events go: a signed JSON webhook, or a Slack incoming webhook for one audience's channel.

    ``secret`` signs webhook bodies and must be kept to sign them, so it is stored as given (unlike API tokens,
    which are only compared); it is shown once and never logged. A Slack URL is a credential in itself: pages
    and the API show only its host.
    """

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", gettext_lazy("Webhook")
        SLACK = "slack", gettext_lazy("Slack channel")

    class Audience(models.TextChoices):
        DEFAULT = "", gettext_lazy("Default (events no other channel takes)")
        INTERVIEWERS = "interviewers", gettext_lazy("Interviewers")
        RECRUITERS = "recruiters", gettext_lazy("Recruiters")
        COMMITTEE = "committee", gettext_lazy("Hiring committee")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=limit("endpoint.name"), validators=[validate_label])
    url = models.CharField(max_length=2000)
    secret = models.CharField(max_length=200, blank=True)
    secret_set_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(default=list)
    audience = models.CharField(max_length=20, choices=Audience.choices, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Health: failed attempts since the last success, and when that run of failures began (switching off).
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Who registered it: they are emailed when it is switched off.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # Two admins editing one endpoint: the second save, based on an older version, is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audience"], condition=Q(kind="slack"),
                                    name="endpoint_one_slack_channel_per_audience"),
            models.CheckConstraint(condition=Q(kind="slack") | Q(audience=""), name="endpoint_audience_only_slack"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.name})"

    @property
    def url_hint(self) -> str:
        """The URL as pages show it: a Slack URL's path is its secret, a webhook's query string may hold one."""
        parts = urlsplit(self.url)
        if self.kind == self.Kind.SLACK:
            return f"{parts.scheme}://{parts.netloc}/…"
        return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


class Delivery(models.Model):
    """One event on its way to one endpoint: attempted until it is answered with 2xx or its retries run out."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting")
        SENDING = "sending", gettext_lazy("Sending")
        DELIVERED = "delivered", gettext_lazy("Delivered")
        FAILED = "failed", gettext_lazy("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("hiring.DomainEvent", on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Retries stop HIRELOOP_WEBHOOK_RETRY_HOURS after this (creation, or the last redelivery).
    window_started_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a task message was last published for it: the sweep re-publishes only what no message is out for.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # An attempt in progress holds the delivery until then; a worker that died mid-attempt lets it go.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_endpoint_and_event"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state__in=["pending", "sending"]),
                         name="delivery_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_log_idx"),
        ]

    def __str__(self) -> str:
        return f"Delivery #{self.pk} of event {self.event_id} to endpoint {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery and what came of it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The start of the receiver's answer, for the admin reading the log (receivers answer with their own words).
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery {self.delivery_id}"
