"""Starting a scorecard and saving drafts: everything typed is kept, stale or foreign saves are refused."""

from __future__ import annotations

import pytest

from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import AuditEvent, Interview, InterviewLoop
from scorecards.models import Scorecard
from scorecards.services.scorecards import (
    RatingInput,
    ScorecardInput,
    SignalInput,
    scorecard_save_draft,
    scorecard_start,
)
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard
from tests.scorecards.interviewer_helpers import (
    ML,
    RED_FLAG,
    SD,
    SE,
    STRONG,
    audit_count,
    close_loop,
    dimension,
    scorecard_state,
    signal,
)


@pytest.fixture
def interview(db, interviewer):
    return make_interview(loop=make_loop(), interviewer=interviewer)


def test_service_scorecard_start_creates_one_empty_draft(interview, interviewer):
    """The first start makes an empty draft at version 1; starting again returns the same one."""
    first = scorecard_start(actor=interviewer, interview_id=interview.pk)
    again = scorecard_start(actor=interviewer, interview_id=interview.pk)

    assert again.pk == first.pk
    assert (first.status, first.version, first.revision, first.is_current) == ("draft", 1, 1, True)
    assert Scorecard.objects.filter(interview=interview).count() == 1
    assert list(AuditEvent.objects.filter(action="scorecard.created").values_list("object_id", flat=True)) == [
        str(first.pk)
    ]


def test_service_scorecard_start_other_interviewer_not_found(interview):
    """Another interviewer's interview is reported as missing and nothing is created."""
    other = UserFactory()
    with pytest.raises(NotFound):
        scorecard_start(actor=other, interview_id=interview.pk)
    assert Scorecard.objects.count() == 0


def test_service_scorecard_start_closed_loop_refused(interview, interviewer):
    """No feedback can be started on a withdrawn loop."""
    close_loop(interview.loop)
    events = audit_count()
    with pytest.raises(Conflict) as exc:
        scorecard_start(actor=interviewer, interview_id=interview.pk)
    assert exc.value.code == "loop_closed"
    assert Scorecard.objects.count() == 0
    assert audit_count() == events


def test_service_scorecard_save_draft_keeps_everything_as_typed(interview, interviewer):
    """An incomplete draft keeps scores, not-assessed marks, lone evidence, signals with notes and the summary."""
    se, ml, sd = dimension(interview, SE), dimension(interview, ML), dimension(interview, SD)
    strong, red = signal(interview, STRONG), signal(interview, RED_FLAG)
    data = ScorecardInput(
        ratings=[
            RatingInput(dimension_id=se.pk, score=4, evidence="  Wrote tests first.  "),
            RatingInput(dimension_id=ml.pk, evidence="Half-written note about metrics"),
            RatingInput(dimension_id=sd.pk, not_assessed=True),
        ],
        signals=[SignalInput(signal_id=strong.pk), SignalInput(signal_id=red.pk, note="")],
        overall="",
        summary="To finish tonight.",
    )

    card = scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=data, expected_version=1)

    [state] = scorecard_state(interview)
    assert state["status"] == "draft"
    assert state["version"] == 2
    assert state["overall"] == ""
    assert state["summary"] == "To finish tonight."
    assert state["submitted_at"] is None
    assert state["ratings"] == sorted(
        [
            (se.pk, 4, False, "Wrote tests first."),
            (ml.pk, None, False, "Half-written note about metrics"),
            (sd.pk, None, True, ""),
        ]
    )
    assert state["signals"] == sorted([(strong.pk, ""), (red.pk, "")])
    event = AuditEvent.objects.get(action="scorecard.saved")
    assert event.object_id == str(card.pk)
    assert event.after == {
        "scores": {str(se.pk): 4, str(ml.pk): None, str(sd.pk): "not assessed"},
        "signal_ids": sorted([strong.pk, red.pk]),
        "overall": "",
        "version": 2,
    }


def test_service_scorecard_save_draft_audit_holds_no_free_text(interview, interviewer):
    """Evidence, notes and summaries may name the candidate: they never reach the audit trail."""
    save_draft(interview, {SE: 4}, evidence="Priya Candidate said secret-evidence", summary="secret-summary",
               signals={RED_FLAG: "secret-note"})
    text = " ".join(str(e.before) + str(e.after) for e in AuditEvent.objects.all())
    assert "secret" not in text
    assert interview.loop.candidate.name not in text


def test_service_scorecard_save_draft_replaces_previous_content(interview, interviewer):
    """A later save replaces the draft's content: removed ratings and unticked signals disappear."""
    se, ml = dimension(interview, SE), dimension(interview, ML)
    first = save_draft(interview, {SE: 2, ML: 3}, signals={STRONG: ""})
    data = ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=5, evidence="Better on reflection")])

    card = scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=data, expected_version=first.version)

    assert card.version == first.version + 1
    [state] = scorecard_state(interview)
    assert state["ratings"] == [(se.pk, 5, False, "Better on reflection")]
    assert state["signals"] == []
    assert ml.pk not in [r[0] for r in state["ratings"]]


def test_service_scorecard_save_draft_non_focus_dimension_kept(interview, interviewer):
    """Dimensions outside the interview's focus can be scored too."""
    sd = dimension(interview, SD)
    assert sd not in interview.focus_dimensions.all()
    save_draft(interview, {SD: 2})
    [state] = scorecard_state(interview)
    assert state["ratings"] == [(sd.pk, 2, False, "Walked through the design and tested edge cases.")]


