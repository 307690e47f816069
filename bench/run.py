"""Run Hireloop's benchmarks against floors measured in the same run.

    python -m bench.run --profile full    # make bench: 50,000 loops, medians of 5 rounds
    python -m bench.run --profile quick   # make bench-quick: 1,000 loops, under two minutes

Each figure is measured beside its floor, interleaved round by round (the
order rotates so that neither side always runs first), and the median of
the rounds is reported with the ratio. gunicorn (and the Celery worker) run
on CPU 0, the load generator and this harness on CPU 1; PostgreSQL and Redis
are the machine's own services and are not pinned.

The data go to a database of their own (``BENCH_DATABASE``, default
``hireloop_benchdata``), dropped at the end unless ``--keep-db``; Redis
database 10 (``BENCH_REDIS_URL``) is flushed at the end. Results:
``bench/results/<profile>-<time>.json`` and ``bench/results/latest.md``
(``latest-quick.md`` for the quick profile); ``--update-readme`` copies the
table into the README's Benchmarks section.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "hireloop_benchdata")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
SERVER_CPU, CLIENT_CPU = 0, 1
INTERVIEWERS = [f"load-iv-{n:03d}" for n in range(1, 6)]
RECRUITER, COMMITTEE = "load-rec-01", "load-com-01"
CALIBRATION_TIMEOUT = 900
# No Django view serves more than this many requests a second on one core: request lists are cut there.
MAX_RATE = 1500


@dataclass(frozen=True)
class Profile:
    name: str
    small_loops: int
    loops: int
    rounds: int
    latency_seconds: float
    load_seconds: float
    page_seconds: float
    recompute_budget: float
    calibration_rounds: int
    export_rows: tuple[int, int]
    connections: int
    workers: int
    # Interviews prepared for the submit benchmark (each can be submitted once).
    product_targets: int
    floor_targets: int


PROFILES = {
    "quick": Profile(name="quick", small_loops=100, loops=1000, rounds=3, latency_seconds=1, load_seconds=2,
                     page_seconds=1, recompute_budget=1.5, calibration_rounds=1, export_rows=(1000, 5000),
                     connections=6, workers=3, product_targets=2500, floor_targets=6000),
    "full": Profile(name="full", small_loops=100, loops=50_000, rounds=5, latency_seconds=5, load_seconds=10,
                    page_seconds=3, recompute_budget=15, calibration_rounds=3, export_rows=(10_000, 100_000),
                    connections=6, workers=3, product_targets=20_000, floor_targets=50_000),
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_ENV", "DJANGO_DEBUG")}
    env.update({
        "DATABASE_URL": f"{PG_SERVER}/{DATABASE}",
        "CELERY_BROKER_URL": REDIS,
        "REDIS_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(REPO),
    })
    return env


def manage(*args: str) -> str:
    """Run a management command with the benchmark's settings; returns what it printed."""
    completed = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=child_env(), check=True,
                               stdout=subprocess.PIPE, text=True)
    return completed.stdout


def schema_digest() -> str:
    """What the migrated, rubric-loaded database depends on: migrations, rubric files, pinned packages."""
    digest = hashlib.sha256()
    paths = sorted([*REPO.glob("*/migrations/*.py"), *(REPO / "fixtures" / "rubrics").glob("*"),
                    REPO / "requirements.txt"])
    for path in paths:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def recreate_database() -> float:
    """A fresh database with the schema and the five rubrics, copied from a template when one is current.

    Migrating takes a while; the template (``<database>_template``, a few MB) is rebuilt only when a
    migration, a rubric file or a pinned package changed.
    """
    started = time.perf_counter()
    template = f"{DATABASE}_template"
    digest = schema_digest()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        current = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
        if current is not None and current[0] == digest:
            connection.execute(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}"')
            return time.perf_counter() - started
        connection.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    manage("migrate", "--noinput", "-v0")
    manage("load_rubrics", "-v0")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{template}" TEMPLATE "{DATABASE}"')
        connection.execute(f"COMMENT ON DATABASE \"{template}\" IS '{digest}'")
    return time.perf_counter() - started


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def vacuum() -> float:
    """VACUUM ANALYZE after a bulk load, so that no autovacuum starts in the middle of a measurement."""
    started = time.perf_counter()
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    with psycopg.connect(f"{PG_SERVER}/postgres") as connection:
        pg_version = connection.execute("SHOW server_version").fetchone()[0]
        shared_buffers = connection.execute("SHOW shared_buffers").fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "shared_buffers": shared_buffers,
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rotated(items: list[Any], round_number: int) -> list[Any]:
    shift = round_number % len(items)
    return items[shift:] + items[:shift]


