"""Service helpers for integration tests: detection, a private Redis, Celery worker processes.

Plain functions and classes (the fixtures using them are in conftest.py), importable by any test:
``from tests.integration.services import require_service, wait_until``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import kombu.pools
import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
READY_TIMEOUT = 30.0


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(problem: str | None) -> None:
    """Skip the test for a missing service, or fail it when the run requires services."""
    if problem is None:
        return
    if services_required():
        pytest.fail(f"{problem} (REQUIRE_SERVICES=1: integration tests must run)")
    pytest.skip(problem)


def postgres_problem() -> str | None:
    """Why the test database cannot serve integration tests, or None (call with database access)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "integration tests need PostgreSQL: set DATABASE_URL=postgres://... (the test database is SQLite)"
    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any reason PostgreSQL is unreachable means the same: no service.
        return f"PostgreSQL is not reachable: {type(exc).__name__}"
    return None


def redis_server_problem() -> str | None:
    if shutil.which("redis-server") is None:
        return "integration tests need redis-server on PATH (apt-get install redis-server)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server process of our own; ``stop`` and ``start`` model an outage and its end."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with (self.workdir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", str(self.workdir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: Redis still accepts connections but answers nothing, like a hung server."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=0, socket_timeout=2)


def reset_producer_pool(app: Any) -> None:
    """Drop pooled broker connections so the next publish connects to the configured URL.

    kombu also keeps producer pools in a registry of its own, keyed by connection: one left there holds the
    connection pool closed here, and the next publish with that URL (eager ones included) fails with
    "Acquire on closed pool". So the registry is emptied too.
    """
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@contextmanager
def broker_in_use(app: Any, url: str) -> Iterator[None]:
    """Publish this process's tasks to ``url`` for real (no eager mode), then restore the settings."""
    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager)
    conf.broker_url, conf.task_always_eager = url, False
    reset_producer_pool(app)
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        reset_producer_pool(app)


@dataclass
class BrokerTraffic:
    """What this process did on the wire to one broker port: why a publish gave up, not how long it took."""

    port: int
    connections: int = 0  # connect() calls, refused ones included (a stopped broker)
    read_timeouts: int = 0  # reads ended by the socket timeout (a hung broker)


@contextmanager
def broker_traffic(port: int) -> Iterator[BrokerTraffic]:
    """Count, without changing anything, the connections to ``port`` and the reads on them that timed out."""
    from unittest import mock

    traffic = BrokerTraffic(port)
    real_connect, real_recv, real_recv_into = socket.socket.connect, socket.socket.recv, socket.socket.recv_into

    def to_broker(sock: socket.socket) -> bool:
        try:
            return sock.getpeername()[1] == port
        except OSError:
            return False

    def connect(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[1] == port:
            traffic.connections += 1
        return real_connect(sock, address)

    def timing_out(read: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(sock: socket.socket, *args: Any, **kwargs: Any) -> Any:
            try:
                return read(sock, *args, **kwargs)
            except TimeoutError:
                if to_broker(sock):
                    traffic.read_timeouts += 1
                raise

        return wrapped

    with (
        mock.patch.object(socket.socket, "connect", connect),
        mock.patch.object(socket.socket, "recv", timing_out(real_recv)),
        mock.patch.object(socket.socket, "recv_into", timing_out(real_recv_into)),
    ):
        yield traffic


@dataclass
class WorkerProcess:
    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    exit_codes: list[int] = field(default_factory=list)

    @property
    def application_name(self) -> str:
        return self.env["HIRELOOP_TEST_DB_APPLICATION"]

    def start(self, *, wait: bool = True) -> WorkerProcess:
        # Its own process group, so a SIGKILL takes the whole worker (and any pool child) at once.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        if wait:
            self.wait_for_log(" ready.", timeout=READY_TIMEOUT)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited early:\n{self.log()[-4000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"worker {self.name}: {text!r} not seen within {timeout}s:\n{self.log()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a yanked machine would: no chance to ack or clean up."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.exit_codes.append(self.process.wait(timeout=10))
        self.process = None

    def stop(self) -> None:
        """Cold shutdown (SIGQUIT): at teardown nothing is left to finish, so waiting would only cost time."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGQUIT)
            self.exit_codes.append(self.process.wait(timeout=15))
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.exit_codes.append(self.process.wait(timeout=10))
        except ProcessLookupError:
            pass
        self.process = None


def worker_database_url(application_name: str) -> str:
    """pytest-django's test database as a DATABASE_URL another process can use."""
    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}?application_name={application_name}"


def terminate_backends(application_name: str) -> None:
    """End database sessions a killed worker left behind (the server would notice only at TCP timeout)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )


StartWorker = Callable[..., WorkerProcess]


# HIRELOOP_TEST_DEADLINE_SCALE=1 restores the deadlines as written, e.g. to see a hang fail fast.
DEADLINE_SCALE = float(os.environ.get("HIRELOOP_TEST_DEADLINE_SCALE", "3"))


def wait_until(
    condition: Callable[[], Any], *, timeout: float, interval: float = 0.2, what: str | Callable[[], str] = ""
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds.

    ``what`` may be a callable, evaluated only on failure (e.g. to show a worker's log as it is then).
    ``timeout`` is stretched by ``DEADLINE_SCALE``: it bounds a wait for something that must happen, so a
    longer one costs time only when the test fails anyway, and a loaded machine (a worker starting in 20 s
    instead of 2) does not fail a test that asserts behaviour, not speed.
    """
    timeout *= DEADLINE_SCALE
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            description = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout}s waiting for {description or condition}")
        time.sleep(interval)
