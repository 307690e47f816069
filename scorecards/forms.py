"""The scorecard web form: turns posted fields into a ``ScorecardInput`` and service errors back into field errors.

Field names are the ones the service reports problems under
(``dimension-<id>-score``, ``dimension-<id>-evidence``, ``signal-<id>-note``,
``overall``, ``reason``), so an error lands beside the control it is about.
The form holds no rules: completeness, ranges and states are the service's.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

from django import forms
from django.utils.translation import gettext, gettext_lazy

from hiring.errors import ApplicationError
from hiring.text import limit
from scorecards.models import Dimension, Overall, Scorecard, Signal
from scorecards.questions.services import QuestionInput
from scorecards.services.scorecard_input import RatingInput, ScorecardInput, SignalInput, rating_field, signal_field

NOT_ASSESSED = "na"
SCORE_CHOICES = [(str(value), str(value)) for value in range(1, 6)] + [(NOT_ASSESSED, gettext_lazy("Not assessed"))]
EVIDENCE_MAX = limit("rating.evidence")
SUMMARY_MAX = limit("scorecard.summary")
NOTE_MAX = limit("observed_signal.note")


def signal_box(signal_id: int) -> str:
    return f"signal-{signal_id}"


# The rubric's fields are built once per process and shared by every form, instead of some forty built (or deep
# copied) on every page and post: Django copies a form's fields so that one form may alter its own, and this form
# never alters them (nor does validation or rendering). Each field depends only on its label, the cache key.
@lru_cache(maxsize=1024)
def _score_field(dimension_name: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=SCORE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        label=gettext("%(dimension_name)s: score") % {"dimension_name": dimension_name},
    )


@lru_cache(maxsize=1024)
def _evidence_field(dimension_name: str) -> forms.CharField:
    return forms.CharField(
        required=False, max_length=EVIDENCE_MAX, strip=False, widget=forms.Textarea,
        label=gettext("Evidence for %(dimension_name)s") % {"dimension_name": dimension_name},
    )


@lru_cache(maxsize=1024)
def _signal_box_field(signal_text: str) -> forms.BooleanField:
    return forms.BooleanField(required=False, label=signal_text)


@lru_cache(maxsize=1024)
def _red_flag_note_field(signal_text: str) -> forms.CharField:
    return forms.CharField(
        required=False, max_length=NOTE_MAX, strip=False, widget=forms.Textarea,
        label=gettext("Note on the red flag “%(signal_text)s”") % {"signal_text": signal_text},
    )


class ScorecardForm(forms.Form):
    """One field per rubric dimension (score and evidence) and per signal, plus overall and summary."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    overall = forms.ChoiceField(
        choices=Overall.choices, required=False, widget=forms.RadioSelect, label=gettext_lazy("Overall recommendation")
    )
    summary = forms.CharField(
        required=False, max_length=SUMMARY_MAX, strip=False, widget=forms.Textarea, label=gettext_lazy("Summary")
    )

    def __init__(self, *args: Any, dimensions: Iterable[Dimension], signals: Iterable[Signal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        self.signals = list(signals)
        for dimension in self.dimensions:
            self.fields[rating_field(dimension.pk, "score")] = _score_field(dimension.name)
            self.fields[rating_field(dimension.pk, "evidence")] = _evidence_field(dimension.name)
        for signal in self.signals:
            self.fields[signal_box(signal.pk)] = _signal_box_field(signal.text)
            if signal.kind == Signal.Kind.RED_FLAG:
                self.fields[signal_field(signal.pk)] = _red_flag_note_field(signal.text)

    @staticmethod
    def initial_from(scorecard: Scorecard | None, *, version: int) -> dict[str, Any]:
        """The form's values for a saved scorecard (ratings and signals prefetched), exactly as stored."""
        initial: dict[str, Any] = {"version": version}
        if scorecard is None:
            return initial
        initial["overall"] = scorecard.overall
        initial["summary"] = scorecard.summary
        for rating in scorecard.ratings.all():
            score = NOT_ASSESSED if rating.not_assessed else (str(rating.score) if rating.score else "")
            initial[rating_field(rating.dimension_id, "score")] = score
            initial[rating_field(rating.dimension_id, "evidence")] = rating.evidence
        for observed in scorecard.observed_signals.all():
            initial[signal_box(observed.signal_id)] = True
            initial[signal_field(observed.signal_id)] = observed.note
        return initial

    def to_input(self) -> ScorecardInput:
        """The cleaned values as the service's input; call after ``is_valid()``."""
        data = self.cleaned_data
        ratings = []
        for dimension in self.dimensions:
            score = data.get(rating_field(dimension.pk, "score")) or ""
            evidence = data.get(rating_field(dimension.pk, "evidence")) or ""
            if not score and not evidence.strip():
                continue
            ratings.append(
                RatingInput(
                    dimension_id=dimension.pk,
                    score=int(score) if score and score != NOT_ASSESSED else None,
                    not_assessed=score == NOT_ASSESSED,
                    evidence=evidence,
                )
            )
        signals = [
            SignalInput(signal_id=signal.pk, note=data.get(signal_field(signal.pk)) or "")
            for signal in self.signals
            if data.get(signal_box(signal.pk))
        ]
        return ScorecardInput(
            ratings=ratings, signals=signals, overall=data.get("overall") or "", summary=data.get("summary") or ""
        )

    @property
    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])

    def add_service_error(self, error: ApplicationError) -> None:
        """Put each of the service's problems beside its field; problems without a field go on top."""
        if not error.field_errors:
            self.add_error(None, error.message)
            return
        for name, messages in error.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def has_version_problem(self) -> bool:
        return "version" in self.errors


class AmendForm(ScorecardForm):
    """The scorecard form plus the reason; the service requires the reason, reported with the other problems."""

    reason = forms.CharField(
        required=False, max_length=limit("scorecard.amendment_reason"), widget=forms.Textarea,
        label=gettext_lazy("Why are you amending this scorecard?"),
        help_text=gettext_lazy("Required. The committee sees it beside both versions: what you learned or corrected."),
    )


class QuestionForm(forms.Form):
    """A question of the bank: the page's form for ``scorecards.questions.services``."""

    text = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    dimension_keys = forms.MultipleChoiceField(
        label="Dimensions it assesses", widget=forms.CheckboxSelectMultiple,
        help_text="Linked by the dimension's name, so the question stays linked when the rubric is published again.",
    )
    probes = forms.CharField(label="Follow-up probes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="One per line.")
    strong_answer = forms.CharField(label="What a strong answer sounds like", required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    weak_answer = forms.CharField(label="What a weak answer sounds like", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, dimensions: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["dimension_keys"]).choices = list(dimensions.items())

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            text=data["text"], dimension_keys=list(data["dimension_keys"]),
            probes=[line for line in data.get("probes", "").splitlines() if line.strip()],
            strong_answer=data.get("strong_answer", ""), weak_answer=data.get("weak_answer", ""),
        )

    def add_service_error(self, error: ApplicationError) -> None:
        for name, messages in error.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not error.field_errors:
            self.add_error(None, error.message)
