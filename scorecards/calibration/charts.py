"""The report's three charts, drawn once with matplotlib for the page (SVG) and the PDF (PNG).

Matplotlib's object API is used without pyplot: no global figure state, so
charts can be drawn from web and worker threads at once.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

matplotlib.use("Agg")

CHARTS: dict[str, str] = {
    "distribution": "Score distribution per dimension",
    "leniency": "Leniency offset per interviewer, with 95% intervals",
    "alpha": "Agreement between raters (Krippendorff's alpha) per dimension, with 95% bootstrap intervals",
}
SCORE_COLOURS = ("#b3261e", "#e8806f", "#c9ccd3", "#7fb893", "#1f7a4d")
GREY = "#b0b5bf"
INK = "#1d2330"
LENIENT = "#a35c00"
SEVERE = "#2f5bd3"


def _label(row: dict[str, Any], several_roles: bool) -> str:
    return f"{row['role']} · {row['dimension']}" if several_roles and row.get("role") else row["dimension"]


def _figure(items: int, width: float = 8.0) -> Figure:
    height = max(2.2, 0.8 + 0.32 * max(items, 1))
    return Figure(figsize=(width, height), layout="constrained")


def _empty(figure: Figure, message: str) -> None:
    axes = figure.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", color=INK, fontsize=11)


def _distribution(result: dict[str, Any]) -> Figure:
    dimensions = [row for row in result.get("dimensions", []) if row["n"] > 0]
    minimum = result["options"]["min_sample"]
    figure = _figure(len(dimensions))
    if not dimensions:
        _empty(figure, "No scores in this scope.")
        return figure
    several_roles = len({row["role"] for row in dimensions}) > 1
    axes = figure.add_subplot()
    labels = []
    for index, row in enumerate(reversed(dimensions)):
        small = row["n"] < minimum
        left = 0.0
        for value, colour in zip(range(1, 6), SCORE_COLOURS, strict=True):
            share = row[f"score_{value}"] / row["n"]
            axes.barh(index, share, left=left, color=colour, alpha=0.35 if small else 1.0,
                      edgecolor="white", linewidth=0.5)
            left += share
        labels.append(_label(row, several_roles) + (f"  (n={row['n']})" if small else f"  ({row['n']})"))
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel("Share of scores (n in brackets; faded: below the minimum sample)")
    handles = [Patch(color=colour, label=str(value))
               for value, colour in zip(range(1, 6), SCORE_COLOURS, strict=True)]
    axes.legend(handles=handles, title="Score", ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                frameon=False, fontsize=8)
    return figure


def _leniency(result: dict[str, Any]) -> Figure:
    people = [row for row in result.get("interviewers", []) if row.get("offset") is not None]
    minimum = result["options"]["min_sample"]
    figure = _figure(len(people))
    if not people:
        _empty(figure, "No interviewer shares a loop and dimension with another in this scope.")
        return figure
    people.sort(key=lambda row: row["offset"])
    axes = figure.add_subplot()
    axes.axvline(0, color=INK, linewidth=0.8)
    labels = []
    for index, row in enumerate(people):
        small = row["offset_n"] < minimum
        colour = GREY if small else {"lenient": LENIENT, "severe": SEVERE}.get(row["flag"], INK)
        if row["offset_low"] is not None:
            axes.plot([row["offset_low"], row["offset_high"]], [index, index], color=colour, linewidth=2,
                      alpha=0.6 if small else 1.0)
        axes.plot([row["offset"]], [index], "o", color=colour, markersize=5)
        flag = f" — {row['flag']}" if row["flag"] else ""
        labels.append(f"{row['name']}{flag}" + (f"  (n={row['offset_n']})" if small else ""))
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("Scale points above (+, lenient) or below (−, severe) co-panelists")
    return figure


def _alpha(result: dict[str, Any]) -> Figure:
    dimensions = [row for row in result.get("dimensions", []) if row.get("alpha") is not None]
    minimum = result["options"]["min_sample"]
    figure = _figure(len(dimensions))
    if not dimensions:
        _empty(figure, "No dimension was rated by two or more interviewers on a loop.")
        return figure
    several_roles = len({row["role"] for row in dimensions}) > 1
    dimensions.sort(key=lambda row: row["alpha"], reverse=True)
    axes = figure.add_subplot()
    for reference, style in ((0.0, "-"), (0.667, ":"), (0.8, "--")):
        axes.axvline(reference, color=GREY if reference else INK, linestyle=style, linewidth=0.8)
    labels = []
    for index, row in enumerate(dimensions):
        small = row["alpha_loops"] < minimum
        colour = GREY if small else INK
        if row["alpha_low"] is not None:
            axes.plot([row["alpha_low"], row["alpha_high"]], [index, index], color=colour, linewidth=2)
        axes.plot([row["alpha"]], [index], "o", color=colour, markersize=5)
        labels.append(_label(row, several_roles) + (f"  (n={row['alpha_loops']} loops)" if small else ""))
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    low = min(-0.2, *(row["alpha_low"] or row["alpha"] for row in dimensions))
    axes.set_xlim(max(low - 0.05, -1.05), 1.05)
    axes.set_xlabel("Alpha (dotted 0.667: tentative; dashed 0.8: reliable, after Krippendorff)")
    return figure


_DRAW = {"distribution": _distribution, "leniency": _leniency, "alpha": _alpha}


def render_chart(name: str, result: dict[str, Any], *, image_format: str = "svg") -> bytes:
    """One chart as SVG (text kept as text, for the page) or PNG (for the PDF)."""
    if name not in _DRAW:
        raise KeyError(name)
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False, "svg.hashsalt": "hireloop"}):
        figure = _DRAW[name](result)
        buffer = io.BytesIO()
        metadata = {"Date": None} if image_format == "svg" else {}
        figure.savefig(buffer, format=image_format, dpi=150, metadata=metadata)
    return buffer.getvalue()
