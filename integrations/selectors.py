"""Reads for the integrations pages, the API and the Slack messages, with their joins built in."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from hiring.errors import NotFound
from hiring.models import DomainEvent, InterviewLoop, User
from integrations.models import Delivery, DeliveryAttempt, Endpoint
from integrations.slack import SlackFacts

Kind = DomainEvent.Kind
State = Delivery.State


def endpoints_for_admin() -> QuerySet[Endpoint]:
    """Every endpoint with its owner and its log's totals (waiting, failed, the last attempt), in one query."""
    return (
        Endpoint.objects.select_related("owner")
        .annotate(
            waiting_count=Count("deliveries", filter=Q(deliveries__state__in=[State.PENDING, State.SENDING])),
            failed_count=Count("deliveries", filter=Q(deliveries__state=State.FAILED)),
            last_attempt_at=Max("deliveries__last_attempt_at"),
        )
        .order_by("kind", "name", "id")
    )


def endpoint_for_admin(endpoint_id: int) -> Endpoint:
    endpoint = endpoints_for_admin().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(gettext("No such endpoint."))
    return endpoint


def endpoint_deliveries(endpoint_id: int, *, state: str = "") -> QuerySet[Delivery]:
    """An endpoint's delivery log, newest first, each with its event; ``state`` filters (empty: all)."""
    deliveries = Delivery.objects.filter(endpoint_id=endpoint_id).select_related("event")
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries.order_by("-created_at", "-id")


def delivery_for_admin(delivery_id: int) -> Delivery:
    """One delivery with its endpoint, event and every attempt."""
    delivery = (
        Delivery.objects.select_related("endpoint", "event")
        .prefetch_related(Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number")))
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise NotFound(gettext("No such delivery."))
    return delivery


def _url(name: str, **kwargs: int) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def slack_facts(event: DomainEvent) -> SlackFacts:
    """What a Slack message about ``event`` may say (slack.py): the loop's number and role, the colleague
    concerned, links. Read when the message is sent, so a Slack user id added since is used."""
    data = event.data
    loop = None
    if event.loop_id is not None:
        loop = InterviewLoop.objects.select_related("role").only("pk", "role__title").filter(pk=event.loop_id).first()
    person = None
    person_id = data.get("interviewer_id", data.get("manager_id"))
    if person_id is not None:
        person = User.objects.only("pk", "username", "first_name", "last_name", "slack_user_id").filter(
            pk=person_id).first()
    action_url = ""
    if event.kind in (Kind.RECOMMENDATION_CHANGED, Kind.DECISION_RECORDED):
        action_url = _url("scorecards:committee-loop", pk=data["loop_id"])
    elif event.kind == Kind.FEEDBACK_OVERDUE:
        action_url = _url("scorecards:scorecard-edit", interview_id=data["interview_id"])
    elif event.kind == Kind.OUTCOME_CHECKIN_DUE:
        action_url = _url("outcomes:checkin", pk=data["checkin_id"])
    due = ""
    if "feedback_due_at" in data:
        due = f"{timezone.localtime(datetime.fromisoformat(data['feedback_due_at'])):%a %d %b %Y, %H:%M %Z}"
    return SlackFacts(
        kind=event.kind,
        event_id=str(event.uuid),
        loop_id=event.loop_id,
        role_title=loop.role.title if loop is not None else "",
        loop_url=_url("hiring:loop-detail", pk=event.loop_id) if event.loop_id is not None else "",
        action_url=action_url,
        person_name=person.display_name if person is not None else "",
        person_slack_id=person.slack_user_id if person is not None else "",
        due=due,
    )
