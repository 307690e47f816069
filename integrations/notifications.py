"""The email telling an endpoint's owner that Hireloop switched it off (admins, when the owner is gone)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from hiring.accounts.locale import user_locale
from hiring.models import User
from integrations.models import Endpoint

logger = logging.getLogger(__name__)


def _reachable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def endpoint_switched_off_notify(*, endpoint_id: int) -> int:
    """Email the owner of a switched-off endpoint why, and where to switch it back on; returns emails sent.

    Sent once, after the switch-off commits (the switch-off itself happens once). With no reachable owner
    (deleted, deactivated, no address) every active admin with an address is told instead. A failed send is
    logged: the endpoint's page still says why it is off.
    """
    endpoint = Endpoint.objects.select_related("owner").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.is_active:
        return 0
    if _reachable(endpoint.owner):
        recipients = [endpoint.owner]
    else:
        recipients = list(User.objects.filter(Q(kind=User.Kind.ADMIN) | Q(is_superuser=True), is_active=True)
                          .exclude(email="").order_by("pk"))
    context = {
        "endpoint": endpoint,
        "endpoint_url": f"{settings.SITE_URL}{reverse('integrations:endpoint-detail', args=[endpoint.pk])}",
    }
    sent = 0
    for recipient in recipients:
        assert recipient is not None
        try:
            with user_locale(recipient):
                subject = gettext("Hireloop switched off the %(kind)s “%(name)s”") % {
                    "kind": endpoint.get_kind_display().lower(), "name": endpoint.name}
                text = render_to_string("integrations/email/endpoint_switched_off.txt",
                                        {**context, "recipient": recipient})
                html = render_to_string("integrations/email/endpoint_switched_off.html",
                                        {**context, "recipient": recipient})
            message = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[recipient.email],
                headers={"X-Hireloop-Notification":
                         f"webhook_switched_off; endpoint={endpoint.pk}; recipient=user-{recipient.pk}"},
            )
            message.attach_alternative(html, "text/html")
            message.send()
        except Exception:
            logger.exception("Could not email user %s that endpoint %s was switched off.", recipient.pk, endpoint.pk)
            continue
        sent += 1
    return sent
