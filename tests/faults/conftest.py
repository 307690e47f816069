"""The fault suite reuses the integration fixtures: a private Redis, the broker switch and worker processes.

Every scenario runs against real PostgreSQL, Redis and Celery worker processes and
ends with an invariant checked in SQL. They skip where the services are missing and
fail instead when REQUIRE_SERVICES=1 (.ci/run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import (  # noqa: F401 - re-exported fixtures
    celery_broker,
    celery_worker,
    private_redis,
)
from tests.integration.services import (
    HERE,
    REPO,
    RedisServer,
    WorkerProcess,
    postgres_problem,
    require_service,
    terminate_backends,
    worker_database_url,
)


@pytest.fixture
def prefork_worker(transactional_db: None, celery_broker: RedisServer, tmp_path: Path) -> Iterator:  # noqa: F811
    """Start a Celery worker with a one-process prefork pool, so that its pool process can be SIGKILLed
    mid-task and replaced in a second (``celery_worker`` runs the solo pool, where a kill ends the worker)."""
    require_service(postgres_problem())
    workers: list[WorkerProcess] = []

    def start(*, name: str, env: dict[str, str] | None = None) -> WorkerProcess:
        application_name = f"hireloop-fault-{name}-{os.getpid()}"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "worker_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": worker_database_url(application_name),
            "CELERY_BROKER_URL": celery_broker.url,
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "HIRELOOP_TEST_DB_APPLICATION": application_name,
            "DJANGO_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
            "--loglevel=INFO", "-n", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]
        worker = WorkerProcess(name=name, command=command, env=worker_env, log_path=tmp_path / f"worker-{name}.log")
        workers.append(worker)
        return worker.start(wait=True)

    yield start
    for worker in workers:
        worker.stop()
        terminate_backends(worker.application_name)