def test_service_scorecard_save_draft_stale_version_refused(interview, interviewer):
    """A save based on an older version is refused and the newer content stays."""
    se = dimension(interview, SE)
    save_draft(interview, {SE: 4})  # version 2 now
    before = scorecard_state(interview)
    events = audit_count()
    stale = ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=1, evidence="From an old tab")])

    with pytest.raises(Conflict) as exc:
        scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=stale, expected_version=1)

    assert exc.value.code == "stale_version"
    assert "another tab" in exc.value.message
    assert scorecard_state(interview) == before
    assert audit_count() == events


def test_service_scorecard_save_draft_two_tabs_from_nothing(interview, interviewer):
    """Two tabs opened before any save both send version 1: the first save wins, the second is refused."""
    se = dimension(interview, SE)
    tab_a = ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=4, evidence="Tab A")])
    tab_b = ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=2, evidence="Tab B")])

    scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=tab_a, expected_version=1)
    with pytest.raises(Conflict):
        scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=tab_b, expected_version=1)

    [state] = scorecard_state(interview)
    assert state["ratings"] == [(se.pk, 4, False, "Tab A")]
    assert state["version"] == 2


def test_service_scorecard_save_draft_after_submit_refused(interview, interviewer):
    """A submitted scorecard is read-only: a draft save is refused and changes nothing."""
    card = submit_scorecard(interview)
    before = scorecard_state(interview)
    data = ScorecardInput(overall="no")
    with pytest.raises(Conflict) as exc:
        scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=data, expected_version=card.version)
    assert exc.value.code == "already_submitted"
    assert scorecard_state(interview) == before


@pytest.mark.parametrize("status", [InterviewLoop.Status.WITHDRAWN, InterviewLoop.Status.DECIDED])
def test_service_scorecard_save_draft_closed_loop_refused(interview, interviewer, status):
    """Once a loop is decided or withdrawn its drafts are frozen."""
    draft = save_draft(interview, {SE: 3})
    close_loop(interview.loop, status)
    before = scorecard_state(interview)
    with pytest.raises(Conflict) as exc:
        scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=ScorecardInput(overall="yes"),
                             expected_version=draft.version)
    assert exc.value.code == "loop_closed"
    assert scorecard_state(interview) == before


def test_service_scorecard_save_draft_other_interviewer_not_found(interview):
    """Nobody saves into someone else's interview; the attempt creates nothing."""
    other = UserFactory(kind="committee")
    with pytest.raises(NotFound):
        scorecard_save_draft(actor=other, interview_id=interview.pk, data=ScorecardInput(), expected_version=None)
    assert Scorecard.objects.count() == 0


def _bad_inputs(
    interview: Interview, other_interview: Interview
) -> dict[str, tuple[ScorecardInput, dict[str, list[str]]]]:
    se = dimension(interview, SE)
    foreign_dimension = dimension(other_interview, "Python engineering")
    foreign_signal = other_interview.loop.rubric.signals.first()
    assert foreign_signal is not None
    strong = signal(interview, STRONG)
    return {
        "score 0": (ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=0)]),
                    {f"dimension-{se.pk}-score": ["Choose a score from 1 to 5."]}),
        "score 6": (ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=6)]),
                    {f"dimension-{se.pk}-score": ["Choose a score from 1 to 5."]}),
        "score True": (ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=True)]),
                       {f"dimension-{se.pk}-score": ["Choose a score from 1 to 5."]}),
        "score and not assessed": (
            ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=3, not_assessed=True)]),
            {f"dimension-{se.pk}-score": ["Choose a score or 'not assessed', not both."]},
        ),
        "dimension of another rubric": (
            ScorecardInput(ratings=[RatingInput(dimension_id=foreign_dimension.pk, score=3)]),
            {"ratings": [f"Dimension {foreign_dimension.pk} is not part of this rubric."]},
        ),
        "dimension twice": (
            ScorecardInput(ratings=[RatingInput(dimension_id=se.pk, score=3), RatingInput(dimension_id=se.pk)]),
            {"ratings": [f"Dimension {se.pk} is rated twice."]},
        ),
        "signal of another rubric": (
            ScorecardInput(signals=[SignalInput(signal_id=foreign_signal.pk)]),
            {"signals": [f"Signal {foreign_signal.pk} is not part of this rubric."]},
        ),
        "signal twice": (
            ScorecardInput(signals=[SignalInput(signal_id=strong.pk), SignalInput(signal_id=strong.pk)]),
            {"signals": [f"Signal {strong.pk} is ticked twice."]},
        ),
        "neutral overall": (ScorecardInput(overall="maybe"), {"overall": ["Choose strong no, no, yes or strong yes."]}),
    }


BAD_CASES = [
    "score 0",
    "score 6",
    "score True",
    "score and not assessed",
    "dimension of another rubric",
    "dimension twice",
    "signal of another rubric",
    "signal twice",
    "neutral overall",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_service_scorecard_save_draft_impossible_input_refused(interview, interviewer, case):
    """Input no form could produce is refused, naming the field, and the saved draft stays as it was."""
    other_interview = make_interview(loop=make_loop(role_slug="junior-applied-ai-engineer"))
    draft = save_draft(interview, {SE: 3})
    before = scorecard_state(interview)
    data, expected_errors = _bad_inputs(interview, other_interview)[case]

    with pytest.raises(ValidationFailed) as exc:
        scorecard_save_draft(actor=interviewer, interview_id=interview.pk, data=data, expected_version=draft.version)

    assert exc.value.field_errors == expected_errors
    assert scorecard_state(interview) == before
