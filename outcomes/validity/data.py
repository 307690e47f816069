"""The validity report's rows from the database: every complete loop's original ratings (the calibration
report's own query), the hires' submitted check-ins, and which hires went over a red flag."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hiring.models import InterviewLoop, Role
from outcomes.models import AreaRating, CheckIn, OutcomeArea
from outcomes.validity.outcomes_file import OutcomeRow
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.selectors import ReportScope, calibration_rows


def database_rows(role: Role) -> tuple[list[RatingRow], list[OutcomeRow], list[str], dict[str, bool]]:
    ratings = list(calibration_rows(ReportScope(date_from=None, date_to=None, role_id=role.pk, interview_kind="")))
    checkins = list(CheckIn.objects.filter(hire__loop__role=role, status=CheckIn.Status.SUBMITTED)
                    .values_list("pk", "hire__loop_id", "label", "performance"))
    areas = dict(OutcomeArea.objects.filter(role=role).values_list("pk", "title"))
    scores: dict[int, dict[str, int | None]] = defaultdict(dict)
    for checkin_id, area_id, score in AreaRating.objects.filter(checkin_id__in=[c[0] for c in checkins]).values_list(
            "checkin_id", "area_id", "score"):
        scores[checkin_id][areas[area_id]] = score
    outcomes = [OutcomeRow(str(loop_id), label, performance, scores.get(pk, {}))
                for pk, loop_id, label, performance in checkins if performance is not None]
    red_flags: dict[str, bool] = {}
    decided: Any = InterviewLoop.objects.filter(role=role, decision=InterviewLoop.Decision.HIRE).values_list(
        "pk", "decision_recommendation")
    for loop_id, snapshot in decided:
        red_flags[str(loop_id)] = bool((snapshot or {}).get("red_flags"))
    return ratings, outcomes, list(areas.values()), red_flags
