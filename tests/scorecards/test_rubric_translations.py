"""A rubric may carry its own text in other languages (docs/rubric-format.md#translations): the scorecard form
and the interview kit show it to users reading that language; everyone else sees the text as the team wrote it.
"""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from hiring.models import Role
from hiring.services.loops import loop_open
from scorecards.rubrics.io import RubricFileError, read_rubric_file, spec_to_document, validate_rubric
from scorecards.rubrics.services import rubric_publish
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview
from tests.scorecards.factories import RUBRIC_DIR

pytestmark = pytest.mark.django_db

SE = "Software engineering"
SHIPPED = "Demonstrated history shipping AI features to production with monitoring and safe rollouts."
GERMAN = {
    "de": {
        "scale": {3: "Erfüllt die Messlatte"},
        "dimensions": {SE: {"name": "Softwareentwicklung", "anchors": {"meets": "Schreibt wartbaren Code."}}},
        "signals": {SHIPPED: "Hat KI-Funktionen nachweislich in Produktion gebracht."},
    }
}


def document(translations=None) -> dict:
    data = read_rubric_file(RUBRIC_DIR / "applied-ai-engineer.yaml")
    if translations is not None:
        data["translations"] = copy.deepcopy(translations)
    return data


@pytest.fixture
def translated_interviews(recruiter):
    rubric, _created = rubric_publish(spec=validate_rubric(document(GERMAN), "test"))
    loop = loop_open(actor=recruiter, candidate=CandidateFactory(), role=Role.objects.get(slug="applied-ai-engineer"),
                     recruiter=recruiter)
    assert loop.rubric_id == rubric.pk
    klaus = UserFactory(username="klaus", language="de")
    ivy = UserFactory(username="ivy")
    return (make_interview(loop=loop, interviewer=klaus, focus=[SE]),
            make_interview(loop=loop, interviewer=ivy, focus=[SE]))


def test_the_scorecard_form_shows_the_rubric_in_the_readers_language(client, translated_interviews):
    german, english = translated_interviews
    client.force_login(german.interviewer)
    page = client.get(reverse("scorecards:scorecard-edit", kwargs={"interview_id": german.pk})).content.decode()
    assert "Softwareentwicklung" in page and "Schreibt wartbaren Code." in page
    assert "Erfüllt die Messlatte" in page and "Hat KI-Funktionen nachweislich in Produktion gebracht." in page
    kit = client.get(reverse("scorecards:interview-kit", kwargs={"interview_id": german.pk})).content.decode()
    assert "Softwareentwicklung" in kit and "Schreibt wartbaren Code." in kit

    client.force_login(english.interviewer)
    page = client.get(reverse("scorecards:scorecard-edit", kwargs={"interview_id": english.pk})).content.decode()
    assert SE in page and SHIPPED in page and "Softwareentwicklung" not in page


def test_a_rubric_without_translations_keeps_its_version_and_exports_them_when_it_has_some():
    plain = validate_rubric(document(), "plain")
    assert "translations" not in plain["rubric"]
    translated = validate_rubric(document(GERMAN), "translated")
    exported = spec_to_document(translated, with_normalized=False)
    assert validate_rubric(exported, "export") == translated


@pytest.mark.parametrize(("translations", "problem"), [
    ({"it": {"signals": {}}}, "translations.it: not a language of this site"),
    ({"de": {"dimensions": {"Juggling": {"name": "Jonglieren"}}}}, "'Juggling' is not a dimension of this rubric"),
    ({"de": {"signals": {"Sings": "Singt"}}}, "'Sings' is not a signal of this rubric"),
    ({"de": {"dimensions": {SE: {"anchors": {"great": "x"}}}}}, "anchors: only meets, exceeds and concerns"),
])
def test_a_bad_translation_is_refused_naming_where(translations, problem):
    with pytest.raises(RubricFileError) as refused:
        validate_rubric(document(translations), "rubric.yaml")
    assert any(problem in line for line in refused.value.problems)
