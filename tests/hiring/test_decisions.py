"""The committee's decision: justified where it departs from the recommendation, final, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, InterviewLoop, User
from scorecards.decisions import DecisionInput, loop_decide
from scorecards.models import Recommendation
from scorecards.recommendations.services import recommendation_compute
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard
from tests.scorecards.test_rater_model_database import store_fit

RED_FLAG = "Recommends logging raw sensitive user data/prompts without safeguards."


def scores(*values: int) -> dict[str, int | None]:
    return dict(zip(ALL_DIMENSIONS, values, strict=True))


def loop_with(*cards: tuple[tuple[int, ...], dict]) -> InterviewLoop:
    """A loop whose interviewers submitted these scorecards (scores, extra submit kwargs)."""
    loop = make_loop()
    for values, extra in cards:
        interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
        submit_scorecard(interview, scores(*values), **extra)
    recommendation_compute(loop_id=loop.pk)
    loop.refresh_from_db()
    return loop


def state(loop: InterviewLoop) -> tuple:
    loop.refresh_from_db()
    return (
        loop.status,
        loop.decision,
        loop.decision_rationale,
        loop.decision_justification,
        loop.decided_by_id,
        loop.decided_at,
        AuditEvent.objects.filter(action="loop.decided").count(),
    )


@pytest.fixture
def hire_loop(db):
    """Two 4s across the board: a hire."""
    return loop_with(((4,) * 7, {}), ((4,) * 7, {}))


@pytest.mark.django_db
def test_decision_in_line_with_recommendation_is_recorded_with_snapshot(hire_loop, committee_member):
    """Hire on a hire recommendation: no justification needed; the recommendation at that moment is kept."""
    loop = loop_decide(
        actor=committee_member,
        loop_id=hire_loop.pk,
        data=DecisionInput(decision="hire", rationale="Strong across the panel."),
    )
    loop.refresh_from_db()
    assert (loop.status, loop.decision, loop.decision_rationale, loop.decided_by) == (
        "decided",
        "hire",
        "Strong across the panel.",
        committee_member,
    )
    assert loop.decided_at is not None and loop.closed_at == loop.decided_at
    snapshot = loop.decision_recommendation
    assert snapshot is not None
    recommendation = Recommendation.objects.get(loop=loop)
    assert {k: snapshot[k] for k in ("outcome", "weighted_score", "coverage", "fingerprint", "scorecard_count")} == {
        "outcome": "hire",
        "weighted_score": "4.000",
        "coverage": "1.0000",
        "fingerprint": recommendation.fingerprint,
        "scorecard_count": 2,
    }
    assert snapshot["reasons"] == ["Weighted score 4.00 is at or above the 3.5 hire threshold"]
    event = AuditEvent.objects.get(action="loop.decided")
    assert event.actor == committee_member
    assert event.before == {"status": "in_review", "decision": ""}
    assert event.after is not None
    assert event.after["decision"] == "hire"
    assert event.after["recommendation"]["outcome"] == "hire"
    assert event.after["against_recommendation"] is False
    # The rationale may name the candidate: it stays out of the audit trail.
    assert "Strong across the panel." not in str(event.after)


@pytest.mark.django_db
def test_decision_against_recommendation_requires_justification(hire_loop, committee_member):
    """No hire on a hire recommendation is refused without a justification, and nothing changes."""
    before = state(hire_loop)
    with pytest.raises(ValidationFailed) as refused:
        loop_decide(
            actor=committee_member,
            loop_id=hire_loop.pk,
            data=DecisionInput(decision="no_hire", rationale="Team fit concerns."),
        )
    assert refused.value.field_errors == {
        "justification": ["Not hiring goes against the recommendation (hire). Write a justification."]
    }
    assert state(hire_loop) == before

    loop_decide(
        actor=committee_member,
        loop_id=hire_loop.pk,
        data=DecisionInput(
            decision="no_hire", rationale="Team fit concerns.", justification="Headcount was frozen this week."
        ),
    )
    hire_loop.refresh_from_db()
    assert (hire_loop.decision, hire_loop.decision_justification) == ("no_hire", "Headcount was frozen this week.")
    event = AuditEvent.objects.get(action="loop.decided")
    assert event.after is not None
    assert event.after["against_recommendation"] is True
    assert event.after["justification_required_because"] == ["Not hiring goes against the recommendation (hire)."]


@pytest.mark.django_db
def test_decision_hire_over_red_flag_requires_justification(committee_member):
    """A red flag makes the recommendation no hire; hiring over it needs both reasons answered."""
    loop = loop_with(((5,) * 7, {"signals": {RED_FLAG: "Proposed logging full prompts."}}), ((4,) * 7, {}))
    assert Recommendation.objects.get(loop=loop).outcome == "no_hire"
    before = state(loop)
    with pytest.raises(ValidationFailed) as refused:
        loop_decide(actor=committee_member, loop_id=loop.pk, data=DecisionInput(decision="hire", rationale="Great."))
    assert refused.value.field_errors == {
        "justification": [
            "Hiring goes against the recommendation (no hire). Hiring over a red flag raised by the panel. "
            "Write a justification."
        ]
    }
    assert state(loop) == before
    loop_decide(
        actor=committee_member,
        loop_id=loop.pk,
        data=DecisionInput(decision="hire", rationale="Great.", justification="The flag was a misunderstanding."),
    )
    assert state(loop)[:2] == ("decided", "hire")


@pytest.mark.django_db
def test_decision_no_hire_on_red_flag_needs_no_justification(committee_member):
    loop = loop_with(((5,) * 7, {"signals": {RED_FLAG: "Proposed logging full prompts."}}))
    loop_decide(actor=committee_member, loop_id=loop.pk, data=DecisionInput(decision="no_hire", rationale="Red flag."))
    assert state(loop)[:2] == ("decided", "no_hire")


@pytest.mark.parametrize("decision", ["hire", "no_hire"])
@pytest.mark.django_db
def test_decision_on_needs_discussion_needs_no_justification(committee_member, decision):
    """All 3s is 'needs discussion': either decision is in line with it."""
    loop = loop_with(((3,) * 7, {}))
    assert Recommendation.objects.get(loop=loop).outcome == "needs_discussion"
    loop_decide(actor=committee_member, loop_id=loop.pk, data=DecisionInput(decision=decision, rationale="Discussed."))
    assert state(loop)[:2] == ("decided", decision)


@pytest.mark.django_db
def test_decision_with_outstanding_scorecards_requires_confirmation(hire_loop, committee_member):
    """A scorecard still missing: refused unless the member confirms; the audit lists what was missing."""
    pending = make_interview(loop=hire_loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    before = state(hire_loop)
    with pytest.raises(ValidationFailed) as refused:
        loop_decide(actor=committee_member, loop_id=hire_loop.pk, data=DecisionInput(decision="hire", rationale="Ok."))
    assert refused.value.field_errors == {
        "confirm_outstanding": [
            "1 interview(s) still have no submitted scorecard. Confirm that you decide without their feedback."
        ]
    }
    assert state(hire_loop) == before
    loop_decide(
        actor=committee_member,
        loop_id=hire_loop.pk,
        data=DecisionInput(decision="hire", rationale="Ok.", confirm_outstanding=True),
    )
    after = AuditEvent.objects.get(action="loop.decided").after
    assert after is not None
    assert after["outstanding_interviews"] == [pending.pk]


@pytest.mark.django_db
def test_decision_is_final(hire_loop, committee_member):
    """A decided loop cannot be decided again, not even by another member."""
    loop_decide(actor=committee_member, loop_id=hire_loop.pk, data=DecisionInput(decision="hire", rationale="Yes."))
    before = state(hire_loop)
    other = UserFactory(committee=True)
    with pytest.raises(Conflict) as refused:
        loop_decide(
            actor=other,
            loop_id=hire_loop.pk,
            data=DecisionInput(decision="no_hire", rationale="No.", justification="Changed my mind."),
        )
    assert refused.value.code == "already_decided"
    assert state(hire_loop) == before


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "admin"])
@pytest.mark.django_db
def test_decision_refused_for_everyone_but_the_committee(hire_loop, kind):
    """Only committee members record decisions; admins and recruiters read but do not decide."""
    actor = UserFactory(kind=kind, is_superuser=kind == "admin")
    before = state(hire_loop)
    with pytest.raises(PermissionRefused):
        loop_decide(actor=actor, loop_id=hire_loop.pk, data=DecisionInput(decision="hire", rationale="Yes."))
    assert state(hire_loop) == before


@pytest.mark.django_db
def test_decision_refused_for_a_member_with_own_feedback_pending(hire_loop):
    """A committee member who interviews on the loop and has not submitted does not see it, let alone decide it."""
    member = UserFactory(committee=True)
    make_interview(loop=hire_loop, interviewer=member, focus=list(ALL_DIMENSIONS))
    before = state(hire_loop)
    with pytest.raises(NotFound):
        loop_decide(
            actor=member,
            loop_id=hire_loop.pk,
            data=DecisionInput(decision="hire", rationale="Yes.", confirm_outstanding=True),
        )
    assert state(hire_loop) == before


@pytest.mark.django_db
def test_decision_requires_a_choice_and_a_rationale(hire_loop, committee_member):
    before = state(hire_loop)
    with pytest.raises(ValidationFailed) as refused:
        loop_decide(actor=committee_member, loop_id=hire_loop.pk, data=DecisionInput(decision="maybe", rationale=" "))
    assert refused.value.field_errors == {
        "decision": ["Choose hire or no hire."],
        "rationale": ["Give the rationale for the decision."],
    }
    assert state(hire_loop) == before


@pytest.mark.django_db
def test_decision_refused_when_the_recommendation_changed_since_it_was_read(hire_loop, committee_member):
    """The member saw an older recommendation: they must look again before deciding."""
    before = state(hire_loop)
    with pytest.raises(Conflict) as refused:
        loop_decide(
            actor=committee_member,
            loop_id=hire_loop.pk,
            data=DecisionInput(decision="hire", rationale="Yes.", expected_fingerprint="0" * 64),
        )
    assert refused.value.code == "recommendation_changed"
    assert state(hire_loop) == before


@pytest.mark.django_db
def test_decision_brings_a_stale_recommendation_up_to_date_first(committee_member):
    """Feedback whose recompute never ran (broker down) counts in the recommendation the decision is checked against."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(interview, scores(2, 2, 2, 2, 2, 2, 2), overall="no")  # no on_commit in this test: not computed
    assert not Recommendation.objects.filter(loop=loop).exists()
    with pytest.raises(ValidationFailed) as refused:
        loop_decide(actor=committee_member, loop_id=loop.pk, data=DecisionInput(decision="hire", rationale="Yes."))
    assert refused.value.field_errors == {
        "justification": ["Hiring goes against the recommendation (no hire). Write a justification."]
    }
    loop_decide(
        actor=committee_member,
        loop_id=loop.pk,
        data=DecisionInput(decision="hire", rationale="Yes.", justification="Scores undersell the portfolio."),
    )
    loop.refresh_from_db()
    assert loop.decision_recommendation is not None
    assert (loop.decision_recommendation["outcome"], loop.decision_recommendation["weighted_score"]) == (
        "no_hire",
        "2.000",
    )
    assert Recommendation.objects.get(loop=loop).weighted_score == Decimal("2.000")


