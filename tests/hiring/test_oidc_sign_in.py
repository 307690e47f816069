"""Sign-in through a real OpenID provider (oidc-provider on 127.0.0.1): accounts created, updated and closed.

Each test signs a person in at the provider's own login page and brings the
browser back to Hireloop's callback, so the token exchange, the PKCE verifier,
the nonce and the ID token's checks are the production code against a
certified provider.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from hiring.accounts.tokens import api_token_create
from hiring.models import AuditEvent, User
from tests.hiring.factories import UserFactory
from tests.integration.oidc_provider import (
    CLIENT_SECRET,
    GROUPS,
    OidcProvider,
    callback_path,
    query_value,
    sign_in_at_provider,
    start_sign_in,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _sign_in(provider: OidcProvider, login: str, client: Client | None = None) -> tuple[Client, Any]:
    client = client or Client()
    response = client.get(callback_path(sign_in_at_provider(client, provider, login)))
    return client, response


def _role_events(user: User) -> list[tuple[str, object, object]]:
    return [
        (event.action, event.before, event.after)
        for event in AuditEvent.objects.filter(object_type="hiring.user", object_id=str(user.pk)).order_by("id")
    ]


def test_oidc_first_sign_in_creates_the_user_with_the_mapped_role(oidc_provider):
    """A person in the recruiters' group, unknown to Hireloop, gets a recruiter account and lands signed in."""
    oidc_provider.set_account("rosa", email="Rosa.Rivera@Example.com", email_verified=True, given_name="Rosa",
                              family_name="Rivera", groups=["staff", GROUPS["recruiter"]])

    client, response = _sign_in(oidc_provider, "rosa")

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(oidc_subject="sub-rosa")
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "rosa.rivera@example.com", "Rosa.Rivera@Example.com", "Rosa", "Rivera")
    assert (user.kind, user.is_active, user.is_staff, user.is_superuser) == ("recruiter", True, False, False)
    assert user.oidc_issuer == oidc_provider.issuer
    assert not user.has_usable_password()
    assert _role_events(user) == [("user.created", None, {
        "kind": "recruiter", "is_active": True, "is_staff": False, "is_superuser": False, "via": "oidc"})]
    assert client.get("/")["Location"] == "/pipeline/"


def test_oidc_later_sign_in_updates_name_email_and_role(oidc_provider):
    """The provider is the source of truth: a later sign-in takes its new name, email and group."""
    oidc_provider.set_account("ivan", email="ivan@example.com", given_name="Ivan", family_name="Ives",
                              groups=[GROUPS["interviewer"]])
    _sign_in(oidc_provider, "ivan")
    user = User.objects.get(oidc_subject="sub-ivan")
    oidc_provider.set_account("ivan", email="ivan.ives@example.com", given_name="Ivan", family_name="Ives-Ortega",
                              groups=[GROUPS["interviewer"], GROUPS["admin"]])

    _, response = _sign_in(oidc_provider, "ivan")

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.email, user.last_name, user.kind, user.is_staff, user.is_superuser) == (
        "ivan.ives@example.com", "Ives-Ortega", "admin", True, True)
    assert User.objects.count() == 1
    assert _role_events(user)[1:] == [("user.role_changed",
                                       {"kind": "interviewer", "is_staff": False, "is_superuser": False},
                                       {"kind": "admin", "is_staff": True, "is_superuser": True, "via": "oidc"})]


def test_oidc_first_sign_in_links_an_existing_account_by_email_then_by_subject(oidc_provider):
    """An account made before single sign-on is found by its email in any case, then by the provider's `sub`."""
    existing = UserFactory(username="cora", email="cora@example.com", kind="interviewer")
    oidc_provider.set_account("cora", email="CORA@example.COM", given_name="Cora", family_name="Chen",
                              groups=[GROUPS["committee"]])

    _sign_in(oidc_provider, "cora")
    oidc_provider.set_account("cora", email="cora.chen@example.com", given_name="Cora", family_name="Chen",
                              groups=[GROUPS["committee"]])
    _, response = _sign_in(oidc_provider, "cora")

    assert response.status_code == 302
    existing.refresh_from_db()
    assert (existing.username, existing.email, existing.kind) == ("cora", "cora.chen@example.com", "committee")
    assert (existing.oidc_issuer, existing.oidc_subject) == (oidc_provider.issuer, "sub-cora")
    assert User.objects.count() == 1
    assert _role_events(existing) == [
        ("user.identity_linked", None, {"via": "oidc", "issuer": oidc_provider.issuer, "subject": "sub-cora"}),
        ("user.role_changed", {"kind": "interviewer"}, {"kind": "committee", "via": "oidc"}),
    ]


