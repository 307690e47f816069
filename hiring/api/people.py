"""Roles and users over the API: read-only lists for choosing who interviews and which role a loop is for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
)
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import error_response
from hiring.accounts.profile import user_locale_set
from hiring.api.filters import UserFilter
from hiring.api.permissions import SeesAllLoops
from hiring.api.serializers import (
    MeSerializer,
    RoleSerializer,
    UserSerializer,
)
from hiring.models import Role, User
from scorecards.models import Rubric

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission


@extend_schema_view(
    list=extend_schema(summary="List roles", description="Every role, with its newest rubric version."),
    retrieve=extend_schema(summary="Read a role"),
)
class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    """Roles are read by everyone signed in; they change by publishing a rubric (see rubrics)."""

    serializer_class = RoleSerializer
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9-]+"
    filterset_fields: list[str] = []
    ordering_fields = ["title", "slug", "id"]
    ordering = ["title"]

    def get_queryset(self) -> QuerySet[Role]:
        newest = Rubric.objects.filter(role=OuterRef("pk")).order_by("-version")
        return Role.objects.annotate(
            current_rubric_id=Subquery(newest.values("pk")[:1]),
            current_rubric_version=Subquery(newest.values("version")[:1]),
        )


@extend_schema_view(
    list=extend_schema(
        summary="List users",
        description="Recruiters, the committee and admins list users (to assign interviewers and recruiters).",
        responses={200: UserSerializer(many=True), 403: error_response("Interviewers cannot list users.")},
    ),
    retrieve=extend_schema(
        summary="Read a user", responses={200: UserSerializer, 403: error_response("Interviewers cannot read users.")}
    ),
)
class UserViewSet(IdempotentWritesMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    queryset = User.objects.all()
    filterset_class = UserFilter
    ordering_fields = ["username", "last_name", "id"]
    ordering = ["username"]

    def get_permissions(self) -> Sequence[_SupportsHasPermission]:
        if self.action == "me":
            return super().get_permissions()
        return [SeesAllLoops()]

    @extend_schema(
        summary="Who am I",
        description="The user the request is authenticated as. PATCH changes their own interface language and "
                    "time zone (the profile page's settings); the other fields are read-only.",
        request=MeSerializer,
        responses={200: MeSerializer, 400: error_response("The language or time zone is not valid.")},
    )
    @action(detail=False, methods=["get", "patch"])
    def me(self, request: Request) -> Response:
        user = request.user
        if request.method == "PATCH":
            assert isinstance(user, User)  # the default permission admits only signed-in users
            serializer = MeSerializer(user, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            user = user_locale_set(
                actor=user,
                language=serializer.validated_data.get("language", user.language),
                time_zone=serializer.validated_data.get("time_zone", user.time_zone),
            )
        return Response(MeSerializer(user).data)
