"""The background work benchmarks: recomputing recommendations (3) and the calibration report (4)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from bench import environment
from bench.environment import CALIBRATION_TIMEOUT, COMMITTEE, child_env, median, rotated

if TYPE_CHECKING:
    from bench.harness import Harness


def recompute(h: Harness) -> None:
    from django.db.models import Exists, OuterRef

    from bench import sqlfloors
    from hiring.models import InterviewLoop
    from scorecards.models import Recommendation, Scorecard
    from scorecards.recommendations.services import BATCH_SIZE, recommendation_compute_many

    submitted = Scorecard.objects.filter(interview__loop=OuterRef("pk"), status="submitted")
    open_ids = list(
        InterviewLoop.objects.filter(status__in=sqlfloors.ACTIVE).filter(Exists(submitted))
        .order_by("id").values_list("id", flat=True)
    )
    floor_connection = environment.floor_connection()
    product_rates, floor_rates, done_counts = [], [], []
    for round_number in range(h.profile.rounds):
        for side in rotated(["product", "floor"], round_number):
            if side == "product":
                # Forget the stored fingerprints, so that every loop is computed and written again.
                Recommendation.objects.filter(loop_id__in=open_ids).update(fingerprint="")
                done = 0
                started = time.perf_counter()
                deadline = started + h.profile.recompute_budget
                # The product's "recompute all open" operation (``recommend --all``), a batch at a time so that
                # the budget can stop it between batches.
                for start in range(0, len(open_ids), BATCH_SIZE):
                    done += len(recommendation_compute_many(open_ids[start : start + BATCH_SIZE]))
                    if time.perf_counter() > deadline:
                        break
                elapsed = time.perf_counter() - started
                product_rates.append(done / elapsed)
                done_counts.append(done)
            else:
                times, _ = h.time_sql(lambda: sqlfloors.recompute(floor_connection, open_ids), 0, minimum=1)
                floor_rates.append(len(open_ids) / times[0])
    floor_connection.close()
    rules_rates, inputs_rates = _parts_alone(open_ids, h.profile.rounds)
    product, floor = median(product_rates), median(floor_rates)
    rules, inputs = median(rules_rates), median(inputs_rates)
    h.record(
        "recompute", open_loops=len(open_ids), loops_timed=int(median(done_counts)),
        product_loops_per_s=round(product, 1), floor_loops_per_s=round(floor, 1), ratio=round(floor / product, 2),
        projected_all_open_s=round(len(open_ids) / product, 1),
        rules_alone_loops_per_s=round(rules, 1), rules_alone_ratio=round(floor / rules, 2),
        inputs_alone_loops_per_s=round(inputs, 1), inputs_alone_ratio=round(floor / inputs, 2),
        runs={"product_loops_per_s": product_rates, "floor_loops_per_s": floor_rates,
              "rules_alone_loops_per_s": rules_rates, "inputs_alone_loops_per_s": inputs_rates},
    )


def _parts_alone(open_ids: list[int], rounds: int) -> tuple[list[float], list[float]]:
    """Loops a second through each of two parts no recomputation can skip, timed alone: reading every loop's
    current scorecards (the rules need each card, not the means: a red flag, two scores 2 points apart, a strong
    yes beside a no), and the recommendation rules (the pure function) on inputs and offsets read beforehand."""
    from hiring.models import InterviewLoop
    from scorecards.leniency.fits import model_table
    from scorecards.recommendations.rules import recommend
    from scorecards.recommendations.selectors import loops_inputs
    from scorecards.recommendations.services import leniency_offsets

    loops = list(InterviewLoop.objects.filter(pk__in=open_ids).order_by("pk").only("rubric_id"))
    inputs_rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        inputs = loops_inputs(loops)
        inputs_rates.append(len(loops) / (time.perf_counter() - started))
    table = model_table()
    work = [(loop.rubric, loop.scorecards, leniency_offsets(loop, table)) for loop in inputs.values()]
    rules_rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for rubric, scorecards, offsets in work:
            recommend(rubric, scorecards, offsets=offsets)
        rules_rates.append(len(work) / (time.perf_counter() - started))
    return rules_rates, inputs_rates


def calibration(h: Harness) -> None:
    from django.utils import timezone

    from bench import sqlfloors
    from bench.processes import Worker
    from bench.tasks import noop
    from hiring.models import User
    from scorecards.calibration.services import calibration_report_file, calibration_report_request
    from scorecards.models import CalibrationReport, Scorecard

    committee = User.objects.get(username=COMMITTEE)
    # The generated data set has submitted scorecards, and a submitted scorecard has its submission time.
    earliest = cast(Scorecard, Scorecard.objects.filter(status="submitted").order_by("submitted_at").first())
    first = cast(datetime, earliest.submitted_at)
    # Days as the product reads them (the site's time zone): the period may not end after today.
    date_from, date_to = timezone.localdate(first), timezone.localdate()
    start = timezone.make_aware(datetime.combine(date_from, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), datetime.min.time()))
    worker = Worker(cpu=h.server_cpu, env=child_env(), log=h.workdir / "celery.log")
    floor_connection = environment.floor_connection()
    try:
        noop.delay().get(timeout=120)  # the worker is up and has imported everything
        product_times, floor_times, round_trips, ratings = [], [], [], 0
        for round_number in range(h.profile.calibration_rounds):
            for side in rotated(["product", "floor"], round_number):
                if side == "product":
                    started = time.perf_counter()
                    report = calibration_report_request(actor=committee, role=None, date_from=date_from,
                                                        date_to=date_to)
                    deadline = started + CALIBRATION_TIMEOUT
                    while True:
                        status, error = CalibrationReport.objects.filter(pk=report.pk).values_list(
                            "status", "error").get()
                        if status in (CalibrationReport.Status.DONE, CalibrationReport.Status.FAILED):
                            break
                        if time.perf_counter() > deadline or worker.process.poll() is not None:
                            raise RuntimeError(f"The calibration report is still {status} after "
                                               f"{time.perf_counter() - started:.0f} s; see celery.log")
                        time.sleep(0.02)
                    if status != CalibrationReport.Status.DONE:
                        raise RuntimeError(f"The calibration report failed: {error}")
                    product_times.append(time.perf_counter() - started)
                    # A finished report has the worker refit the rater model: let it, untimed, before the next.
                    _wait_for_fit(after=report.pk, since=started, worker=worker)
                else:
                    started = time.perf_counter()
                    rows = sqlfloors.calibration(floor_connection, start, end)
                    middle = time.perf_counter()
                    noop.delay().get(timeout=60)
                    finished = time.perf_counter()
                    floor_times.append(finished - started)
                    round_trips.append(finished - middle)
                    ratings = sum(row[2] for row in rows)
        units_times, units = h.time_sql(lambda: sqlfloors.calibration_units(floor_connection, start, end), 0,
                                        minimum=h.profile.calibration_rounds)
        fit_times, fit_inside, fit_ratings = _rater_model_fits(h.profile.calibration_rounds, worker)
    finally:
        worker.stop()
        floor_connection.close()
    # The files are drawn on first download, not in the job: what the first person to ask for the PDF waits.
    done = CalibrationReport.objects.get(pk=report.pk)
    started = time.perf_counter()
    calibration_report_file(done, "pdf")
    first_pdf_seconds = time.perf_counter() - started
    statistics_times = _statistics_alone(done, h.profile.calibration_rounds)
    h.record(
        "calibration", ratings=ratings, first_pdf_s=round(first_pdf_seconds, 3),
        product_s=round(median(product_times), 3),
        floor_s=round(median(floor_times), 3), task_round_trip_s=round(median(round_trips), 4),
        ratio=round(median(product_times) / median(floor_times), 2),
        statistics_alone_s=round(median(statistics_times), 3),
        statistics_alone_ratio=round(median(statistics_times) / median(floor_times), 2),
        units_alone_s=round(median(units_times), 3), units=len(units),
        units_alone_ratio=round(median(units_times) / median(floor_times), 2),
        runs={"product_s": product_times, "floor_s": floor_times, "statistics_alone_s": statistics_times,
              "units_alone_s": units_times},
    )
    h.record(
        "rater_model_fit", ratings=fit_ratings, product_s=round(median(fit_times), 3),
        in_worker_s=round(median(fit_inside), 3), calibration_report_s=round(median(product_times), 3),
        ratio_to_report=round(median(fit_times) / median(product_times), 2),
        runs={"product_s": fit_times, "in_worker_s": fit_inside},
    )


def _wait_for_fit(*, after: int, since: float, worker: Any) -> None:
    from scorecards.models import RaterModelFit

    deadline = time.perf_counter() + CALIBRATION_TIMEOUT
    wall = datetime.now(UTC) - timedelta(seconds=time.perf_counter() - since)
    while not RaterModelFit.objects.filter(fitted_at__gte=wall).exists():
        if time.perf_counter() > deadline or worker.process.poll() is not None:
            raise RuntimeError(f"No rater model fit after report {after}; see celery.log")
        time.sleep(0.05)


def _rater_model_fits(rounds: int, worker: Any) -> tuple[list[float], list[float], int]:
    """The rater model refitted to the whole history through Celery (what beat runs): request to stored row."""
    from scorecards.leniency.fits import rater_model_refit_enqueue
    from scorecards.models import RaterModelFit

    times, inside, ratings = [], [], 0
    for _ in range(rounds):
        before = RaterModelFit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.perf_counter()
        if not rater_model_refit_enqueue():
            raise RuntimeError("Could not enqueue the rater model's fit")
        deadline = started + CALIBRATION_TIMEOUT
        while (row := RaterModelFit.objects.filter(pk__gt=before).first()) is None:
            if time.perf_counter() > deadline or worker.process.poll() is not None:
                raise RuntimeError("The rater model's fit did not finish; see celery.log")
            time.sleep(0.02)
        times.append(time.perf_counter() - started)
        inside.append(row.seconds)
        ratings = row.ratings
    return times, inside, ratings


def _statistics_alone(report: Any, rounds: int) -> list[float]:
    """Seconds the report's statistics take alone (Krippendorff's alpha with its bootstrap, intervals, tables),
    from SQL aggregates read first: the part of the job no query can do."""
    from scorecards.calibration.report import assemble_report, database_aggregates
    from scorecards.calibration.selectors import ReportScope
    from scorecards.calibration.services import report_options

    aggregates = database_aggregates(ReportScope(date_from=report.date_from, date_to=report.date_to))
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        assemble_report(aggregates, description={}, options=report_options(report))
        times.append(time.perf_counter() - started)
    return times
