"""Where candidates' personal data lives: the one classification of every field that holds it.

Export, erasure, retention and the log filter all read this registry; a test
(tests/trust/test_privacy_registry.py) fails when a model gains a text, JSON,
URL or file field that is classified neither here as personal nor in
``NOT_PERSONAL`` with the reason it is not.

Kinds of personal data:

- ``identity``: name, email, phone: who the candidate is;
- ``free_text``: notes, evidence, summaries, reasons: written about the
  candidate, may name or describe them, and are replaced whole on erasure;
- ``link``: a URL the candidate gave (a repository under their account);
- ``file``: a file the candidate uploaded, deleted on erasure.

Scores, choices, dates and ids are not personal data here: erasure keeps
them so that recommendations and calibration statistics stay correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.apps import apps
from django.db import models
from django.db.models.signals import post_init, post_save

from hiring.logging import remember_personal_values

Kind = Literal["identity", "free_text", "link", "file"]

ERASED_TEXT = "[erased]"
ERASED_LINK = "https://erased.invalid/"


@dataclass(frozen=True)
class PersonalField:
    model: str  # "app_label.ModelName"
    field: str
    kind: Kind
    # The ORM path from this model to its Candidate ("" for the Candidate itself).
    candidate_path: str
    description: str

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


PERSONAL_DATA: tuple[PersonalField, ...] = (
    PersonalField("hiring.Candidate", "name", "identity", "", "The candidate's full name."),
    PersonalField("hiring.Candidate", "email", "identity", "", "The candidate's email address."),
    PersonalField("hiring.Candidate", "phone", "identity", "", "The candidate's phone number."),
    PersonalField("hiring.Candidate", "notes", "free_text", "", "Recruiter's notes about the candidate."),
    PersonalField("hiring.InterviewLoop", "withdrawn_reason", "free_text", "candidate",
                  "Why the loop was withdrawn; often says what the candidate said or did."),
    PersonalField("hiring.InterviewLoop", "decision_rationale", "free_text", "candidate",
                  "The committee's reasons for the decision."),
    PersonalField("hiring.InterviewLoop", "decision_justification", "free_text", "candidate",
                  "The justification for overriding the recommendation."),
    PersonalField("scorecards.Scorecard", "summary", "free_text", "interview__loop__candidate",
                  "The interviewer's summary of the candidate."),
    PersonalField("scorecards.Scorecard", "amendment_reason", "free_text", "interview__loop__candidate",
                  "Why a submitted scorecard was amended."),
    PersonalField("scorecards.Rating", "evidence", "free_text", "scorecard__interview__loop__candidate",
                  "What the candidate said or did, as evidence for a score."),
    PersonalField("scorecards.ObservedSignal", "note", "free_text", "scorecard__interview__loop__candidate",
                  "What the interviewer observed for a signal or red flag."),
    PersonalField("scorecards.QuestionNote", "text", "free_text", "interview__loop__candidate",
                  "The interviewer's private note on a question, taken during the interview."),
    PersonalField("outcomes.CheckIn", "comment", "free_text", "hire__loop__candidate",
                  "The manager's comment on the hire's work at a check-in."),
    PersonalField("exercises.DeadlineExtension", "reason", "free_text", "assignment__loop__candidate",
                  "Why the candidate was given more time (often personal circumstances)."),
    PersonalField("exercises.ExerciseSubmission", "repository_url", "link", "assignment__loop__candidate",
                  "The repository the candidate submitted, under their own account."),
    PersonalField("exercises.ExerciseSubmission", "file", "file", "assignment__loop__candidate",
                  "The file the candidate uploaded."),
    PersonalField("exercises.ExerciseSubmission", "original_filename", "free_text", "assignment__loop__candidate",
                  "The uploaded file's own name, which often contains the candidate's name."),
    PersonalField("exercises.ExerciseSubmission", "note", "free_text", "assignment__loop__candidate",
                  "The candidate's note with the submission."),
)

# Text, JSON, URL and file fields of Hireloop's models that hold no candidate's personal data, and why.
NOT_PERSONAL: dict[str, dict[str, str]] = {
    "hiring.User": {
        "*": "Hireloop's own users (employees), not candidates; managed in the admin.",
    },
    "hiring.Role": {"*": "Role descriptions from the blueprints."},
    "hiring.Candidate": {"source": "The channel the candidate came through (referral, job board)."},
    "hiring.InterviewLoop": {
        "status": "A choice.",
        "decision": "A choice.",
        "decision_recommendation": "A snapshot of the computed recommendation: scores, outcome, reasons by rule.",
    },
    "hiring.Interview": {"kind": "A choice."},
    "hiring.AuditEvent": {
        "*": "Ids, statuses, scores and choices only (hiring/audit.py); erasure still sweeps them.",
    },
    "hiring.ApiToken": {"*": "Users' API token names and hashes."},
    "hiring.IdempotencyKey": {
        "*": "Request keys and hashes; the kept answer to a retried write (response_body) is a copy of what the "
             "API answered, kept HIRELOOP_IDEMPOTENCY_HOURS and scrubbed by every erasure.",
    },
    "hiring.SentNotification": {"*": "Which reminder went to which user, with ids."},
    "hiring.InterviewInvite": {"*": "Which calendar message (a method choice) went to whom, with ids and times."},
    "hiring.CalendarFeed": {"*": "The hash of a user's calendar feed token."},
    "hiring.DomainEvent": {"*": "Event kinds, occasion keys, ids and timestamps only (hiring/events.py)."},
    "scorecards.Rubric": {"*": "Rubric content from the blueprints."},
    "scorecards.Dimension": {"*": "Rubric content from the blueprints."},
    "scorecards.FocusArea": {"*": "Rubric content from the blueprints."},
    "scorecards.Signal": {"*": "Rubric content from the blueprints."},
    "scorecards.RubricDraft": {"*": "A rubric being edited: rubric content, written by staff, about no candidate."},
    "scorecards.RaterModelFit": {
        "*": "Per-interviewer leniency and scale-use estimates (staff, by user id) and the fit's notes; no "
             "candidate's name or words.",
    },
    "scorecards.Scorecard": {
        "status": "A choice.",
        "overall": "A choice.",
        "source": "The system an imported scorecard was written in (a choice).",
        "source_id": "The scorecard's id in that system.",
    },
    "scorecards.Question": {"*": "Interview questions from the blueprints or written by staff."},
    "scorecards.QuestionDimension": {"*": "Which rubric dimension (by key) a question assesses."},
    "scorecards.EvidenceFlag": {"*": "A rule id and the listed words it matched, never the evidence."},
    "scorecards.Recommendation": {"*": "Computed scores, outcome and rule reasons; no free text from scorecards."},
    "scorecards.RecomputeRequest": {"reason": "Which event asked for a recompute."},
    "scorecards.CalibrationReport": {
        "*": "Per-interviewer and per-dimension statistics; erasure still scans and rewrites its files.",
    },
    "exercises.Exercise": {"*": "Exercise content from the blueprints or written by staff."},
    "exercises.ExerciseAssignment": {
        "*": "A copy of the exercise brief sent, the link's token hash; no candidate input.",
    },
    "exercises.ExerciseSubmission": {
        "content_type": "The uploaded file's media type.",
        "sha256": "A checksum of the file.",
    },
    "imports.ImportRun": {
        "*": "Paths, counts, ids, attribute names and problems; messages never quote a record's values.",
    },
    "imports.ExternalRecord": {"*": "A vendor's record ids, Hireloop row ids and hashes of values."},
    "integrations.Endpoint": {"*": "Admins' settings for webhooks and Slack channels: URLs, secrets, event kinds."},
    "integrations.Delivery": {"*": "States, status codes and errors of requests whose bodies hold ids only."},
    "outcomes.OutcomePlan": {"*": "A role's check-in schedule: labels and days."},
    "outcomes.OutcomeArea": {"*": "Outcome areas from the blueprints or written by the committee."},
    "outcomes.CheckIn": {
        "label": "Which check-in (90d, 12m).",
        "status": "A choice.",
    },
    "outcomes.ValidityReport": {
        "*": "Per-dimension and per-interviewer statistics over a role's hires; no row per person.",
    },
    "integrations.DeliveryAttempt": {
        "*": "Status codes, timings, errors and the start of a receiver's answer to an id-only request.",
    },
}

# Hireloop's own apps; Django's and third-party apps hold no candidate data (they are still swept).
PROJECT_APPS = ("hiring", "scorecards", "exercises", "imports", "integrations", "outcomes")

CLASSIFIED_FIELD_TYPES = (models.CharField, models.TextField, models.JSONField, models.FileField)


def personal_fields(model_label: str | None = None, kind: Kind | None = None) -> list[PersonalField]:
    return [
        f for f in PERSONAL_DATA
        if (model_label is None or f.model == model_label) and (kind is None or f.kind == kind)
    ]


def unclassified_fields() -> list[str]:
    """``app.Model.field`` for every project field that could hold text and is classified nowhere."""
    personal = {(f.model, f.field) for f in PERSONAL_DATA}
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        label = model._meta.label
        reasons = NOT_PERSONAL.get(label, {})
        for field in model._meta.concrete_fields:
            if not isinstance(field, CLASSIFIED_FIELD_TYPES):
                continue
            if (label, field.name) in personal or field.name in reasons or "*" in reasons:
                continue
            missing.append(f"{label}.{field.name}")
    return missing


def rows_of_candidate(field: PersonalField, candidate_id: int) -> models.QuerySet[Any]:
    """The rows of ``field``'s model that belong to one candidate."""
    model = field.model_class
    if not field.candidate_path:
        return model._default_manager.filter(pk=candidate_id)
    return model._default_manager.filter(**{f"{field.candidate_path}__id": candidate_id})


def candidate_personal_values(candidate_id: int) -> list[str]:
    """Every non-empty personal text value held about one candidate (identity first, then free text)."""
    values: list[str] = []
    for field in PERSONAL_DATA:
        if field.kind == "file":
            continue
        for value in rows_of_candidate(field, candidate_id).values_list(field.field, flat=True):
            if isinstance(value, str) and value.strip() and value.strip() not in values:
                values.append(value.strip())
    return values


def _values_of(instance: models.Model, fields: Iterable[PersonalField]) -> Iterator[str]:
    for field in fields:
        if field.kind == "file":
            continue
        value = instance.__dict__.get(field.field)
        if isinstance(value, str):
            yield value


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    remember_personal_values(_values_of(instance, personal_fields(sender._meta.label)))


def watch_personal_values() -> None:
    """Teach the log filter every personal value this process loads or saves (called once, at start)."""
    for label in sorted({f.model for f in PERSONAL_DATA}):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_init.connect(_remember, sender=model, dispatch_uid=f"privacy-watch-init-{label}")
        post_save.connect(_remember, sender=model, dispatch_uid=f"privacy-watch-save-{label}")
