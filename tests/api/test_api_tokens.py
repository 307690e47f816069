"""Personal API tokens: created and revoked on the profile page, stored only as a hash, expiring, scoped."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from config.api.schema import READ_ONLY_TOKEN_403, UNAUTHENTICATED_401
from hiring.accounts.tokens import (
    MAX_ACTIVE_TOKENS,
    ApiTokenRefused,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from hiring.errors import ValidationFailed
from hiring.models import ApiToken, AuditEvent, Candidate
from tests.hiring.factories import UserFactory

TOKEN_IN_PAGE = re.compile(r'id="new-token-value"[^>]*value="(hl_[A-Za-z0-9_-]+)"')
READ_ONLY_MESSAGE = (
    "This token has the read-only scope ('read'): it may read (GET, HEAD, OPTIONS) but not {method}. "
    "Create a token with the read and write scope on your profile page to make changes."
)
NEW_CANDIDATE = {"name": "Amara Obi", "email": "amara.obi@example.org", "phone": "+44 20 7946 0321",
                 "source": "Referral"}


@pytest.fixture
def signed_in(interviewer) -> Client:
    client = Client()
    client.force_login(interviewer)
    return client


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


# --- creating on the profile page -------------------------------------------------------------------


def test_profile_token_create_shows_it_once_and_stores_a_hash(signed_in, interviewer) -> None:
    """The new token appears in the response only; the database holds its SHA-256 and prefix, not the token."""
    response = signed_in.post("/accounts/profile/tokens/", {"name": "ATS sync", "scope": "read_write"})

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


def test_profile_token_create_default_expiry_90_days_and_chosen_scope(signed_in, interviewer) -> None:
    """Left empty, the expiry is HIRELOOP_API_TOKEN_DAYS (90) after creation; the scope is the one chosen."""
    response = signed_in.post("/accounts/profile/tokens/", {"name": "reports", "expires_in_days": "",
                                                            "scope": "read"})

    assert response.status_code == 201
    token = ApiToken.objects.get(user=interviewer)
    assert token.expires_at - token.created_at == timedelta(days=90)
    assert token.scope == ApiToken.Scope.READ
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.after == {"prefix": token.prefix, "name": "reports", "scope": "read",
                           "expires_at": token.expires_at.isoformat()}


def test_profile_token_create_chosen_expiry(signed_in, interviewer) -> None:
    response = signed_in.post("/accounts/profile/tokens/", {"name": "one-off export", "expires_in_days": "7",
                                                            "scope": "read"})

    assert response.status_code == 201
    token = ApiToken.objects.get(user=interviewer)
    assert token.expires_at - token.created_at == timedelta(days=7)


@pytest.mark.parametrize(("days", "error"), [
    ("366", "Choose between 1 and 365 days."),
    ("0", "Choose between 1 and 365 days."),
    ("-5", "Choose between 1 and 365 days."),
    ("ninety", "Enter a whole number of days."),
])
def test_profile_token_create_expiry_out_of_range_refused(signed_in, interviewer, days, error) -> None:
    """An expiry beyond HIRELOOP_API_TOKEN_MAX_DAYS (or not a number of days) is a 400 on that field."""
    response = signed_in.post("/accounts/profile/tokens/", {"name": "forever", "expires_in_days": days,
                                                            "scope": "read"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"expires_in_days": [error]}
    assert not ApiToken.objects.filter(user=interviewer).exists()
    assert not AuditEvent.objects.filter(action="api_token.created").exists()


def test_profile_token_create_maximum_follows_the_setting(signed_in, interviewer, settings) -> None:
    settings.HIRELOOP_API_TOKEN_MAX_DAYS = 30

    refused = signed_in.post("/accounts/profile/tokens/", {"name": "ci", "expires_in_days": "31", "scope": "read"})
    accepted = signed_in.post("/accounts/profile/tokens/", {"name": "ci", "expires_in_days": "30", "scope": "read"})

    assert refused.context["form"].errors == {"expires_in_days": ["Choose between 1 and 30 days."]}
    assert accepted.status_code == 201
    assert ApiToken.objects.filter(user=interviewer).count() == 1


def test_profile_token_create_unknown_scope_refused(signed_in, interviewer) -> None:
    response = signed_in.post("/accounts/profile/tokens/", {"name": "admin", "scope": "admin"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "scope": ["Select a valid choice. admin is not one of the available choices."]
    }
    assert not ApiToken.objects.filter(user=interviewer).exists()


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"expires_in_days": 366}, "expires_in_days", "Choose between 1 and 365 days."),
    ({"expires_in_days": 0}, "expires_in_days", "Choose between 1 and 365 days."),
    ({"scope": "admin"}, "scope", "Choose one of: read, read_write."),
])
def test_api_token_create_service_refuses_what_the_form_would(interviewer, kwargs, field, message) -> None:
    """The service is the authority: a caller that skips the form is refused the same way, nothing saved."""
    with pytest.raises(ValidationFailed) as refused:
        api_token_create(actor=interviewer, name="direct", **kwargs)

    assert refused.value.field_errors == {field: [message]}
    assert not ApiToken.objects.exists()


def test_profile_token_create_needs_a_name(signed_in, interviewer) -> None:
    response = signed_in.post("/accounts/profile/tokens/", {"name": "  ", "scope": "read"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.filter(user=interviewer).exists()


def test_profile_token_create_capped(signed_in, interviewer) -> None:
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(actor=interviewer, name=f"token {number}")

    response = signed_in.post("/accounts/profile/tokens/", {"name": "one too many", "scope": "read"})

    assert response.status_code == 409
    assert "revoke one first" in response.content.decode()
    assert ApiToken.objects.filter(user=interviewer).count() == MAX_ACTIVE_TOKENS


def test_profile_token_create_expired_tokens_do_not_count_against_the_cap(signed_in, interviewer) -> None:
    long_ago = timezone.now() - timedelta(days=400)
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(actor=interviewer, name=f"old {number}", now=long_ago)

    response = signed_in.post("/accounts/profile/tokens/", {"name": "fresh", "scope": "read"})

    assert response.status_code == 201
    assert ApiToken.objects.filter(user=interviewer).count() == MAX_ACTIVE_TOKENS + 1


# --- the tokens on the profile page -----------------------------------------------------------------


def test_profile_page_shows_each_tokens_scope_expiry_and_days_left(signed_in, interviewer) -> None:
    now = timezone.now()
    active = api_token_create(actor=interviewer, name="ATS sync", expires_in_days=30, scope="read").token
    expired = api_token_create(actor=interviewer, name="old laptop", expires_in_days=10,
                               now=now - timedelta(days=11)).token
    revoked = api_token_create(actor=interviewer, name="leaked", expires_in_days=60).token
    api_token_revoke(actor=interviewer, token_id=revoked.pk)

    page = signed_in.get("/accounts/profile/").content.decode()

    rows = {
        name: re.search(rf"<td><bdi>{name}</bdi></td>(.*?)</tr>", page, re.S)
        for name in ("ATS sync", "old laptop", "leaked")
    }
    ats, old, leak = (" ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split()) for row in rows.values() if row)
    expires = timezone.localtime(active.expires_at).strftime("%-d %b %Y, %H:%M")
    assert ats.startswith(f"{active.prefix}… Read only ")
    assert f"{expires} 30 days left" in ats and ats.endswith("Active Revoke")
    assert timezone.localtime(expired.expires_at).strftime("%-d %b %Y, %H:%M") in old
    assert "days left" not in old and old.endswith("Expired")
    assert "Read and write" in leak and "days left" not in leak and "Revoked" in leak and "Revoke " not in leak
    assert 'name="expires_in_days" value="90"' in page and 'max="365"' in page
    assert '<input type="radio" name="scope" value="read" id="id_scope_0" required checked>' in page


def test_profile_page_queries_the_same_for_1_and_50_tokens(signed_in, interviewer, django_assert_num_queries) -> None:
    """The tokens list is one query, whatever the number of tokens."""
    api_token_create(actor=interviewer, name="first")
    # session, user, tokens, the calendar feed
    with django_assert_num_queries(4):
        assert signed_in.get("/accounts/profile/").status_code == 200
    for number in range(49):
        token = api_token_create(actor=interviewer, name=f"token {number}").token
        api_token_revoke(actor=interviewer, token_id=token.pk)
    with django_assert_num_queries(4):
        page = signed_in.get("/accounts/profile/").content.decode()
    assert page.count("days left") == 1 and page.count("Revoked") == 49


# --- refusing tokens ----------------------------------------------------------------------------------


def test_api_expired_token_refused_401_naming_the_expiry(interviewer) -> None:
    """Once expired, a token is a 401 that says so and when, and its use is not recorded."""
    issued = api_token_create(actor=interviewer, name="CI", expires_in_days=30,
                              now=timezone.now() - timedelta(days=31))

    response = _bearer(issued.plaintext).get("/api/v1/users/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "code": "token_expired",
        "message": f"The token expired on {_when(issued.token.expires_at)}; create a new one on your profile page.",
        "field_errors": {},
    }
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is None


def test_api_token_authenticate_expires_at_the_expiry_instant(interviewer) -> None:
    """Valid up to the instant before ``expires_at``, refused from that instant on."""
    issued = api_token_create(actor=interviewer, name="CI", expires_in_days=1)
    expires_at = issued.token.expires_at

    user, token = api_token_authenticate(issued.plaintext, now=expires_at - timedelta(microseconds=1))
    assert (user, token) == (interviewer, issued.token)
    with pytest.raises(ApiTokenRefused) as refused:
        api_token_authenticate(issued.plaintext, now=expires_at)
    assert refused.value.code == "token_expired"


def test_profile_token_revoke_stops_the_token(signed_in, interviewer) -> None:
    issued = api_token_create(actor=interviewer, name="calendar bot")
    assert _bearer(issued.plaintext).get("/api/v1/users/me/").status_code == 200

    response = signed_in.post(f"/accounts/profile/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 302
    refused = _bearer(issued.plaintext).get("/api/v1/users/me/")
    issued.token.refresh_from_db()
    assert refused.status_code == 401
    assert refused.json() == {"code": "token_revoked", "field_errors": {},
                              "message": f"The token was revoked on {_when(issued.token.revoked_at)}."}
    page = signed_in.get("/accounts/profile/").content.decode()
    assert "calendar bot" in page and "Revoked" in page


def test_profile_token_revoke_someone_elses_is_404(signed_in) -> None:
    """Another user's token cannot be revoked, nor learned about."""
    other = api_token_create(actor=UserFactory(username="nia"), name="theirs")

    response = signed_in.post(f"/accounts/profile/tokens/{other.token.pk}/revoke/")

    assert response.status_code == 404
    other.token.refresh_from_db()
    assert other.token.revoked_at is None


