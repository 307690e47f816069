"""Submitting a scorecard: completeness is checked all at once, then the card is read-only and timestamped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import AuditEvent, Interview, InterviewLoop
from scorecards.models import RecomputeRequest, Scorecard
from scorecards.services.scorecards import RatingInput, ScorecardInput, SignalInput, scorecard_submit
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, scorecard_input, submit_scorecard
from tests.scorecards.interviewer_helpers import (
    ML,
    OPS,
    RED_FLAG,
    SD,
    SE,
    STRONG,
    WEAK,
    audit_count,
    close_loop,
    dimension,
    scorecard_state,
    signal,
)


@pytest.fixture
def interview(db, interviewer):
    return make_interview(loop=make_loop(), interviewer=interviewer)


def test_service_scorecard_submit_complete_card(interview, interviewer):
    """A complete card is submitted, timestamped, audited, and the loop's recommendation is requested."""
    draft = save_draft(interview, {SE: 4}, overall="")
    data = scorecard_input(interview, {SE: 4, ML: None, OPS: 2}, overall="strong_yes", signals={STRONG: ""})
    before_submit = timezone.now()

    card = scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=draft.version)

    card.refresh_from_db()
    assert card.pk == draft.pk
    assert card.status == Scorecard.Status.SUBMITTED
    assert card.version == draft.version + 1
    assert card.submitted_at is not None and card.submitted_at.tzinfo is not None
    assert before_submit <= card.submitted_at <= timezone.now()
    assert card.overall == "strong_yes"
    [state] = scorecard_state(interview)
    se, ml, ops = dimension(interview, SE), dimension(interview, ML), dimension(interview, OPS)
    evidence = "Walked through the design and tested edge cases."
    assert state["ratings"] == sorted(
        [(se.pk, 4, False, evidence), (ml.pk, None, True, ""), (ops.pk, 2, False, evidence)]
    )
    assert state["signals"] == [(signal(interview, STRONG).pk, "")]
    event = AuditEvent.objects.get(action="scorecard.submitted")
    assert event.after is not None and event.before is not None
    assert event.after["status"] == "submitted"
    assert event.after["overall"] == "strong_yes"
    assert event.before["status"] == "draft"
    assert RecomputeRequest.objects.filter(loop=interview.loop, reason="scorecard_submitted").count() == 1
    interview.loop.refresh_from_db()
    assert interview.loop.status == InterviewLoop.Status.IN_REVIEW


@pytest.mark.parametrize(("draft_scores", "draft_signals", "deletes"), [
    ({}, {}, 0),
    ({SE: 2, OPS: None}, {}, 1),
    ({}, {WEAK: "", RED_FLAG: "Logged prompts."}, 1),
    ({SE: 2, OPS: None}, {WEAK: "", RED_FLAG: "Logged prompts."}, 2),
])
def test_service_scorecard_submit_over_draft_replaces_its_content(
    interview, interviewer, draft_scores, draft_signals, deletes
):
    """Over a draft the submitted content replaces the draft's, whichever kinds of rows the draft held; only
    those kinds are deleted."""
    draft = save_draft(interview, draft_scores, signals=draft_signals, overall="")
    data = scorecard_input(interview, {SE: 4, ML: 3}, overall="yes", signals={STRONG: ""})

    with CaptureQueriesContext(connection) as captured:
        scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=draft.version)

    [state] = scorecard_state(interview)
    evidence = "Walked through the design and tested edge cases."
    assert state["ratings"] == sorted([(dimension(interview, SE).pk, 4, False, evidence),
                                       (dimension(interview, ML).pk, 3, False, evidence)])
    assert state["signals"] == [(signal(interview, STRONG).pk, "")]
    assert sum(q["sql"].startswith("DELETE") for q in captured.captured_queries) == deletes


def test_service_scorecard_submit_without_draft(interview, interviewer):
    """Submitting straight away (no draft saved first) works when the card is complete."""
    card = submit_scorecard(interview)
    assert card.status == "submitted"
    assert Scorecard.objects.filter(interview=interview).count() == 1


def test_service_scorecard_submit_reports_every_problem_at_once(interview, interviewer):
    """Missing focus scores, missing evidence (focus or not), a red flag without a note and no overall:
    all reported together under their fields, and the saved draft stays as it was."""
    draft = save_draft(interview, {SE: 3}, overall="")
    before = scorecard_state(interview)
    events = audit_count()
    se, ml, sd = dimension(interview, SE), dimension(interview, ML), dimension(interview, SD)
    red, weak = signal(interview, RED_FLAG), signal(interview, WEAK)
    data = ScorecardInput(
        ratings=[RatingInput(dimension_id=se.pk, score=4, evidence="  "), RatingInput(dimension_id=sd.pk, score=2)],
        signals=[SignalInput(signal_id=red.pk, note=" "), SignalInput(signal_id=weak.pk)],
        overall="",
    )

    with pytest.raises(ValidationFailed) as exc:
        scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=draft.version)

    assert exc.value.code == "incomplete"
    assert exc.value.field_errors == {
        f"dimension-{ml.pk}-score": ["Score this focus dimension or mark it not assessed."],
        f"dimension-{se.pk}-evidence": ["Give the evidence for this score: what the candidate said or did."],
        f"dimension-{sd.pk}-evidence": ["Give the evidence for this score: what the candidate said or did."],
        f"signal-{red.pk}-note": ["Say what you observed for this red flag."],
        "overall": ["Choose an overall recommendation."],
    }
    assert scorecard_state(interview) == before
    assert audit_count() == events
    assert RecomputeRequest.objects.count() == 0


