"""Real services for integration tests: PostgreSQL, a private Redis, and Celery worker processes.

Fixtures (helpers they use are in tests/integration/services.py, importable by any test):

- ``private_redis``: a redis-server of our own on a free port, which a test may stop and restart
  without disturbing anyone else's Redis.
- ``celery_broker``: points this test process's Celery app at ``private_redis`` (tasks really go
  through the broker, no eager mode) and restores it afterwards.
- ``celery_worker``: a factory starting ``celery -A config worker`` subprocesses against the test
  database (pytest-django's, passed as DATABASE_URL) and ``private_redis``; all stop at teardown.

Tests using them are marked ``@pytest.mark.integration`` and ``@pytest.mark.django_db(transaction=True)``
(the worker is another process: the test's data must really be committed). They skip when PostgreSQL or
redis-server is missing, and fail instead when REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.services import (
    HERE,
    REPO,
    RedisServer,
    StartWorker,
    WorkerProcess,
    broker_in_use,
    free_port,
    postgres_problem,
    redis_server_problem,
    require_service,
    terminate_backends,
    worker_database_url,
)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    require_service(redis_server_problem())
    server = RedisServer(port=free_port(), workdir=tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_broker(private_redis: RedisServer) -> Iterator[RedisServer]:
    """Send this process's tasks through ``private_redis`` for real, as the web process does in production."""
    from config.celery import app

    with broker_in_use(app, private_redis.url):
        yield private_redis


@pytest.fixture
def celery_worker(transactional_db: None, celery_broker: RedisServer, tmp_path: Path) -> Iterator[StartWorker]:
    """Start Celery workers: ``celery_worker(name="w1", beat=False, env={...}, wait=True, visibility_timeout=2)``.

    Depends on ``transactional_db`` so that workers are stopped before the test database is flushed.
    """
    require_service(postgres_problem())
    workers: list[WorkerProcess] = []

    def start(
        *,
        name: str = "w1",
        beat: bool = False,
        env: dict[str, str] | None = None,
        wait: bool = True,
        visibility_timeout: int = 2,
    ) -> WorkerProcess:
        application_name = f"hireloop-test-{name}-{os.getpid()}"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "worker_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": worker_database_url(application_name),
            "CELERY_BROKER_URL": celery_broker.url,
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "HIRELOOP_TEST_DB_APPLICATION": application_name,
            "DJANGO_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",  # the fixture reads the log to know when the worker is ready
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
            "-n", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{name}")]
        worker = WorkerProcess(name=name, command=command, env=worker_env, log_path=tmp_path / f"worker-{name}.log")
        workers.append(worker)
        return worker.start(wait=wait)

    yield start
    for worker in workers:
        worker.stop()
        terminate_backends(worker.application_name)
