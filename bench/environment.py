"""Where a benchmark run happens: its database, Redis, child processes' environment, the machine."""

from __future__ import annotations

import hashlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

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


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


MEDIA_ROOT = Path(tempfile.gettempdir()) / "hireloop-bench" / "media"


def child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_ENV", "DJANGO_DEBUG")}
    env.update({
        "DATABASE_URL": f"{PG_SERVER}/{DATABASE}",
        "CELERY_BROKER_URL": REDIS,
        "REDIS_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(REPO),
        # Report files and uploads of a run stay outside the work tree's media folder.
        "HIRELOOP_MEDIA_ROOT": os.environ.get("BENCH_MEDIA_ROOT", str(MEDIA_ROOT)),
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


def floor_connection() -> psycopg.Connection[Any]:
    """A plain psycopg connection for the SQL floors, with the session options the product's connections use
    (so that a floor does not run with a planner setting, such as JIT, that the product has turned off)."""
    from django.db import connection

    options = connection.settings_dict.get("OPTIONS", {}).get("options", "")
    return psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True, options=options)


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
        # SHOW always answers exactly one row.
        pg_version = cast("tuple[str]", connection.execute("SHOW server_version").fetchone())[0]
        shared_buffers = cast("tuple[str]", connection.execute("SHOW shared_buffers").fetchone())[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "shared_buffers": shared_buffers,
    }


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rotated(items: list[Any], round_number: int) -> list[Any]:
    shift = round_number % len(items)
    return items[shift:] + items[:shift]
