"""Load generation: wrk (Debian's package) when present, a Python client otherwise.

A run replays a list of prepared requests, each at most once (a scorecard
can be submitted once), for a fixed time, with a given number of open
connections, and reports the number of requests, latency percentiles and
any answer that was not the expected status.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.client import Client

LUA = Path(__file__).resolve().parent / "lua" / "requests.lua"


@dataclass(frozen=True)
class PreparedRequest:
    method: str
    path: str
    cookie: str = ""
    body: str = ""

    def line(self) -> str:
        return "\t".join((self.method, self.path, self.cookie, self.body))


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    unexpected_status: int
    exhausted: int
    socket_errors: int
    generator: str

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def valid(self) -> bool:
        return self.unexpected_status == 0 and self.exhausted == 0 and self.socket_errors == 0 and self.requests > 0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_load(*, port: int, requests: list[PreparedRequest], connections: int, seconds: float, expected_status: int,
             cpu: int | None, workdir: Path) -> LoadResult:
    if wrk_available():
        return _run_wrk(port=port, requests=requests, connections=connections, seconds=seconds,
                        expected_status=expected_status, cpu=cpu, workdir=workdir)
    return _run_python(port=port, requests=requests, connections=connections, seconds=seconds,
                       expected_status=expected_status)


def _run_wrk(*, port: int, requests: list[PreparedRequest], connections: int, seconds: float,
             expected_status: int, cpu: int | None, workdir: Path) -> LoadResult:
    listing = workdir / f"requests-{os.getpid()}-{time.monotonic_ns()}.tsv"
    listing.write_text("\n".join(r.line() for r in requests) + "\n")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
               "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(listing), str(expected_status)]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    finally:
        listing.unlink(missing_ok=True)
    line = next((x for x in output.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        unexpected_status=data["unexpected_status"],
        exhausted=data["exhausted"],
        socket_errors=data["socket_errors"],
        generator="wrk",
    )


def run_sequential(*, port: int, requests: list[PreparedRequest], max_requests: int, max_seconds: float,
                   expected_status: int, min_requests: int = 3) -> LoadResult:
    """One client, one keep-alive connection, one request after the other: the latency a user sees.

    Stops after ``max_requests`` or ``max_seconds`` (but not before ``min_requests``), so that a slow
    page still gives a few samples and a fast one many.
    """
    client = Client("127.0.0.1", port)
    latencies: list[float] = []
    unexpected = 0
    started = time.perf_counter()
    deadline = started + max_seconds
    for prepared in requests[:max_requests]:
        if len(latencies) >= min_requests and time.perf_counter() > deadline:
            break
        headers = {"Cookie": prepared.cookie} if prepared.cookie else {}
        begun = time.perf_counter()
        response = client.request(prepared.method, prepared.path, body=prepared.body.encode() or None,
                                  headers=headers)
        while response.read(65536):
            pass
        latencies.append(time.perf_counter() - begun)
        if response.status != expected_status:
            unexpected += 1
    elapsed = time.perf_counter() - started
    client.close()
    return _summary(latencies, elapsed, unexpected=unexpected,
                    exhausted=int(len(latencies) < min_requests), generator="python-sequential")


def _summary(latencies: list[float], elapsed: float, *, unexpected: int, exhausted: int, generator: str) -> LoadResult:
    ordered = sorted(latencies) or [0.0]

    def percentile(fraction: float) -> float:
        # Nearest rank, as wrk reports it.
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1] * 1000

    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(ordered) * 1000,
        p95_ms=percentile(0.95),
        p99_ms=percentile(0.99),
        unexpected_status=unexpected,
        exhausted=exhausted,
        socket_errors=0,
        generator=generator,
    )


def _run_python(*, port: int, requests: list[PreparedRequest], connections: int, seconds: float,
                expected_status: int) -> LoadResult:
    """The fallback: one thread per connection, each with its own keep-alive connection."""
    lock = threading.Lock()
    position = 0
    latencies: list[float] = []
    unexpected = 0
    exhausted = 0
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal position, unexpected, exhausted
        client = Client("127.0.0.1", port)
        while time.perf_counter() < deadline:
            with lock:
                if position >= len(requests):
                    exhausted += 1
                    return
                prepared = requests[position]
                position += 1
            headers = {"Cookie": prepared.cookie} if prepared.cookie else {}
            started = time.perf_counter()
            response = client.request(prepared.method, prepared.path, body=prepared.body.encode() or None,
                                      headers=headers)
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status != expected_status:
                    unexpected += 1
        client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(latencies, time.perf_counter() - started, unexpected=unexpected, exhausted=exhausted,
                    generator="python-threads")
