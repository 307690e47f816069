"""The profile page: who you are, your Slack member id, your calendar feed URL and your personal API tokens
(create, see once, revoke).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from hiring.accounts.locale import activate_for_user, language_choices, time_zone_choices
from hiring.accounts.profile import user_locale_set, user_slack_id_set
from hiring.accounts.tokens import api_token_create, api_token_revoke, api_tokens_of, days_left
from hiring.calendar.feeds import calendar_feed_active, calendar_feed_create, calendar_feed_revoke
from hiring.errors import ApplicationError, NotFound
from hiring.models import ApiToken
from hiring.templatetags.isolation import html_message, isolate
from hiring.text import limit, validate_label
from hiring.types import AuthenticatedHttpRequest


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=limit("api_token.name"),
        validators=[validate_label],
        help_text=gettext_lazy("Say what the token is for, e.g. “ATS sync” or “calendar bot”."),
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a whole number of days.")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("A read-only token can read what you can read, and is refused any change (HTTP 403)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # From settings at each use, not at import: the limits are configuration.
        days, maximum = settings.HIRELOOP_API_TOKEN_DAYS, settings.HIRELOOP_API_TOKEN_MAX_DAYS
        out_of_range = f"Choose between 1 and {maximum} days."
        field = self.fields["expires_in_days"]
        field.initial = days
        field.validators += [MinValueValidator(1, out_of_range), MaxValueValidator(maximum, out_of_range)]
        field.widget.attrs.update({"min": 1, "max": maximum})
        field.help_text = (
            f"From 1 to {maximum} days; {days} if left empty. "
            f"You are emailed {settings.HIRELOOP_API_TOKEN_WARNING_DAYS} days before it expires."
        )


class LocaleForm(forms.Form):
    language = forms.ChoiceField(
        label=_lazy("Language"),
        required=False,
        help_text=_lazy("Pages, emails to you and the PDFs you download. Left on “Browser's language”, Hireloop "
                        "follows your browser, else English."),
    )
    time_zone = forms.ChoiceField(
        label=_lazy("Time zone"),
        required=False,
        help_text=_lazy("Dates and times on pages and in emails to you. Left empty: the site's time zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language, zone = self.fields["language"], self.fields["time_zone"]
        assert isinstance(language, forms.ChoiceField) and isinstance(zone, forms.ChoiceField)
        language.choices = [("", _("Browser's language")), *language_choices()]
        zone.choices = [("", _("Site's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}), *time_zone_choices()]


class SlackIdForm(forms.Form):
    slack_user_id = forms.CharField(
        label=gettext_lazy("Slack member id"),
        max_length=20,
        required=False,
        help_text=gettext_lazy(
            "Like U024BE7LH. In Slack: your profile, ⋮ (more), Copy member ID. Hireloop's Slack reminders "
            "then mention you. Leave it empty to be named instead."
        ),
    )


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    expired: bool
    days_left: int


def _page(
    request: AuthenticatedHttpRequest, form: ApiTokenForm, *, new_token: str = "", new_feed_url: str = "",
    status: int = 200, slack_form: SlackIdForm | None = None, locale_form: LocaleForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    context: dict[str, Any] = {
        "form": form,
        "locale_form": locale_form or LocaleForm(
            initial={"language": request.user.language, "time_zone": request.user.time_zone}
        ),
        "slack_form": slack_form or SlackIdForm(initial={"slack_user_id": request.user.slack_user_id}),
        "tokens": [
            TokenRow(token=token, expired=token.is_expired(now), days_left=days_left(token, now=now))
            for token in api_tokens_of(request.user)
        ],
        "new_token": new_token,
        "feed": calendar_feed_active(request.user),
        "feed_past_days": settings.HIRELOOP_CALENDAR_FEED_PAST_DAYS,
        "new_feed_url": new_feed_url,
    }
    response = render(request, "hiring/profile.html", context, status=status)
    if new_token or new_feed_url:
        # The only time the plaintext exists outside the user's hands: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, ApiTokenForm())


@login_required
@require_POST
def profile_token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        issued = api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
            scope=form.cleaned_data["scope"],
        )
    except ApplicationError as exc:
        for field, errors in exc.field_errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        if not exc.field_errors:
            form.add_error(None, exc.message)
        return _page(request, form, status=exc.status_code)
    # Shown in this response only (never redirected through the session): the plaintext is not stored anywhere.
    return _page(request, ApiTokenForm(), new_token=issued.plaintext, status=201)


@login_required
@require_POST
def profile_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        token = api_token_revoke(actor=request.user, token_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(
        request,
        html_message(
            gettext("Token “%(name)s” (%(prefix)s…) is revoked; requests with it are refused."),
            name=isolate(token.name),
            prefix=token.prefix,
        ),
    )
    return redirect("profile")


@login_required
@require_POST
def profile_feed_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make (or regenerate) the calendar feed URL; like a token, it is shown in this response only."""
    issued = calendar_feed_create(actor=request.user)
    return _page(request, ApiTokenForm(), new_feed_url=issued.url, status=201)


@login_required
@require_POST
def profile_feed_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        calendar_feed_revoke(actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(
        request, gettext("Your calendar feed URL is revoked; calendar apps using it get nothing from now on.")
    )
    return redirect("profile")


@login_required
@require_POST
def profile_slack_id_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SlackIdForm(request.POST)
    if form.is_valid():
        try:
            user_slack_id_set(actor=request.user, slack_user_id=form.cleaned_data["slack_user_id"])
        except ApplicationError as exc:
            for errors in exc.field_errors.values():
                for error in errors:
                    form.add_error("slack_user_id", error)
        else:
            messages.success(request, gettext("Slack member id saved.") if request.user.slack_user_id
                             else gettext("Slack member id removed."))
            return redirect("profile")
    return _page(request, ApiTokenForm(), slack_form=form, status=400)


@login_required
@require_POST
def profile_locale_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LocaleForm(request.POST)
    if form.is_valid():
        try:
            user_locale_set(actor=request.user, language=form.cleaned_data["language"],
                            time_zone=form.cleaned_data["time_zone"])
        except ApplicationError as exc:
            for field, errors in exc.field_errors.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            # The confirmation is read on the next page, in the language just chosen.
            activate_for_user(request.user)
            if not request.user.language:
                translation.activate(translation.get_language_from_request(request))
            messages.success(request, _("Language and time zone saved."))
            return redirect("profile")
    return _page(request, ApiTokenForm(), locale_form=form, status=400)
