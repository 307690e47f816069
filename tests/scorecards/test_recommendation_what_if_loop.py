"""What-if on a stored loop (scorecards.recommendations.loop_whatif): recomputed beside the real recommendation,
never stored, audited as a read by ids only, refused to those who may not see the panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hiring.errors import NotFound, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, DomainEvent
from scorecards.leniency.fits import rater_model_refit
from scorecards.models import LeniencyResidual, Recommendation, RecomputeRequest
from scorecards.recommendations.loop_whatif import AUDIT_ACTION, loop_what_if
from scorecards.recommendations.services import recommendation_compute
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, save_draft, scorecard_input, submit_scorecard
from tests.scorecards.test_rater_model_database import store_fit


def scores(*values: int | None) -> dict[str, int | None]:
    return dict(zip(ALL_DIMENSIONS, values, strict=True))


def on_panel(loop, who, values, **extra):
    interview = make_interview(loop=loop, interviewer=who, focus=list(ALL_DIMENSIONS))
    return interview, submit_scorecard(interview, scores(*values), **extra)


def recommendation_tables() -> dict[str, Any]:
    """Everything the stored recommendation consists of: a what-if must leave all of it as it was."""
    return {
        "recommendations": list(Recommendation.objects.order_by("pk").values()),
        "requests": list(RecomputeRequest.objects.order_by("pk").values()),
        "residuals": list(LeniencyResidual.objects.order_by("pk").values()),
        "events": DomainEvent.objects.count(),
    }


@pytest.fixture
def panel(db):
    """Ana and Ben score 4 throughout, Cy 2 throughout: 2 points apart, so the real outcome is a discussion."""
    ana = UserFactory(first_name="Ana", last_name="Lopez")
    ben = UserFactory(first_name="Ben", last_name="Okoro")
    cy = UserFactory(first_name="Cy", last_name="Young")
    loop = make_loop()
    on_panel(loop, ana, (4,) * 7, overall="yes")
    on_panel(loop, ben, (4,) * 7, overall="yes")
    on_panel(loop, cy, (2,) * 7, overall="no")
    recommendation_compute(loop_id=loop.pk)
    return {"loop": loop, "ana": ana, "ben": ben, "cy": cy}


def test_what_if_leaving_an_interviewer_out_recomputes_beside_the_real_one_and_stores_nothing(panel, committee_member):
    loop = panel["loop"]
    stored = Recommendation.objects.get(loop=loop)
    before = recommendation_tables()

    result = loop_what_if(actor=committee_member, loop_id=loop.pk, leave_out=[panel["cy"].pk], via="page")

    assert result.actual.outcome == stored.outcome == "needs_discussion"
    assert result.what_if.outcome == "hire"
    assert result.what_if.weighted_score == 4
    assert result.what_if.scorecard_count == 2
    assert any("3.5" in reason for reason in result.what_if.reasons)
    assert [person.name for person in result.left_out] == ["Cy Young"]
    assert recommendation_tables() == before


def test_what_if_real_side_is_the_stored_recommendation_with_its_adjusted_score_and_interval(
    db, committee_member, settings
):
    """With a leniency history, the real side equals the stored figures (the same computation) and the what-if
    carries its own adjusted score and interval."""
    settings.HIRELOOP_RATER_MODEL_MIN_LOOPS = 3
    lena, pete, recruiter = UserFactory(), UserFactory(), UserFactory(recruiter=True)
    for _ in range(6):
        past = make_loop(recruiter=recruiter)
        on_panel(past, lena, (5,) * 7)
        on_panel(past, pete, (3,) * 7)
        recommendation_compute(loop_id=past.pk)
    # Leniency comes from the stored rater model, measured on this history by its refit (the beat task's).
    assert rater_model_refit().fitted
    loop = make_loop(recruiter=recruiter)
    on_panel(loop, lena, (4,) * 7)
    on_panel(loop, pete, (3, 3, 4, 3, 3, 3, 3))
    stored = recommendation_compute(loop_id=loop.pk).recommendation
    assert stored is not None and stored.adjusted_score is not None
    # A later refit, not yet applied to this loop: the real side stays the stored recommendation's figures.
    store_fit({lena.pk: [-1.5, 0.1, 1.0, 0.05, 12, 80, True], pete.pk: [1.5, 0.1, 1.0, 0.05, 12, 80, True]})

    result = loop_what_if(actor=committee_member, loop_id=loop.pk, leave_out=[pete.pk], via="api")

    actual = result.actual.as_dict()
    assert Decimal(actual["weighted_score"]).quantize(Decimal("0.001")) == stored.weighted_score
    for key, column in (("score", stored.adjusted_score), ("low", stored.adjusted_low), ("high", stored.adjusted_high)):
        assert Decimal(actual["adjusted"][key]).quantize(Decimal("0.001")) == column
    adjusted = result.what_if.adjustment
    assert adjusted is not None
    assert result.what_if.weighted_score == 4  # Lena alone, raw
    assert adjusted.score != 4  # her measured leniency is corrected in the what-if too
    assert adjusted.low <= adjusted.score <= adjusted.high


def test_what_if_ignoring_an_amendment_uses_the_revision_it_amends(panel, committee_member):
    """Cy amends to 4s after the debrief; ignoring that amendment brings his 2s back."""
    loop, cy = panel["loop"], panel["cy"]
    interview = loop.interviews.get(interviewer=cy)
    amended = scorecard_amend(actor=cy, interview_id=interview.pk,
                              data=scorecard_input(interview, scores(*(4,) * 7), overall="yes"),
                              reason="The debrief showed I misread the design answer.")
    recommendation_compute(loop_id=loop.pk)
    before = recommendation_tables()

    result = loop_what_if(actor=committee_member, loop_id=loop.pk, ignore_amendments=[amended.pk], via="page")

    assert (result.actual.outcome, result.actual.weighted_score) == ("hire", 4)
    assert result.what_if.outcome == "needs_discussion"
    assert (result.actual.votes.get("no", 0), result.what_if.votes.get("no", 0)) == (0, 1)
    assert [(a.scorecard_id, a.revision, a.name) for a in result.ignored_amendments] == [(amended.pk, 2, "Cy Young")]
    assert recommendation_tables() == before


def test_what_if_is_audited_as_a_read_by_ids_only(panel, committee_member):
    loop = panel["loop"]
    loop_what_if(actor=committee_member, loop_id=loop.pk, leave_out=[panel["cy"].pk, panel["ben"].pk], via="api")

    event = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert (event.actor_id, event.loop_id, event.object_type, event.object_id) == (
        committee_member.pk, loop.pk, "hiring.interviewloop", str(loop.pk))
    assert event.before is None
    assert event.after == {"left_out_interviewer_ids": sorted([panel["cy"].pk, panel["ben"].pk]),
                           "ignored_amendment_ids": [], "via": "api"}


@pytest.mark.parametrize(
    ("ask", "field", "message"),
    [
        (lambda p: {"leave_out": [987654]}, "leave_out", "No submitted feedback on this loop is by interviewer 987654"),
        (lambda p: {"leave_out": [p["stranger"].pk]}, "leave_out", "No submitted feedback on this loop is by"),
        (lambda p: {"leave_out": [p["drafting"].pk]}, "leave_out", "No submitted feedback on this loop is by"),
        (lambda p: {"ignore_amendments": [p["ana_card"].pk]}, "ignore_amendments",
         "is not an amendment the recommendation of this loop uses"),
        (lambda p: {"ignore_amendments": [p["other_card"].pk]}, "ignore_amendments",
         "is not an amendment the recommendation of this loop uses"),
        (lambda p: {}, "leave_out", "Choose at least one interviewer to leave out or one amendment to ignore."),
        (lambda p: {"leave_out": list(range(1, 60))}, "leave_out", "Give at most 50 interviewer ids."),
    ],
    ids=["unknown id", "interviewer of another loop", "panelist without submitted feedback",
         "scorecard that is no amendment", "scorecard of another loop", "nothing asked", "too many"],
)
def test_what_if_refuses_ids_not_of_this_loop_naming_the_field_and_writes_nothing(
    panel, committee_member, ask, field, message
):
    loop = panel["loop"]
    stranger = UserFactory()
    other = make_loop()
    _, other_card = on_panel(other, stranger, (3,) * 7)
    drafting = UserFactory()
    draft_interview = make_interview(loop=loop, interviewer=drafting, focus=list(ALL_DIMENSIONS))
    save_draft(draft_interview, scores(*(3,) * 7))
    world = {**panel, "stranger": stranger, "other_card": other_card, "drafting": drafting,
             "ana_card": loop.interviews.get(interviewer=panel["ana"]).scorecards.get()}
    before, audited = recommendation_tables(), AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        loop_what_if(actor=committee_member, loop_id=loop.pk, via="api", **ask(world))

    assert list(refused.value.field_errors) == [field]
    assert message in refused.value.field_errors[field][0]
    assert (recommendation_tables(), AuditEvent.objects.count()) == (before, audited)


def test_what_if_access_follows_the_committee_pages_and_the_independence_rule(panel, committee_member):
    loop = panel["loop"]
    # A committee member who interviews on the loop and has not submitted: the panel is hidden from them.
    owing = UserFactory(kind="committee")
    make_interview(loop=loop, interviewer=owing, focus=list(ALL_DIMENSIONS))
    outsider = UserFactory()
    make_interview(loop=make_loop(), interviewer=outsider)
    ask = {"loop_id": loop.pk, "leave_out": [panel["cy"].pk], "via": "page"}
    audited = AuditEvent.objects.count()

    with pytest.raises(PermissionRefused) as independence:
        loop_what_if(actor=owing, **ask)
    with pytest.raises(PermissionRefused) as interviewer:
        loop_what_if(actor=panel["ana"], **ask)  # submitted her own, but interviewers ask no what-if
    with pytest.raises(PermissionRefused) as recruiter:
        loop_what_if(actor=UserFactory(recruiter=True), **ask)
    with pytest.raises(NotFound):
        loop_what_if(actor=outsider, **ask)

    assert (independence.value.code, interviewer.value.code, recruiter.value.code) == (
        "independence", "not_committee", "not_committee")
    assert AuditEvent.objects.count() == audited
    admin = UserFactory(kind="admin")
    assert loop_what_if(actor=admin, **ask).what_if.outcome == "hire"
    assert loop_what_if(actor=committee_member, **ask).what_if.outcome == "hire"


def test_what_if_leaving_everyone_out_is_insufficient_evidence(panel, committee_member):
    result = loop_what_if(actor=committee_member, loop_id=panel["loop"].pk, via="page",
                          leave_out=[panel["ana"].pk, panel["ben"].pk, panel["cy"].pk])
    assert (result.what_if.outcome, result.what_if.weighted_score, result.what_if.scorecard_count) == (
        "insufficient_evidence", None, 0)


def test_what_if_query_count_does_not_grow_with_the_panel(panel, committee_member, django_assert_num_queries):
    """Three panelists or eight, one left out or five, an amendment ignored or not: the same queries each way."""
    loop = panel["loop"]
    with CaptureQueriesContext(connection) as small:
        loop_what_if(actor=committee_member, loop_id=loop.pk, leave_out=[panel["cy"].pk], via="page")
    newcomers = [UserFactory() for _ in range(5)]
    for person in newcomers:
        on_panel(loop, person, (3,) * 7)
    recommendation_compute(loop_id=loop.pk)

    with django_assert_num_queries(len(small.captured_queries)):
        loop_what_if(actor=committee_member, loop_id=loop.pk, leave_out=[p.pk for p in newcomers], via="page")

    amendments = []
    for person in (panel["cy"], *newcomers[:3]):
        interview = loop.interviews.get(interviewer=person)
        amendments.append(scorecard_amend(actor=person, interview_id=interview.pk,
                                          data=scorecard_input(interview, scores(*(4,) * 7)), reason="Debrief."))
    with CaptureQueriesContext(connection) as one:
        loop_what_if(actor=committee_member, loop_id=loop.pk, ignore_amendments=[amendments[0].pk], via="page")
    with django_assert_num_queries(len(one.captured_queries)):
        loop_what_if(actor=committee_member, loop_id=loop.pk, ignore_amendments=[a.pk for a in amendments],
                     via="page")
