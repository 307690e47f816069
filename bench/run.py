"""Run Hireloop's benchmarks against floors measured in the same run.

    python -m bench.run --profile full    # make bench: 50,000 loops, medians of 5 rounds
    python -m bench.run --profile quick   # make bench-quick: 1,000 loops, under two minutes
    python -m bench.run --profile quick --only history_import   # one benchmark (the data it needs only)

Each figure is measured beside its floor, interleaved round by round (the
order rotates so that neither side always runs first), and the median of
the rounds is reported with the ratio. gunicorn (and the Celery worker) run
on CPU 0, the load generator and this harness on CPU 1; PostgreSQL and Redis
are the machine's own services and are not pinned.

The data go to a database of their own (``BENCH_DATABASE``, default
``hireloop_benchdata``), dropped at the end unless ``--keep-db``; Redis
database 10 (``BENCH_REDIS_URL``) is flushed at the end. Results:
``bench/results/<profile>-<time>.json`` and ``bench/results/latest.md``
(``latest-quick.md`` for the quick profile); ``--update-docs`` copies the
table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from bench.environment import CLIENT_CPU, DATABASE, REPO, log
from bench.harness import PROFILES, Harness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--keep-db", action="store_true", help=f"Keep {DATABASE} afterwards (it is large).")
    parser.add_argument("--no-pin", action="store_true", help="Do not pin the server and the client to cores.")
    # --update-readme is the option's name from when the table lived in README.md; scripts may still pass it.
    parser.add_argument("--update-docs", "--update-readme", dest="update_docs", action="store_true",
                        help="Copy the table into docs/benchmarks.md.")
    parser.add_argument("--only", action="append", metavar="NAME",
                        choices=["pages_large", "recompute", "calibration", "export", "submit", "history_import"],
                        help="Run only this benchmark (repeatable); e.g. --only history_import.")
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
    results = harness.run(keep_db=options.keep_db, only=set(options.only) if options.only else None)
    paths = report.write(results)
    log(f"Results: {', '.join(str(p.relative_to(REPO)) for p in paths)} ({results['total_seconds']} s in all)")
    print(report.markdown(results))
    if options.update_docs:
        report.update_doc(results)
        log(f"{report.DOC.relative_to(REPO)} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
