"""What the integrations services share: who may manage endpoints, and the delivery settings read at each use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext

from hiring.errors import PermissionRefused
from hiring.models import User

DRAIN_TASK = "integrations.tasks.dispatch_events"
DELIVER_TASK = "integrations.tasks.deliver"


def require_admin(actor: User) -> None:
    if not actor.is_hireloop_admin:
        raise PermissionRefused(gettext("Only admins manage webhooks and Slack channels."), code="not_admin")


@dataclass(frozen=True)
class DeliverySettings:
    """HIRELOOP_WEBHOOK_* and HIRELOOP_SLACK_* (docs/configuration.md), read when used so tests may change them."""

    allow_private: bool
    require_https: bool
    slack_hosts: list[str]
    connect_timeout: float
    read_timeout: float
    retry_base: timedelta
    retry_max: timedelta
    retry_window: timedelta
    disable_after_failures: int
    disable_after: timedelta
    log_days: int

    @property
    def attempt_limit(self) -> timedelta:
        """The longest an attempt may take: the network watchdog cuts it off then."""
        return timedelta(seconds=self.connect_timeout + self.read_timeout)


def delivery_settings() -> DeliverySettings:
    return DeliverySettings(
        allow_private=settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE,
        require_https=settings.HIRELOOP_WEBHOOK_REQUIRE_HTTPS,
        slack_hosts=[host.lower() for host in settings.HIRELOOP_SLACK_WEBHOOK_HOSTS],
        connect_timeout=settings.HIRELOOP_WEBHOOK_CONNECT_TIMEOUT,
        read_timeout=settings.HIRELOOP_WEBHOOK_READ_TIMEOUT,
        retry_base=timedelta(seconds=settings.HIRELOOP_WEBHOOK_RETRY_BASE_SECONDS),
        retry_max=timedelta(seconds=settings.HIRELOOP_WEBHOOK_RETRY_MAX_SECONDS),
        retry_window=timedelta(hours=settings.HIRELOOP_WEBHOOK_RETRY_HOURS),
        disable_after_failures=settings.HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES,
        disable_after=timedelta(hours=settings.HIRELOOP_WEBHOOK_DISABLE_AFTER_HOURS),
        log_days=settings.HIRELOOP_WEBHOOK_LOG_DAYS,
    )
