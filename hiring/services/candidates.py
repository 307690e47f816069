"""Writes for candidates: adding one and changing their details, with the email unique among candidates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Candidate, User
from hiring.services.common import require_recruiting
from hiring.text import label_problem, length_problem

CANDIDATE_FIELDS = ("name", "email", "phone", "source", "notes")
_LIMITS = {key: f"candidate.{key}" for key in CANDIDATE_FIELDS}


class DuplicateCandidate(Conflict):
    """Another (not erased) candidate already has this email; ``existing_id`` points to them."""

    default_code = "duplicate_email"

    def __init__(self, existing_id: int) -> None:
        super().__init__(
            "A candidate with this email already exists. Open a loop for them instead of adding them again.",
            field_errors={"email": ["A candidate with this email already exists."]},
        )
        self.existing_id = existing_id


def _clean_candidate_values(values: dict[str, str]) -> dict[str, str]:
    cleaned = {key: (value or "").strip() for key, value in values.items()}
    errors: dict[str, list[str]] = {}
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = ["Enter the candidate's name."]
    if "email" in cleaned:
        if not cleaned["email"]:
            errors["email"] = ["Enter the candidate's email address."]
        else:
            try:
                validate_email(cleaned["email"])
            except ValidationError:
                errors["email"] = ["Enter a valid email address."]
    for key, limit_key in _LIMITS.items():
        if key in cleaned and key not in errors and (problem := length_problem(cleaned[key], limit_key)):
            errors[key] = [problem]
    if "name" in cleaned and "name" not in errors and (problem := label_problem(cleaned["name"])):
        errors["name"] = [problem]
    if errors:
        raise ValidationFailed(gettext("The candidate could not be saved."), field_errors=errors)
    return cleaned


def _check_email_free(email: str, *, except_id: int | None = None) -> None:
    others = Candidate.objects.filter(email__iexact=email, erased_at__isnull=True)
    if except_id is not None:
        others = others.exclude(pk=except_id)
    existing = others.values_list("pk", flat=True).first()
    if existing is not None:
        raise DuplicateCandidate(existing)


def _save_unique(candidate: Candidate, *, update_fields: list[str] | None = None) -> None:
    """Save, turning the database's unique-email refusal (a concurrent duplicate) into the same error."""
    try:
        with transaction.atomic():
            candidate.save(update_fields=update_fields)
    except IntegrityError as exc:
        existing = (
            Candidate.objects.filter(email__iexact=candidate.email, erased_at__isnull=True)
            .exclude(pk=candidate.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if existing is None:
            raise
        raise DuplicateCandidate(existing) from exc


@transaction.atomic
def candidate_create(
    *, actor: User, name: str, email: str, phone: str = "", source: str = "", notes: str = ""
) -> Candidate:
    """Add a candidate; refused when another candidate already has the email (case-insensitive)."""
    require_recruiting(actor)
    values = _clean_candidate_values({"name": name, "email": email, "phone": phone, "source": source, "notes": notes})
    _check_email_free(values["email"])
    candidate = Candidate(created_by=actor, **values)
    _save_unique(candidate)
    audit_record(actor=actor, action="candidate.created", obj=candidate,
                 after={"fields": [key for key in CANDIDATE_FIELDS if values[key]]})
    return candidate


@transaction.atomic
def candidate_update(
    *,
    actor: User,
    candidate: Candidate,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    source: str | None = None,
    notes: str | None = None,
) -> Candidate:
    """Change a candidate's details; ``None`` leaves a field as it is. The email stays unique."""
    require_recruiting(actor)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        raise Conflict(gettext("This candidate's data was erased; it cannot be edited."), code="erased")
    given = {"name": name, "email": email, "phone": phone, "source": source, "notes": notes}
    values = _clean_candidate_values({key: value for key, value in given.items() if value is not None})
    changed = [key for key, value in values.items() if getattr(candidate, key) != value]
    if not changed:
        return candidate
    if "email" in changed:
        _check_email_free(values["email"], except_id=candidate.pk)
    for key in changed:
        setattr(candidate, key, values[key])
    _save_unique(candidate, update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="candidate.updated", obj=candidate, after={"fields": changed})
    return candidate
