"""The profile page's Slack member id: each user sets their own; a wrong one is refused with the reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hiring.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_profile_slack_id_saved_normalised_and_shown(client, interviewer):
    client.force_login(interviewer)

    saved = client.post(reverse("profile-slack-id"), {"slack_user_id": " u024be7lh "})
    page = client.get(reverse("profile")).content.decode()

    interviewer.refresh_from_db()
    assert (saved.status_code, saved["Location"]) == (302, reverse("profile"))
    assert interviewer.slack_user_id == "U024BE7LH"
    assert 'value="U024BE7LH"' in page
    assert AuditEvent.objects.filter(action="user.slack_id_changed", actor=interviewer).count() == 1


def test_profile_slack_id_cleared_with_an_empty_value(client, interviewer):
    interviewer.slack_user_id = "U024BE7LH"
    interviewer.save()
    client.force_login(interviewer)

    client.post(reverse("profile-slack-id"), {"slack_user_id": ""})

    interviewer.refresh_from_db()
    assert interviewer.slack_user_id == ""


def test_profile_slack_id_refused_with_the_reason_changes_nothing(client, interviewer):
    client.force_login(interviewer)

    response = client.post(reverse("profile-slack-id"), {"slack_user_id": "@ivy"})

    interviewer.refresh_from_db()
    assert response.status_code == 400
    assert "A Slack member id starts with U or W" in response.content.decode()
    assert interviewer.slack_user_id == ""
    assert not AuditEvent.objects.filter(action="user.slack_id_changed").exists()


def test_profile_slack_id_needs_sign_in(client):
    response = client.post(reverse("profile-slack-id"), {"slack_user_id": "U024BE7LH"})

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/accounts/profile/slack/")
