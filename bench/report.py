"""Benchmark results: the JSON record, the Markdown table with the goals, and the copy in docs/benchmarks.md."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
# The README stays short for newcomers; the published table lives on the benchmarks page.
DOC = REPO / "docs" / "benchmarks.md"
DOC_START = "<!-- bench:start -->"
DOC_END = "<!-- bench:end -->"
# Memory counts as flat when ten times the rows costs at most this much more peak memory.
FLAT_MEMORY_MIB = 2.0
FLAT_MEMORY_SHARE = 0.2


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """(benchmark, product, floor, ratio, goal, met) for every figure that was measured."""
    b = results["benchmarks"]
    table: list[tuple[str, str, str, str, str, str]] = []
    if "submit" in b:
        s = b["submit"]
        table += [
            ("Submit a scorecard, p50, 1 client", _fmt(s["product_p50_ms"], "ms"),
             f"{_fmt(s['floor_p50_ms'], 'ms')} (bare tx view); {_fmt(s['constant_p50_ms'], 'ms')} (constant)",
             f"{s['p50_ratio']}x", "<= 1.5x", _verdict(s["p50_ratio"] <= 1.5)),
            ("Submit a scorecard, p95, 1 client", _fmt(s["product_p95_ms"], "ms"),
             f"{_fmt(s['floor_p95_ms'], 'ms')}; {_fmt(s['constant_p95_ms'], 'ms')}",
             f"{round(s['product_p95_ms'] / s['floor_p95_ms'], 2)}x", "", "-"),
            (f"Submit throughput, {s['connections']} connections ({s['generator']})", _fmt(s["product_rps"], "req/s"),
             f"{_fmt(s['floor_rps'], 'req/s')}; {_fmt(s['constant_rps'], 'req/s')}",
             f"{s['throughput_ratio']}x", ">= 0.6x", _verdict(s["throughput_ratio"] >= 0.6)),
        ]
    for page, title in (("pipeline", "Pipeline page"), ("candidate_summary", "Candidate summary")):
        small, large = b.get(f"page_{page}_small"), b.get(f"page_{page}_large")
        for item in (small, large):
            if item is None:
                continue
            same = small is not None and large is not None and small["queries"] == large["queries"]
            table.append((
                f"{title}, {item['loops']:,} loops, p50 ({item['queries']} queries)",
                _fmt(item["product_p50_ms"], "ms"), f"{_fmt(item['floor_p50_ms'], 'ms')} (1 SQL query)" + (
                    f"; {_fmt(item['view_floor_p50_ms'], 'ms')} (signed-in view running it)"
                    if "view_floor_p50_ms" in item else ""),
                f"{item['ratio']}x" + (f" ({item['view_ratio']}x of the view)" if "view_ratio" in item else ""),
                "<= 3x, same queries", _verdict(item["ratio"] <= 3 and same),
            ))
    if "recompute" in b:
        r = b["recompute"]
        table.append((
            f"Recompute open recommendations ({r['open_loops']:,} loops, {r['loops_timed']:,} timed)",
            _fmt(r["product_loops_per_s"], "loops/s"), f"{_fmt(r['floor_loops_per_s'], 'loops/s')} (GROUP BY)",
            f"{r['ratio']}x", "<= 3x", _verdict(r["ratio"] <= 3),
        ))
    if "calibration" in b:
        c = b["calibration"]
        table.append((
            f"Calibration report, all history ({c['ratings']:,} ratings), via Celery",
            _fmt(c["product_s"], "s") + (f" (then the PDF's first download: {_fmt(c['first_pdf_s'], 's')})"
                                         if "first_pdf_s" in c else ""),
            f"{_fmt(c['floor_s'], 's')} (GROUP BY + no-op task)", f"{c['ratio']}x", "<= 2x",
            _verdict(c["ratio"] <= 2),
        ))
    if "rater_model_fit" in b:
        f = b["rater_model_fit"]
        table.append((
            f"Rater model fit, whole history ({f['ratings']:,} ratings), via Celery (in the worker: "
            f"{_fmt(f['in_worker_s'], 's')})",
            _fmt(f["product_s"], "s"), f"{_fmt(f['calibration_report_s'], 's')} (the calibration report, same run)",
            f"{f['ratio_to_report']}x", "< 10 s and <= 1.5x the report",
            _verdict(f["product_s"] < 10 and f["ratio_to_report"] <= 1.5),
        ))
    exports = sorted((v for k, v in b.items() if k.startswith("export_")), key=lambda v: v["rows"])
    for item in exports:
        table.append((
            f"CSV export (audit trail), {item['rows']:,} rows streamed", _fmt(item["product_s"], "s"),
            f"{_fmt(item['floor_s'], 's')} (COPY to a file)", f"{item['ratio']}x", "<= 2x",
            _verdict(item["ratio"] <= 2),
        ))
    if len(exports) == 2:
        small, large = exports
        growth = large["peak_memory_mib"] - small["peak_memory_mib"]
        flat = growth <= max(FLAT_MEMORY_MIB, FLAT_MEMORY_SHARE * small["peak_memory_mib"])
        table.append((
            "CSV export, peak worker memory" + (" (growth of the peak)" if large["peak_is_delta"] else ""),
            f"{_fmt(small['peak_memory_mib'], 'MiB')} at {small['rows']:,} rows; "
            f"{_fmt(large['peak_memory_mib'], 'MiB')} at {large['rows']:,}",
            "-", "-", "flat", _verdict(flat),
        ))
    if "history_import" in b:
        i = b["history_import"]
        full = i["applications"] >= 50_000
        table.append((
            f"Import history from Greenhouse files ({i['applications']:,} applications, {i['scorecards']:,} "
            f"scorecards, {i['ratings']:,} ratings; {i['rows_written']:,} rows)",
            _fmt(i["product_s"], "s") + ("" if full else f" (50,000 applications: about {i['projected_goal_s']:,} s)"),
            f"{_fmt(i['floor_s'], 's')} (COPY of the same rows)", f"{i['ratio']}x",
            "< 300 s for 50,000 applications", _verdict(i["product_s"] < 300) if full else "-",
        ))
    return table


def _room(goal: float, used: float) -> str:
    left = goal - used
    return f"{left:.2f}x" if left > 0 else "**none**"


def bounds(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(goal, what was timed alone, its time as a multiple of the floor's, what the goal leaves for the rest).

    Parts of the product measured on their own in the same run, without which it cannot do its job: where
    one of them alone takes the whole allowance, the goal cannot be met by tuning the rest.
    """
    b = results["benchmarks"]
    table: list[tuple[str, str, str, str]] = []
    if "rules_alone_ratio" in b.get("recompute", {}):
        r = b["recompute"]
        table.append((
            "Recompute <= 3x", f"the recommendation rules alone (the pure function, {r['open_loops']:,} loops' "
            f"inputs read beforehand, nothing written): {_fmt(r['rules_alone_loops_per_s'], 'loops/s')}",
            f"{r['rules_alone_ratio']}x", _room(3, r["rules_alone_ratio"]),
        ))
        if "inputs_alone_ratio" in r:
            both = round(r["rules_alone_ratio"] + r["inputs_alone_ratio"], 2)
            table.append((
                "Recompute <= 3x", "and reading the loops' current scorecards alone (the rules need each card, "
                f"not the means): {_fmt(r['inputs_alone_loops_per_s'], 'loops/s')}; both parts together",
                f"{both}x", _room(3, both),
            ))
    if "statistics_alone_ratio" in b.get("calibration", {}):
        c = b["calibration"]
        table.append((
            "Calibration report <= 2x", "its statistics alone (Krippendorff's alpha with 1,000 bootstrap "
            f"resamples, intervals, tables) from SQL aggregates read beforehand: {_fmt(c['statistics_alone_s'], 's')}",
            f"{c['statistics_alone_ratio']}x", _room(2, c["statistics_alone_ratio"]),
        ))
        if "units_alone_ratio" in c:
            both = round(c["statistics_alone_ratio"] + c["units_alone_ratio"], 2)
            table.append((
                "Calibration report <= 2x", f"and the one aggregate alpha is computed from, alone (per loop and "
                f"dimension, how many raters gave each score: one GROUP BY, {c['units']:,} units): "
                f"{_fmt(c['units_alone_s'], 's')}; both parts together", f"{both}x", _room(2, both),
            ))
    for page, title in (("pipeline", "Pipeline page"), ("candidate_summary", "Candidate summary")):
        for size in ("small", "large"):
            item = b.get(f"page_{page}_{size}")
            if item is None or "view_floor_p50_ms" not in item:
                continue
            used = round(item["view_floor_p50_ms"] / item["floor_p50_ms"], 2)
            table.append((
                f"{title}, {item['loops']:,} loops <= 3x", "a signed-in view that runs only the floor's query "
                f"and returns its rows as JSON: {_fmt(item['view_floor_p50_ms'], 'ms')}", f"{used}x", _room(3, used),
            ))
    return table


