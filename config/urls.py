from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hiring.views import profile
from hiring.views.loops import home
from hiring.views.sign_in import SignInView, admin_sign_in

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/oidc/", include("hiring.oidc.urls")),
    path("accounts/profile/", profile.profile, name="profile"),
    path("accounts/profile/tokens/", profile.profile_token_create, name="profile-token-create"),
    path("accounts/profile/slack/", profile.profile_slack_id_set, name="profile-slack-id"),
    path("accounts/profile/language/", profile.profile_locale_set, name="profile-locale"),
    path(
        "accounts/profile/tokens/<int:pk>/revoke/", profile.profile_token_revoke, name="profile-token-revoke"
    ),
    path("admin/login/", admin_sign_in, name="admin-sign-in"),
    path("accounts/profile/calendar-feed/", profile.profile_feed_create, name="profile-feed-create"),
    path("accounts/profile/calendar-feed/revoke/", profile.profile_feed_revoke, name="profile-feed-revoke"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api.urls")),
    path("", include("hiring.urls")),
    path("", include("scorecards.urls")),
    path("exercises/", include("exercises.urls")),
    path("integrations/", include("integrations.urls")),
    path("outcomes/", include("outcomes.urls")),
]
