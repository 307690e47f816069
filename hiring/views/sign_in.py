"""The sign-in page: the password form, a "Sign in with <provider>" button, or both, as configured.

``HIRELOOP_PASSWORD_LOGIN=false`` refuses passwords everywhere they could be
sent: this form's POST and the Django admin's own login page, which sends
people here instead. The page only offers what is on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from hiring.oidc.conf import oidc_enabled


class SignInView(LoginView):
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            password_login=settings.HIRELOOP_PASSWORD_LOGIN,
            oidc_enabled=oidc_enabled(),
            provider_name=settings.HIRELOOP_OIDC_PROVIDER_NAME,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.HIRELOOP_PASSWORD_LOGIN:
            # Before the form is read: no password is checked, so none can be guessed here either.
            context = self.get_context_data(password_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's login page, unless passwords are off: then Hireloop's sign-in page, back to the admin after."""
    if settings.HIRELOOP_PASSWORD_LOGIN:
        return admin.site.login(request)
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
