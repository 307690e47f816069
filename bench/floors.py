"""Floor views: what the product's requests cost with none of the product's layers.

Served beside the product (``bench.urls``) by the same gunicorn, behind the
same middleware (sessions, CSRF, authentication), so that the difference
between a product figure and its floor is the product's own work.

- ``constant``: a view that returns a constant: the cost of the HTTP server,
  WSGI and Django's request cycle.
- ``page_pipeline`` and ``page_candidate``: a signed-in view that runs the
  page's one hand-written SQL query (``bench.sqlfloors``) and returns the rows
  as JSON: the request cycle plus the query, with no ORM and no template.
- ``submit_transaction``: reads the same form the scorecard page posts and
  makes the same inserts as submitting it (the scorecard, one row per rating,
  the audit event, the recommendation's outbox row), through a cursor in one
  transaction, with no validation, no ORM and no enqueue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import cast

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from bench import sqlfloors

SCORE_FIELD = re.compile(r"^dimension-(\d+)-score$")


def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def _rows_response(query: str, params: dict[str, int | list[str] | datetime]) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    return HttpResponse(json.dumps(rows, default=str), content_type="application/json")


def page_pipeline(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return _rows_response(sqlfloors.PIPELINE_SQL, {"active": list(sqlfloors.ACTIVE), "now": timezone.now()})


def page_candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return _rows_response(sqlfloors.CANDIDATE_SQL, {"candidate": candidate_id})


@require_POST
def submit_transaction(request: HttpRequest, interview_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    ratings = []
    # QueryDict.items() yields each field's last value, a str; the stubs also allow a list.
    for name, value in cast("Iterable[tuple[str, str]]", request.POST.items()):
        match = SCORE_FIELD.match(name)
        if match and value:
            dimension_id = int(match.group(1))
            score = None if value == "na" else int(value)
            evidence = request.POST.get(f"dimension-{dimension_id}-evidence", "")
            ratings.append((dimension_id, score, score is None, evidence))
    if not ratings:
        return HttpResponseBadRequest(b"no ratings")
    overall = request.POST.get("overall", "")
    summary = request.POST.get("summary", "")
    now = timezone.now()
    user_id = request.user.pk
    scores = {str(d): ("not assessed" if na else s) for d, s, na, _ in ratings}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scorecards_scorecard (interview_id, interviewer_id, status, overall, summary, revision, "
            "amendment_reason, is_current, version, created_at, updated_at, submitted_at) "
            "VALUES (%s, %s, 'submitted', %s, %s, 1, '', true, 2, %s, %s, %s) RETURNING id",
            [interview_id, user_id, overall, summary, now, now, now],
        )
        scorecard_id = cursor.fetchone()[0]
        placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(ratings))
        cursor.execute(
            f"INSERT INTO scorecards_rating (scorecard_id, dimension_id, score, not_assessed, evidence) "  # noqa: S608
            f"VALUES {placeholders}",
            [value for rating in ratings for value in (scorecard_id, *rating)],
        )
        cursor.execute(
            "INSERT INTO hiring_auditevent (actor_id, action, object_type, object_id, loop_id, after, created_at) "
            "SELECT %s, 'scorecard.submitted', 'scorecards.scorecard', %s, loop_id, %s, %s "
            "FROM hiring_interview WHERE id = %s",
            [user_id, str(scorecard_id), json.dumps({"scores": scores, "overall": overall}), now, interview_id],
        )
        cursor.execute(
            "INSERT INTO scorecards_recomputerequest (loop_id, reason, requested_at) "
            "SELECT loop_id, 'scorecard_submitted', %s FROM hiring_interview WHERE id = %s",
            [now, interview_id],
        )
    return HttpResponseRedirect(f"/interviews/{interview_id}/scorecard/")
