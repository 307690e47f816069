"""The rubric editor's forms: they turn a draft document into fields and the posted fields back into a document.

They hold no rules. Every field is text here and the draft service runs the file validator over the whole
document; its problems (``rubric.dimensions[2].anchors.4: ...``) are put back beside the field they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from scorecards.models import AnchorSource, Signal, WeightKind
from scorecards.rubrics.io import POINTS

THRESHOLD_FIELDS = ("hire", "discuss", "critical_floor", "min_coverage", "high_to_medium_ratio")


class RubricSettingsForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    weight_kind = forms.ChoiceField(
        choices=WeightKind.choices, label="Weights",
        help_text="Percent: each dimension's share, adding up to 100. High / Medium: High counts the ratio below "
        "times Medium. Equal: every dimension weighs 1.",
    )
    hire = forms.CharField(label="Hire threshold", max_length=20)
    discuss = forms.CharField(label="Needs-discussion threshold", max_length=20)
    critical_floor = forms.CharField(
        label="Critical dimension floor", max_length=20,
        help_text="A critical dimension averaging below this means no hire (1 to 5).",
    )
    min_coverage = forms.CharField(
        label="Minimum coverage", max_length=20, help_text="Share of weight assessed, 0 to 1."
    )
    high_to_medium_ratio = forms.CharField(label="High to Medium ratio", max_length=20)


class DimensionForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, required=False)
    weight = forms.CharField(
        max_length=20, required=False, help_text="A percent, high or medium, or 1 for equal weights."
    )
    critical = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for point in POINTS:
            self.fields[f"anchor_{point}"] = forms.CharField(
                required=False, max_length=4000, label=f"Anchor {point}",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"source_{point}"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def anchor_rows(self) -> list[tuple[str, forms.BoundField, str]]:
        """(point, its text field, who wrote the saved text) for the template."""
        initial = self.initial or {}
        return [(point, self[f"anchor_{point}"], initial.get(f"source_{point}", "")) for point in POINTS]


class SignalForm(forms.Form):
    kind = forms.ChoiceField(choices=Signal.Kind.choices)
    text = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 1}))


DimensionFormSet = formset_factory(DimensionForm, extra=1, can_order=True, can_delete=True)
SignalFormSet = formset_factory(SignalForm, extra=1, can_order=True, can_delete=True)


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def editor_initial(document: dict[str, Any], revision: int) -> dict[str, Any]:
    """Initial data of the three forms from a draft document."""
    rubric = document["rubric"]
    dimensions = rubric["dimensions"]
    settings = {"revision": revision, "weight_kind": dimensions[0]["weight_kind"] if dimensions else "percent"}
    settings.update({key: _plain(rubric.get("thresholds", {}).get(key)) for key in THRESHOLD_FIELDS})
    dimension_rows = []
    for dimension in dimensions:
        row = {
            "key": dimension.get("key", ""), "name": dimension["name"], "weight": _plain(dimension["weight"]),
            "critical": bool(dimension.get("critical")),
        }
        for point in POINTS:
            anchor = (dimension.get("anchors") or {}).get(int(point)) or (dimension.get("anchors") or {}).get(point)
            row[f"anchor_{point}"] = (anchor or {}).get("text", "")
            row[f"source_{point}"] = (anchor or {}).get("source", "")
        dimension_rows.append(row)
    signals = [{"kind": s["kind"], "text": s["text"]} for s in rubric.get("signals", [])]
    return {"settings": settings, "dimensions": dimension_rows, "signals": signals}


def editor_document(
    base: dict[str, Any], settings: RubricSettingsForm, dimensions: Any, signals: Any
) -> tuple[dict[str, Any], list[int], list[int]]:
    """The document the posted forms describe, and which form each dimension and signal of it came from.

    Forms left blank (the spare row) are skipped; removed ones are dropped; the rest follow their position.
    """
    weight_kind = settings.cleaned_data["weight_kind"]
    dimension_docs, dimension_forms = [], []
    for form in dimensions.ordered_forms:
        data = form.cleaned_data
        item: dict[str, Any] = {"name": data["name"], "weight_kind": weight_kind, "critical": data["critical"]}
        if data["key"]:
            item["key"] = data["key"]
        weight = data["weight"].strip()
        item["weight"] = 1 if weight_kind == WeightKind.EQUAL and not weight else weight
        item["anchors"] = {
            point: {
                "text": data[f"anchor_{point}"],
                # The service decides who wrote it from the text; a new text is the team's until proven otherwise.
                "source": data[f"source_{point}"] or AnchorSource.TEAM,
            }
            for point in POINTS
        }
        dimension_docs.append(item)
        dimension_forms.append(dimensions.forms.index(form))
    signal_docs, signal_forms = [], []
    for form in signals.ordered_forms:
        if signals.forms.index(form) >= signals.initial_form_count() and not form.cleaned_data["text"].strip():
            continue  # the spare row: its kind has a value from the start, so only its text says it was used
        signal_docs.append({"kind": form.cleaned_data["kind"], "text": form.cleaned_data["text"]})
        signal_forms.append(signals.forms.index(form))
    rubric = dict(base["rubric"])
    rubric["thresholds"] = {key: settings.cleaned_data[key] for key in THRESHOLD_FIELDS}
    rubric["dimensions"] = dimension_docs
    rubric["signals"] = signal_docs
    return {**base, "rubric": rubric}, dimension_forms, signal_forms


def place_problems(
    field_errors: dict[str, list[str]],
    settings: RubricSettingsForm,
    dimensions: Any,
    signals: Any,
    dimension_forms: list[int],
    signal_forms: list[int],
) -> list[str]:
    """Put each problem beside the field it names; return those that belong to no one field."""
    unplaced: list[str] = []
    for path, messages in field_errors.items():
        parts = path.replace("[", ".").replace("]", "").split(".")
        target: tuple[forms.Form, str | None] | None = None
        if parts[:2] == ["rubric", "thresholds"] and len(parts) == 3 and parts[2] in THRESHOLD_FIELDS:
            target = (settings, parts[2])
        elif parts[:2] == ["rubric", "dimensions"] and len(parts) >= 3 and parts[2].isdigit():
            form = dimensions.forms[dimension_forms[int(parts[2])]]
            rest = parts[3:]
            if rest[:1] == ["anchors"] and len(rest) == 2 and rest[1] in POINTS:
                target = (form, f"anchor_{rest[1]}")
            elif rest[:1] in (["weight"], ["name"], ["critical"]):
                target = (form, rest[0])
            elif rest[:1] == ["key"]:
                target = (form, "name")
            else:
                target = (form, _field_named_in(messages))
        elif parts[:2] == ["rubric", "signals"] and len(parts) >= 3 and parts[2].isdigit():
            target = (signals.forms[signal_forms[int(parts[2])]], "text")
        if target is None:
            unplaced += messages
            continue
        form, field = target
        for message in messages:
            form.add_error(field, message)
    return unplaced


def _field_named_in(messages: list[str]) -> str | None:
    """The validator words a dimension's own problems as "weight ...", "name missing", "duplicate dimension name"."""
    text = " ".join(messages)
    if "weight" in text:
        return "weight"
    if "name" in text:
        return "name"
    return None