def test_api_token_of_deactivated_user_refused_401(interviewer) -> None:
    """Deactivating a user stops every token of theirs at once; reactivating them restores the unexpired ones."""
    issued = api_token_create(actor=interviewer, name="old laptop")
    interviewer.is_active = False
    interviewer.save(update_fields=["is_active"])

    response = _bearer(issued.plaintext).get("/api/v1/users/me/")

    assert response.status_code == 401
    assert response.json() == {"code": "user_inactive", "message": "The token's user account is deactivated.",
                               "field_errors": {}}
    assert _bearer(issued.plaintext).post("/api/v1/candidates/", NEW_CANDIDATE, format="json").status_code == 401
    interviewer.is_active = True
    interviewer.save(update_fields=["is_active"])
    assert _bearer(issued.plaintext).get("/api/v1/users/me/").status_code == 200


@pytest.mark.parametrize("presented", ["hl_unknown-token", "not-a-hireloop-token", "hl_" + "x" * 300])
def test_api_unknown_token_refused_401(db, presented) -> None:
    response = _bearer(presented).get("/api/v1/users/me/")

    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "The token is not valid.",
                               "field_errors": {}}


# --- the read-only scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee", "admin"])
def test_api_read_only_token_reads_200_and_writes_403_naming_the_scope(db, kind) -> None:
    """Whoever owns it, a read-only token reads what they may read and changes nothing, whatever they may do."""
    user = UserFactory(kind=kind, username=f"{kind}-1", is_staff=kind == "admin", is_superuser=kind == "admin")
    issued = api_token_create(actor=user, name="dashboard", scope=ApiToken.Scope.READ)
    client = _bearer(issued.plaintext)
    events = AuditEvent.objects.count()

    read = client.get("/api/v1/users/me/")
    write = client.post("/api/v1/candidates/", NEW_CANDIDATE, format="json")

    assert (read.status_code, read.json()["username"]) == (200, f"{kind}-1")
    assert write.status_code == 403
    assert write.json() == {"code": "token_read_only", "message": READ_ONLY_MESSAGE.format(method="POST"),
                            "field_errors": {}}
    assert not Candidate.objects.filter(email=NEW_CANDIDATE["email"]).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_read_only_token_refused_every_unsafe_method_recruiter(recruiter, method) -> None:
    candidate = Candidate.objects.create(name="Bea Novak", email="bea.novak@example.org", source="Referral")
    client = _bearer(api_token_create(actor=recruiter, name="ro", scope=ApiToken.Scope.READ).plaintext)

    response = getattr(client, method)(f"/api/v1/candidates/{candidate.pk}/", {"name": "Changed"}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "token_read_only")
    assert response.json()["message"] == READ_ONLY_MESSAGE.format(method=method.upper())
    candidate.refresh_from_db()
    assert candidate.name == "Bea Novak"
    assert client.get(f"/api/v1/candidates/{candidate.pk}/").json()["name"] == "Bea Novak"
    assert client.options("/api/v1/candidates/").status_code == 200