def test_oidc_sign_in_without_a_mapped_group_deactivates_and_ends_sessions_and_tokens(oidc_provider):
    """Removed from every Hireloop group: the next sign-in deactivates the account and says why; the sessions
    and API tokens it already had stop working."""
    oidc_provider.set_account("dora", email="dora@example.com", groups=[GROUPS["recruiter"]])
    signed_in, _ = _sign_in(oidc_provider, "dora")
    user = User.objects.get(oidc_subject="sub-dora")
    token = api_token_create(actor=user, name="ATS sync").plaintext
    assert signed_in.get("/api/v1/candidates/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert signed_in.get("/pipeline/").status_code == 200
    oidc_provider.set_account("dora", email="dora@example.com", groups=["finance"])

    _, response = _sign_in(oidc_provider, "dora")

    assert response.status_code == 403
    assert "You are no longer in any group that gives access to Hireloop" in response.content.decode()
    assert "no_mapped_group" in response.content.decode()
    user.refresh_from_db()
    assert (user.is_active, user.kind) == (False, "recruiter")
    assert _role_events(user)[-1] == ("user.role_changed", {"is_active": True}, {"is_active": False, "via": "oidc"})
    assert signed_in.get("/pipeline/")["Location"] == "/accounts/login/?next=/pipeline/"
    assert Client().get("/api/v1/candidates/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_oidc_sign_in_of_a_deactivated_account_is_refused_and_changes_nothing(oidc_provider):
    """An account an admin deactivated stays deactivated, whatever groups the provider lists."""
    oidc_provider.set_account("eve", email="eve@example.com", groups=[GROUPS["admin"]])
    _sign_in(oidc_provider, "eve")
    User.objects.filter(oidc_subject="sub-eve").update(is_active=False)
    events = AuditEvent.objects.count()

    client, response = _sign_in(oidc_provider, "eve")

    assert response.status_code == 403
    assert "Your Hireloop account is deactivated" in response.content.decode()
    assert User.objects.filter(oidc_subject="sub-eve", is_active=False).count() == 1
    assert AuditEvent.objects.count() == events
    assert "_auth_user_id" not in client.session


def test_oidc_sign_in_with_an_unknown_group_creates_nobody(oidc_provider):
    """Someone in no group mapped to a role is told so; no account is made."""
    oidc_provider.set_account("finn", email="finn@example.com", groups=["finance", "hl-recruiters-old"])

    client, response = _sign_in(oidc_provider, "finn")

    assert response.status_code == 403
    assert "You are not in any group that gives access to Hireloop" in response.content.decode()
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_oidc_sign_in_without_an_email_claim_creates_nobody(oidc_provider):
    """A provider that does not release the email address gets a page naming the missing claim."""
    oidc_provider.set_account("gus", given_name="Gus", groups=[GROUPS["interviewer"]])

    client, response = _sign_in(oidc_provider, "gus")

    assert response.status_code == 400
    assert "the `email` claim" in response.content.decode()
    assert User.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_oidc_sign_in_with_an_unverified_email_is_refused(oidc_provider):
    """An email the provider says it has not verified never finds or makes an account."""
    UserFactory(username="hana", email="hana@example.com", kind="admin")
    oidc_provider.set_account("hana", email="hana@example.com", email_verified=False, groups=[GROUPS["admin"]])

    _, response = _sign_in(oidc_provider, "hana")

    assert response.status_code == 403
    assert "not verified" in response.content.decode()
    assert User.objects.get(username="hana").oidc_subject == ""


@pytest.mark.parametrize(("next_url", "landing"), [("/pipeline/", "/pipeline/"), ("https://evil.example/", "/")])
def test_oidc_sign_in_returns_to_the_page_asked_for(oidc_provider, next_url, landing):
    """A sign-in started from a protected page returns to it; a `next` pointing elsewhere is ignored."""
    oidc_provider.set_account("rosa", email="rosa@example.com", groups=[GROUPS["recruiter"]])
    client = Client()
    login_page = client.get("/accounts/login/", {"next": "/pipeline/"}).content.decode()
    assert 'href="/accounts/oidc/authenticate/?next=/pipeline/"' in login_page

    response = client.get(callback_path(sign_in_at_provider(client, oidc_provider, "rosa", next_url=next_url)))

    assert response["Location"] == landing


def test_oidc_sign_in_logs_no_secret(oidc_provider, caplog):
    """Neither the client secret, nor the code, state or tokens reach a log line, on success or failure."""
    caplog.set_level(logging.DEBUG)
    oidc_provider.set_account("rosa", email="rosa@example.com", groups=[GROUPS["recruiter"]])
    client = Client()
    callback = sign_in_at_provider(client, oidc_provider, "rosa")
    assert client.get(callback_path(callback)).status_code == 302
    replayed = Client()
    fresh_state = query_value(start_sign_in(replayed), "state")
    assert replayed.get(f"/accounts/oidc/callback/?code={query_value(callback, 'code')}&state={fresh_state}"
                        ).status_code == 400

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "OIDC sign-in failed: code_rejected" in logged
    for secret in (CLIENT_SECRET, query_value(callback, "code"), query_value(callback, "state"), fresh_state):
        assert secret not in logged