def test_service_scorecard_submit_all_focus_not_assessed_is_complete(interview, interviewer):
    """'Not assessed' is an answer: a card with every focus dimension marked so can be submitted."""
    card = submit_scorecard(interview, {SE: None, ML: None}, overall="no")
    assert card.status == "submitted"


def test_service_scorecard_submit_without_focus_requires_every_dimension(db, interviewer):
    """An interview with no focus dimensions asks for the whole rubric."""
    interview = make_interview(loop=make_loop(), interviewer=interviewer, focus=[])
    with pytest.raises(ValidationFailed) as exc:
        submit_scorecard(interview, {SE: 3})
    assert len(exc.value.field_errors) == 6  # the seven dimensions but the one scored
    assert f"dimension-{dimension(interview, SE).pk}-score" not in exc.value.field_errors


def test_service_scorecard_submit_twice_refused(interview, interviewer):
    """A submitted card is read-only: submitting again is refused and changes nothing."""
    card = submit_scorecard(interview)
    before = scorecard_state(interview)
    data = scorecard_input(interview, {SE: 1, ML: 1}, overall="strong_no")
    with pytest.raises(Conflict) as exc:
        scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=card.version)
    assert exc.value.code == "already_submitted"
    assert scorecard_state(interview) == before


def test_service_scorecard_submit_stale_version_refused(interview, interviewer):
    """Submitting from a tab opened before the latest draft save is refused; the draft stays."""
    save_draft(interview, {SE: 2})
    before = scorecard_state(interview)
    data = scorecard_input(interview, {SE: 5, ML: 5})
    with pytest.raises(Conflict) as exc:
        scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=1)
    assert exc.value.code == "stale_version"
    assert scorecard_state(interview) == before


def test_service_scorecard_submit_closed_loop_refused(interview, interviewer):
    """A decided loop takes no more feedback, even from a draft started before the decision."""
    draft = save_draft(interview, {SE: 2})
    close_loop(interview.loop, InterviewLoop.Status.DECIDED)
    before = scorecard_state(interview)
    data = scorecard_input(interview, {SE: 3, ML: 3})
    with pytest.raises(Conflict) as exc:
        scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=draft.version)
    assert exc.value.code == "loop_closed"
    assert scorecard_state(interview) == before
    assert RecomputeRequest.objects.count() == 0


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee", "admin"])
def test_service_scorecard_submit_someone_elses_interview_not_found(interview, kind):
    """Whatever their kind, nobody submits into an interview assigned to someone else."""
    other = UserFactory(kind=kind)
    data = scorecard_input(interview, {SE: 3, ML: 3})
    with pytest.raises(NotFound):
        scorecard_submit(actor=other, interview_id=interview.pk, data=data, expected_version=None)
    assert Scorecard.objects.count() == 0


def test_service_scorecard_submit_on_future_interview_keeps_loop_open(db, interviewer):
    """Feedback for one interview does not move a loop whose other interviews are still to come."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=interviewer)
    make_interview(loop=loop, starts_in=timedelta(days=2))
    submit_scorecard(interview)
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.OPEN


def test_service_scorecard_submit_refused_before_the_interview_starts(interviewer):
    """A submit before the interview has started would buy an early look at the panel: refused, nothing written,
    the draft kept; the same card submits once the interview has started."""
    loop = make_loop()
    future = make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=2))
    draft = save_draft(future, {SE: 4}, overall="yes")
    data = scorecard_input(future, {SE: 4, ML: 3, OPS: 2}, overall="yes")
    version = draft.version

    with pytest.raises(Conflict) as refused:
        scorecard_submit(actor=interviewer, interview_id=future.pk, data=data, expected_version=draft.version)

    assert refused.value.code == "interview_not_started"
    assert "once it has started" in refused.value.message
    draft.refresh_from_db()
    assert (draft.status, draft.version) == (Scorecard.Status.DRAFT, version)
    assert not AuditEvent.objects.filter(action="scorecard.submitted").exists()
    assert not RecomputeRequest.objects.filter(loop=loop, reason="scorecard_submitted").exists()

    Interview.objects.filter(pk=future.pk).update(starts_at=timezone.now() - timedelta(minutes=5),
                                                 ends_at=timezone.now() + timedelta(minutes=55))
    card = scorecard_submit(actor=interviewer, interview_id=future.pk, data=data, expected_version=draft.version)
    assert card.status == Scorecard.Status.SUBMITTED
