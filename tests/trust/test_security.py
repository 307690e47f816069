"""Secure deployment: production settings, content security policy and sign-in throttling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x8#kq2!vZ7mPz4LwT9sRb3YcN6hJfD1gA5eU0iOoQ-prod-secret-for-tests",
    "DJANGO_ALLOWED_HOSTS": "hireloop.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://hireloop.example.com",
    "HIRELOOP_SITE_URL": "https://hireloop.example.com",
    "DATABASE_URL": "postgres://hireloop:secret@db.internal:5432/hireloop",
    "REDIS_URL": "redis://redis.internal:6379/1",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "HIRELOOP_", "CELERY_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env={**clean, **env},
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_reports_no_issues_with_the_documented_production_variables():
    """`check --deploy` with the variables docs/production.md lists: no warning at all."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(("override", "message"), [
    ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG=true is refused with DJANGO_ENV=production"),
    ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
    ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
    ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be 'development' or 'production'"),
])
def test_production_refuses_to_start_without_its_variables(override, message):
    env = {k: v for k, v in {**PRODUCTION, **override}.items() if v is not None}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


OIDC = {
    "HIRELOOP_OIDC_ISSUER": "https://idp.example.com",
    "HIRELOOP_OIDC_CLIENT_ID": "hireloop",
    "HIRELOOP_OIDC_CLIENT_SECRET": "a-secret",
    "HIRELOOP_OIDC_INTERVIEWER_GROUPS": "engineering",
}


@pytest.mark.parametrize(("override", "message"), [
    ({"HIRELOOP_OIDC_ISSUER": None, "HIRELOOP_PASSWORD_LOGIN": "false"},
     "HIRELOOP_PASSWORD_LOGIN=false needs HIRELOOP_OIDC_ISSUER"),
    ({"HIRELOOP_OIDC_CLIENT_SECRET": None}, "so HIRELOOP_OIDC_CLIENT_SECRET must be too"),
    ({"HIRELOOP_OIDC_INTERVIEWER_GROUPS": None}, "no group gives a role"),
    ({"HIRELOOP_OIDC_SCOPES": "email profile"}, "HIRELOOP_OIDC_SCOPES must include 'openid'"),
    ({"HIRELOOP_OIDC_ISSUER": "http://idp.example.com"}, "HIRELOOP_OIDC_ISSUER must be an https:// URL"),
])
def test_production_refuses_to_start_with_an_unusable_sign_in(override, message):
    """Sign-in settings that would let nobody in, or in insecurely, stop the start with a message naming them."""
    env = {k: v for k, v in {**PRODUCTION, **OIDC, **override}.items() if v is not None}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_the_identity_provider_only():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env={**PRODUCTION, **OIDC, "HIRELOOP_PASSWORD_LOGIN": "false"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_carry_a_content_security_policy_and_refuse_framing(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'",
                      "form-action 'self'"):
        assert directive in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert response["X-Frame-Options"] == "DENY"


def _sign_in(client, username: str, password: str, address: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_failures_lock_that_account_from_that_address_only(client, interviewer):
    """Five wrong passwords for ivy from address A lock ivy at A, even with the right password; ivy herself,
    from address B, still signs in: a stranger who knows a username cannot lock its owner out."""
    attacker, owner = "198.51.100.7", "203.0.113.20"
    statuses = [_sign_in(client, "ivy", "wrong", attacker).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    owners_browser = Client()
    signed_in = _sign_in(owners_browser, "ivy", "hireloop-test", owner)
    assert signed_in.status_code == 302
    assert owners_browser.session["_auth_user_id"] == str(interviewer.pk)

    # Her success elsewhere does not lift the lock on the attacker's address.
    response = _sign_in(client, "ivy", "hireloop-test", attacker)
    assert response.status_code == 429
    assert "Signing in is locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_failures_on_other_accounts_do_not_lock_a_colleague_at_the_same_address(client, interviewer,
                                                                                       recruiter):
    """Failures are counted per account and address together: five mistyped usernames behind an office's
    shared address lock nobody else there (the trade-off: no lock on an address across accounts)."""
    for n in range(5):
        assert _sign_in(client, f"guess{n}", "wrong", "203.0.113.9").status_code == 200
    assert _sign_in(client, "rita", "hireloop-test", "203.0.113.9").status_code == 302
