"""The server side of a benchmark run: gunicorn and a Celery worker, pinned to their own core."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def cores() -> int:
    return len(os.sched_getaffinity(0))


def pinned(command: list[str], cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn serving bench.wsgi (the product plus the floors) on loopback."""

    def __init__(self, *, workers: int, cpu: int | None, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log.open("ab")
        command = [str(VENV_BIN / "gunicorn"), "bench.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(workers), "--worker-class", "sync", "--timeout", "600",
                   "--keep-alive", "30", "--backlog", "256", "--no-control-socket",
                   # Import the application once, before forking the workers, as a production deployment may.
                   "--preload"]
        self.process = subprocess.Popen(pinned(command, cpu), cwd=REPO, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/bench/floor/constant/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the children of its master (taskset execs gunicorn, same pid)."""
        return child_pids(self.process.pid)

    def stop(self) -> None:
        stop_group(self.process)
        self.log.close()


class Worker:
    """A Celery worker (one process) consuming the default queue."""

    def __init__(self, *, cpu: int | None, env: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        command = [str(VENV_BIN / "celery"), "-A", "bench.celery", "worker", "--concurrency", "1",
                   "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.process = subprocess.Popen(pinned(command, cpu), cwd=REPO, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        stop_group(self.process)
        self.log.close()


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group (it was started in a session of its own), SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers, a prefork pool's processes), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def reset_peak(pid: int) -> bool:
    """Reset a process's peak RSS (Linux: write 5 to clear_refs); False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True
