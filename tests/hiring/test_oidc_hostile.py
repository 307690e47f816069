"""Hostile and broken answers at the callback, against a real OpenID provider: a page naming the problem, a 4xx
(503 when the provider is unreachable), nobody signed in, nothing created.

What each test proves, since some of them shape the provider to misbehave:
- the state, replay and injection tests use the provider as it is: the codes and states are real;
- "signed by another key" runs a provider that signs with one key and publishes another under the same
  key id, so the token is real but its signature does not verify against the issuer's JWKS;
- "expired" runs a provider whose clock is ten minutes behind with one-minute ID tokens, so the token it
  issues has really expired by Hireloop's clock;
- "altered" and "another audience" take a real ID token from the provider and give it to the backend's
  validation entry point (``verify_token``), altered or with Hireloop configured as another client.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests
from django.test import Client

from hiring.models import AuditEvent, User
from hiring.oidc.backend import OidcBackend
from hiring.oidc.errors import OidcSignInFailed
from tests.integration.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    GROUPS,
    TEST_CALLBACK,
    OidcProvider,
    callback_path,
    configure_hireloop,
    query_value,
    sign_in_at_provider,
    start_sign_in,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _refused(response: Any, client: Client, *, status: int, code: str) -> str:
    page = response.content.decode()
    assert response.status_code == status, page[:3000]
    assert f"<code>{code}</code>" in page
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    return page


@pytest.fixture
def rosa(oidc_provider: OidcProvider) -> OidcProvider:
    oidc_provider.set_account("rosa", email="rosa@example.com", groups=[GROUPS["recruiter"]])
    return oidc_provider


def test_oidc_callback_with_a_wrong_state_is_refused(rosa):
    """The code is real but the state is not this browser's: refused, and the real answer still works after."""
    client = Client()
    callback = sign_in_at_provider(client, rosa, "rosa")
    forged = callback.replace(f"state={query_value(callback, 'state')}", "state=forged-state")

    page = _refused(client.get(callback_path(forged)), client, status=400, code="state_mismatch")

    assert "its state does not match" in page
    assert client.get(callback_path(callback)).status_code == 302


def test_oidc_callback_replayed_is_refused(rosa):
    """The same answer twice, in the same browser or another: the state was used up by the first."""
    client = Client()
    callback = sign_in_at_provider(client, rosa, "rosa")
    assert client.get(callback_path(callback)).status_code == 302
    user = User.objects.get()

    for replaying in (client, Client()):
        response = replaying.get(callback_path(callback))
        assert response.status_code == 400
        assert "<code>state_mismatch</code>" in response.content.decode()
    assert User.objects.get() == user


def test_oidc_code_replayed_with_a_fresh_state_is_refused_by_the_provider(rosa):
    """An already redeemed code sent back with a new sign-in's state: the provider refuses it (invalid_grant)."""
    first = Client()
    callback = sign_in_at_provider(first, rosa, "rosa")
    assert first.get(callback_path(callback)).status_code == 302
    users, events = list(User.objects.values_list("pk", "kind", "is_active")), AuditEvent.objects.count()

    attacker = Client()
    fresh_state = query_value(start_sign_in(attacker), "state")
    response = attacker.get(f"/accounts/oidc/callback/?code={query_value(callback, 'code')}&state={fresh_state}")

    assert response.status_code == 400
    assert "<code>code_rejected</code>" in response.content.decode()
    assert "(invalid_grant)" in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert list(User.objects.values_list("pk", "kind", "is_active")) == users
    assert AuditEvent.objects.count() == events


def test_oidc_code_injected_into_another_browser_fails_pkce(rosa):
    """A fresh code taken from one browser's sign-in and sent from another: its PKCE verifier does not match."""
    victim = Client()
    stolen = query_value(sign_in_at_provider(victim, rosa, "rosa"), "code")
    attacker = Client()
    state = query_value(start_sign_in(attacker), "state")

    response = attacker.get(f"/accounts/oidc/callback/?code={stolen}&state={state}")

    _refused(response, attacker, status=400, code="code_rejected")


def test_oidc_token_signed_by_another_key_is_refused(start_oidc_provider, settings):
    """The provider signs with a key other than the one its JWKS publishes under that key id."""
    provider = start_oidc_provider(publish_foreign_key=True)
    configure_hireloop(settings, provider.issuer)
    provider.set_account("rosa", email="rosa@example.com", groups=[GROUPS["recruiter"]])
    client = Client()

    response = client.get(callback_path(sign_in_at_provider(client, provider, "rosa")))

    page = _refused(response, client, status=400, code="token_signature")
    assert "signature does not match" in page


