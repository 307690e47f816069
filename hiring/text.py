"""What a person may type: the one source of every free-text field's maximum length, and the check on names.

The models (``max_length`` and validators, so the admin obeys), the web forms, the API serializers, the
services and the importer all take their numbers from ``LIMITS`` here, and ``docs/security.md`` lists them.
The limits are generous: they stop a runaway paste or a hostile megabyte, not a thorough interviewer.

Names and labels (a candidate's or user's name, a role's or exercise's title, a token's or webhook's name) are
shown inside sentences and tables, so one carrying a bidirectional control (a right-to-left override, say)
could reorder the text around it, and one carrying a zero-width character could pass for another name. Those
are refused (``label_problem``). Free text (evidence, summaries, notes) keeps whatever was typed, since refusing
a pasted paragraph for an invisible character would lose work; pages show it isolated instead (the
``isolate`` template filter), so it cannot reorder anything outside itself.

A leaf: imports nothing of Hireloop, so models and every layer may use it.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext, gettext_lazy, gettext_noop

# field (model.field as people know it) -> the most characters it holds
LIMITS: dict[str, int] = {
    # names and labels: checked for bidirectional and zero-width characters too
    "candidate.name": 200,
    "user.first_name": 150,
    "user.last_name": 150,
    "role.title": 200,
    "role.level": 200,
    "exercise.title": 300,
    "focus_area.title": 300,
    "dimension.name": 200,
    "api_token.name": 100,
    "endpoint.name": 100,
    # contact details
    "candidate.email": 254,
    "candidate.phone": 50,
    "candidate.source": 100,
    # free text
    "candidate.notes": 10_000,
    "role.purpose": 10_000,
    "loop.withdrawn_reason": 2_000,
    "loop.decision_rationale": 10_000,
    "loop.decision_justification": 10_000,
    "scorecard.summary": 20_000,
    "scorecard.amendment_reason": 5_000,
    "rating.evidence": 10_000,
    "observed_signal.note": 4_000,
    "exercise.duration": 100,
    "exercise.item": 2_000,  # each line of an exercise's materials, tasks and evaluation
    "extension.reason": 2_000,
    "submission.note": 5_000,
    "rubric.text": 10_000,  # a focus area's description, a dimension's anchors, a signal's text
    "question.text": 2_000,  # a question, each of its probes, its strong and weak answers
    "question_note.text": 10_000,
    "checkin.comment": 10_000,
}

# Bidirectional controls (embeddings, overrides, isolates, marks) and zero-width characters.
_HIDDEN = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u061c": "ARABIC LETTER MARK",
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}
_HIDDEN_RE = re.compile("[" + "".join(_HIDDEN) + "]")


# One wording for the forms, the API and the models (Django's validator fills the same two names).
TOO_LONG = gettext_noop("Use at most %(limit_value)d characters (this has %(show_value)d).")


def limit(field: str) -> int:
    return LIMITS[field]


def too_long_message(field_limit: int, length: int) -> str:
    return gettext(TOO_LONG) % {"limit_value": field_limit, "show_value": length}


def length_problem(value: str, field: str) -> str | None:
    """The message for a value longer than ``field``'s limit, or None."""
    field_limit = LIMITS[field]
    return too_long_message(field_limit, len(value)) if len(value) > field_limit else None


def label_problem(value: str) -> str | None:
    """Why a name or label is refused (an invisible control character in it), or None."""
    found = _HIDDEN_RE.search(value or "")
    if found is None:
        return None
    char = found.group()
    return gettext(
        "Remove the invisible character U+%(code)s (%(name)s): names may not hold direction controls or zero-width "
        "characters, which can disguise a name or reorder the text around it."
    ) % {"code": f"{ord(char):04X}", "name": _HIDDEN[char].lower()}


def strip_hidden(value: str) -> str:
    """The value without bidirectional controls and zero-width characters (for names from outside, e.g. sign-in)."""
    return _HIDDEN_RE.sub("", value)


@deconstructible
class TextLimitValidator(MaxLengthValidator):
    """Django's length validator with the limit named by its ``LIMITS`` key, and Hireloop's wording."""

    message = gettext_lazy(TOO_LONG)

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(LIMITS[field])

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return ("hiring.text.TextLimitValidator", (self.field,), {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextLimitValidator) and other.field == self.field

    def __hash__(self) -> int:
        return hash(self.field)


def validate_label(value: str) -> None:
    """Model, form and serializer validator for names and labels."""
    problem = label_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invisible_character")


def limited_text(key: str, **kwargs: Any) -> models.TextField:
    """A model TextField that holds at most ``LIMITS[key]`` characters: the admin and ``full_clean`` enforce it."""
    return models.TextField(max_length=LIMITS[key], validators=[TextLimitValidator(key)], **kwargs)
