"""Reads for the interviewer's pages: my interviews, the interview kit, the scorecard form and the panel.

Each function returns its rows with the joins built in, so a page costs the
same number of queries whatever the number of interviews, dimensions or
signals. Visibility comes from ``hiring.access``; nothing here widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from hiring.access import interviews_visible_to, scorecards_visible_to
from hiring.errors import NotFound
from hiring.models import Interview, InterviewLoop
from scorecards.models import Dimension, ObservedSignal, Rating, Scorecard, Signal

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_RUBRIC_PARTS = (
    Prefetch("loop__rubric__dimensions", queryset=Dimension.objects.order_by("position")),
    Prefetch("loop__rubric__signals", queryset=Signal.objects.order_by("position")),
)


# --- My interviews ----------------------------------------------------------------


class _FeedbackState(TypedDict):
    """What ``_own_interviews`` annotates on each interview (for the type checker's lookups)."""

    feedback_status: str | None
    draft_updated_at: datetime | None
    first_submitted_at: datetime | None
    is_submitted: bool
    is_amended: bool


def _own_interviews(user: Any) -> QuerySet[WithAnnotations[Interview, _FeedbackState]]:
    """The user's own assigned interviews, with their feedback state annotated.

    Every kind of user has "my interviews": only the ones assigned to them,
    even for readers who see every loop elsewhere.
    """
    own_cards = Scorecard.objects.filter(interview=OuterRef("pk"), interviewer=user)
    current = own_cards.filter(is_current=True)
    return (
        Interview.objects.scheduled().filter(interviewer=user)
        .select_related("loop__candidate", "loop__role", "take_home_assignment")
        .annotate(
            feedback_status=Subquery(current.values("status")[:1]),
            draft_updated_at=Subquery(current.filter(status=Scorecard.Status.DRAFT).values("updated_at")[:1]),
            # The first submission is what the deadline is measured against; amendments come later by design.
            first_submitted_at=Subquery(
                own_cards.filter(status=Scorecard.Status.SUBMITTED).order_by("revision").values("submitted_at")[:1]
            ),
            is_submitted=Exists(own_cards.filter(status=Scorecard.Status.SUBMITTED)),
            is_amended=Exists(own_cards.filter(revision__gt=1)),
        )
    )


@dataclass
class MyInterviews:
    upcoming: list[Interview]
    due: list[Interview]
    overdue: list[Interview]
    submitted: QuerySet[Interview]
    closed: list[Interview]


def my_interviews(*, user: Any, now: datetime | None = None) -> MyInterviews:
    """The interviewer's interviews in the four states they act on, plus loops closed before their feedback.

    Upcoming: not yet ended. Feedback due: ended, deadline not passed. Overdue:
    deadline passed without a submission. Submitted: newest first (a queryset,
    for paging). Closed: the loop was decided or withdrawn before they submitted.
    """
    now = now or timezone.now()
    base = _own_interviews(user)
    closed_loop = Q(loop__status__in=[InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN])
    pending = base.filter(is_submitted=False).exclude(closed_loop)
    return MyInterviews(
        upcoming=list(pending.filter(ends_at__gt=now).order_by("starts_at", "id")),
        due=list(pending.filter(ends_at__lte=now, feedback_due_at__gt=now).order_by("feedback_due_at", "id")),
        overdue=list(pending.filter(ends_at__lte=now, feedback_due_at__lte=now).order_by("feedback_due_at", "id")),
        submitted=base.filter(is_submitted=True).order_by("-first_submitted_at", "-id"),
        closed=list(base.filter(is_submitted=False).filter(closed_loop).order_by("-starts_at", "-id")[:20]),
    )


# --- Kit and form -------------------------------------------------------------------


def interview_for_kit(*, user: Any, interview_id: int) -> Interview:
    """One interview with everything its kit shows; someone else's interview is NotFound for an interviewer.

    Readers who see every loop (recruiters, committee, admins) may open any kit:
    it holds the rubric and the brief, never anyone's feedback.
    """
    interview = (
        interviews_visible_to(user)
        .select_related("loop__candidate", "loop__role", "loop__rubric", "exercise", "interviewer")
        .prefetch_related(
            Prefetch("focus_dimensions", queryset=Dimension.objects.order_by("position")),
            *_RUBRIC_PARTS,
            "loop__rubric__focus_areas",
        )
        .filter(pk=interview_id)
        .first()
    )
    if interview is None:
        raise NotFound(gettext("No such interview."))
    return interview


def own_interview(*, user: Any, interview_id: int) -> Interview:
    """The user's own interview with its rubric parts, for the scorecard pages; anyone else's is NotFound."""
    interview = (
        Interview.objects.scheduled().filter(pk=interview_id, interviewer=user)
        .select_related("loop__candidate", "loop__role", "loop__rubric", "exercise")
        .prefetch_related(
            Prefetch("focus_dimensions", queryset=Dimension.objects.order_by("position")),
            *_RUBRIC_PARTS,
        )
        .first()
    )
    if interview is None:
        raise NotFound(gettext("No such interview."))
    return interview


@dataclass(frozen=True)
class RubricContent:
    """A published rubric version's dimensions and signals, in rubric order: what a posted scorecard is read against."""

    rubric_id: int
    dimensions: tuple[Dimension, ...]
    signals: tuple[Signal, ...]


@lru_cache(maxsize=64)
def _rubric_content(rubric_id: int, published_at: datetime) -> RubricContent:
    # Cached per process: a published rubric version is never edited (a change publishes a new version, and
    # the admin is read-only), so its dimensions and signals are read once, not on every post. The publication
    # time is part of the key so that a rubric deleted and re-created with the same id (tests) is read afresh.
    return RubricContent(
        rubric_id=rubric_id,
        dimensions=tuple(Dimension.objects.filter(rubric_id=rubric_id).order_by("position")),
        signals=tuple(Signal.objects.filter(rubric_id=rubric_id).order_by("position")),
    )


def own_interview_rubric(*, user: Any, interview_id: int) -> RubricContent:
    """The rubric a post to the user's own interview is read against; anyone else's interview is NotFound.

    One small query (the form's post needs neither the candidate nor the kit): the service checks
    ownership again under its lock, and a refusal page reads the whole interview with ``own_interview``.
    """
    try:
        rubric_id, published_at = Interview.objects.values_list("loop__rubric_id", "loop__rubric__published_at").get(
            pk=interview_id, interviewer=user
        )
    except Interview.DoesNotExist as exc:
        raise NotFound(gettext("No such interview.")) from exc
    return _rubric_content(rubric_id, published_at)


def rubric_content_of(interview: Interview) -> RubricContent:
    """The rubric content of an interview read by ``own_interview`` (from its prefetched parts, no query)."""
    rubric = interview.loop.rubric
    return RubricContent(rubric_id=rubric.pk, dimensions=tuple(rubric.dimensions.all()),
                         signals=tuple(rubric.signals.all()))


def _with_content(queryset: QuerySet[Scorecard]) -> QuerySet[Scorecard]:
    return queryset.prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.select_related("dimension").order_by("dimension__position")),
        Prefetch(
            "observed_signals",
            queryset=ObservedSignal.objects.select_related("signal").order_by("signal__position"),
        ),
    )


