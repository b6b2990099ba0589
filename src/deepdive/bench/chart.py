"""The benchmark's chart: server CPU per request, per endpoint and framework, as SVG."""

from __future__ import annotations

import io
from typing import Any


def draw(data: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: readable, searchable, small
    frameworks = data["frameworks"]
    endpoints = data["endpoints"]
    figure = Figure(figsize=(8, 4.2), dpi=100)
    axes = figure.subplots()
    width = 0.8 / len(frameworks)
    colours = ("#2a7ab0", "#9a5b13", "#3b8a4a")
    for index, name in enumerate(frameworks):
        figures = data["figures"][name]
        values = [figures[e["key"]]["cpu_us_per_request"] for e in endpoints]
        low = [v - figures[e["key"]]["cpu_us_min"] for v, e in zip(values, endpoints, strict=True)]
        high = [figures[e["key"]]["cpu_us_max"] - v for v, e in zip(values, endpoints, strict=True)]
        positions = [i + (index - (len(frameworks) - 1) / 2) * width for i in range(len(endpoints))]
        bars = axes.bar(
            positions,
            values,
            width,
            label=name,
            color=colours[index % 3],
            yerr=[low, high],
            capsize=3,
        )
        axes.bar_label(bars, labels=[f"{v:.0f}" for v in values], padding=2, fontsize=8)
    axes.set_xticks(range(len(endpoints)), [e["label"] for e in endpoints], fontsize=9)
    axes.set_ylabel("server CPU per request (µs, lower is better)")
    axes.set_title(f"{data['machine']['cpu_model']} · {data['started_at'][:10]}", fontsize=9)
    axes.legend(fontsize=9, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()
