"""Amending after the debrief: a new revision with a reason; the original stays exactly as submitted."""

from __future__ import annotations

import pytest

from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import AuditEvent, InterviewLoop
from scorecards.models import RecomputeRequest, Scorecard
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, scorecard_input, submit_scorecard
from tests.scorecards.interviewer_helpers import ML, SE, STRONG, audit_count, close_loop, dimension, scorecard_state


@pytest.fixture
def loop(db):
    return make_loop()


@pytest.fixture
def interview(loop, interviewer):
    return make_interview(loop=loop, interviewer=interviewer)


@pytest.fixture
def debriefed(loop, interview):
    """The interviewer's submitted card on a loop whose whole panel has submitted (in review)."""
    colleague_interview = make_interview(loop=loop)
    card = submit_scorecard(interview, {SE: 2, ML: 3}, overall="no")
    submit_scorecard(colleague_interview)
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.IN_REVIEW
    return card


def test_service_scorecard_amend_creates_new_revision(interview, interviewer, debriefed):
    """The amendment is revision 2 and current; revision 1 keeps its scores, time and content."""
    original_before = [row for row in scorecard_state(interview) if row["id"] == debriefed.pk][0]
    data = scorecard_input(interview, {SE: 3, ML: 3}, overall="yes", summary="Revisited after the debrief.")

    amendment = scorecard_amend(actor=interviewer, interview_id=interview.pk, data=data,
                                reason="  The debrief showed I misread the design question.  ",
                                expected_version=debriefed.version)

    original, revised = scorecard_state(interview)
    assert original == {**original_before, "is_current": False}
    assert revised["id"] == amendment.pk
    assert (revised["revision"], revised["is_current"], revised["status"]) == (2, True, "submitted")
    assert revised["reason"] == "The debrief showed I misread the design question."
    assert revised["overall"] == "yes"
    assert revised["version"] == debriefed.version + 1
    assert revised["submitted_at"] > original["submitted_at"]
    se = dimension(interview, SE)
    assert (se.pk, 3, False, "Walked through the design and tested edge cases.") in revised["ratings"]
    assert amendment.amends_id == debriefed.pk
    event = AuditEvent.objects.get(action="scorecard.amended")
    assert event.after is not None
    assert event.after["revision"] == 2
    assert event.after["amends"] == debriefed.pk
    assert "misread" not in str(event.after)
    assert RecomputeRequest.objects.filter(reason="scorecard_amended").count() == 1


def test_service_scorecard_amend_twice_chains_revisions(interview, interviewer, debriefed):
    """A second amendment amends the first; all three revisions remain."""
    first = scorecard_amend(actor=interviewer, interview_id=interview.pk,
                            data=scorecard_input(interview, {SE: 3, ML: 3}), reason="One",
                            expected_version=debriefed.version)
    second = scorecard_amend(actor=interviewer, interview_id=interview.pk,
                             data=scorecard_input(interview, {SE: 4, ML: 3}), reason="Two",
                             expected_version=first.version)
    assert [(r["revision"], r["is_current"]) for r in scorecard_state(interview)] == [(1, False), (2, False), (3, True)]
    assert second.amends_id == first.pk


def test_service_scorecard_amend_before_debrief_refused(loop, interview, interviewer):
    """While a colleague's feedback is still due, scores stay independent: no amendment yet."""
    make_interview(loop=loop)
    card = submit_scorecard(interview)
    before = scorecard_state(interview)
    events = audit_count()
    with pytest.raises(Conflict) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 5, ML: 5}), reason="Changed my mind",
                        expected_version=card.version)
    assert exc.value.code == "debrief_pending"
    assert scorecard_state(interview) == before
    assert audit_count() == events


def test_service_scorecard_amend_draft_refused(interview, interviewer):
    """Only a submitted card can be amended."""
    save_draft(interview, {SE: 3})
    before = scorecard_state(interview)
    with pytest.raises(Conflict) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 3, ML: 3}), reason="Why not")
    assert exc.value.code == "not_submitted"
    assert scorecard_state(interview) == before


