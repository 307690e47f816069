"""The benchmarks over HTTP: the pages (2), the CSV export (5) and submitting a scorecard (1)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import psycopg

from bench import environment
from bench.environment import (
    COMMITTEE,
    DATABASE,
    INTERVIEWERS,
    MAX_RATE,
    PG_SERVER,
    RECRUITER,
    log,
    median,
    rotated,
)

if TYPE_CHECKING:
    from bench.harness import Harness


def pages(h: Harness, label: str) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench import sqlfloors
    from hiring.models import InterviewLoop, User

    loops = InterviewLoop.objects.count()
    # A candidate who applied more than once: the summary shows several loops. The generated data set always
    # has loops, so there is one.
    candidate_id = cast(
        "int",
        InterviewLoop.objects.values("candidate_id").annotate(n=Count("id"))
        .order_by("-n", "candidate_id").values_list("candidate_id", flat=True).first(),
    )
    pages = {
        "pipeline": "/pipeline/",
        "candidate_summary": f"/candidates/{candidate_id}/summary/",
    }
    client = DjangoClient()
    client.force_login(User.objects.get(username=RECRUITER))
    queries = {}
    for name, path in pages.items():
        client.get(path)  # warm caches (templates, the form's choices)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        queries[name] = len(captured)

    floor_connection = environment.floor_connection()
    floors = {
        "pipeline": lambda: sqlfloors.pipeline(floor_connection, timezone.now()),
        "candidate_summary": lambda: sqlfloors.candidate(floor_connection, candidate_id),
    }
    # A second, informative floor: a signed-in view running that one query over the same HTTP path, i.e. the
    # request cycle (session, user, middleware) that any page pays on top of its SQL.
    view_floors = {
        "pipeline": "/bench/floor/pipeline/",
        "candidate_summary": f"/bench/floor/candidate/{candidate_id}/",
    }
    for name, path in pages.items():
        product_p50: list[float] = []
        product_p95: list[float] = []
        floor_p50: list[float] = []
        view_p50: list[float] = []
        rows = 0
        for round_number in range(h.profile.rounds):
            for side in rotated(["product", "floor", "view"], round_number):
                if side in ("product", "view"):
                    url = path if side == "product" else view_floors[name]
                    result = h.sequential(h.repeated_get(url, RECRUITER, h.profile.page_requests),
                                          max_requests=h.profile.page_requests,
                                          max_seconds=h.profile.page_seconds, expected=200)
                    _require_valid(result, f"{name} {'page' if side == 'product' else 'view floor'}")
                    (product_p50 if side == "product" else view_p50).append(result.p50_ms)
                    if side == "product":
                        product_p95.append(result.p95_ms)
                else:
                    times, fetched = h.time_sql(floors[name], h.profile.page_seconds / 2)
                    floor_p50.append(median(times) * 1000)
                    rows = len(fetched)
        h.record(
            f"page_{name}_{label}", loops=loops, product_p50_ms=round(median(product_p50), 2),
            product_p95_ms=round(median(product_p95), 2), floor_p50_ms=round(median(floor_p50), 2),
            ratio=round(median(product_p50) / median(floor_p50), 2), queries=queries[name], floor_rows=rows,
            view_floor_p50_ms=round(median(view_p50), 2), view_ratio=round(median(product_p50) / median(view_p50), 2),
            runs={"product_p50_ms": product_p50, "floor_p50_ms": floor_p50, "view_floor_p50_ms": view_p50},
        )
    floor_connection.close()


def _require_valid(result: Any, what: str) -> None:
    if not result.valid:
        raise RuntimeError(f"{what}: invalid load run {result}")


def export(h: Harness) -> None:
    from bench import sqlfloors
    from bench.client import Client
    from bench.processes import memory_kib, reset_peak

    with psycopg.connect(f"{PG_SERVER}/{DATABASE}") as connection:
        days = connection.execute(
            "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) FROM hiring_auditevent "
            "WHERE created_at < date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
            "GROUP BY 1 ORDER BY 1 DESC"
        ).fetchall()
    session = h.sessions[COMMITTEE]
    client = Client("127.0.0.1", h.server.port)
    floor_connection = environment.floor_connection()
    last_day = days[0][0]
    # Warm the workers' imports with a small export first, so that the peaks measure the export alone.
    for _ in range(h.profile.workers * 2):
        client.timed_get(f"/audit/export.csv?date_from={last_day}&date_to={last_day}", session)
    for target in h.profile.export_rows:
        total, first_day = 0, last_day
        for day, count in days:
            total += count
            first_day = day
            if total >= target:
                break
        path = f"/audit/export.csv?date_from={first_day}&date_to={last_day}"
        start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
        end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        product_times, floor_times, peaks, sizes = [], [], [], {}
        for round_number in range(h.profile.rounds):
            for side in rotated(["product", "floor"], round_number):
                if side == "product":
                    pids = h.server.worker_pids()
                    before = {pid: memory_kib(pid)["VmRSS"] for pid in pids}
                    resettable = all(reset_peak(pid) for pid in pids)
                    seconds, status, size = client.timed_get(path, session)
                    if status != 200:
                        raise RuntimeError(f"The export answered {status}")
                    after = {pid: memory_kib(pid) for pid in pids}
                    if resettable:
                        peaks.append(max(after[pid]["VmHWM"] - before[pid] for pid in pids) / 1024)
                    else:
                        peaks.append(max(after[pid]["VmHWM"] for pid in pids) / 1024)
                    product_times.append(seconds)
                    sizes["product_bytes"] = size
                else:
                    started = time.perf_counter()
                    sizes["floor_bytes"] = sqlfloors.export_copy(floor_connection, start, end,
                                                                 h.workdir / "export-floor.csv")
                    floor_times.append(time.perf_counter() - started)
        h.record(
            f"export_{target}", rows=total, product_s=round(median(product_times), 3),
            floor_s=round(median(floor_times), 3), ratio=round(median(product_times) / median(floor_times), 2),
            peak_memory_mib=round(median(peaks), 1), peak_is_delta=resettable,
            mib_per_s=round(sizes["product_bytes"] / median(product_times) / 2**20, 1), **sizes,
            runs={"product_s": product_times, "floor_s": floor_times, "peak_mib": peaks},
        )
    client.close()
    floor_connection.close()
    (h.workdir / "export-floor.csv").unlink(missing_ok=True)


def submit(h: Harness) -> None:
    from bench import targets as target_module
    from bench.load import PreparedRequest

    log(f"Preparing {h.profile.product_targets} + {h.profile.floor_targets} interviews to submit")
    slots = len(INTERVIEWERS)
    usernames = list(INTERVIEWERS)
    pools = {
        "product": target_module.make_targets(loops=h.profile.product_targets // slots, usernames=usernames),
        "floor": target_module.make_targets(loops=h.profile.floor_targets // slots, usernames=usernames),
    }
    sessions = {name: h.sessions[name] for name in INTERVIEWERS}
    constant = [PreparedRequest("GET", "/bench/floor/constant/", h.sessions[INTERVIEWERS[0]].cookie_header)]
    runs: dict[str, dict[str, list[float]]] = {
        side: {"p50_ms": [], "p95_ms": [], "throughput": [], "throughput_p50_ms": []}
        for side in ("product", "floor", "constant")
    }
    for round_number in range(h.profile.rounds):
        for side in rotated(["product", "floor", "constant"], round_number):
            for mode in ("latency", "throughput"):
                wanted = h.profile.latency_requests if mode == "latency" else int(h.profile.load_seconds * MAX_RATE)
                if side == "constant":
                    requests, expected = constant * (wanted * 4 + 100), 200
                else:
                    pool = pools[side]
                    taken = target_module.submitted([t.interview_id for t in pool])
                    pool[:] = [t for t in pool if t.interview_id not in taken]
                    requests = target_module.prepared_requests(pool[: wanted + 100], sessions,
                                                               floor=(side == "floor"))
                    expected = 302
                if mode == "latency":
                    result = h.sequential(requests, max_requests=h.profile.latency_requests,
                                          max_seconds=h.profile.latency_seconds, expected=expected)
                else:
                    result = h.load(requests, connections=h.profile.connections, seconds=h.profile.load_seconds,
                                    expected=expected)
                _require_valid(result, f"submit ({side}, {mode})")
                if mode == "latency":
                    runs[side]["p50_ms"].append(result.p50_ms)
                    runs[side]["p95_ms"].append(result.p95_ms)
                else:
                    runs[side]["throughput"].append(result.throughput)
                    runs[side]["throughput_p50_ms"].append(result.p50_ms)
    _check_submissions()
    summary = {side: {k: round(median(v), 2) for k, v in values.items()} for side, values in runs.items()}
    h.record(
        "submit", generator=result.generator, latency_client="python-sequential", connections=h.profile.connections,
        product_p50_ms=summary["product"]["p50_ms"], product_p95_ms=summary["product"]["p95_ms"],
        floor_p50_ms=summary["floor"]["p50_ms"], floor_p95_ms=summary["floor"]["p95_ms"],
        constant_p50_ms=summary["constant"]["p50_ms"], constant_p95_ms=summary["constant"]["p95_ms"],
        product_rps=summary["product"]["throughput"], floor_rps=summary["floor"]["throughput"],
        constant_rps=summary["constant"]["throughput"],
        p50_ratio=round(summary["product"]["p50_ms"] / summary["floor"]["p50_ms"], 2),
        throughput_ratio=round(summary["product"]["throughput"] / summary["floor"]["throughput"], 2),
        runs=runs,
    )


def _check_submissions() -> None:
    """Every submission through the form left a complete scorecard: eight ratings, an outbox row."""
    from django.db.models import Count

    from scorecards.models import RecomputeRequest, Scorecard

    cards = Scorecard.objects.filter(interview__loop__candidate__name__startswith="Bench Candidate",
                                     status="submitted").annotate(n=Count("ratings"))
    wrong = cards.exclude(n=8).count()
    if wrong:
        raise RuntimeError(f"{wrong} benchmark scorecard(s) were not stored with eight ratings")
    outbox = RecomputeRequest.objects.filter(loop__candidate__name__startswith="Bench Candidate").count()
    log(f"submit check: {cards.count()} scorecards with eight ratings each, {outbox} recompute requests")