class Harness:
    def __init__(self, profile: Profile, *, pin: bool) -> None:
        self.profile = profile
        self.pin = pin
        self.results: dict[str, Any] = {"profile": asdict(profile), "benchmarks": {}, "notes": []}
        # Logs of gunicorn and Celery, request lists, the COPY floor's file: outside the work tree.
        self.workdir = Path(tempfile.gettempdir()) / "hireloop-bench"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.server: Any = None
        self.sessions: dict[str, Any] = {}

    @property
    def server_cpu(self) -> int | None:
        return SERVER_CPU if self.pin else None

    @property
    def client_cpu(self) -> int | None:
        return CLIENT_CPU if self.pin else None

    # --- setup -------------------------------------------------------------------------------------

    def prepare(self) -> None:
        setup = recreate_database()
        log(f"Database {DATABASE}: created with the schema and the five rubrics ({setup:.1f} s)")
        os.environ.update(child_env())
        import django

        django.setup()
        self.results["data"] = {"setup_seconds": round(setup, 1)}

    def generate(self, loops: int, seed: int) -> dict[str, float]:
        started = time.perf_counter()
        output = manage("generate_load_data", "--loops", str(loops), "--seed", str(seed))
        wall = time.perf_counter() - started
        # The command's own time (the process's start-up is not the generator's).
        match = re.search(r"Generated .* in ([0-9.]+)s", output)
        seconds = float(match.group(1)) if match else wall
        log(output.strip().splitlines()[-1] if output.strip() else f"generated {loops} loops")
        vacuum_seconds = vacuum()
        log(f"VACUUM ANALYZE: {vacuum_seconds:.1f} s")
        return {"loops": loops, "seconds": round(seconds, 1), "loops_per_second": round(loops / seconds, 1),
                "wall_seconds": round(wall, 1), "vacuum_seconds": round(vacuum_seconds, 1), "summary": output.strip()}

    def start_server(self) -> None:
        from bench.client import Client
        from bench.processes import Server

        self.server = Server(workers=self.profile.workers, cpu=self.server_cpu, env=child_env(),
                             log=self.workdir / "gunicorn.log")
        log(f"gunicorn answers on 127.0.0.1:{self.server.port}")
        client = Client("127.0.0.1", self.server.port)
        for username in [*INTERVIEWERS, RECRUITER, COMMITTEE]:
            from hiring.management.commands.generate_load_data import DEFAULT_PASSWORD

            self.sessions[username] = client.login(username, DEFAULT_PASSWORD)
        client.close()
        log(f"gunicorn on 127.0.0.1:{self.server.port} ({self.profile.workers} workers, "
            f"CPU {self.server_cpu if self.pin else 'any'}); {len(self.sessions)} users signed in")

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    # --- helpers -----------------------------------------------------------------------------------

    def load(self, requests: list[Any], *, connections: int, seconds: float, expected: int) -> Any:
        from bench.load import run_load

        return run_load(port=self.server.port, requests=requests, connections=connections, seconds=seconds,
                        expected_status=expected, cpu=self.client_cpu, workdir=self.workdir)

    def repeated_get(self, path: str, username: str, count: int) -> list[Any]:
        from bench.load import PreparedRequest

        return [PreparedRequest("GET", path, self.sessions[username].cookie_header)] * count

    @staticmethod
    def time_sql(function: Callable[[], Any], seconds: float, minimum: int = 5) -> tuple[list[float], Any]:
        """Run a floor query repeatedly for about ``seconds``; every run's time and the last result."""
        times = []
        result = None
        deadline = time.perf_counter() + seconds
        while len(times) < minimum or time.perf_counter() < deadline:
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        return times, result

    def record(self, key: str, **values: Any) -> None:
        self.results["benchmarks"][key] = values
        summary = ", ".join(f"{k}={v}" for k, v in values.items() if not isinstance(v, list | dict))
        log(f"{key}: {summary}")

    # --- 2. pages ------------------------------------------------------------------------------------

    def pages(self, label: str) -> None:
        from django.db import connection
        from django.db.models import Count
        from django.test import Client as DjangoClient
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from bench import sqlfloors
        from hiring.models import InterviewLoop, User

        loops = InterviewLoop.objects.count()
        # A candidate who applied more than once: the summary shows several loops.
        candidate_id = (
            InterviewLoop.objects.values("candidate_id").annotate(n=Count("id"))
            .order_by("-n", "candidate_id").values_list("candidate_id", flat=True).first()
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

        floor_connection = psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True)
        floors = {
            "pipeline": lambda: sqlfloors.pipeline(floor_connection, timezone.now()),
            "candidate_summary": lambda: sqlfloors.candidate(floor_connection, candidate_id),
        }
        for name, path in pages.items():
            product_p50, product_p95, floor_p50, rows = [], [], [], 0
            for round_number in range(self.profile.rounds):
                for side in rotated(["product", "floor"], round_number):
                    if side == "product":
                        count = int(self.profile.page_seconds * MAX_RATE) + 100
                        result = self.load(self.repeated_get(path, RECRUITER, count), connections=1,
                                           seconds=self.profile.page_seconds, expected=200)
                        self._require_valid(result, f"{name} page")
                        product_p50.append(result.p50_ms)
                        product_p95.append(result.p95_ms)
                    else:
                        times, fetched = self.time_sql(floors[name], self.profile.page_seconds / 2)
                        floor_p50.append(median(times) * 1000)
                        rows = len(fetched)
            self.record(
                f"page_{name}_{label}", loops=loops, product_p50_ms=round(median(product_p50), 2),
                product_p95_ms=round(median(product_p95), 2), floor_p50_ms=round(median(floor_p50), 2),
                ratio=round(median(product_p50) / median(floor_p50), 2), queries=queries[name], floor_rows=rows,
                runs={"product_p50_ms": product_p50, "floor_p50_ms": floor_p50},
            )
        floor_connection.close()

    @staticmethod
    def _require_valid(result: Any, what: str) -> None:
        if not result.valid:
            raise RuntimeError(f"{what}: invalid load run {result}")

    # --- 3. recomputing recommendations --------------------------------------------------------------

    def recompute(self) -> None:
        from django.db.models import Exists, OuterRef

        from bench import sqlfloors
        from hiring.models import InterviewLoop
        from scorecards.models import Recommendation, Scorecard
        from scorecards.services.recommendations import recommendation_compute

        submitted = Scorecard.objects.filter(interview__loop=OuterRef("pk"), status="submitted")
        open_ids = list(
            InterviewLoop.objects.filter(status__in=sqlfloors.ACTIVE).filter(Exists(submitted))
            .order_by("id").values_list("id", flat=True)
        )
        floor_connection = psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True)
        product_rates, floor_rates, done_counts = [], [], []
        for round_number in range(self.profile.rounds):
            for side in rotated(["product", "floor"], round_number):
                if side == "product":
                    # Forget the stored fingerprints, so that every loop is computed and written again.
                    Recommendation.objects.filter(loop_id__in=open_ids).update(fingerprint="")
                    done = 0
                    started = time.perf_counter()
                    deadline = started + self.profile.recompute_budget
                    for loop_id in open_ids:
                        recommendation_compute(loop_id=loop_id)
                        done += 1
                        if time.perf_counter() > deadline:
                            break
                    elapsed = time.perf_counter() - started
                    product_rates.append(done / elapsed)
                    done_counts.append(done)
                else:
                    times, _ = self.time_sql(lambda: sqlfloors.recompute(floor_connection, open_ids), 0, minimum=1)
                    floor_rates.append(len(open_ids) / times[0])
        floor_connection.close()
        product, floor = median(product_rates), median(floor_rates)
        self.record(
            "recompute", open_loops=len(open_ids), loops_timed=int(median(done_counts)),
            product_loops_per_s=round(product, 1), floor_loops_per_s=round(floor, 1), ratio=round(floor / product, 2),
            projected_all_open_s=round(len(open_ids) / product, 1),
            runs={"product_loops_per_s": product_rates, "floor_loops_per_s": floor_rates},
        )

    # --- 4. calibration report through Celery ----------------------------------------------------------

    def calibration(self) -> None:
        from bench import sqlfloors
        from bench.processes import Worker
        from bench.tasks import noop
        from hiring.models import User
        from scorecards.calibration.report import report_from_database
        from scorecards.calibration.selectors import ReportScope
        from scorecards.models import CalibrationReport, Scorecard
        from scorecards.services.calibration import calibration_report_request, report_description, report_options

        committee = User.objects.get(username=COMMITTEE)
        first = Scorecard.objects.filter(status="submitted").order_by("submitted_at").first().submitted_at
        date_from, date_to = first.date(), datetime.now(UTC).date()
        start = datetime.combine(date_from, datetime.min.time(), tzinfo=UTC)
        end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        worker = Worker(cpu=self.server_cpu, env=child_env(), log=self.workdir / "celery.log")
        floor_connection = psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True)
        try:
            noop.delay().get(timeout=120)  # the worker is up and has imported everything
            product_times, floor_times, round_trips, ratings = [], [], [], 0
            for round_number in range(self.profile.calibration_rounds):
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
                    else:
                        started = time.perf_counter()
                        rows = sqlfloors.calibration(floor_connection, start, end)
                        middle = time.perf_counter()
                        noop.delay().get(timeout=60)
                        finished = time.perf_counter()
                        floor_times.append(finished - started)
                        round_trips.append(finished - middle)
                        ratings = sum(row[2] for row in rows)
        finally:
            worker.stop()
            floor_connection.close()
        # Where the job's time goes: the statistics alone, in this process, without the CSV/XLSX/PDF files.
        started = time.perf_counter()
        report_from_database(ReportScope(date_from=date_from, date_to=date_to),
                             description=report_description(report), options=report_options(report))
        statistics_seconds = time.perf_counter() - started
        self.record(
            "calibration", ratings=ratings, statistics_only_s=round(statistics_seconds, 3),
            product_s=round(median(product_times), 3),
            floor_s=round(median(floor_times), 3), task_round_trip_s=round(median(round_trips), 4),
            ratio=round(median(product_times) / median(floor_times), 2),
            runs={"product_s": product_times, "floor_s": floor_times},
        )

    # --- 5. CSV export --------------------------------------------------------------------------------

    def export(self) -> None:
        from bench import sqlfloors
        from bench.client import Client
        from bench.processes import memory_kib, reset_peak

        with psycopg.connect(f"{PG_SERVER}/{DATABASE}") as connection:
            days = connection.execute(
                "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) FROM hiring_auditevent "
                "WHERE created_at < date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
                "GROUP BY 1 ORDER BY 1 DESC"
            ).fetchall()
        session = self.sessions[COMMITTEE]
        client = Client("127.0.0.1", self.server.port)
        floor_connection = psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True)
        last_day = days[0][0]
        # Warm the workers' imports with a small export first, so that the peaks measure the export alone.
        for _ in range(self.profile.workers * 2):
            client.timed_get(f"/audit/export.csv?date_from={last_day}&date_to={last_day}", session)
        for target in self.profile.export_rows:
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
            for round_number in range(self.profile.rounds):
                for side in rotated(["product", "floor"], round_number):
                    if side == "product":
                        pids = self.server.worker_pids()
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
                                                                     self.workdir / "export-floor.csv")
                        floor_times.append(time.perf_counter() - started)
            self.record(
                f"export_{target}", rows=total, product_s=round(median(product_times), 3),
                floor_s=round(median(floor_times), 3), ratio=round(median(product_times) / median(floor_times), 2),
                peak_memory_mib=round(median(peaks), 1), peak_is_delta=resettable,
                mib_per_s=round(sizes["product_bytes"] / median(product_times) / 2**20, 1), **sizes,
                runs={"product_s": product_times, "floor_s": floor_times, "peak_mib": peaks},
            )
        client.close()
        floor_connection.close()
        (self.workdir / "export-floor.csv").unlink(missing_ok=True)

    # --- 1. submitting a scorecard -------------------------------------------------------------------

    def submit(self) -> None:
        from bench import targets as target_module
        from bench.load import PreparedRequest

        log(f"Preparing {self.profile.product_targets} + {self.profile.floor_targets} interviews to submit")
        slots = len(INTERVIEWERS)
        usernames = list(INTERVIEWERS)
        pools = {
            "product": target_module.make_targets(loops=self.profile.product_targets // slots, usernames=usernames),
            "floor": target_module.make_targets(loops=self.profile.floor_targets // slots, usernames=usernames),
        }
        sessions = {name: self.sessions[name] for name in INTERVIEWERS}
        constant = [PreparedRequest("GET", "/bench/floor/constant/", self.sessions[INTERVIEWERS[0]].cookie_header)]
        runs: dict[str, dict[str, list[float]]] = {
            side: {"p50_ms": [], "p95_ms": [], "throughput": [], "throughput_p50_ms": []}
            for side in ("product", "floor", "constant")
        }
        for round_number in range(self.profile.rounds):
            for side in rotated(["product", "floor", "constant"], round_number):
                for mode, connections, seconds in (("latency", 1, self.profile.latency_seconds),
                                                    ("throughput", self.profile.connections,
                                                     self.profile.load_seconds)):
                    if side == "constant":
                        requests, expected = constant * (int(seconds * MAX_RATE * 4) + 100), 200
                    else:
                        pool = pools[side]
                        taken = target_module.submitted([t.interview_id for t in pool])
                        pool[:] = [t for t in pool if t.interview_id not in taken]
                        requests = target_module.prepared_requests(pool[: int(seconds * MAX_RATE) + 100], sessions,
                                                                   floor=(side == "floor"))
                        expected = 302
                    result = self.load(requests, connections=connections, seconds=seconds, expected=expected)
                    self._require_valid(result, f"submit ({side}, {mode})")
                    if mode == "latency":
                        runs[side]["p50_ms"].append(result.p50_ms)
                        runs[side]["p95_ms"].append(result.p95_ms)
                    else:
                        runs[side]["throughput"].append(result.throughput)
                        runs[side]["throughput_p50_ms"].append(result.p50_ms)
        self._check_submissions()
        summary = {side: {k: round(median(v), 2) for k, v in values.items()} for side, values in runs.items()}
        self.record(
            "submit", generator=result.generator, connections=self.profile.connections,
            product_p50_ms=summary["product"]["p50_ms"], product_p95_ms=summary["product"]["p95_ms"],
            floor_p50_ms=summary["floor"]["p50_ms"], floor_p95_ms=summary["floor"]["p95_ms"],
            constant_p50_ms=summary["constant"]["p50_ms"], constant_p95_ms=summary["constant"]["p95_ms"],
            product_rps=summary["product"]["throughput"], floor_rps=summary["floor"]["throughput"],
            constant_rps=summary["constant"]["throughput"],
            p50_ratio=round(summary["product"]["p50_ms"] / summary["floor"]["p50_ms"], 2),
            throughput_ratio=round(summary["product"]["throughput"] / summary["floor"]["throughput"], 2),
            runs=runs,
        )

    def _check_submissions(self) -> None:
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

    def attempt(self, name: str, benchmark: Callable[[], None]) -> None:
        """Run one benchmark; a failure is recorded and the others still run."""
        try:
            benchmark()
        except Exception as exc:  # noqa: BLE001 - reported in the results and on the console
            log(f"{name} FAILED: {type(exc).__name__}: {exc}")
            self.results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"

    # --- all --------------------------------------------------------------------------------------------

    def run(self, *, keep_db: bool) -> dict[str, Any]:
        profile = self.profile
        started = time.perf_counter()
        self.results["machine"] = machine()
        self.results["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.results["load_before"] = [round(x, 2) for x in os.getloadavg()]
        self.results["pinned"] = self.pin
        try:
            self.prepare()
            self.results["data"]["small"] = self.generate(profile.small_loops, seed=1)
            self.start_server()
            self.attempt("pages_small", lambda: self.pages("small"))
            self.results["data"]["large"] = self.generate(profile.loops - profile.small_loops, seed=2)
            self.attempt("pages_large", lambda: self.pages("large"))
            self.attempt("recompute", self.recompute)
            self.attempt("calibration", self.calibration)
            self.attempt("export", self.export)
            self.attempt("submit", self.submit)
        finally:
            self.stop()
            try:
                flush_redis()
            except Exception as exc:  # noqa: BLE001 - cleanup must not hide the run's own error
                log(f"Could not flush Redis: {exc}")
            if not keep_db:
                drop_database()
                log(f"Dropped {DATABASE}")
        self.results["load_after"] = [round(x, 2) for x in os.getloadavg()]
        self.results["total_seconds"] = round(time.perf_counter() - started, 1)
        return self.results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--keep-db", action="store_true", help=f"Keep {DATABASE} afterwards (it is large).")
    parser.add_argument("--no-pin", action="store_true", help="Do not pin the server and the client to cores.")
    parser.add_argument("--update-readme", action="store_true", help="Copy the table into README.md.")
    options = parser.parse_args(argv)

    from bench import report
    from bench.processes import cores

    # A terminated run still stops its servers and drops its database (the finally blocks run).
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
    pin = not options.no_pin and cores() >= 2
    if pin:
        os.sched_setaffinity(0, {CLIENT_CPU})
    harness = Harness(PROFILES[options.profile], pin=pin)
    results = harness.run(keep_db=options.keep_db)
    paths = report.write(results)
    log(f"Results: {', '.join(str(p.relative_to(REPO)) for p in paths)} ({results['total_seconds']} s in all)")
    print(report.markdown(results))
    if options.update_readme:
        report.update_readme(results)
        log("README.md Benchmarks section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
