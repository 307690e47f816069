"""The endpoint form of the admin pages: it checks the input's shape; integrations.services holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from hiring.models import DomainEvent
from hiring.text import limit, validate_label
from integrations.models import Delivery, Endpoint
from integrations.services.endpoints import EndpointInput


class EndpointForm(forms.Form):
    name = forms.CharField(
        max_length=limit("endpoint.name"), validators=[validate_label],
                           help_text=gettext_lazy("What it is for, e.g. “ATS sync” or “#hiring-recruiters”.")
    )
    url = forms.CharField(
        label=gettext_lazy("URL"), max_length=2000, widget=forms.URLInput(attrs={"spellcheck": "false"})
    )
    events = forms.MultipleChoiceField(choices=DomainEvent.Kind.choices, widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": gettext_lazy("Choose at least one event.")})
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"),
        choices=Endpoint.Audience.choices,
        required=False,
        help_text=gettext_lazy(
            "Whose channel this is: scorecards submitted, loops ready for review and decisions go to the "
            "recruiters' channel, changed recommendations to the committee's, overdue feedback to the "
            "interviewers'. The default channel gets what no other channel takes."
        ),
    )
    secret = forms.CharField(
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Leave it empty and Hireloop makes one, shown once. Your own: 24 to 200 printable characters."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, kind: str, editing: Endpoint | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Endpoint.Kind.SLACK:
            del self.fields["secret"]
            self.fields["url"].label = gettext("Incoming-webhook URL")
            self.fields["url"].help_text = gettext(
                "From Slack: your app's “Incoming Webhooks” page, one URL per channel (https://hooks.slack.com/"
                "services/…). It is a secret: Hireloop shows only its host afterwards."
            )
        else:
            del self.fields["audience"]
            self.fields["url"].help_text = gettext("Where Hireloop POSTs the signed JSON (https:// in production).")
        if editing is not None:
            self.fields.pop("secret", None)
            if kind == Endpoint.Kind.SLACK:
                self.fields["url"].required = False
                self.fields["url"].help_text = gettext(
                    "Leave it empty to keep the current URL; paste a new one to replace it.")
        else:
            del self.fields["version"]

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> EndpointForm:
        return cls(kind=endpoint.kind, editing=endpoint, initial={
            "name": endpoint.name,
            "url": endpoint.url if endpoint.kind == Endpoint.Kind.WEBHOOK else "",
            "events": endpoint.events,
            "audience": endpoint.audience,
            "version": endpoint.version,
        })

    def endpoint_input(self) -> EndpointInput:
        data = self.cleaned_data
        return EndpointInput(name=data["name"], url=data.get("url") or "", events=list(data["events"]),
                             audience=data.get("audience") or "")


class DeliveryFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "Any"), *Delivery.State.choices], required=False)
