"""The question bank: seeding, picks per interviewer, the kit's questions, private notes pre-filling evidence."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hiring.errors import NotFound, PermissionRefused, ValidationFailed
from hiring.models import Role
from scorecards.models import Question, QuestionNote, QuestionPick
from scorecards.questions.keys import dimension_key
from scorecards.questions.seed import questions_seed
from scorecards.questions.selectors import kit_questions, loop_question_plan
from scorecards.questions.services import question_notes_save, question_picks_set
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import fixture_spec

pytestmark = pytest.mark.django_db


def _seeded_loop():
    loop = make_loop()
    questions_seed(role=loop.role, spec=fixture_spec(loop.role.slug))
    return loop


def test_the_seed_marks_document_questions_and_is_idempotent():
    loop = _seeded_loop()
    role = Role.objects.get(pk=loop.role_id)
    count = Question.objects.filter(role=role).count()
    assert count == 10  # six "what to assess" areas and four exercises
    assert questions_seed(role=role, spec=fixture_spec(role.slug)) == (0, 10)
    assert Question.objects.filter(role=role).count() == count
    area = Question.objects.get(role=role, seed_key="area-production-engineering-competence")
    assert area.origin == "document" and area.guidance_origin == "team"
    assert area.text.startswith("Production engineering competence: API design")
    assert [link.dimension_key for link in area.dimension_links.all()] == [dimension_key("Software engineering")]


def _panel():
    loop = _seeded_loop()
    first = make_interview(loop=loop, interviewer=UserFactory(), focus=["Software engineering", "AI system design"])
    second = make_interview(loop=loop, interviewer=UserFactory(), focus=["Software engineering"])
    return loop, first, second


def test_without_picks_the_kit_shows_every_question_for_the_focus_dimensions():
    _, first, second = _panel()
    keys = {dimension_key("Software engineering")}
    shown = kit_questions(second)
    assert not shown.picked
    assert shown.questions and all(keys & {link.dimension_key for link in q.dimension_links.all()}
                                   for q in shown.questions)


def test_picks_narrow_each_kit_and_shared_questions_are_warned():
    loop, first, second = _panel()
    plan = loop_question_plan(loop)
    a, b = plan.rows[0].candidates[0].pk, plan.rows[0].candidates[1].pk
    question_picks_set(actor=loop.recruiter, loop_id=loop.pk, picks={first.pk: [a, b], second.pk: [b]})
    assert [q.pk for q in kit_questions(first).questions] == [a, b]
    assert [q.pk for q in kit_questions(second).questions] == [b]
    assert list(loop_question_plan(loop).shared) == [b]


def test_an_interviewer_cannot_pick_questions_and_nothing_changes():
    loop, first, _ = _panel()
    question = Question.objects.filter(role=loop.role).get(seed_key="area-production-engineering-competence")
    with pytest.raises(PermissionRefused):
        question_picks_set(actor=first.interviewer, loop_id=loop.pk, picks={first.pk: [question.pk]})
    assert not QuestionPick.objects.exists()


def test_a_question_of_another_role_is_refused_whole():
    loop, first, second = _panel()
    other = make_loop(role_slug="junior-ai-engineer")
    questions_seed(role=other.role, spec=fixture_spec(other.role.slug))
    mine = Question.objects.filter(role=loop.role).get(seed_key="area-production-engineering-competence")
    foreign = Question.objects.filter(role=other.role).earliest("id")
    with pytest.raises(ValidationFailed) as exc:
        question_picks_set(actor=loop.recruiter, loop_id=loop.pk, picks={first.pk: [mine.pk], second.pk: [foreign.pk]})
    assert f"interview-{second.pk}" in exc.value.field_errors
    assert not QuestionPick.objects.exists()


def test_notes_are_the_interviewers_own():
    loop, first, second = _panel()
    question = kit_questions(first).questions[0]
    question_notes_save(actor=first.interviewer, interview_id=first.pk, notes={question.pk: "Wrote a failing test."})
    with pytest.raises(NotFound):
        question_notes_save(actor=second.interviewer, interview_id=first.pk, notes={question.pk: "Mine"})
    with pytest.raises(NotFound):
        question_notes_save(actor=loop.recruiter, interview_id=first.pk, notes={question.pk: "Mine"})
    assert list(QuestionNote.objects.values_list("text", flat=True)) == ["Wrote a failing test."]


def test_a_note_on_a_question_outside_the_kit_is_refused():
    loop, first, second = _panel()
    question_picks_set(actor=loop.recruiter, loop_id=loop.pk,
                       picks={second.pk: [kit_questions(second).questions[0].pk]})
    other = next(q for q in Question.objects.filter(role=loop.role)
                 if q.pk != kit_questions(second).questions[0].pk)
    with pytest.raises(ValidationFailed):
        question_notes_save(actor=second.interviewer, interview_id=second.pk, notes={other.pk: "x"})
    assert not QuestionNote.objects.exists()


def test_notes_prefill_the_evidence_and_stay_hidden_from_other_panelists(client):
    loop, first, second = _panel()
    key = dimension_key("Software engineering")
    question = next(q for q in kit_questions(first).questions
                    if key in {link.dimension_key for link in q.dimension_links.all()})
    question_notes_save(actor=first.interviewer, interview_id=first.pk,
                        notes={question.pk: "Added a test for the empty list before fixing the bug."})
    client.force_login(first.interviewer)
    form = client.get(f"/interviews/{first.pk}/scorecard/").content.decode()
    assert "Added a test for the empty list before fixing the bug." in form
    client.force_login(second.interviewer)
    for path in (f"/interviews/{second.pk}/kit/", f"/interviews/{second.pk}/scorecard/"):
        assert "Added a test for the empty list" not in client.get(path).content.decode()
    client.force_login(loop.recruiter)
    assert "Added a test for the empty list" not in client.get(f"/interviews/{first.pk}/kit/").content.decode()


def _plan_queries(client, loop) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/loops/{loop.pk}/questions/").status_code == 200
    return len(queries)


def _kit_queries(client, interview) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/interviews/{interview.pk}/kit/").status_code == 200
    return len(queries)


def test_the_plan_page_and_the_kit_cost_the_same_queries_for_one_or_many_rows(client):
    loop, first, second = _panel()
    client.force_login(loop.recruiter)
    few = _plan_queries(client, loop)
    unpicked = _kit_queries(client, first)
    one = kit_questions(first).questions[0]
    question_picks_set(actor=loop.recruiter, loop_id=loop.pk, picks={first.pk: [one.pk]})
    one_pick = _kit_queries(client, first)
    for _ in range(6):
        make_interview(loop=loop, interviewer=UserFactory(), focus=["AI system design"])
    plan = loop_question_plan(loop)
    question_picks_set(actor=loop.recruiter, loop_id=loop.pk,
                       picks={row.interview.pk: [q.pk for q in row.candidates] for row in plan.rows})
    assert len(plan.rows[0].candidates) > 1
    assert _plan_queries(client, loop) == few
    assert _kit_queries(client, first) == one_pick
    # Without picks the kit reads the bank (two queries) instead of the picked questions (one).
    assert unpicked == one_pick + 1


def test_the_plan_page_is_for_recruiters_and_admins(client):
    loop, first, _ = _panel()
    client.force_login(first.interviewer)
    assert client.get(f"/loops/{loop.pk}/questions/").status_code == 403
    assert client.post(f"/loops/{loop.pk}/questions/", {f"pick-{first.pk}": "1"}).status_code == 403
    assert not QuestionPick.objects.exists()
