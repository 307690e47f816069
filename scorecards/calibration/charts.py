"""The report's three charts, drawn once with matplotlib for the page (SVG) and the PDF (PNG).

Matplotlib's object API is used without pyplot: no global figure state, so
charts can be drawn from web and worker threads at once. Matplotlib is
imported on the first chart drawn: it costs about half a second, which the
worker and web processes need not pay at start.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext_noop

from scorecards.calibration.stats import SCALE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHARTS: dict[str, str] = {
    # Marked only: pages and the PDF translate them where they show them, the chart images stay as drawn.
    "distribution": gettext_noop("Score distribution per dimension"),
    # xgettext:no-python-format
    "leniency": gettext_noop("Leniency offset per interviewer, with 95% intervals"),
    "alpha": gettext_noop(
        # xgettext:no-python-format
        "Agreement between raters (Krippendorff's alpha) per dimension, with 95% bootstrap intervals"
    ),
}
SCORE_COLOURS = ("#b3261e", "#e8806f", "#c9ccd3", "#7fb893", "#1f7a4d")
GREY = "#b0b5bf"
INK = "#1d2330"
LENIENT = "#a35c00"
SEVERE = "#2f5bd3"


def _label(row: dict[str, Any], several_roles: bool) -> str:
    return f"{row['role']} · {row['dimension']}" if several_roles and row.get("role") else row["dimension"]


def _figure(items: int, width: float = 8.0) -> Figure:
    from matplotlib.figure import Figure

    height = max(2.2, 0.8 + 0.32 * max(items, 1))
    return Figure(figsize=(width, height), layout="constrained")


def _empty(figure: Figure, message: str) -> None:
    axes = figure.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", color=INK, fontsize=11)


def _dimension_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in result.get("dimensions", []) if row["n"] > 0]


def _leniency_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    people = [row for row in result.get("interviewers", []) if row.get("offset") is not None]
    return sorted(people, key=lambda row: (-row["offset"], row["name"]))


def _alpha_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    dimensions = [row for row in result.get("dimensions", []) if row.get("alpha") is not None]
    return sorted(dimensions, key=lambda row: (row["alpha"], row["role"], row["dimension"]))


def _rows_axes(figure: Figure, count: int) -> Any:
    """Axes with one row per item, the first item at the top."""
    axes = figure.add_subplot()
    axes.set_ylim(count - 0.5, -0.5)
    return axes


def _distribution(result: dict[str, Any], items: list[dict[str, Any]], everything: list[dict[str, Any]]) -> Figure:
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    minimum = result["options"]["min_sample"]
    figure = _figure(len(items))
    if not items:
        _empty(figure, "No scores in this scope.")
        return figure
    several_roles = len({row["role"] for row in everything}) > 1
    axes = _rows_axes(figure, len(items))
    positions = np.arange(len(items))
    totals = np.asarray([row["n"] for row in items], dtype=float)
    small = totals < minimum
    left = np.zeros(len(items))
    for value, colour in zip(SCALE, SCORE_COLOURS, strict=True):
        share = np.asarray([row[f"score_{value}"] for row in items], dtype=float) / totals
        # Faded bars for small samples: the colour mixed with white, in one call per score value.
        rgba = np.tile(to_rgba(colour), (len(items), 1))
        rgba[small, 3] = 0.35
        axes.barh(positions, share, left=left, color=rgba, edgecolor="white", linewidth=0.5, height=0.75)
        left += share
    labels = [_label(row, several_roles) + (f"  (n={row['n']})" if row["n"] < minimum else f"  ({row['n']})")
              for row in items]
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel("Share of scores (n in brackets; faded: small sample)")
    handles = [Patch(color=colour, label=str(value)) for value, colour in zip(SCALE, SCORE_COLOURS, strict=True)]
    axes.legend(handles=handles, title="Score", ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                frameon=False, fontsize=8)
    return figure


def _intervals(axes: Any, items: list[dict[str, Any]], *, key: str, low: str, high: str,
               colours: list[str]) -> None:
    positions = np.arange(len(items))
    with_interval = [index for index, row in enumerate(items) if row[low] is not None]
    if with_interval:
        axes.hlines(positions[with_interval], [items[i][low] for i in with_interval],
                    [items[i][high] for i in with_interval], colors=[colours[i] for i in with_interval],
                    linewidth=2)
    axes.scatter([row[key] for row in items], positions, c=colours, s=22, zorder=3)


def _span(items: list[dict[str, Any]], key: str, low: str, high: str) -> tuple[float, float]:
    lows = [row[low] if row[low] is not None else row[key] for row in items]
    highs = [row[high] if row[high] is not None else row[key] for row in items]
    return min(lows), max(highs)


def _leniency(result: dict[str, Any], items: list[dict[str, Any]], everything: list[dict[str, Any]]) -> Figure:
    minimum = result["options"]["min_sample"]
    figure = _figure(len(items))
    if not items:
        model = result.get("model") or {}
        # Unfitted, no one has an offset however many share loops: say why in the model's own words.
        reason = model["notes"][0] if model.get("fitted") is False and model.get("notes") else (
            "No interviewer shares a loop and dimension with another in this scope.")
        _empty(figure, textwrap.fill(reason, 70))
        return figure
    axes = _rows_axes(figure, len(items))
    axes.axvline(0, color=INK, linewidth=0.8)
    colours = [GREY if row["offset_n"] < minimum else {"lenient": LENIENT, "severe": SEVERE}.get(row["flag"], INK)
               for row in items]
    _intervals(axes, items, key="offset", low="offset_low", high="offset_high", colours=colours)
    labels = [f"{row['name']}" + (f" — {row['flag']}" if row["flag"] else "")
              + (f"  (n={row['offset_n']})" if row["offset_n"] < minimum else "") for row in items]
    axes.set_yticks(np.arange(len(items)), labels, fontsize=8)
    # The same scale on every part of a long chart, and never narrower than +/- 1 point.
    low, high = _span(everything, "offset", "offset_low", "offset_high")
    reach = max(1.0, abs(low), abs(high)) * 1.05
    axes.set_xlim(-reach, reach)
    axes.set_xlabel("Scale points above (+, lenient) or below (−, severe) co-panelists")
    return figure


def _alpha(result: dict[str, Any], items: list[dict[str, Any]], everything: list[dict[str, Any]]) -> Figure:
    minimum = result["options"]["min_sample"]
    figure = _figure(len(items))
    if not items:
        _empty(figure, "No dimension was rated by two or more interviewers on a loop.")
        return figure
    several_roles = len({row["role"] for row in everything}) > 1
    axes = _rows_axes(figure, len(items))
    for reference, style in ((0.0, "-"), (0.667, ":"), (0.8, "--")):
        axes.axvline(reference, color=GREY if reference else INK, linestyle=style, linewidth=0.8)
    colours = [GREY if row["alpha_loops"] < minimum else INK for row in items]
    _intervals(axes, items, key="alpha", low="alpha_low", high="alpha_high", colours=colours)
    labels = [_label(row, several_roles) + (f"  (n={row['alpha_loops']} loops)" if row["alpha_loops"] < minimum
                                            else "") for row in items]
    axes.set_yticks(np.arange(len(items)), labels, fontsize=8)
    low, _ = _span(everything, "alpha", "alpha_low", "alpha_high")
    axes.set_xlim(max(min(low, -0.2) - 0.05, -1.05), 1.05)
    axes.set_xlabel("Alpha (dotted 0.667: tentative; dashed 0.8: reliable, after Krippendorff)")
    return figure


_DRAW = {"distribution": _distribution, "leniency": _leniency, "alpha": _alpha}
_ITEMS = {"distribution": _dimension_items, "leniency": _leniency_items, "alpha": _alpha_items}


def chart_rows(name: str, result: dict[str, Any]) -> int:
    """How many rows (dimensions or interviewers) a chart has, to split a long one across PDF pages."""
    return len(_ITEMS[name](result))


def render_chart(
    name: str, result: dict[str, Any], *, image_format: str = "svg", rows: tuple[int, int] | None = None
) -> bytes:
    """One chart as SVG (text kept as text, for the page) or PNG (for the PDF); ``rows`` draws a slice of it."""
    if name not in _DRAW:
        raise KeyError(name)
    import matplotlib

    everything = _ITEMS[name](result)
    items = everything[rows[0]:rows[1]] if rows else everything
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False, "svg.hashsalt": "hireloop"}):
        figure = _DRAW[name](result, items, everything)
        buffer = io.BytesIO()
        metadata = {"Date": None} if image_format == "svg" else {}
        figure.savefig(buffer, format=image_format, dpi=120 if image_format == "png" else 72, metadata=metadata)
    return buffer.getvalue()
