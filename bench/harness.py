"""The benchmark run: its profiles, set-up, the server, and the order of the benchmarks."""

from __future__ import annotations

import io
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import imports, jobs, web
from bench.environment import (
    CLIENT_CPU,
    COMMITTEE,
    DATABASE,
    INTERVIEWERS,
    RECRUITER,
    SERVER_CPU,
    child_env,
    drop_database,
    flush_redis,
    log,
    machine,
    recreate_database,
    vacuum,
)


@dataclass(frozen=True)
class Profile:
    name: str
    small_loops: int
    loops: int
    interviewers: int
    rounds: int
    # One client, one request after the other: up to this many requests or seconds a run.
    latency_requests: int
    latency_seconds: float
    # Throughput: wrk for this long with ``connections`` open connections.
    load_seconds: float
    page_requests: int
    page_seconds: float
    recompute_budget: float
    calibration_rounds: int
    export_rows: tuple[int, int]
    connections: int
    workers: int
    # Interviews prepared for the submit benchmark (each can be submitted once).
    product_targets: int
    floor_targets: int
    # Greenhouse applications (five scorecards each) for the history import.
    import_applications: int


PROFILES = {
    # The quick profile is a smaller company too: the calibration report's files grow with the interviewers.
    "quick": Profile(
        name="quick", small_loops=100, loops=1000, interviewers=40, rounds=3, latency_requests=20,
        latency_seconds=2, load_seconds=2, page_requests=10, page_seconds=1.5, recompute_budget=1.5,
        calibration_rounds=1, export_rows=(3000, 6000), connections=6,
        workers=3, product_targets=2500, floor_targets=6000, import_applications=1000,
    ),
    "full": Profile(
        name="full", small_loops=100, loops=50_000, interviewers=200, rounds=5, latency_requests=300,
        latency_seconds=10, load_seconds=10, page_requests=60, page_seconds=6, recompute_budget=15,
        calibration_rounds=3, export_rows=(10_000, 100_000), connections=6,
        workers=3, product_targets=20_000, floor_targets=50_000, import_applications=50_000,
    ),
}


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
        from django.db import connection

        # The session options the product's (and the floors') connections run with, e.g. "-c jit=off".
        self.results["machine"]["postgresql_options"] = connection.settings_dict.get("OPTIONS", {}).get("options", "")
        self.results["data"] = {"setup_seconds": round(setup, 1)}

    def generate(self, loops: int, seed: int) -> dict[str, float | str]:
        from django.core.management import call_command

        buffer = io.StringIO()
        started = time.perf_counter()
        call_command("generate_load_data", loops=loops, seed=seed, interviewers=self.profile.interviewers,
                     stdout=buffer)
        wall = time.perf_counter() - started
        output = buffer.getvalue()
        # The command's own figure: the time it spent generating and writing.
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
            from bench.loadgen.staff import DEFAULT_PASSWORD

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

    def sequential(self, requests: list[Any], *, max_requests: int, max_seconds: float, expected: int) -> Any:
        from bench.load import run_sequential

        return run_sequential(port=self.server.port, requests=requests, max_requests=max_requests,
                              max_seconds=max_seconds, expected_status=expected)

    def repeated_get(self, path: str, username: str, count: int) -> list[Any]:
        from bench.load import PreparedRequest

        return [PreparedRequest("GET", path, self.sessions[username].cookie_header)] * count

    @staticmethod
    def time_sql(function: Callable[[], Any], seconds: float, minimum: int = 5) -> tuple[list[float], Any]:
        """Run a floor query repeatedly for about ``seconds``; every run's time and the last result."""
        times: list[float] = []
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

    def attempt(self, name: str, benchmark: Callable[[], None]) -> None:
        """Run one benchmark; a failure is recorded and the others still run."""
        try:
            benchmark()
        except Exception as exc:  # noqa: BLE001 - reported in the results and on the console
            log(f"{name} FAILED: {type(exc).__name__}: {exc}")
            self.results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"

    # --- all --------------------------------------------------------------------------------------------

    def run(self, *, keep_db: bool, only: set[str] | None = None) -> dict[str, Any]:
        profile = self.profile
        started = time.perf_counter()
        self.results["machine"] = machine()
        self.results["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.results["load_before"] = [round(x, 2) for x in os.getloadavg()]
        self.results["pinned"] = self.pin
        try:
            # A run killed before its clean-up leaves tasks in the queue: the next run's worker would serve them first.
            flush_redis()
            self.prepare()
            if only is None or only - {"history_import"}:
                self.results["data"]["small"] = self.generate(profile.small_loops, seed=1)
                self.start_server()
                self.attempt("pages_small", lambda: web.pages(self, "small"))
                self.results["data"]["large"] = self.generate(profile.loops - profile.small_loops, seed=2)
                for name, benchmark in (
                    ("pages_large", lambda: web.pages(self, "large")), ("recompute", lambda: jobs.recompute(self)),
                    ("calibration", lambda: jobs.calibration(self)), ("export", lambda: web.export(self)),
                    ("submit", lambda: web.submit(self)),
                ):
                    if only is None or name in only:
                        self.attempt(name, benchmark)
                self.stop()
            # Last, with the server stopped: the import has the machine to itself, as on a team's first day.
            if only is None or "history_import" in only:
                self.attempt("history_import", lambda: imports.history_import(self))
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
