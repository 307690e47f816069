"""Webhooks and Slack channels over the API, for admins: the same services and rules as the Integrations page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import error_response
from hiring.types import signed_in_user
from integrations.api.serializers import (
    DeliveryDetailSerializer,
    DeliveryQuerySerializer,
    DeliverySerializer,
    EndpointCreateSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    EndpointWithSecretSerializer,
)
from integrations.models import Delivery, Endpoint
from integrations.selectors import delivery_for_admin, endpoint_deliveries, endpoint_for_admin, endpoints_for_admin
from integrations.services.endpoints import (
    EndpointInput,
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_secret_rotate,
    endpoint_update,
)

ADMINS_403 = error_response("Only admins manage webhooks and Slack channels.")


class AdminsOnly(BasePermission):
    message = "Only admins manage webhooks and Slack channels."

    def has_permission(self, request: Request, view: Any) -> bool:
        user: Any = request.user
        return bool(user and user.is_authenticated and user.is_hireloop_admin)


def _fresh(endpoint_id: int) -> Endpoint:
    """The endpoint with the log's totals, as the list shows it."""
    return endpoint_for_admin(endpoint_id)


@extend_schema_view(
    list=extend_schema(summary="List webhooks and Slack channels", description="Admins.",
                       responses={200: EndpointSerializer(many=True), 403: ADMINS_403}),
    retrieve=extend_schema(summary="Read a webhook or Slack channel", description="Admins.",
                           responses={200: EndpointSerializer, 403: ADMINS_403}),
    create=extend_schema(
        summary="Register a webhook or Slack channel",
        description="Admins. A webhook without a `secret` gets one made by Hireloop, in this response only. "
        "The URL must be http(s) and, unless HIRELOOP_WEBHOOK_ALLOW_PRIVATE, resolve to public addresses only.",
        request=EndpointCreateSerializer,
        responses={201: EndpointWithSecretSerializer, 403: ADMINS_403},
    ),
    partial_update=extend_schema(
        summary="Change a webhook or Slack channel",
        description="Admins. Fields left out keep their value; an empty `url` keeps the current one.",
        request=EndpointUpdateSerializer,
        responses={200: EndpointSerializer, 403: ADMINS_403,
                   409: error_response("`stale_version`: someone changed it since the `version` you sent.")},
    ),
    destroy=extend_schema(summary="Delete a webhook or Slack channel and its delivery log", description="Admins.",
                          responses={204: None, 403: ADMINS_403}),
)
class WebhookEndpointViewSet(
    IdempotentWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet,
):
    serializer_class = EndpointSerializer
    permission_classes = [AdminsOnly]
    # The selector's order (kind, name, id) is total.
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Endpoint]:
        return endpoints_for_admin()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = endpoint_create(
            actor=signed_in_user(request), kind=data["kind"], secret=data["secret"],
            data=EndpointInput(name=data["name"], url=data["url"], events=data["events"], audience=data["audience"]),
        )
        endpoint = _fresh(created.endpoint.pk)
        endpoint.secret = created.secret  # the plaintext Hireloop made, or "": shown in this response only
        response = Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        body = EndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        endpoint_update(
            actor=signed_in_user(request), endpoint_id=current.pk, expected_version=data.get("version"),
            data=EndpointInput(name=data.get("name", current.name), url=data.get("url", ""),
                               events=data.get("events", current.events),
                               audience=data.get("audience", current.audience)),
        )
        return Response(EndpointSerializer(_fresh(current.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint_delete(actor=signed_in_user(request), endpoint_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Switch a webhook or Slack channel on", request=None,
                   description="Admins. Its record of failures starts afresh; deliveries still waiting resume.",
                   responses={200: EndpointSerializer, 403: ADMINS_403})
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str | None = None) -> Response:
        endpoint = endpoint_enable(actor=signed_in_user(request), endpoint_id=self.get_object().pk)
        return Response(EndpointSerializer(_fresh(endpoint.pk)).data)

    @extend_schema(summary="Switch a webhook or Slack channel off", request=None,
                   description="Admins. Nothing is sent to it, and no new event queued for it, until it is on again.",
                   responses={200: EndpointSerializer, 403: ADMINS_403})
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str | None = None) -> Response:
        endpoint = endpoint_disable(actor=signed_in_user(request), endpoint_id=self.get_object().pk)
        return Response(EndpointSerializer(_fresh(endpoint.pk)).data)

    @extend_schema(summary="Give a webhook a new secret", request=None,
                   description="Admins. The new secret is in this response only; the old one stops at once.",
                   responses={200: EndpointWithSecretSerializer, 403: ADMINS_403,
                              409: error_response("`no_secret`: Slack channels have no secret.")})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        rotated = endpoint_secret_rotate(actor=signed_in_user(request), endpoint_id=self.get_object().pk)
        endpoint = _fresh(rotated.endpoint.pk)
        endpoint.secret = rotated.secret
        response = Response(EndpointWithSecretSerializer(endpoint).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(summary="Read a webhook's or Slack channel's delivery log",
                   description="Admins. Newest first; `state` filters.",
                   parameters=[DeliveryQuerySerializer],
                   responses={200: DeliverySerializer(many=True), 403: ADMINS_403})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        query = DeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(endpoint_deliveries(endpoint.pk, state=query.validated_data["state"]))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(summary="Read a delivery with its attempts", description="Admins.",
                           responses={200: DeliveryDetailSerializer, 403: ADMINS_403}),
)
class WebhookDeliveryViewSet(IdempotentWritesMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliveryDetailSerializer
    permission_classes = [AdminsOnly]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Delivery]:
        return Delivery.objects.all()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(DeliveryDetailSerializer(delivery_for_admin(self.get_object().pk)).data)

    @extend_schema(
        summary="Redeliver an event to its endpoint now",
        description="Admins. The same event, with the same event id; its retries start afresh.",
        request=None,
        responses={202: DeliverySerializer, 403: ADMINS_403,
                   409: error_response("`endpoint_disabled`: switch the endpoint on first; "
                                       "`attempt_in_progress`: wait for the attempt's outcome.")},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        delivery = delivery_redeliver(actor=signed_in_user(request), delivery_id=self.get_object().pk)
        return Response(DeliverySerializer(delivery_for_admin(delivery.pk)).data, status=status.HTTP_202_ACCEPTED)