def test_api_read_write_token_writes_recruiter(recruiter) -> None:
    client = _bearer(api_token_create(actor=recruiter, name="ATS", scope=ApiToken.Scope.READ_WRITE).plaintext)

    response = client.post("/api/v1/candidates/", NEW_CANDIDATE, format="json")

    assert response.status_code == 201
    assert Candidate.objects.filter(email=NEW_CANDIDATE["email"]).count() == 1


# --- the page itself ----------------------------------------------------------------------------------------


def test_profile_page_requires_sign_in(db) -> None:
    response = Client().get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_link_in_account_area(signed_in) -> None:
    page = signed_in.get("/accounts/profile/").content.decode()

    assert '<a href="/accounts/profile/">Profile</a>' in page
    assert '<a href="/accounts/profile/#api-tokens">API tokens</a>' in page


# --- the API docs ---------------------------------------------------------------------------------------------


def test_api_schema_documents_token_refusals_on_every_operation(db) -> None:
    """Every operation's 401 names the refused-token codes; every write's 403 names the read-only scope."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [(path, method, operation) for path, methods in schema["paths"].items()
                  for method, operation in methods.items()]
    writes = [(path, method, operation) for path, method, operation in operations
              if method in ("post", "put", "patch", "delete")]

    assert len(writes) >= 15
    assert all(operation["responses"]["401"]["description"] == UNAUTHENTICATED_401
               for _, _, operation in operations)
    assert [f"{method} {path}" for path, method, operation in writes
            if not operation["responses"]["403"]["description"].endswith(READ_ONLY_TOKEN_403)] == []
    assert schema["components"]["securitySchemes"]["apiToken"]["description"].endswith(
        "A token with the read-only scope gets 403 `token_read_only` on POST, PUT, PATCH and DELETE."
    )
