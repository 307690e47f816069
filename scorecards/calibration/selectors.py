"""The database source of a calibration report: the scope's ratings as plain rows.

Only each interviewer's original submission (revision 1) counts. An
amendment is written after the debrief, when the interviewer has heard the
panel, so it is no longer an independent rating; calibration measures how
people score on their own.

Only loops whose panel is complete count (``panel_complete``): the
committee shares its reports, and a narrow one could otherwise show a
colleague's scores to a reader who still owes feedback on the same loop
(the independence rule, ``hiring/access.py``). With every loop of a report
complete, no reader can owe feedback on any of them, so no per-reader check
is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, CharField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from hiring.models import Interview
from scorecards.calibration.aggregation import SCORECARD_COLUMNS
from scorecards.calibration.rows import ROW_COLUMNS, RatingRow
from scorecards.models import CalibrationReport, Rating, Scorecard


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a role (or all), interviews that ended in a date range, optionally one kind.

    An open end of the range (None) takes every interview on that side.
    """

    date_from: date | None
    date_to: date | None
    role_id: int | None = None
    interview_kind: str = ""


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone, the boundary the report's dates mean."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_scope(scope: ReportScope, interview: str) -> Q:
    """The scope's conditions on the interview reached by the lookup path ``interview`` (ending in "__").

    The dates become a half-open range of timestamps rather than a ``__date``
    lookup: PostgreSQL estimates a range on ``ends_at`` from its statistics,
    but not a cast of it to a date, and with a guess of a few hundred rows it
    joined a whole history's scorecards in nested loops.
    """
    conditions = Q()
    if scope.date_from is not None:
        conditions &= Q(**{f"{interview}ends_at__gte": _start_of(scope.date_from)})
    if scope.date_to is not None and scope.date_to < date.max:
        conditions &= Q(**{f"{interview}ends_at__lt": _start_of(scope.date_to + timedelta(days=1))})
    if scope.role_id is not None:
        conditions &= Q(**{f"{interview}loop__role_id": scope.role_id})
    if scope.interview_kind:
        conditions &= Q(**{f"{interview}kind": scope.interview_kind})
    return conditions


def panel_complete(loop_ref: Any) -> Q:
    """The loop ``loop_ref`` has a submitted current scorecard from the interviewer of every interview on it.

    Whatever the loop's status: a decided loop with a missing scorecard is
    still incomplete, because its missing panelist still may not read the
    panel. Every interview of the loop counts, also those outside the scope
    (another kind or day), since the independence rule is per loop.
    """
    submitted = Scorecard.objects.filter(
        interview_id=OuterRef("pk"), interviewer_id=OuterRef("interviewer_id"), is_current=True,
        status=Scorecard.Status.SUBMITTED,
    )
    missing = Interview.objects.filter(loop_id=loop_ref).exclude(Exists(submitted))
    return ~Q(Exists(missing))