def machine_line(results: dict[str, Any]) -> str:
    m = results["machine"]
    load = results.get("load_before", [])
    pinned = "server on CPU 0, load generator on CPU 1" if results.get("pinned") else "no CPU pinning"
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']} (shared_buffers {m['shared_buffers']}"
        f"{', connections with ' + m['postgresql_options'] if m.get('postgresql_options') else ''}); {pinned}; "
        f"load average before the run {', '.join(str(x) for x in load)}, after "
        f"{', '.join(str(x) for x in results.get('load_after', []))}"
    )


def markdown(results: dict[str, Any]) -> str:
    data = results.get("data", {})
    lines = [
        f"Profile `{results['profile']['name']}`, {results['started_at']}, {results.get('total_seconds', '?')} s "
        f"in all; medians of {results['profile']['rounds']} interleaved rounds "
        f"({results['profile']['calibration_rounds']} for the calibration report).",
        "",
        f"Machine: {machine_line(results)}.",
        "",
        "| Benchmark | Hireloop | Floor (same run) | Ratio | Goal | Met |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows(results)]
    lower = bounds(results)
    if lower:
        lines += [
            "",
            "Parts of the product timed alone in the same run, against the same floors: where one of them takes the "
            "whole allowance, no tuning of the rest meets the goal.",
            "",
            "| Goal | Timed alone | Multiple of the floor | Left under the goal for everything else |",
            "|---|---|---|---|",
        ]
        lines += [f"| {' | '.join(row)} |" for row in lower]
    if "large" in data:
        large = data["large"]
        lines += [
            "",
            f"Data: `generate_load_data` wrote {large['loops']:,} loops in {large['seconds']} s "
            f"({large['loops_per_second']:,} loops/s, so 50,000 loops take about "
            f"{round(50_000 / large['loops_per_second'])} s), plus {large['vacuum_seconds']} s of VACUUM ANALYZE.",
        ]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any]) -> list[Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(results["started_at"]).strftime("%Y%m%d-%H%M%S")
    name = results["profile"]["name"]
    record = RESULTS / f"{name}-{stamp}.json"
    record.write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = RESULTS / ("latest.md" if name == "full" else f"latest-{name}.md")
    table.write_text(markdown(results))
    return [record, table]


def update_doc(results: dict[str, Any]) -> None:
    """Replace the table between the benchmarks page's markers (the rest of the page is left alone)."""
    text = DOC.read_text()
    pattern = re.compile(re.escape(DOC_START) + r".*?" + re.escape(DOC_END), re.DOTALL)
    if not pattern.search(text):
        raise RuntimeError(f"{DOC.name} has no {DOC_START} ... {DOC_END} markers.")
    block = f"{DOC_START}\n{markdown(results)}{DOC_END}"
    DOC.write_text(pattern.sub(lambda _: block, text))
