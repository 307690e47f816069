"""Independence: an interviewer sees no other feedback of a loop until all of theirs on it is submitted."""

from __future__ import annotations

import pytest

from hiring.access import can_see_panel, loops_with_panel_visible_to, scorecards_visible_to
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard
from tests.scorecards.interviewer_helpers import SE


@pytest.fixture
def loop(db):
    return make_loop()


def test_access_scorecards_hidden_until_own_submitted(loop, interviewer):
    """Before submitting, the interviewer sees only their own card; after, the panel's submitted ones."""
    mine = make_interview(loop=loop, interviewer=interviewer)
    theirs = make_interview(loop=loop)
    their_card = submit_scorecard(theirs)
    my_draft = save_draft(mine, {SE: 3})

    assert list(scorecards_visible_to(interviewer)) == [my_draft]
    assert not can_see_panel(interviewer, loop)

    submit_scorecard(mine)
    assert set(scorecards_visible_to(interviewer)) == {my_draft, their_card}
    assert can_see_panel(interviewer, loop)


def test_access_colleague_draft_never_visible(loop, interviewer):
    """A colleague's draft stays private even after the interviewer submitted."""
    mine = make_interview(loop=loop, interviewer=interviewer)
    theirs = make_interview(loop=loop)
    their_draft = save_draft(theirs, {SE: 1})
    submit_scorecard(mine)
    assert their_draft not in scorecards_visible_to(interviewer)


def test_access_every_own_interview_must_be_submitted(loop, interviewer):
    """With two interviews on the loop, submitting one is not enough to see the panel."""
    first = make_interview(loop=loop, interviewer=interviewer)
    make_interview(loop=loop, interviewer=interviewer)
    colleague_card = submit_scorecard(make_interview(loop=loop))
    submit_scorecard(first)
    assert colleague_card not in scorecards_visible_to(interviewer)
    assert not can_see_panel(interviewer, loop)


def test_access_other_loops_never_visible(loop, interviewer):
    """Submitting on one loop opens that loop only, never a loop the interviewer is not on."""
    submit_scorecard(make_interview(loop=loop, interviewer=interviewer))
    other_loop = make_loop()
    stranger_card = submit_scorecard(make_interview(loop=other_loop))
    assert stranger_card not in scorecards_visible_to(interviewer)
    assert list(loops_with_panel_visible_to(interviewer)) == [loop]


@pytest.mark.parametrize("kind", ["recruiter", "committee", "admin"])
def test_access_wider_reader_who_interviews_is_also_blocked(loop, kind):
    """A recruiter, committee member or admin on the panel waits like any interviewer."""
    reader = UserFactory(kind=kind)
    mine = make_interview(loop=loop, interviewer=reader)
    colleague_card = submit_scorecard(make_interview(loop=loop))
    assert colleague_card not in scorecards_visible_to(reader)
    submit_scorecard(mine)
    assert colleague_card in scorecards_visible_to(reader)
