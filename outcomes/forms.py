from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from hiring.forms import PersonChoiceField
from hiring.models import Role, User
from hiring.text import limit
from outcomes.models import SCALE, OutcomeArea

# Lazy, so that each request shows the labels in its own language.
RATING_CHOICES = [(str(value), format_lazy("{} – {}", value, label)) for value, label in SCALE.items()]
YES_NO = [("yes", "Yes"), ("no", "No")]


class HireStartForm(forms.Form):
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False,
                                 label=gettext_lazy("Start date"))
    manager = PersonChoiceField(queryset=User.objects.filter(is_active=True).order_by("first_name", "username"),
                                required=False, label=gettext_lazy("Manager"),
                                help_text=gettext_lazy("They receive the check-ins."))


class CheckInForm(forms.Form):
    performance = forms.ChoiceField(choices=RATING_CHOICES, widget=forms.RadioSelect, required=False,
                                    label=gettext_lazy("Overall performance"))
    would_hire_again = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, required=False,
                                         label=gettext_lazy("Knowing what you know now, would you hire them again?"))
    still_in_role = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, required=False,
                                      label=gettext_lazy("Are they still in the role?"))
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=limit("checkin.comment"), label=gettext_lazy("Anything to add (optional)"))

    def __init__(self, *args: Any, areas: list[OutcomeArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            marked = f" ({area.get_source_display()})" if area.from_document and not area.edited else ""
            self.fields[f"area_{area.pk}"] = forms.ChoiceField(
                choices=[("", gettext_lazy("Not observed")), *RATING_CHOICES], widget=forms.RadioSelect, required=False,
                label=f"{area.title}{marked}", help_text=area.description)

    def area_values(self) -> dict[str, str]:
        return {str(area.pk): self.data.get(f"area_{area.pk}", "") for area in self.areas}


class ValidityRequestForm(forms.Form):
    role = forms.ModelChoiceField(queryset=Role.objects.order_by("title"), required=False)
    checkin = forms.CharField(required=False, max_length=5, label=gettext_lazy("Check-in"),
                              help_text=gettext_lazy("Such as 90d or 12m; empty: the latest with outcomes."))
