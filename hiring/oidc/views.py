"""Starting a sign-in at the provider, its callback, and the page that says why a sign-in failed.

Every failure ends on ``registration/sign_in_failed.html`` with a 4xx (503
when the provider cannot be reached), naming the problem: the library's own
views answer a stale state with a bare 400, a refused code with a 500, and
other failures by redirecting to a page that says nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from hiring.accounts.provisioning import SignInRefused
from hiring.oidc.conf import library_setting, oidc_enabled
from hiring.oidc.discovery import provider_metadata
from hiring.oidc.errors import OidcSignInFailed

logger = logging.getLogger(__name__)
ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# What the provider's `error` (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6) means for the person who sees it.
PROVIDER_ERRORS = {
    "access_denied": "The sign-in was declined at the identity provider (you cancelled it, or it does not allow "
                     "you to use Hireloop).",
    "login_required": "The identity provider needs you to sign in there first.",
    "interaction_required": "The identity provider needs you to confirm something there first.",
    "consent_required": "The identity provider needs your consent to let Hireloop know who you are.",
    "temporarily_unavailable": "The identity provider is temporarily unavailable.",
    "server_error": "The identity provider had an error.",
}


def sign_in_failed(request: HttpRequest, failure: OidcSignInFailed) -> HttpResponse:
    logger.warning("OIDC sign-in failed: %s", failure.code)
    return render(
        request,
        "registration/sign_in_failed.html",
        {"title": failure.title, "message": failure.message, "code": failure.code,
         "provider_name": settings.HIRELOOP_OIDC_PROVIDER_NAME},
        status=failure.status,
    )


def _not_configured() -> OidcSignInFailed:
    return OidcSignInFailed(
        "not_configured", "Sign-in with an identity provider is not set up on this Hireloop.", status=404
    )


class OidcAuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge kept in the session."""

    get_settings = staticmethod(library_setting)

    def __init__(self, **kwargs: Any) -> None:
        # Not the library's __init__, which reads the endpoint before the view can answer a provider that is down.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.HIRELOOP_OIDC_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            return sign_in_failed(request, _not_configured())
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata().authorization_endpoint
        except OidcSignInFailed as failure:
            return sign_in_failed(request, failure)
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the state is checked and used up, then the backend signs in."""

    get_settings = staticmethod(library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            return sign_in_failed(request, _not_configured())
        states = request.session.get("oidc_states")
        state = request.GET.get("state", "")
        pending = states.pop(state, None) if isinstance(states, dict) and state else None
        if pending is not None:
            # Used up whatever follows: the same state (and so the same code) is never accepted twice.
            request.session.modified = True
            request.session.save()
        returned_issuer = request.GET.get("iss")
        if returned_issuer is not None and returned_issuer != settings.HIRELOOP_OIDC_ISSUER:
            # RFC 9207: a provider that names itself must be the configured one (a mix-up attack otherwise).
            return sign_in_failed(request, OidcSignInFailed(
                "issuer_mismatch",
                "This sign-in answer comes from another identity provider than Hireloop's. Start the sign-in again.",
            ))
        error = request.GET.get("error")
        if error:
            return sign_in_failed(request, _provider_error(error))
        if not request.GET.get("code") or not state:
            return sign_in_failed(request, OidcSignInFailed(
                "callback_incomplete",
                "The identity provider's answer is missing the sign-in code or state. Start the sign-in again.",
            ))
        if not isinstance(pending, dict):
            return sign_in_failed(request, OidcSignInFailed(
                "state_mismatch",
                "This sign-in answer does not belong to a sign-in started in this browser, or was already used "
                "(its state does not match). Start the sign-in again from Hireloop's sign-in page.",
            ))
        # As the library does: read the session again after the slow exchange, so that what another tab wrote
        # to it meanwhile (another sign-in's state) is not overwritten.
        request.session = request.session.__class__(request.session.session_key)
        try:
            user = auth.authenticate(
                request=request, nonce=pending.get("nonce"), code_verifier=pending.get("code_verifier")
            )
        except OidcSignInFailed as failure:
            return sign_in_failed(request, failure)
        except SignInRefused as refusal:
            return sign_in_failed(request, OidcSignInFailed(
                refusal.code, refusal.message, status=403, title="You cannot sign in to Hireloop"
            ))
        if user is None or not user.is_active:
            # Axes refused (the address is locked out: its middleware shows that page instead of this one).
            return sign_in_failed(request, OidcSignInFailed(
                "refused", "Hireloop could not sign you in. Try again later.", status=403
            ))
        self.user = user
        return self.login_success()


def _provider_error(error: str) -> OidcSignInFailed:
    code = error if ERROR_CODE.match(error) else "unknown"
    explanation = PROVIDER_ERRORS.get(code, "The identity provider could not sign you in.")
    return OidcSignInFailed(
        f"provider_{code}",
        f"{explanation} (The provider's answer: {code}.) Start the sign-in again if you wish.",
        status=403 if code == "access_denied" else 400,
        title="The identity provider did not sign you in",
    )