def test_oidc_expired_token_is_refused(start_oidc_provider, settings):
    """A provider ten minutes behind issues one-minute tokens: expired on arrival, past the 30 s leeway."""
    provider = start_oidc_provider(clock_skew_seconds=-600, id_token_ttl=60)
    configure_hireloop(settings, provider.issuer)
    provider.set_account("rosa", email="rosa@example.com", groups=[GROUPS["recruiter"]])
    client = Client()

    response = client.get(callback_path(sign_in_at_provider(client, provider, "rosa")))

    page = _refused(response, client, status=400, code="token_expired")
    assert "The ID token has expired" in page


def test_oidc_sign_in_declined_at_the_provider_says_so(rosa):
    """The person cancels on the provider's page; it answers error=access_denied."""
    client = Client()
    callback = sign_in_at_provider(client, rosa, "rosa", abort=True)
    assert query_value(callback, "error") == "access_denied"

    page = _refused(client.get(callback_path(callback)), client, status=403, code="provider_access_denied")

    assert "The sign-in was declined at the identity provider" in page
    assert client.session["oidc_states"] == {}


def test_oidc_provider_down_after_the_start_says_so(rosa):
    """The provider stops between the start (discovery cached) and the callback: 503 naming the token endpoint."""
    client = Client()
    callback = sign_in_at_provider(client, rosa, "rosa")
    rosa.stop()

    page = _refused(client.get(callback_path(callback)), client, status=503, code="provider_unavailable")

    assert "could not reach the identity provider&#x27;s token endpoint" in page


def test_oidc_issuer_that_is_not_the_providers_exact_issuer_is_refused(start_oidc_provider, settings):
    """HIRELOOP_OIDC_ISSUER with a trailing slash finds the document, which names another issuer: refused."""
    provider = start_oidc_provider()
    configure_hireloop(settings, provider.issuer + "/")
    client = Client()

    response = client.get("/accounts/oidc/authenticate/")

    assert response.status_code == 503
    assert f"calls itself &#x27;{provider.issuer}&#x27;" in response.content.decode()
    assert "oidc_states" not in client.session


def _real_id_token(client: Client, provider: OidcProvider) -> tuple[str, str]:
    """An ID token the provider issued for this client, redeemed by hand; and the nonce it carries."""
    callback = sign_in_at_provider(client, provider, "rosa")
    pending = client.session["oidc_states"][query_value(callback, "state")]
    response = requests.post(
        f"{provider.issuer}/token",
        data={"grant_type": "authorization_code", "code": query_value(callback, "code"),
              "redirect_uri": TEST_CALLBACK, "code_verifier": pending["code_verifier"]},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()["id_token"], pending["nonce"]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_oidc_real_token_verifies_and_altered_one_does_not(rosa):
    """The provider's token passes the backend's checks; the same token with another `sub` fails its signature."""
    token, nonce = _real_id_token(Client(), rosa)
    backend = OidcBackend()
    claims = backend.verify_token(token, nonce=nonce)
    assert (claims["iss"], claims["aud"], claims["sub"]) == (rosa.issuer, CLIENT_ID, "sub-rosa")
    header, payload, signature = token.split(".")
    altered = ".".join([header, _b64({**claims, "sub": "sub-admin"}), signature])

    with pytest.raises(OidcSignInFailed) as failed:
        backend.verify_token(altered, nonce=nonce)

    assert failed.value.code == "token_signature"


def test_oidc_real_token_for_another_client_is_refused(rosa, settings):
    """A token the provider issued to another application (another audience) does not sign anyone in here."""
    token, nonce = _real_id_token(Client(), rosa)
    settings.HIRELOOP_OIDC_CLIENT_ID = "another-application"

    with pytest.raises(OidcSignInFailed) as failed:
        OidcBackend().verify_token(token, nonce=nonce)

    assert failed.value.code == "token_audience"


def test_oidc_real_token_for_another_sign_in_is_refused(rosa):
    """The nonce ties the token to the sign-in that asked for it."""
    token, _ = _real_id_token(Client(), rosa)

    with pytest.raises(OidcSignInFailed) as failed:
        OidcBackend().verify_token(token, nonce="another-sign-ins-nonce")

    assert failed.value.code == "token_nonce"
