"""Forms for the recruiter's pages: they check the shape of input; the services hold the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext, gettext_lazy

from exercises.models import Exercise
from hiring.errors import ApplicationError
from hiring.models import Candidate, Interview, InterviewLoop, User
from hiring.selectors.loops import ACTIVE_STATUSES, people_choices, recruiter_choices, roles_with_rubric
from hiring.selectors.pipeline import PIPELINE_DEFAULT_SORT, PIPELINE_SORTS, PipelineFilters
from hiring.text import limit, validate_label
from scorecards.models import Dimension

SOURCE_SUGGESTIONS = ("Referral", "LinkedIn", "Careers page", "Agency", "Job board", "Event", "Internal")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def apply_error(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's refusal on the form: the summary on top, each detail under its field."""
    form.add_error(None, error.message)
    for name, messages in error.field_errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_kind_display()})"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


# --- Candidates -------------------------------------------------------------------


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=limit("candidate.name"), validators=[validate_label])
    email = forms.EmailField(max_length=limit("candidate.email"))
    phone = forms.CharField(max_length=limit("candidate.phone"), required=False)
    source = forms.CharField(
        max_length=limit("candidate.source"),
        required=False,
        help_text=gettext_lazy("Where the candidate came from: referral, agency, careers page..."),
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=limit("candidate.notes")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].widget.attrs["list"] = "source-suggestions"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    @classmethod
    def for_candidate(cls, candidate: Candidate) -> CandidateForm:
        return cls(initial={name: getattr(candidate, name) for name in ("name", "email", "phone", "source", "notes")})


class CandidateSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=gettext_lazy("Name or email"))


# --- Loops ------------------------------------------------------------------------


class LoopOpenForm(forms.Form):
    candidate = forms.ModelChoiceField(queryset=Candidate.objects.none(), widget=forms.HiddenInput)
    role = forms.ModelChoiceField(queryset=roles_with_rubric(), empty_label=gettext_lazy("Choose a role"),
                                  help_text=gettext_lazy("The loop uses the role's current rubric version."))
    recruiter = PersonChoiceField(queryset=recruiter_choices(), empty_label=None)
    hiring_manager = PersonChoiceField(
        queryset=people_choices(), required=False, empty_label=gettext_lazy("Nobody yet")
    )
    candidate_invites = forms.BooleanField(
        required=False,
        label=gettext_lazy("Email the candidate calendar invites"),
        help_text=gettext_lazy(
            "The candidate gets an invitation (time, interview kind, role: nothing of the kit) for each "
            "interview, and its updates."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields maps names to plain Field; these are the model choice fields declared above.
        cast(forms.ModelChoiceField, self.fields["candidate"]).queryset = Candidate.objects.filter(
            erased_at__isnull=True
        )
        cast(forms.ModelChoiceField, self.fields["role"]).queryset = roles_with_rubric()
        cast(forms.ModelChoiceField, self.fields["recruiter"]).queryset = recruiter_choices()
        cast(forms.ModelChoiceField, self.fields["hiring_manager"]).queryset = people_choices()


class LoopAssignForm(forms.Form):
    recruiter = PersonChoiceField(queryset=recruiter_choices(), empty_label=None)
    hiring_manager = PersonChoiceField(
        queryset=people_choices(), required=False, empty_label=gettext_lazy("Nobody yet")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["recruiter"]).queryset = recruiter_choices()
        cast(forms.ModelChoiceField, self.fields["hiring_manager"]).queryset = people_choices()


class LoopWithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limit("loop.withdrawn_reason"),
        help_text=gettext_lazy("Why the loop ends without a decision: the candidate withdrew, accepted another offer, "
        "the role was closed..."),
    )


# --- Interviews -------------------------------------------------------------------


class DimensionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.weight_given}{'%' if obj.weight_kind == 'percent' else ''})" + (
            " · critical" if obj.critical else ""
        )


