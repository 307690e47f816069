"""The email a week before an API token expires: sent once per token, recorded, never for a dead token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hiring.accounts.tokens import IssuedToken, api_token_create, api_token_revoke
from hiring.models import ApiToken, SentNotification
from hiring.notifications import api_token_expiry_warnings_send
from hiring.tasks import warn_expiring_api_tokens
from tests.hiring.factories import UserFactory

pytestmark = pytest.mark.django_db

# 09:15 UTC, when beat runs the job (HIRELOOP_API_TOKEN_WARNING_HOUR); the site's time zone is UTC in tests.
CREATED = datetime(2027, 1, 4, 14, 30, tzinfo=UTC)


@pytest.fixture
def ivy(db):
    return UserFactory(username="ivy", first_name="Ivy", last_name="Ito", email="ivy@hireloop.example")


def _token(user, *, days: int = 90, name: str = "ATS sync", created: datetime = CREATED) -> IssuedToken:
    return api_token_create(actor=user, name=name, expires_in_days=days, scope=ApiToken.Scope.READ, now=created)


def _morning(day_offset: int) -> datetime:
    """09:15 on the day ``day_offset`` days after the token was created."""
    return (CREATED + timedelta(days=day_offset)).replace(hour=9, minute=15)


def test_api_token_expiry_warning_sent_once_a_week_before(ivy, mailoutbox):
    """Expiring 4 Apr 14:30: nothing on the 27th of March, one email on the 28th, none the days after."""
    issued = _token(ivy)
    assert issued.token.expires_at == datetime(2027, 4, 4, 14, 30, tzinfo=UTC)

    assert api_token_expiry_warnings_send(now=_morning(82)) == 0  # 27 Mar: 8 days before
    assert mailoutbox == []

    assert api_token_expiry_warnings_send(now=_morning(83)) == 1  # 28 Mar: 7 days before
    assert api_token_expiry_warnings_send(now=_morning(83)) == 0  # the job run twice
    assert api_token_expiry_warnings_send(now=_morning(84)) == 0  # the next day
    assert api_token_expiry_warnings_send(now=_morning(90)) == 0  # the day it expires

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ivy@hireloop.example"]
    assert message.subject == "Your Hireloop API token “ATS sync” expires in 7 days"
    assert message.extra_headers["X-Hireloop-Notification"] == (
        f"api_token_expiry; key=api-token-{issued.token.pk}; recipient=user-{ivy.pk}"
    )
    assert message.body == (
        "Hello Ivy,\n\n"
        f"Your Hireloop API token \"ATS sync\" ({issued.token.prefix}…, read only) expires in 7 days, on "
        "Sun 4 Apr 2027, 14:30 UTC. From then on, requests with it are refused (401, token_expired).\n\n"
        "If something still uses it, create a new token on your profile page, put it in place of this one, "
        "then revoke this one:\nhttp://127.0.0.1:8000/accounts/profile/#api-tokens\n\n"
        "You get this warning once per token.\n\nHireloop\n\n"
    )
    assert issued.plaintext not in message.body + message.alternatives[0][0]
    sent = SentNotification.objects.get(kind=SentNotification.Kind.API_TOKEN_EXPIRY)
    assert (sent.recipient_id, sent.key, sent.loop_id, sent.interview_ids) == (
        ivy.pk, f"api-token-{issued.token.pk}", None, [],
    )


def test_api_token_expiry_warning_missed_days_caught_up(ivy, mailoutbox):
    """A job that did not run a week before still warns on its next run, saying how soon."""
    _token(ivy)

    assert api_token_expiry_warnings_send(now=_morning(89)) == 1  # 3 Apr: the day before

    assert [m.subject for m in mailoutbox] == ["Your Hireloop API token “ATS sync” expires tomorrow"]


def test_api_token_expiry_warning_one_per_token(ivy, mailoutbox):
    """Two tokens expiring the same week: two emails, one about each."""
    first = _token(ivy, name="ATS sync")
    second = _token(ivy, name="calendar bot", created=CREATED + timedelta(days=2))

    assert api_token_expiry_warnings_send(now=_morning(85)) == 2
    assert api_token_expiry_warnings_send(now=_morning(86)) == 0

    assert sorted(m.subject for m in mailoutbox) == [
        "Your Hireloop API token “ATS sync” expires in 5 days",
        "Your Hireloop API token “calendar bot” expires in 7 days",
    ]
    assert sorted(SentNotification.objects.values_list("key", flat=True)) == sorted(
        [f"api-token-{first.token.pk}", f"api-token-{second.token.pk}"]
    )


def test_api_token_expiry_warning_not_for_revoked_expired_or_deactivated(ivy, mailoutbox):
    revoked = _token(ivy, name="revoked")
    api_token_revoke(actor=ivy, token_id=revoked.token.pk)
    _token(ivy, name="expired", days=80)
    nia = UserFactory(username="nia", email="nia@hireloop.example")
    _token(nia, name="theirs")
    nia.is_active = False
    nia.save(update_fields=["is_active"])
    no_email = UserFactory(username="noel", email="")
    _token(no_email, name="no address")

    assert api_token_expiry_warnings_send(now=_morning(84)) == 0

    assert mailoutbox == []
    assert not SentNotification.objects.exists()


def test_api_token_expiry_warning_not_for_a_token_shorter_than_the_warning(ivy, mailoutbox):
    """A token created for 7 days or less was chosen knowing when it ends: no warning the day it was made."""
    _token(ivy, days=7)
    _token(ivy, days=3, name="one-off")

    for day in range(8):
        assert api_token_expiry_warnings_send(now=_morning(day) + timedelta(hours=12)) == 0

    assert mailoutbox == []


def test_api_token_expiry_warning_follows_the_setting(ivy, mailoutbox, settings):
    settings.HIRELOOP_API_TOKEN_WARNING_DAYS = 14
    _token(ivy)

    assert api_token_expiry_warnings_send(now=_morning(75)) == 0
    assert api_token_expiry_warnings_send(now=_morning(76)) == 1

    assert [m.subject for m in mailoutbox] == ["Your Hireloop API token “ATS sync” expires in 14 days"]


def test_api_token_expiry_warning_failed_send_is_retried_next_run(ivy, mailoutbox, settings, caplog):
    """If the mail server refuses, nothing is recorded and the next run sends it; the log names ids only."""
    issued = _token(ivy)
    settings.EMAIL_BACKEND = "tests.hiring.test_notifications.RefusingBackend"

    assert api_token_expiry_warnings_send(now=_morning(83)) == 0

    assert not SentNotification.objects.exists()
    assert f"Could not send api_token_expiry email to user {ivy.pk} (key api-token-{issued.token.pk})" in caplog.text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert api_token_expiry_warnings_send(now=_morning(84)) == 1
    assert [m.subject for m in mailoutbox] == ["Your Hireloop API token “ATS sync” expires in 6 days"]


def test_warn_expiring_api_tokens_task_and_its_beat_schedule(ivy, mailoutbox, settings):
    """The beat job runs daily and warns about tokens expiring within the week from the real clock."""
    now = timezone.now()
    _token(ivy, created=now - timedelta(days=85))

    assert warn_expiring_api_tokens() == 1
    assert warn_expiring_api_tokens() == 0

    assert len(mailoutbox) == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["hiring-api-token-expiry-warnings"]
    assert schedule["task"] == "hiring.tasks.warn_expiring_api_tokens"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({9}, {15})