def calibration_rows_queryset(scope: ReportScope) -> QuerySet[Any]:
    """The scope's ratings as a ``values_list`` of ``ROW_COLUMNS``, in that order.

    The staging step copies it with ``INSERT ... SELECT``, so every column is
    an annotation with a fixed position and no row passes through Python.
    """
    focus_through = Interview.focus_dimensions.through
    interview_ref = OuterRef("scorecard__interview_id")
    is_focus_dimension = Exists(
        focus_through.objects.filter(interview_id=interview_ref, dimension_id=OuterRef("dimension_id"))
    )
    # An interview scheduled without focus dimensions asks for every dimension (as the submit form does).
    has_focus = Exists(focus_through.objects.filter(interview_id=interview_ref))
    full_name = Trim(Concat(
        "scorecard__interviewer__first_name", Value(" "), "scorecard__interviewer__last_name",
        output_field=CharField(),
    ))
    queryset = Rating.objects.filter(
        _in_scope(scope, "scorecard__interview__"), panel_complete(OuterRef("scorecard__interview__loop_id")),
        scorecard__status=Scorecard.Status.SUBMITTED, scorecard__revision=1,
    )
    annotations: dict[str, Any] = {
        "c_scorecard": Cast("scorecard_id", CharField()),
        "c_loop": Cast("scorecard__interview__loop_id", CharField()),
        "c_interviewer": F("scorecard__interviewer__username"),
        "c_interviewer_name": Coalesce(NullIf(full_name, Value("")), F("scorecard__interviewer__username")),
        "c_role": F("scorecard__interview__loop__role__title"),
        "c_kind": F("scorecard__interview__kind"),
        "c_dimension": F("dimension__name"),
        "c_score": F("score"),
        "c_focus": ExpressionWrapper(Q(is_focus_dimension) | ~Q(has_focus), output_field=BooleanField()),
        "c_overall": NullIf(F("scorecard__overall"), Value("")),
        "c_decision": NullIf(F("scorecard__interview__loop__decision"), Value("")),
        "c_ended_at": F("scorecard__interview__ends_at"),
        "c_submitted_at": F("scorecard__submitted_at"),
        "c_due_at": F("scorecard__interview__feedback_due_at"),
    }
    assert tuple(name[2:] for name in annotations) == ROW_COLUMNS  # noqa: S101 - the INSERT relies on the order
    return queryset.order_by().annotate(**annotations).values_list(*annotations)


def calibration_scorecards_queryset(scope: ReportScope) -> QuerySet[Any]:
    """The scope's scorecards as a ``values_list`` of ``aggregation.SCORECARD_COLUMNS``, in that order.

    The same scope as ``calibration_rows_queryset``, one row per scorecard
    with integer keys: the report stages it and joins the ratings to it.
    Scorecards of loops whose panel is incomplete are included with
    ``complete`` false: the staging leaves them out of every figure and
    counts their loops (``Staging.card_totals``, "left out").
    """
    has_focus = Exists(Interview.focus_dimensions.through.objects.filter(interview_id=OuterRef("interview_id")))
    # A scorecard without ratings is not part of the report (the ratings define it in a ratings file too).
    rated = Exists(Rating.objects.filter(scorecard_id=OuterRef("pk")))
    queryset = Scorecard.objects.filter(rated, _in_scope(scope, "interview__"), status=Scorecard.Status.SUBMITTED,
                                        revision=1)
    annotations: dict[str, Any] = {
        "c_scorecard": F("id"),
        "c_interview": F("interview_id"),
        "c_loop": F("interview__loop_id"),
        "c_interviewer": F("interviewer_id"),
        "c_role": F("interview__loop__role_id"),
        "c_has_focus": ExpressionWrapper(Q(has_focus), output_field=BooleanField()),
        "c_overall": NullIf(F("overall"), Value("")),
        "c_decision": NullIf(F("interview__loop__decision"), Value("")),
        "c_ended_at": F("interview__ends_at"),
        "c_submitted_at": F("submitted_at"),
        "c_due_at": F("interview__feedback_due_at"),
        "c_complete": ExpressionWrapper(panel_complete(OuterRef("interview__loop_id")), output_field=BooleanField()),
    }
    assert tuple(name[2:] for name in annotations) == SCORECARD_COLUMNS  # noqa: S101 - the INSERT relies on the order
    return queryset.order_by().annotate(**annotations).values_list(*annotations)


def calibration_rows(scope: ReportScope) -> list[RatingRow]:
    """The same rows read into Python, e.g. to write them as a ratings file."""
    return [RatingRow(*values) for values in calibration_rows_queryset(scope)]


def calibration_report_list() -> QuerySet[CalibrationReport]:
    """Reports for the list page, newest first; the stored result (large) is not loaded."""
    return (
        CalibrationReport.objects.select_related("role", "requested_by")
        .defer("result")
        .order_by("-created_at", "-id")
    )
