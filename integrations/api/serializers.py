"""Shapes of endpoints and deliveries over the API. No rules here: writes go to integrations.services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import text_field
from hiring.models import DomainEvent
from integrations.models import Delivery, DeliveryAttempt, Endpoint

EVENT_CHOICES = DomainEvent.Kind.choices


class EndpointSerializer(serializers.ModelSerializer):
    """An endpoint as admins read it: never its secret; a Slack channel's URL by its host only."""

    url = serializers.SerializerMethodField(help_text="A webhook's URL; for a Slack channel only its host (the "
                                                      "URL is a credential).")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True,
                                     help_text="The admin who registered it; emailed when it is switched off.")
    waiting_count = serializers.IntegerField(read_only=True, help_text="Deliveries waiting or being sent.")
    failed_count = serializers.IntegerField(read_only=True)
    last_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Endpoint
        fields = [
            "id", "kind", "name", "url", "events", "audience", "is_active", "disabled_at", "disabled_reason",
            "consecutive_failures", "failing_since", "last_success_at", "secret_set_at", "owner", "version",
            "created_at", "updated_at", "waiting_count", "failed_count", "last_attempt_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_url(self, endpoint: Endpoint) -> str:
        return endpoint.url if endpoint.kind == Endpoint.Kind.WEBHOOK else endpoint.url_hint


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret Hireloop made, shown this once; "
                                                             "empty when you chose it, and for Slack channels.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class EndpointCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Endpoint.Kind.choices)
    name = text_field("endpoint.name", label=True)
    url = serializers.CharField(max_length=2000, help_text="http(s); for Slack, the incoming-webhook URL.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False)
    audience = serializers.ChoiceField(choices=Endpoint.Audience.choices, required=False, default="",
                                       allow_blank=True, help_text="Slack channels only; empty: the default one.")
    secret = serializers.CharField(max_length=200, required=False, default="", allow_blank=True, trim_whitespace=False,
                                   write_only=True, help_text="Webhooks: your own secret; empty: Hireloop makes one.")


class EndpointUpdateSerializer(serializers.Serializer):
    """Fields left out keep their value; ``version`` (optional) refuses the change if someone saved since."""

    name = text_field("endpoint.name", label=True, required=False)
    url = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                help_text="Empty or left out: keep the current URL.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), required=False,
                                   allow_empty=False)
    audience = serializers.ChoiceField(choices=Endpoint.Audience.choices, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)


class EventRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True, help_text="The Hireloop-Event-Id receivers see.")
    type = serializers.CharField(source="kind", read_only=True)
    # DRF lifts declared fields out of the class, so the name "data" does not shadow Serializer.data at runtime.
    data = serializers.JSONField(read_only=True, help_text="Ids and times only.")  # type: ignore[assignment]

    class Meta:
        model = DomainEvent
        fields = ["id", "type", "loop_id", "occurred_at", "data"]
        read_only_fields = fields


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "succeeded", "status_code", "response_ms", "error", "response_excerpt"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event = EventRefSerializer(read_only=True)
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "endpoint", "event", "state", "attempts", "created_at", "next_attempt_at", "last_attempt_at",
            "last_status_code", "last_error", "last_response_ms", "delivered_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "attempt_log"]
        read_only_fields = fields


class DeliveryQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Delivery.State.choices, required=False, default="", allow_blank=True)
