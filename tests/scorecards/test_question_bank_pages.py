"""The question bank's pages: who may open them, adding, editing and retiring, and their query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hiring.models import AuditEvent
from scorecards.models import Question
from scorecards.questions.seed import questions_seed
from tests.hiring.factories import UserFactory, make_loop
from tests.scorecards.factories import fixture_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def role():
    loop = make_loop()
    questions_seed(role=loop.role, spec=fixture_spec(loop.role.slug))
    return loop.role


def test_interviewers_and_the_committee_cannot_open_or_change_the_bank(client, role):
    question = Question.objects.filter(role=role).earliest("id")
    for kind in ("interviewer", "committee"):
        client.force_login(UserFactory(kind=kind))
        assert client.get("/questions/").status_code == 403
        assert client.post(f"/questions/new/{role.slug}/", {"text": "x", "dimension_keys": ["software-engineering"]}
                           ).status_code == 403
        assert client.post(f"/questions/{question.pk}/retire/").status_code == 403
    assert Question.objects.filter(role=role).count() == 10
    assert not Question.objects.filter(retired_at__isnull=False).exists()


def test_a_rubric_editor_given_the_permission_manages_the_bank(client, role):
    editor = UserFactory(kind="interviewer")
    editor.user_permissions.add(Permission.objects.get(codename="change_question"))
    client.force_login(editor)
    assert client.get(f"/questions/?role={role.slug}").status_code == 200


def test_a_recruiter_adds_edits_and_retires_a_question(client, role):
    client.force_login(UserFactory(kind="recruiter"))
    response = client.post(f"/questions/new/{role.slug}/", {
        "text": "Tell me about a flaky test you fixed.", "dimension_keys": ["software-engineering"],
        "probes": "What caused it?\nHow did you prove it was fixed?", "strong_answer": "Finds the race.",
    })
    assert response.status_code == 302
    question = Question.objects.get(text="Tell me about a flaky test you fixed.")
    assert question.origin == "team" and question.probes == ["What caused it?", "How did you prove it was fixed?"]
    seeded = Question.objects.get(role=role, seed_key="area-production-engineering-competence")
    client.post(f"/questions/{seeded.pk}/edit/", {"text": "Production engineering, in your words.",
                                                  "dimension_keys": ["software-engineering", "ai-system-design"]})
    seeded.refresh_from_db()
    assert seeded.origin == "team"
    assert sorted(seeded.dimension_links.values_list("dimension_key", flat=True)) == [
        "ai-system-design", "software-engineering"]
    client.post(f"/questions/{question.pk}/retire/", {"action": "retire"})
    question.refresh_from_db()
    assert question.is_retired
    assert set(AuditEvent.objects.filter(object_type="scorecards.question").values_list("action", flat=True)) == {
        "question.created", "question.updated", "question.retired"}


def test_a_question_needs_a_dimension_of_its_role_and_nothing_is_written(client, role):
    client.force_login(UserFactory(kind="recruiter"))
    response = client.post(f"/questions/new/{role.slug}/", {"text": "Why?", "dimension_keys": ["not-a-dimension"]})
    assert response.status_code == 400
    assert not Question.objects.filter(text="Why?").exists()


def test_the_bank_page_costs_the_same_queries_for_one_or_many_questions(client, role):
    client.force_login(UserFactory(kind="recruiter"))
    Question.objects.exclude(pk=Question.objects.filter(role=role).earliest("id").pk).delete()
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/questions/?role={role.slug}").status_code == 200
    questions_seed(role=role, spec=fixture_spec(role.slug))
    assert Question.objects.filter(role=role).count() == 10
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/questions/?role={role.slug}").status_code == 200
    assert len(one) == len(many)