def test_service_scorecard_amend_nothing_started_not_found(interview, interviewer):
    """Amending an interview with no scorecard at all says so and creates nothing."""
    with pytest.raises(NotFound):
        scorecard_amend(actor=interviewer, interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 3, ML: 3}), reason="Why")
    assert Scorecard.objects.count() == 0


@pytest.mark.parametrize("status", [InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN])
def test_service_scorecard_amend_closed_loop_refused(interview, interviewer, debriefed, status):
    """After the decision the feedback is final."""
    close_loop(interview.loop, status)
    before = scorecard_state(interview)
    with pytest.raises(Conflict) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 5, ML: 5}), reason="Too late",
                        expected_version=debriefed.version)
    assert exc.value.code == "loop_closed"
    assert scorecard_state(interview) == before


def test_service_scorecard_amend_requires_reason_beside_other_problems(interview, interviewer, debriefed):
    """A blank reason is reported together with the incomplete fields; nothing is written."""
    before = scorecard_state(interview)
    ml = dimension(interview, ML)
    with pytest.raises(ValidationFailed) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 4}, overall=""), reason="   ",
                        expected_version=debriefed.version)
    assert exc.value.field_errors == {
        f"dimension-{ml.pk}-score": ["Score this focus dimension or mark it not assessed."],
        "overall": ["Choose an overall recommendation."],
        "reason": ["Say why you amend the scorecard: what changed."],
    }
    assert scorecard_state(interview) == before


def test_service_scorecard_amend_requires_reason(interview, interviewer, debriefed):
    """A complete amendment without a reason is refused under the reason field."""
    before = scorecard_state(interview)
    with pytest.raises(ValidationFailed) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 4, ML: 3}), reason="",
                        expected_version=debriefed.version)
    assert exc.value.code == "reason_required"
    assert exc.value.field_errors == {"reason": ["Say why you amend the scorecard: what changed."]}
    assert scorecard_state(interview) == before


def test_service_scorecard_amend_unchanged_refused(interview, interviewer, debriefed):
    """An amendment identical to the current revision would only add noise for the committee."""
    before = scorecard_state(interview)
    same = scorecard_input(interview, {SE: 2, ML: 3}, overall="no")
    with pytest.raises(ValidationFailed) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk, data=same, reason="No change",
                        expected_version=debriefed.version)
    assert exc.value.code == "unchanged"
    assert scorecard_state(interview) == before


def test_service_scorecard_amend_signal_change_counts(interview, interviewer, debriefed):
    """Ticking a signal alone is a change worth amending."""
    data = scorecard_input(interview, {SE: 2, ML: 3}, overall="no", signals={STRONG: ""})
    amendment = scorecard_amend(actor=interviewer, interview_id=interview.pk, data=data, reason="Forgot the signal",
                                expected_version=debriefed.version)
    assert amendment.revision == 2


def test_service_scorecard_amend_stale_version_refused(interview, interviewer, debriefed):
    """A second tab amending the revision that was already amended is refused, not merged."""
    scorecard_amend(actor=interviewer, interview_id=interview.pk, data=scorecard_input(interview, {SE: 3, ML: 3}),
                    reason="First tab", expected_version=debriefed.version)
    before = scorecard_state(interview)
    with pytest.raises(Conflict) as exc:
        scorecard_amend(actor=interviewer, interview_id=interview.pk, data=scorecard_input(interview, {SE: 5, ML: 5}),
                        reason="Second tab", expected_version=debriefed.version)
    assert exc.value.code == "stale_version"
    assert scorecard_state(interview) == before


def test_service_scorecard_amend_someone_elses_interview_not_found(interview, debriefed):
    """Nobody amends a card that is not theirs; the attempt is reported as missing."""
    before = scorecard_state(interview)
    with pytest.raises(NotFound):
        scorecard_amend(actor=UserFactory(kind="committee"), interview_id=interview.pk,
                        data=scorecard_input(interview, {SE: 5, ML: 5}), reason="Mine now")
    assert scorecard_state(interview) == before
