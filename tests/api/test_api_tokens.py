"""Personal API tokens: created and revoked on the profile page, stored only as a hash."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hiring.accounts.tokens import MAX_ACTIVE_TOKENS, api_token_create
from hiring.models import ApiToken, AuditEvent
from tests.hiring.factories import UserFactory

TOKEN_IN_PAGE = re.compile(r'id="new-token-value"[^>]*value="(hl_[A-Za-z0-9_-]+)"')


@pytest.fixture
def signed_in(interviewer) -> Client:
    client = Client()
    client.force_login(interviewer)
    return client


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_profile_token_create_shows_it_once_and_stores_a_hash(signed_in, interviewer) -> None:
    """The new token appears in the response only; the database holds its SHA-256 and prefix, not the token."""
    response = signed_in.post("/accounts/profile/tokens/", {"name": "ATS sync"})

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    match = TOKEN_IN_PAGE.search(response.content.decode())
    assert match is not None
    plaintext = match.group(1)
    token = ApiToken.objects.get(user=interviewer)
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:11]
    assert plaintext not in str(list(ApiToken.objects.values()))
    assert plaintext not in str(list(AuditEvent.objects.values()))
    assert plaintext not in signed_in.get("/accounts/profile/").content.decode()
    assert _bearer(plaintext).get("/api/v1/users/me/").json()["username"] == "ivy"


def test_profile_token_revoke_stops_the_token(signed_in, interviewer) -> None:
    issued = api_token_create(actor=interviewer, name="calendar bot")
    assert _bearer(issued.plaintext).get("/api/v1/users/me/").status_code == 200

    response = signed_in.post(f"/accounts/profile/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 302
    refused = _bearer(issued.plaintext).get("/api/v1/users/me/")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    page = signed_in.get("/accounts/profile/").content.decode()
    assert "calendar bot" in page and "Revoked" in page


def test_profile_token_revoke_someone_elses_is_404(signed_in) -> None:
    """Another user's token cannot be revoked, nor learned about."""
    other = api_token_create(actor=UserFactory(username="nia"), name="theirs")

    response = signed_in.post(f"/accounts/profile/tokens/{other.token.pk}/revoke/")

    assert response.status_code == 404
    other.token.refresh_from_db()
    assert other.token.revoked_at is None


def test_profile_token_create_needs_a_name(signed_in, interviewer) -> None:
    response = signed_in.post("/accounts/profile/tokens/", {"name": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.filter(user=interviewer).exists()


def test_profile_token_create_capped(signed_in, interviewer) -> None:
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(actor=interviewer, name=f"token {number}")

    response = signed_in.post("/accounts/profile/tokens/", {"name": "one too many"})

    assert response.status_code == 409
    assert "revoke one first" in response.content.decode()
    assert ApiToken.objects.filter(user=interviewer).count() == MAX_ACTIVE_TOKENS


def test_profile_page_requires_sign_in(db) -> None:
    response = Client().get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_token_of_deactivated_user_refused(interviewer) -> None:
    issued = api_token_create(actor=interviewer, name="old laptop")
    interviewer.is_active = False
    interviewer.save(update_fields=["is_active"])

    assert _bearer(issued.plaintext).get("/api/v1/users/me/").status_code == 401


def test_profile_link_in_account_area(signed_in) -> None:
    page = signed_in.get("/accounts/profile/").content.decode()

    assert '<a href="/accounts/profile/">Profile</a>' in page
    assert '<a href="/accounts/profile/#api-tokens">API tokens</a>' in page
