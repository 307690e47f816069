from django.urls import path

from hiring.oidc.conf import CALLBACK_URL_NAME
from hiring.oidc.views import OidcAuthenticateView, OidcCallbackView

urlpatterns = [
    path("authenticate/", OidcAuthenticateView.as_view(), name="oidc-authenticate"),
    path("callback/", OidcCallbackView.as_view(), name=CALLBACK_URL_NAME),
]
