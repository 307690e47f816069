"""generate_load_data: a realistic, reproducible synthetic history, on PostgreSQL (COPY) and SQLite."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from bench.loadgen.history import HistoryGenerator
from bench.loadgen.staff import DEFAULT_PASSWORD, ensure_staff, load_rubrics_info, opening_times, require_copy_for
from bench.loadgen.writers import ID_TABLES
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, User
from hiring.services.stages import loop_refresh_status
from scorecards.models import Rating, Recommendation, Scorecard

LOOPS = 40


@pytest.fixture
def history(rubrics):
    call_command("generate_load_data", loops=LOOPS, seed=11, interviewers=24, verbosity=0)


def _pearson(pairs: list[tuple[float, float]]) -> float:
    xs, ys = zip(*pairs, strict=True)
    return statistics.correlation(xs, ys)


def test_generate_load_data_makes_the_loops_asked_for_with_four_to_six_interviews_each(history):
    """Every loop has 4-6 interviews with distinct interviewers, each with focus dimensions of its rubric."""
    assert InterviewLoop.objects.count() == LOOPS
    per_loop = Counter(Interview.objects.values_list("loop_id", flat=True))
    assert len(per_loop) == LOOPS
    assert set(per_loop.values()) <= {4, 5, 6}
    for loop in InterviewLoop.objects.prefetch_related("interviews__focus_dimensions"):
        interviewers = [i.interviewer_id for i in loop.interviews.all()]
        assert len(set(interviewers)) == len(interviewers)
        for interview in loop.interviews.all():
            focus = list(interview.focus_dimensions.all())
            assert 3 <= len(focus) <= 4
            assert {d.rubric_id for d in focus} == {loop.rubric_id}
            assert interview.ends_at > interview.starts_at
            assert interview.feedback_due_at == interview.ends_at + timedelta(hours=24)


def test_generate_load_data_scores_are_one_to_five_and_not_assessed_has_no_score(history):
    """Ratings hold 1-5 with evidence, or 'not assessed' with no score, on the loop's own rubric."""
    ratings = list(Rating.objects.select_related("scorecard__interview__loop", "dimension"))
    assert len(ratings) > LOOPS * 10
    for rating in ratings:
        if rating.not_assessed:
            assert rating.score is None
        else:
            assert rating.score in {1, 2, 3, 4, 5}
            assert rating.evidence
        assert rating.dimension.rubric_id == rating.scorecard.interview.loop.rubric_id
    assert {r.score for r in ratings} == {None, 1, 2, 3, 4, 5}


def test_generate_load_data_panels_agree_like_real_panels(history):
    """Scores on one loop are correlated (the candidate's ability shows through), not independent noise."""
    means: dict[int, list[float]] = defaultdict(list)
    cards = Scorecard.objects.filter(status="submitted", is_current=True).prefetch_related("ratings")
    for card in cards.select_related("interview"):
        scores = [r.score for r in card.ratings.all() if r.score is not None]
        if scores:
            means[card.interview.loop_id].append(sum(scores) / len(scores))
    pairs = [(a, b) for values in means.values() for i, a in enumerate(values) for b in values[i + 1 :]]
    assert len(pairs) > 200
    assert _pearson(pairs) > 0.5


def test_generate_load_data_statuses_follow_the_products_rules(history):
    """Active loops are in the stage loop_refresh_status would give them; closed ones are closed properly."""
    statuses = Counter(InterviewLoop.objects.values_list("status", flat=True))
    assert statuses["decided"] > LOOPS // 2
    for loop in InterviewLoop.objects.all():
        if loop.is_closed:
            assert loop.closed_at is not None
            assert (loop.decision != "") == (loop.status == "decided")
            continue
        before = loop.status
        assert loop_refresh_status(loop=loop).status == before
    decided = InterviewLoop.objects.filter(status="decided")
    assert set(decided.values_list("decision", flat=True)) <= {"hire", "no_hire"}
    for loop in decided:
        assert loop.decision_recommendation is not None
        assert loop.decision_recommendation["outcome"]


def test_generate_load_data_recommendations_are_the_products_own(history):
    """Each loop with submitted feedback has one recommendation computed by the product's pure function."""
    with_feedback = set(
        Scorecard.objects.filter(status="submitted").values_list("interview__loop_id", flat=True).distinct()
    )
    recommendations = Recommendation.objects.all()
    assert {r.loop_id for r in recommendations} == with_feedback
    assert {r.outcome for r in recommendations} <= {"hire", "no_hire", "needs_discussion", "insufficient_evidence"}
    for recommendation in recommendations:
        assert recommendation.details["scorecard_count"] == recommendation.scorecard_count


def test_generate_load_data_users_can_sign_in_and_keep_personal_data_out_of_the_audit(history):
    """Generated people sign in with the documented password; the audit trail never names a candidate."""
    assert User.objects.filter(username__startswith="load-iv-").count() == 24
    assert authenticate(username="load-iv-001", password=DEFAULT_PASSWORD) is not None
    names = set(Candidate.objects.values_list("name", flat=True))
    emails = list(Candidate.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)
    for event in AuditEvent.objects.all():
        text = f"{event.before} {event.after}"
        assert not any(name in text for name in names)


def test_generate_load_data_appends_with_the_same_people(history):
    """A second run adds loops after the first ones and reuses the generated users."""
    users = User.objects.count()
    last = InterviewLoop.objects.order_by("-id").first()
    assert last is not None
    top = last.pk
    call_command("generate_load_data", loops=10, seed=12, interviewers=24, verbosity=0)
    assert InterviewLoop.objects.count() == LOOPS + 10
    assert InterviewLoop.objects.filter(pk__gt=top).count() == 10
    assert User.objects.count() == users
    if connection.vendor == "postgresql":
        # The sequences moved past the ids the generator assigned: a normal insert still works.
        assert Candidate.objects.create(name="New Person", email="new.person@example.org").pk > top


def test_generate_load_data_same_seed_same_history(rubrics):
    """The seed alone decides the history (for a given day): two generators give identical rows."""
    rubric_info = load_rubrics_info()
    staff = ensure_staff(interviewers=12, recruiters=2, committee=2, password="x", role_slugs=list(rubric_info))
    now = timezone.now()

    def rows(seed: int) -> dict:
        rng = random.Random(seed)
        gen = HistoryGenerator(rng=rng, rubrics=rubric_info, staff=staff, now=now,
                               span=timedelta(days=200), next_ids={m: 1 for m in ID_TABLES},
                               recommendations=True)
        return gen.chunk(opening_times(20, rng=rng, now=now, span=timedelta(days=200))).tables

    assert rows(3) == rows(3)
    assert rows(3) != rows(4)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"loops": 0}, "--loops must be at least 1"),
        ({"loops": 5, "interviewers": 3}, "--interviewers must be at least 7"),
        ({"loops": 5, "committee": 0}, "--recruiters and --committee must be at least 1"),
    ],
)
def test_generate_load_data_refuses_bad_options_and_writes_nothing(rubrics, options, message):
    """Bad options are refused with a message naming the option, and nothing is written."""
    with pytest.raises(CommandError, match=message):
        call_command("generate_load_data", verbosity=0, **options)
    assert InterviewLoop.objects.count() == 0
    assert not User.objects.filter(username__startswith="load-").exists()


def test_generate_load_data_refuses_a_large_data_set_without_postgresql():
    """Without COPY a large history would take hours: the command says to use PostgreSQL instead."""
    with pytest.raises(CommandError, match="use PostgreSQL"):
        require_copy_for("sqlite", 50_000)
    require_copy_for("sqlite", 2000)
    require_copy_for("postgresql", 50_000)