def stale_loop() -> tuple[InterviewLoop, str]:
    """A loop whose stored recommendation predates its interviewer's leniency history; and what it stores.

    As on the demo data: its recommendation was computed before the rater
    model was refitted on another loop of the same interviewer, so its
    leniency offsets are out of date although none of its feedback changed.
    Recommendations read the newest stored fit (scorecards/leniency/fits.py),
    not the raw history: the history moves them only once a fit is stored.
    """
    generous = UserFactory()

    def panel(*cards: tuple[User, int]) -> InterviewLoop:
        loop = make_loop()
        for interviewer, value in cards:
            interview = make_interview(loop=loop, interviewer=interviewer, focus=list(ALL_DIMENSIONS))
            submit_scorecard(interview, scores(*(value,) * 7), overall="no" if value < 3 else "yes")
        recommendation_compute(loop_id=loop.pk)
        return loop

    loop = panel((generous, 2), (UserFactory(), 2))
    stored = Recommendation.objects.get(loop=loop).fingerprint
    panel((generous, 4), (UserFactory(), 2))  # the generous interviewer scores above the panel elsewhere
    # The refit that measured it (stored as the beat task would; two loops are too few for a real fit).
    store_fit({generous.pk: [1.0, 0.5, 1.0, 0.1, 2, 14, True]})
    return loop, stored


