"""POST /api/v1/loops/{id}/what-if/: the recommendation recomputed without some interviewers or amendments, beside
the real one; validated naming the field, refused as the loop's other panel reads are, never stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from hiring.models import AuditEvent
from scorecards.recommendations.loop_whatif import AUDIT_ACTION
from scorecards.recommendations.services import recommendation_compute
from scorecards.services.scorecards import scorecard_amend
from tests.api import test_api_permissions as matrix
from tests.api.conftest import World
from tests.hiring.factories import UserFactory, make_interview
from tests.scorecards.factories import ALL_DIMENSIONS, scorecard_input
from tests.scorecards.test_recommendation_what_if_loop import on_panel, recommendation_tables, scores


def url(world: World) -> str:
    return f"/api/v1/loops/{world.loop.pk}/what-if/"


@pytest.fixture
def debriefed(world: World) -> dict[str, Any]:
    """The world's loop with every panelist's feedback in (the pending interviewer's two interviews cancelled
    would change the world; two more panelists submit instead on a loop of their own)."""
    loop = world.other_loop
    ana, ben = UserFactory(first_name="Ana", last_name="Lopez"), UserFactory(first_name="Ben", last_name="Okoro")
    on_panel(loop, ana, (4,) * 7, overall="yes")
    ben_interview, _ = on_panel(loop, ben, (2,) * 7, overall="no")
    # The outsider's draft on this loop stands in the way of a debrief: they submit it first.
    from scorecards.services.scorecards import scorecard_submit

    draft = world.outsider_draft
    scorecard_submit(actor=world.outsider, interview_id=draft.interview_id,
                     data=scorecard_input(draft.interview, {d.name: 4 for d in draft.interview.focus_dimensions.all()}),
                     expected_version=draft.version)
    amended = scorecard_amend(actor=ben, interview_id=ben_interview.pk,
                              data=scorecard_input(ben_interview, scores(*(4,) * 7), overall="yes"),
                              reason="The debrief showed I misread the design answer.")
    recommendation_compute(loop_id=loop.pk)
    return {"loop": loop, "ana": ana, "ben": ben, "amended": amended}


def test_api_what_if_answers_both_recommendations_and_stores_nothing(world: World, api, debriefed) -> None:
    client = api(world.committee)
    before = recommendation_tables()

    response = client.post(f"/api/v1/loops/{debriefed['loop'].pk}/what-if/",
                           {"leave_out": [debriefed["ana"].pk], "ignore_amendments": [debriefed["amended"].pk]},
                           format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["loop"] == debriefed["loop"].pk
    assert body["saved"] is False
    assert body["left_out"] == [{"interviewer": debriefed["ana"].pk, "name": "Ana Lopez"}]
    assert body["ignored_amendments"] == [{"scorecard": debriefed["amended"].pk, "revision": 2,
                                           "interviewer": debriefed["ben"].pk, "name": "Ben Okoro"}]
    assert body["recommendation"]["scorecard_count"] == 3
    assert body["what_if"]["scorecard_count"] == 2  # Ben's first revision and the outsider's
    assert body["what_if"]["votes"] == {"strong_no": 0, "no": 1, "yes": 1, "strong_yes": 0}
    for side in ("recommendation", "what_if"):
        assert set(body[side]) >= {"outcome", "outcome_label", "weighted_score", "adjusted", "coverage", "reasons",
                                   "rules", "dimensions"}
        adjusted = body[side]["adjusted"]
        assert float(adjusted["low"]) <= float(adjusted["score"]) <= float(adjusted["high"])
    assert recommendation_tables() == before
    assert AuditEvent.objects.get(action=AUDIT_ACTION).after == {
        "left_out_interviewer_ids": [debriefed["ana"].pk], "ignored_amendment_ids": [debriefed["amended"].pk],
        "via": "api"}


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        (lambda w: {"leave_out": [987654]}, "leave_out", "No submitted feedback on this loop is by interviewer 987654"),
        (lambda w: {"leave_out": [w.outsider.pk]}, "leave_out", "No submitted feedback on this loop is by"),
        (lambda w: {"leave_out": [w.pending.pk]}, "leave_out", "No submitted feedback on this loop is by"),
        (lambda w: {"ignore_amendments": [w.submitted_card.pk]}, "ignore_amendments", "is not an amendment"),
        (lambda w: {"ignore_amendments": [w.outsider_draft.pk]}, "ignore_amendments", "is not an amendment"),
        (lambda w: {"leave_out": ["sam"]}, "leave_out.0", "A valid integer is required."),
        (lambda w: {"leave_out": 3}, "leave_out", 'Expected a list of items but got type "int".'),
        (lambda w: {}, "leave_out", "Choose at least one interviewer to leave out or one amendment to ignore."),
    ],
    ids=["unknown", "interviewer of another loop", "panelist without submitted feedback", "not an amendment",
         "scorecard of another loop", "not an id", "not a list", "nothing"],
)
def test_api_what_if_refuses_bad_ids_naming_the_field(world: World, api, body, field, fragment) -> None:
    client = api(world.committee)
    before = matrix.state()

    response = client.post(url(world), body(world), format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["field_errors"]
    assert list(errors) == [field]
    assert fragment in str(errors[field])
    assert matrix.state() == before


def test_api_what_if_refused_to_a_committee_member_still_owing_feedback_on_the_loop(world: World, api) -> None:
    owing = UserFactory(kind="committee")
    make_interview(loop=world.loop, interviewer=owing, focus=list(ALL_DIMENSIONS))
    client = api(owing)
    before = matrix.state()

    response = client.post(url(world), {"leave_out": [world.submitted.pk]}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "independence"
    assert matrix.state() == before


def test_api_what_if_refused_to_interviewers_even_after_submitting(world: World, api) -> None:
    response = api(world.submitted).post(url(world), {"leave_out": [world.submitted.pk]}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_committee")


def test_api_what_if_query_count_does_not_grow_with_the_panel(world: World, api, django_assert_num_queries) -> None:
    client = api(world.committee)
    ask = {"leave_out": [world.submitted.pk]}
    client.post(url(world), ask, format="json")
    with CaptureQueriesContext(connection) as small:
        assert client.post(url(world), ask, format="json").status_code == 200
    newcomers = [UserFactory() for _ in range(6)]
    for person in newcomers:
        on_panel(world.loop, person, (3,) * 7)
    recommendation_compute(loop_id=world.loop.pk)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.post(url(world), {"leave_out": [p.pk for p in newcomers]}, format="json")
    assert response.json()["recommendation"]["scorecard_count"] == 7


def test_api_what_if_is_in_the_schema(db) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/loops/{loop_id}/what-if/"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404", "422"}
    request_schema = schema["components"]["schemas"]["WhatIfRequest"]
    assert set(request_schema["properties"]) == {"leave_out", "ignore_amendments"}
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
