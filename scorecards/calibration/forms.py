"""The report request form: it checks the shape of the input; the service holds the rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hiring.models import Interview, Role
from scorecards.calibration.services import MIN_SAMPLE_BOUNDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalibrationRequestForm(forms.Form):
    role = forms.ModelChoiceField(
        queryset=Role.objects.filter(rubrics__isnull=False).distinct().order_by("title"),
        required=False,
        empty_label=gettext_lazy("All roles"),
    )
    date_from = forms.DateField(label=gettext_lazy("Interviews ended from"), widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("to (inclusive)"), widget=DateInput())
    interview_kind = forms.ChoiceField(
        label=gettext_lazy("Interview kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *Interview.Kind.choices],
    )
    min_sample = forms.IntegerField(
        label=gettext_lazy("Minimum sample"),
        min_value=MIN_SAMPLE_BOUNDS[0],
        max_value=MIN_SAMPLE_BOUNDS[1],
        help_text=gettext_lazy(
            "Figures from fewer scorecards, ratings or loops than this are shown greyed with their n."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        today = timezone.localdate()
        kwargs["initial"] = {
            "date_from": today - timedelta(days=90),
            "date_to": today,
            "min_sample": settings.HIRELOOP_CALIBRATION_MIN_SAMPLE,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        # The browser's date picker stops at today, as the service does (a report cannot cover days to come).
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["max"] = today.isoformat()
