"""Candidates: creation, editing and duplicate detection on email."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Candidate
from hiring.services.candidates import DuplicateCandidate, candidate_create, candidate_update
from tests.hiring.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_candidate_create_saves_details_and_audits_field_names_only(recruiter):
    """A new candidate keeps what the recruiter typed; the audit names the fields, never their values."""
    candidate = candidate_create(actor=recruiter, name="  Grace Hopper ", email="grace@example.org",
                                 phone="+1 555 0100", source="Referral", notes="Met at a conference.")

    candidate.refresh_from_db()
    assert (candidate.name, candidate.email, candidate.phone, candidate.source, candidate.notes) == (
        "Grace Hopper", "grace@example.org", "+1 555 0100", "Referral", "Met at a conference.")
    assert candidate.created_by == recruiter
    event = AuditEvent.objects.get(action="candidate.created")
    assert event.object_id == str(candidate.pk)
    assert event.after == {"fields": ["name", "email", "phone", "source", "notes"]}
    assert "Grace" not in str(event.after) and "grace@" not in str(event.after)


@pytest.mark.parametrize("email", ["grace@example.org", "GRACE@Example.org", " grace@example.org "])
def test_candidate_create_duplicate_email_refused(recruiter, email):
    """The same email (whatever its case) cannot be added twice; the error points to the existing candidate."""
    existing = candidate_create(actor=recruiter, name="Grace Hopper", email="grace@example.org")

    with pytest.raises(DuplicateCandidate) as caught:
        candidate_create(actor=recruiter, name="G. Hopper", email=email)

    assert caught.value.existing_id == existing.pk
    assert caught.value.status_code == 409
    assert caught.value.field_errors == {"email": ["A candidate with this email already exists."]}
    assert Candidate.objects.count() == 1
    assert AuditEvent.objects.filter(action="candidate.created").count() == 1


def test_candidate_create_erased_candidates_email_can_be_used_again(recruiter):
    """An erased candidate no longer blocks the email: the person may apply again."""
    old = CandidateFactory(email="grace@example.org", erased_at=timezone.now())

    candidate = candidate_create(actor=recruiter, name="Grace Hopper", email="grace@example.org")

    assert candidate.pk != old.pk


def test_candidate_create_invalid_fields_each_named(recruiter):
    """Missing name, a malformed email and a too-long phone are reported field by field."""
    with pytest.raises(ValidationFailed) as caught:
        candidate_create(actor=recruiter, name=" ", email="not-an-email", phone="1" * 51)

    assert caught.value.field_errors == {
        "name": ["Enter the candidate's name."],
        "email": ["Enter a valid email address."],
        "phone": ["Use at most 50 characters (this has 51)."],
    }
    assert Candidate.objects.count() == 0


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_candidate_create_refused_for_non_recruiters(kind):
    """Only recruiters and admins add candidates."""
    with pytest.raises(PermissionRefused):
        candidate_create(actor=UserFactory(kind=kind), name="Grace Hopper", email="grace@example.org")
    assert Candidate.objects.count() == 0


def test_candidate_create_by_admin(admin_user):
    """Admins may add candidates too."""
    assert candidate_create(actor=admin_user, name="Grace Hopper", email="grace@example.org").pk


def test_candidate_update_changes_only_given_fields(recruiter):
    """None leaves a field alone; the audit lists what changed."""
    candidate = candidate_create(actor=recruiter, name="Grace Hopper", email="grace@example.org", source="Agency")

    candidate_update(actor=recruiter, candidate=candidate, phone="+1 555 0199", source="Agency")

    candidate.refresh_from_db()
    assert (candidate.name, candidate.phone, candidate.source) == ("Grace Hopper", "+1 555 0199", "Agency")
    assert AuditEvent.objects.get(action="candidate.updated").after == {"fields": ["phone"]}


def test_candidate_update_to_another_candidates_email_refused(recruiter):
    """Editing cannot create a duplicate either; nothing changes."""
    first = candidate_create(actor=recruiter, name="Grace Hopper", email="grace@example.org")
    second = candidate_create(actor=recruiter, name="Alan Turing", email="alan@example.org")

    with pytest.raises(DuplicateCandidate) as caught:
        candidate_update(actor=recruiter, candidate=second, name="Alan M. Turing", email="Grace@example.org")

    assert caught.value.existing_id == first.pk
    second.refresh_from_db()
    assert (second.name, second.email) == ("Alan Turing", "alan@example.org")
    assert not AuditEvent.objects.filter(action="candidate.updated").exists()


def test_candidate_update_same_email_other_case_allowed(recruiter):
    """A candidate is not their own duplicate."""
    candidate = candidate_create(actor=recruiter, name="Grace Hopper", email="grace@example.org")

    candidate_update(actor=recruiter, candidate=candidate, email="Grace@Example.org")

    candidate.refresh_from_db()
    assert candidate.email == "Grace@Example.org"


def test_candidate_update_erased_refused(recruiter):
    """An erased candidate's record cannot be filled in again."""
    candidate = CandidateFactory(erased_at=timezone.now(), name="Erased candidate #1")

    with pytest.raises(Conflict):
        candidate_update(actor=recruiter, candidate=candidate, name="Grace Hopper")

    candidate.refresh_from_db()
    assert candidate.name == "Erased candidate #1"


def test_candidate_update_refused_for_committee(recruiter, committee_member):
    """The committee reads candidates but does not edit them."""
    candidate = candidate_create(actor=recruiter, name="Grace Hopper", email="grace@example.org")

    with pytest.raises(PermissionRefused):
        candidate_update(actor=committee_member, candidate=candidate, name="Someone Else")

    candidate.refresh_from_db()
    assert candidate.name == "Grace Hopper"
