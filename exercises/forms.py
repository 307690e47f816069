"""Forms: they parse input for the services and show the services' errors; the rules live in services."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from exercises.models import Exercise
from exercises.services.library import ExerciseInput
from exercises.uploads import accept_attribute
from hiring.errors import ApplicationError
from hiring.models import Interview, User
from hiring.text import limit, validate_label

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class ServiceErrorsMixin:
    """Shows an ApplicationError's field errors on the fields, the rest at the top of the form."""

    def add_service_error(self, error: ApplicationError, field_map: dict[str, str] | None = None) -> None:
        field_map = field_map or {}
        placed = False
        for name, messages in error.field_errors.items():
            target = field_map.get(name, name)
            if target in self.fields:  # type: ignore[attr-defined]
                for message in messages:
                    self.add_error(target, message)  # type: ignore[attr-defined]
                placed = True
            else:
                for message in messages:
                    self.add_error(None, message)  # type: ignore[attr-defined]
                placed = True
        if not placed:
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class ExerciseForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=limit("exercise.title"), validators=[validate_label])
    format = forms.ChoiceField(choices=Exercise.Format.choices)
    duration = forms.CharField(max_length=limit("exercise.duration"), required=False,
                               help_text=gettext_lazy("As you would tell the candidate, e.g. “60–90 minutes”."))
    materials = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=gettext_lazy("What the candidate is given"),
        help_text=gettext_lazy("One item per line."),
    )
    tasks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text=gettext_lazy("One task per line.")
    )
    evaluation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=gettext_lazy("How it is evaluated"),
        help_text=gettext_lazy("One criterion per line; reviewers see these in their interview kit."),
    )
    dimension_names = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label=gettext_lazy("Dimensions it feeds"),
        help_text=gettext_lazy("The scorecard of a review or interview with this exercise focuses on these."),
    )
    is_active = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("In the library (uncheck to retire it)")
    )
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, dimension_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dimensions = cast(forms.MultipleChoiceField, self.fields["dimension_names"])
        dimensions.choices = [(name, name) for name in dimension_names]

    @classmethod
    def initial_for(cls, exercise: Exercise) -> dict[str, Any]:
        return {
            "title": exercise.title,
            "format": exercise.format,
            "duration": exercise.duration,
            "materials": "\n".join(exercise.materials),
            "tasks": "\n".join(exercise.tasks),
            "evaluation": "\n".join(exercise.evaluation),
            "dimension_names": exercise.dimension_names,
            "is_active": exercise.is_active,
            "updated_at": exercise.updated_at.isoformat(),
        }

    def to_input(self) -> ExerciseInput:
        data = self.cleaned_data
        return ExerciseInput(
            title=data["title"],
            format=data["format"],
            duration=data["duration"],
            materials=lines(data["materials"]),
            tasks=lines(data["tasks"]),
            evaluation=lines(data["evaluation"]),
            dimension_names=list(data["dimension_names"]),
            is_active=data["is_active"],
        )

    def expected_updated_at(self) -> datetime | None:
        raw = self.cleaned_data.get("updated_at") or ""
        try:
            return datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class AssignForm(ServiceErrorsMixin, forms.Form):
    exercise = forms.ModelChoiceField(
        queryset=Exercise.objects.none(), empty_label=None, label=gettext_lazy("Take-home exercise")
    )
    due_at = forms.DateTimeField(widget=DATETIME_INPUT, label=gettext_lazy("Deadline"))
    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Reviewer"),
                                      help_text=gettext_lazy("Gets a take-home review in “My interviews”."))
    review_due_at = forms.DateTimeField(
        widget=DATETIME_INPUT,
        required=False,
        label=gettext_lazy("Review feedback due"),
        help_text=gettext_lazy("Leave empty for the usual delay after the deadline."),
    )

    def __init__(self, *args: Any, exercises: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Exercise]", self.fields["exercise"]).queryset = exercises
        reviewer = cast("forms.ModelChoiceField[User]", self.fields["reviewer"])
        reviewer.queryset = reviewers
        # A per-form label: the instance attribute shadows the method, which the stubs only know as a method.
        reviewer.label_from_instance = lambda obj: obj.display_name  # type: ignore[method-assign]
        zone = timezone.get_current_timezone_name()
        self.fields["due_at"].help_text = f"In {zone}; the candidate's email states the deadline with its time zone."

    def clean_due_at(self) -> datetime | None:
        return _aware(self.cleaned_data.get("due_at"))

    def clean_review_due_at(self) -> datetime | None:
        return _aware(self.cleaned_data.get("review_due_at"))


class ExtendForm(ServiceErrorsMixin, forms.Form):
    due_at = forms.DateTimeField(widget=DATETIME_INPUT, label=gettext_lazy("New deadline"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limit("extension.reason"),
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Kept in the extension history; the candidate is told the new deadline."),
    )

    def clean_due_at(self) -> datetime | None:
        return _aware(self.cleaned_data.get("due_at"))


class AttachForm(ServiceErrorsMixin, forms.Form):
    interview: forms.ModelChoiceField[Interview] = forms.ModelChoiceField(
        queryset=None, empty_label=None, label=gettext_lazy("Interview")
    )
    exercise: forms.ModelChoiceField[Exercise] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=gettext_lazy("No exercise"),
        label=gettext_lazy("Live or discussion exercise"),
    )
    add_focus = forms.BooleanField(required=False, initial=True,
                                   label=gettext_lazy("Add the exercise's dimensions to the interview's focus"))

    def __init__(self, *args: Any, interviews: Any, exercises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interview = cast("forms.ModelChoiceField[Interview]", self.fields["interview"])
        interview.queryset = interviews
        interview.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: f"{obj.get_kind_display()} with {obj.interviewer.display_name}, "
            f"{timezone.localtime(obj.starts_at):%d %b %Y %H:%M}"
        )
        exercise = cast("forms.ModelChoiceField[Exercise]", self.fields["exercise"])
        exercise.queryset = exercises
        exercise.label_from_instance = lambda obj: f"{obj.title} ({obj.get_format_display()})"  # type: ignore[method-assign]


class SubmissionForm(ServiceErrorsMixin, forms.Form):
    """The candidate's form. Checks of size and type happen in the service, with the reasons spelled out."""

    repository_url = forms.CharField(
        max_length=500, required=False, label=gettext_lazy("Repository URL"),
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/you/your-solution", "autocomplete": "url"}),
        help_text=gettext_lazy("Make sure the reviewers can open it (public, or shared with the recruiter)."),
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=limit("submission.note"),
                           label=gettext_lazy("Note for the reviewers"))
    file = forms.FileField(required=False, label=gettext_lazy("File"), widget=forms.FileInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = accept_attribute()
