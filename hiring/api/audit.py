"""The audit trail over the API: the committee and admins read it, filtered as on the audit page.

The independence rule holds here as on every read (``hiring.access.audit_values_withheld``): on a loop
where the reader still owes feedback, the values of its scorecard, recommendation and decision events are
withheld (null, with ``values_withheld``), while the events themselves stay listed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.filters import MAX_ID
from config.api.schema import error_response
from hiring.access import audit_values_withheld
from hiring.api.permissions import CommitteeOrAdmin
from hiring.api.serializers import UserRefSerializer
from hiring.audit.selectors import AuditFilters, audit_events
from hiring.models import AuditEvent
from hiring.types import signed_in_user


class AuditEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True, help_text="Null for the system (jobs).")
    loop = serializers.IntegerField(source="loop_id", read_only=True, allow_null=True)
    before = serializers.JSONField(
        source="shown_before", read_only=True, allow_null=True,
        help_text="Ids, states and scores only. Null when there were none, or when `values_withheld`.",
    )
    after = serializers.JSONField(source="shown_after", read_only=True, allow_null=True)
    values_withheld = serializers.BooleanField(
        read_only=True,
        help_text="True when you interview on this event's loop and have not submitted all your feedback: the "
        "values of its scorecard, recommendation and decision events are withheld until you have.",
    )

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "object_type", "object_id", "loop", "before", "after",
                  "values_withheld"]
        read_only_fields = fields


class AuditQuerySerializer(serializers.Serializer):
    action = serializers.CharField(required=False, default="", help_text="E.g. scorecard.submitted.")
    actor = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    object_type = serializers.CharField(required=False, default="", help_text="E.g. scorecards.scorecard.")
    object_id = serializers.CharField(required=False, default="", max_length=40)
    loop = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None, help_text="Included.")


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    permission_classes = [CommitteeOrAdmin]
    # The selector's order (newest first, then id) is already total.
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditEvent]:
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return audit_events(
            AuditFilters(
                action=data["action"], actor_id=data["actor"], object_type=data["object_type"],
                object_id=data["object_id"], loop_id=data["loop"], date_from=data["date_from"],
                date_to=data["date_to"],
            ),
            withheld=audit_values_withheld(signed_in_user(self.request)),
        )

    @extend_schema(
        summary="Read the audit trail",
        description="The committee and admins. Newest first; who changed what, with before and after values "
        "(never candidates' personal data). On a loop where you still owe feedback, the values of its "
        "scorecard, recommendation and decision events are withheld (`values_withheld`).",
        parameters=[AuditQuerySerializer],
        responses={200: AuditEventSerializer(many=True),
                   403: error_response("Only the hiring committee and admins read the audit trail.")},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