def no_hire_seen(fingerprint: str) -> DecisionInput:
    return DecisionInput(decision="no_hire", rationale="Not this time.", expected_fingerprint=fingerprint)


@pytest.mark.django_db
def test_decision_on_a_stale_recommendation_is_refused_once_and_the_refreshed_one_is_kept(committee_member):
    """The refusal stays, but the refreshed recommendation is stored: the next attempt, naming it, is recorded."""
    loop, seen = stale_loop()
    before = state(loop)
    with pytest.raises(Conflict) as refused:
        loop_decide(actor=committee_member, loop_id=loop.pk, data=no_hire_seen(seen))
    assert refused.value.code == "recommendation_changed"
    assert "Review the updated recommendation before deciding." in refused.value.message
    assert state(loop) == before
    current = Recommendation.objects.get(loop=loop)
    assert current.fingerprint != seen
    assert current.details["leniency"] != {}
    refresh = AuditEvent.objects.filter(action="recommendation.computed", loop_id=loop.pk).latest("pk")
    assert refresh.after is not None and refresh.after["fingerprint"] == current.fingerprint[:16]

    loop_decide(actor=committee_member, loop_id=loop.pk, data=no_hire_seen(current.fingerprint))
    loop.refresh_from_db()
    assert (loop.status, loop.decision) == ("decided", "no_hire")
    assert loop.decision_recommendation is not None
    assert loop.decision_recommendation["fingerprint"] == current.fingerprint
    assert AuditEvent.objects.filter(action="loop.decided", loop_id=loop.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_decision_conflict_commits_the_refreshed_recommendation(committee_member):
    """With real transactions: the refused decision rolls back, the refreshed recommendation is committed."""
    loop, seen = stale_loop()  # the submits' recomputes ran after their commits, the other loop's last
    with pytest.raises(Conflict):
        loop_decide(actor=committee_member, loop_id=loop.pk, data=no_hire_seen(seen))
    current = Recommendation.objects.get(loop=loop).fingerprint
    assert current != seen
    assert InterviewLoop.objects.get(pk=loop.pk).status != InterviewLoop.Status.DECIDED
    assert not AuditEvent.objects.filter(action="loop.decided").exists()
    loop_decide(actor=committee_member, loop_id=loop.pk, data=no_hire_seen(current))
    assert InterviewLoop.objects.get(pk=loop.pk).decision == InterviewLoop.Decision.NO_HIRE
