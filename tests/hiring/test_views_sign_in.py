"""The sign-in page as configured, and the sign-in pages that need no provider to answer (it is down, or unused)."""

from __future__ import annotations

import pytest
from django.test import Client

from hiring.models import User
from tests.hiring.factories import TEST_PASSWORD, UserFactory
from tests.integration.oidc_provider import configure_hireloop
from tests.integration.services import free_port

pytestmark = pytest.mark.django_db

BUTTON = "Sign in with Test IdP"
PASSWORD_FIELD = 'name="password"'


@pytest.fixture
def oidc_unreachable(settings) -> str:
    """Hireloop configured with an issuer on a port where nothing listens."""
    issuer = f"http://127.0.0.1:{free_port()}"
    configure_hireloop(settings, issuer)
    return issuer


def test_sign_in_page_offers_only_the_password_form_without_a_provider(client):
    """The demo (`make run`, no OIDC settings): the password form, no provider button."""
    page = client.get("/accounts/login/").content.decode()

    assert PASSWORD_FIELD in page
    assert "Sign in with" not in page


def test_sign_in_page_offers_both_when_both_are_on(client, oidc_unreachable):
    """The page needs nothing from the provider: it shows even while the provider is down."""
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert BUTTON in response.content.decode()
    assert PASSWORD_FIELD in response.content.decode()


def test_sign_in_page_without_passwords_offers_only_the_provider(client, settings, oidc_unreachable):
    """HIRELOOP_PASSWORD_LOGIN=false: one button, no form."""
    settings.HIRELOOP_PASSWORD_LOGIN = False

    page = client.get("/accounts/login/").content.decode()

    assert BUTTON in page
    assert PASSWORD_FIELD not in page


def test_sign_in_password_post_is_refused_when_passwords_are_off(client, settings, oidc_unreachable):
    """The right password is refused too, with a page saying how to sign in instead."""
    settings.HIRELOOP_PASSWORD_LOGIN = False
    user = UserFactory(username="ada", kind="admin")

    response = client.post("/accounts/login/", {"username": "ada", "password": TEST_PASSWORD})

    assert response.status_code == 403
    assert "Password sign-in is turned off on this Hireloop. Sign in with Test IdP." in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None


def test_admin_login_sends_to_the_sign_in_page_when_passwords_are_off(client, settings, oidc_unreachable):
    """The Django admin's own password form is not a way around the switch."""
    settings.HIRELOOP_PASSWORD_LOGIN = False

    response = client.get("/admin/login/", {"next": "/admin/hiring/user/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/hiring/user/"


def test_admin_login_is_the_admin_form_while_passwords_are_on(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert PASSWORD_FIELD in response.content.decode()


def test_oidc_start_with_an_unreachable_provider_says_so(client, oidc_unreachable):
    """The provider does not answer: a page naming where Hireloop looked (503), and no sign-in is pending."""
    response = client.get("/accounts/oidc/authenticate/")

    assert response.status_code == 503
    page = response.content.decode()
    assert f"Hireloop could not reach the identity provider at {oidc_unreachable}/.well-known/openid-configuration" \
        in page
    assert "oidc_states" not in client.session


def test_oidc_pages_answer_404_when_no_provider_is_configured(client):
    for path in ("/accounts/oidc/authenticate/", "/accounts/oidc/callback/?code=x&state=y"):
        response = client.get(path)
        assert response.status_code == 404
        assert "not set up on this Hireloop" in response.content.decode()


@pytest.mark.parametrize(("query", "status", "text"), [
    ("code=abc&state=forged", 400, "its state does not match"),
    ("state=forged", 400, "missing the sign-in code or state"),
    ("error=access_denied&state=forged", 403, "The sign-in was declined at the identity provider"),
    ("error=%3Cscript%3E&state=forged", 400, "The provider&#x27;s answer: unknown."),
    ("code=abc&state=forged&iss=https%3A%2F%2Fattacker.example", 400, "comes from another identity provider"),
])
def test_oidc_callback_refuses_answers_that_belong_to_no_sign_in(client, oidc_unreachable, query, status, text):
    """A forged or stray callback gets a page naming the problem, and nobody is signed in or created."""
    response = client.get(f"/accounts/oidc/callback/?{query}")

    assert response.status_code == status
    assert text in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0


def test_session_of_a_user_signed_in_through_the_provider_ends_when_deactivated(oidc_unreachable):
    """The backend's get_user refuses inactive users (the library's own would return them)."""
    user = UserFactory(username="otto", kind="recruiter")
    client = Client()
    client.force_login(user, backend="hiring.oidc.backend.OidcBackend")
    assert client.get("/pipeline/").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/pipeline/")["Location"] == "/accounts/login/?next=/pipeline/"
