"""The benchmark report: each figure beside its floor with the ratio and the goal, and its copy in the docs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bench import report


def _results(**overrides: object) -> dict[str, Any]:
    benchmarks = {
        "submit": {
            "product_p50_ms": 12.0, "product_p95_ms": 20.0, "floor_p50_ms": 10.0, "floor_p95_ms": 16.0,
            "constant_p50_ms": 2.0, "constant_p95_ms": 3.0, "product_rps": 70.0, "floor_rps": 100.0,
            "constant_rps": 900.0, "p50_ratio": 1.2, "throughput_ratio": 0.7, "connections": 6, "generator": "wrk",
        },
        "page_pipeline_small": {"loops": 100, "product_p50_ms": 9.0, "floor_p50_ms": 2.0, "ratio": 4.5,
                                "queries": 7},
        "page_pipeline_large": {"loops": 50_000, "product_p50_ms": 40.0, "floor_p50_ms": 20.0, "ratio": 2.0,
                                "queries": 8},
        "recompute": {"open_loops": 1200, "loops_timed": 300, "product_loops_per_s": 50.0,
                      "floor_loops_per_s": 100.0, "ratio": 2.0},
        "calibration": {"ratings": 1_000_000, "product_s": 30.0, "first_pdf_s": 4.0, "floor_s": 5.0,
                        "ratio": 6.0},
        "export_10000": {"rows": 10_012, "product_s": 0.5, "floor_s": 0.3, "ratio": 1.67, "peak_memory_mib": 3.0,
                         "peak_is_delta": True},
        "export_100000": {"rows": 100_020, "product_s": 5.0, "floor_s": 3.0, "ratio": 1.67,
                          "peak_memory_mib": 3.5, "peak_is_delta": True},
        "history_import": {"applications": 50_000, "scorecards": 240_000, "ratings": 1_700_000,
                           "rows_written": 2_500_000, "product_s": 120.0, "floor_s": 20.0, "ratio": 6.0,
                           "projected_goal_s": 120.0},
    }
    benchmarks.update(overrides)
    return {
        "profile": {"name": "full", "rounds": 5, "calibration_rounds": 3},
        "started_at": "2026-11-25T10:00:00+00:00",
        "total_seconds": 600.0,
        "machine": {"cpu": "AMD EPYC", "cores": 2, "memory_gib": 23.5, "os": "Linux 6", "python": "3.11.7",
                    "postgresql": "15.20", "shared_buffers": "128MB"},
        "pinned": True,
        "load_before": [0.1, 0.2, 0.3],
        "load_after": [1.0, 0.9, 0.5],
        "benchmarks": benchmarks,
        "data": {"large": {"loops": 49_900, "seconds": 150.0, "loops_per_second": 332.7, "vacuum_seconds": 12.0}},
    }


def _row(table: Sequence[tuple[str, ...]], start: str) -> tuple[str, ...]:
    return next(row for row in table if row[0].startswith(start))


def test_bench_report_puts_each_figure_beside_its_floor_with_ratio_goal_and_verdict():
    """Goals from the issue: submit p50 <= 1.5x, throughput >= 0.6x, calibration <= 2x, export <= 2x."""
    table = report.rows(_results())
    assert _row(table, "Submit a scorecard, p50") == (
        "Submit a scorecard, p50, 1 client", "12.00 ms", "10.00 ms (bare tx view); 2.00 ms (constant)", "1.2x",
        "<= 1.5x", "yes",
    )
    assert _row(table, "Submit throughput")[3:] == ("0.7x", ">= 0.6x", "yes")
    assert _row(table, "Calibration report")[3:] == ("6.0x", "<= 2x", "**no**")
    assert _row(table, "Recompute")[3:] == ("2.0x", "<= 3x", "yes")
    assert _row(table, "CSV export (audit trail), 100,020 rows")[3:] == ("1.67x", "<= 2x", "yes")
    assert _row(table, "Import history") == (
        "Import history from Greenhouse files (50,000 applications, 240,000 scorecards, 1,700,000 ratings; "
        "2,500,000 rows)", "120 s", "20.00 s (COPY of the same rows)", "6.0x", "< 300 s for 50,000 applications",
        "yes",
    )


def test_bench_report_import_of_a_smaller_profile_projects_the_goal_and_gives_no_verdict():
    small = {"applications": 1_000, "scorecards": 4_800, "ratings": 34_000, "rows_written": 50_000,
             "product_s": 3.0, "floor_s": 0.5, "ratio": 6.0, "projected_goal_s": 150.0}
    row = _row(report.rows(_results(history_import=small)), "Import history")
    assert row[1:] == ("3.00 s (50,000 applications: about 150.0 s)", "0.500 s (COPY of the same rows)", "6.0x",
                       "< 300 s for 50,000 applications", "-")


def test_bench_report_pages_need_the_same_query_count_at_both_sizes():
    """A page within 3x of its floor still misses the goal when its query count grows with the data."""
    table = report.rows(_results())
    assert _row(table, "Pipeline page, 100 loops")[3:] == ("4.5x", "<= 3x, same queries", "**no**")
    assert _row(table, "Pipeline page, 50,000 loops")[3:] == ("2.0x", "<= 3x, same queries", "**no**")
    same = report.rows(_results(page_pipeline_large={"loops": 50_000, "product_p50_ms": 40.0, "floor_p50_ms": 20.0,
                                                      "ratio": 2.0, "queries": 7}))
    assert _row(same, "Pipeline page, 50,000 loops")[5] == "yes"


@pytest.mark.parametrize(("large_peak", "verdict"), [(3.5, "yes"), (30.0, "**no**")])
def test_bench_report_export_memory_is_flat_only_when_ten_times_the_rows_costs_no_more(large_peak, verdict):
    """Ten times the rows may cost at most 2 MiB (or 20%) more peak memory to count as flat."""
    results = _results()
    results["benchmarks"]["export_100000"]["peak_memory_mib"] = large_peak
    assert _row(report.rows(results), "CSV export, peak worker memory")[5] == verdict


def test_bench_report_markdown_names_the_machine_and_the_load(tmp_path: Path, monkeypatch):
    """The table says which machine it ran on and how busy it was; the docs copy replaces only its block."""
    text = report.markdown(_results())
    assert "AMD EPYC, 2 cores, 23.5 GiB" in text
    assert "load average before the run 0.1, 0.2, 0.3" in text
    assert "| Benchmark | Hireloop | Floor (same run) | Ratio | Goal | Met |" in text
    assert "about 150 s" in text

    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Title\n\nbefore\n\n{report.DOC_START}\nold table\n{report.DOC_END}\n\nafter\n")
    monkeypatch.setattr(report, "DOC", page)
    report.update_doc(_results())
    updated = page.read_text()
    assert updated.startswith("# Title\n\nbefore\n\n")
    assert updated.endswith(f"{report.DOC_END}\n\nafter\n")
    assert "old table" not in updated
    assert "| Submit a scorecard, p50, 1 client | 12.00 ms |" in updated


def test_bench_report_refuses_a_page_without_markers(tmp_path: Path, monkeypatch):
    """Without its markers the benchmarks page is left untouched and the run says why."""
    page = tmp_path / "benchmarks.md"
    page.write_text("# Title\n")
    monkeypatch.setattr(report, "DOC", page)
    with pytest.raises(RuntimeError, match="benchmarks.md has no <!-- bench:start -->"):
        report.update_doc(_results())
    assert page.read_text() == "# Title\n"


def test_bench_report_markers_are_on_the_benchmarks_page():
    """`make bench` rewrites docs/benchmarks.md: the page exists and carries the markers once each."""
    text = report.DOC.read_text()
    assert report.DOC == report.REPO / "docs" / "benchmarks.md"
    assert text.count(report.DOC_START) == 1
    assert text.count(report.DOC_END) == 1
    assert text.index(report.DOC_START) < text.index(report.DOC_END)


def test_bench_report_bounds_show_what_a_part_timed_alone_leaves_under_each_goal():
    """A part of the product timed alone is put against the goal's allowance: what is left, or none."""
    results = _results(
        recompute={"open_loops": 931, "loops_timed": 931, "product_loops_per_s": 900.0, "floor_loops_per_s": 15_000.0,
                   "ratio": 16.67, "rules_alone_loops_per_s": 4_000.0, "rules_alone_ratio": 3.75,
                   "inputs_alone_loops_per_s": 10_000.0, "inputs_alone_ratio": 1.5},
        calibration={"ratings": 914_124, "product_s": 8.0, "floor_s": 0.8, "ratio": 10.0,
                     "statistics_alone_s": 0.96, "statistics_alone_ratio": 1.2,
                     "units_alone_s": 0.88, "units_alone_ratio": 1.1, "units": 350_784},
        page_pipeline_small={"loops": 100, "product_p50_ms": 19.0, "floor_p50_ms": 1.0, "ratio": 19.0,
                             "queries": 8, "view_floor_p50_ms": 4.5, "view_ratio": 4.22},
    )
    lower = report.bounds(results)
    rules, inputs = (row for row in lower if row[0].startswith("Recompute"))
    assert rules[2:] == ("3.75x", "**none**") and "4,000 loops/s" in rules[1]
    assert inputs[2:] == ("5.25x", "**none**") and "10,000 loops/s" in inputs[1]
    statistics, units = (row for row in lower if row[0].startswith("Calibration report"))
    assert statistics[2:] == ("1.2x", "0.80x")
    assert "350,784 units" in units[1] and units[2:] == ("2.3x", "**none**")
    assert _row(lower, "Pipeline page, 100 loops")[2:] == ("4.5x", "**none**")
    assert "Timed alone" in report.markdown(results)
    # Results of a run without these measurements (an older record) give no such table.
    assert report.bounds(_results()) == []
