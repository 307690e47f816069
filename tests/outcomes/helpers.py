"""A hire made the way a team makes one: interviews, submitted scorecards, the committee's "hire"."""

from __future__ import annotations

from datetime import date

from hiring.models import InterviewLoop, User
from outcomes.models import Hire
from outcomes.services import hire_record
from scorecards.decisions import DecisionInput, loop_decide
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard


def decided_loop(*, decision: str = "hire", committee: User | None = None, score: int = 4) -> InterviewLoop:
    loop = make_loop()
    interview = make_interview(loop=loop)
    submit_scorecard(interview, {d.name: score for d in interview.focus_dimensions.all()}, overall="yes")
    committee = committee or UserFactory(committee=True)
    return loop_decide(actor=committee, loop_id=loop.pk,
                       data=DecisionInput(decision=decision, rationale="Strong on the essentials.",
                                          justification="Discussed at length."))


def make_hire(*, manager: User | None = None, start: date = date(2026, 1, 5)) -> Hire:
    loop = decided_loop()
    assert loop.recruiter is not None
    return hire_record(actor=loop.recruiter, loop_id=loop.pk, start_date=start,
                       manager_id=(manager or UserFactory(username="manny")).pk)