def own_scorecard_revisions(*, user: Any, interview: Interview) -> list[Scorecard]:
    """Every revision of the user's scorecard for the interview, oldest first, content prefetched."""
    return list(
        _with_content(Scorecard.objects.filter(interview=interview, interviewer=user)).order_by("revision")
    )


def current_of(revisions: list[Scorecard]) -> Scorecard | None:
    return next((card for card in revisions if card.is_current), None)


# --- The panel ------------------------------------------------------------------------


@dataclass
class PanelView:
    scorecards: list[Scorecard]  # current revisions, submitted, by interview time
    earlier: dict[tuple[int, int], list[Scorecard]]  # (interview, interviewer) -> superseded revisions
    waiting_for: list[Interview]  # panel interviews without submitted feedback yet


def panel_for(*, user: Any, loop: InterviewLoop) -> PanelView:
    """The loop's submitted scorecards the user may read (through ``scorecards_visible_to``) and who is pending.

    Call only once ``can_see_panel`` said yes; before that the user's own
    cards are all it would return anyway.
    """
    cards = list(
        _with_content(
            scorecards_visible_to(user)
            .filter(interview__loop=loop, status=Scorecard.Status.SUBMITTED)
            .select_related("interviewer", "interview")
        ).order_by("interview__starts_at", "interview_id", "interviewer_id", "revision")
    )
    submitted = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), status=Scorecard.Status.SUBMITTED
    )
    waiting = list(
        Interview.objects.scheduled().filter(loop=loop)
        .exclude(Exists(submitted))
        .select_related("interviewer")
        .order_by("starts_at", "id")
    )
    earlier: dict[tuple[int, int], list[Scorecard]] = {}
    for card in cards:
        if not card.is_current:
            earlier.setdefault((card.interview_id, card.interviewer_id), []).append(card)
    return PanelView(scorecards=[c for c in cards if c.is_current], earlier=earlier, waiting_for=waiting)