class InterviewForm(forms.Form):
    kind = forms.ChoiceField(choices=Interview.Kind.choices)
    interviewer = PersonChoiceField(queryset=people_choices(), empty_label=gettext_lazy("Choose an interviewer"))
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DateTimeLocalInput())
    focus_dimensions = DimensionChoiceField(
        queryset=Dimension.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "What this interviewer assesses. Leave all unticked to have them score every dimension."
        ),
    )
    exercise = forms.ModelChoiceField(
        queryset=Exercise.objects.none(), required=False, empty_label=gettext_lazy("No exercise")
    )
    feedback_due_at = forms.DateTimeField(
        label=gettext_lazy("Feedback due"), required=False, widget=DateTimeLocalInput(),
        help_text=gettext_lazy("Leave empty for 24 hours after the interview ends."),
    )

    def __init__(self, *args: Any, loop: InterviewLoop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["interviewer"]).queryset = people_choices()
        cast(forms.ModelMultipleChoiceField, self.fields["focus_dimensions"]).queryset = Dimension.objects.filter(
            rubric_id=loop.rubric_id
        ).order_by("position")
        cast(forms.ModelChoiceField, self.fields["exercise"]).queryset = Exercise.objects.filter(
            role_id=loop.role_id, is_active=True
        ).order_by("position", "id")

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; the stub allows None for overrides that return nothing.
        data = cast("dict[str, Any]", super().clean())
        _check_interview_times(self, data)
        return data


def _check_interview_times(form: forms.Form, data: dict[str, Any]) -> None:
    """Scheduling and rescheduling share the rules on an interview's times: it ends after it starts, and its
    feedback is not due before it ends."""
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts and ends and ends <= starts:
        form.add_error("ends_at", gettext("The interview must end after it starts."))
    due = data.get("feedback_due_at")
    if due and ends and due < ends:
        form.add_error("feedback_due_at", gettext("Feedback cannot be due before the interview ends."))


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DateTimeLocalInput())
    feedback_due_at = forms.DateTimeField(
        label=gettext_lazy("Feedback due"), required=False, widget=DateTimeLocalInput(),
        help_text=gettext_lazy("Leave empty to keep it as long after the end as it is now."),
    )

    @classmethod
    def for_interview(cls, interview: Interview) -> RescheduleForm:
        return cls(initial={"starts_at": interview.starts_at, "ends_at": interview.ends_at})

    def clean(self) -> dict[str, Any]:
        data = cast("dict[str, Any]", super().clean())
        _check_interview_times(self, data)
        return data


class CandidateInvitesForm(forms.Form):
    enabled = forms.BooleanField(required=False)


class ReassignForm(forms.Form):
    interviewer = PersonChoiceField(queryset=people_choices(), empty_label=gettext_lazy("Choose the new interviewer"))

    def __init__(self, *args: Any, exclude: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = people_choices()
        if exclude is not None:
            people = people.exclude(pk=exclude.pk)
        cast(forms.ModelChoiceField, self.fields["interviewer"]).queryset = people


# --- The pipeline -----------------------------------------------------------------


STATUS_FILTER_CHOICES = [
    ("", gettext_lazy("Active loops")),
    *[(status.value, status.label) for status in InterviewLoop.Status if status in ACTIVE_STATUSES],
    (InterviewLoop.Status.DECIDED.value, InterviewLoop.Status.DECIDED.label),
    (InterviewLoop.Status.WITHDRAWN.value, InterviewLoop.Status.WITHDRAWN.label),
    ("all", gettext_lazy("All loops")),
]
SORT_CHOICES = [(key, key) for key in PIPELINE_SORTS] + [(f"-{key}", f"-{key}") for key in PIPELINE_SORTS]


class PipelineFilterForm(forms.Form):
    role = forms.ModelChoiceField(queryset=roles_with_rubric(), required=False, empty_label=gettext_lazy("All roles"))
    recruiter = PersonChoiceField(
        queryset=recruiter_choices(), required=False, empty_label=gettext_lazy("All recruiters")
    )
    status = forms.ChoiceField(choices=STATUS_FILTER_CHOICES, required=False, label=gettext_lazy("Stage"))
    overdue = forms.BooleanField(required=False, label=gettext_lazy("Feedback overdue"))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["role"]).queryset = roles_with_rubric()
        cast(forms.ModelChoiceField, self.fields["recruiter"]).queryset = recruiter_choices()

    def filters(self) -> PipelineFilters:
        """The filters asked for; anything malformed falls back to its default rather than failing the page."""
        self.is_valid()
        data = self.cleaned_data
        role = data.get("role")
        recruiter = data.get("recruiter")
        return PipelineFilters(
            role_id=role.pk if role else None,
            recruiter_id=recruiter.pk if recruiter else None,
            status=data.get("status") or "",
            overdue_only=bool(data.get("overdue")),
            sort=data.get("sort") or PIPELINE_DEFAULT_SORT,
        )
