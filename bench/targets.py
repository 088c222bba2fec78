"""The benchmark targets from issue 2, checked against the measured figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    """One target: a name, how it reads, where its figure is in the results, and the comparison."""

    name: str
    text: str
    figure: Callable[[dict[str, Any]], float | None]
    met: Callable[[float], bool]
    unit: str = ""


def _get(*path: str) -> Callable[[dict[str, Any]], float | None]:
    def read(results: dict[str, Any]) -> float | None:
        value: Any = results
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return None if value is None else float(value)

    return read


def _peak_rss(results: dict[str, Any]) -> float | None:
    found = [v for v in (results.get("memory", {}).get("bot_process_mb"),
                         results.get("speed", {}).get("start", {}).get("rss_mb")) if v is not None]
    return max(found) if found else None


TARGETS = (
    Target("top-1 FAQ accuracy", "≥ 0.95", _get("quality", "faq_by_lang", "all", "top1"),
           lambda v: v >= 0.95),
    Target("out-of-scope recall", "≥ 0.90", _get("quality", "out_of_scope", "recall"), lambda v: v >= 0.90),
    Target("emergency recall", "= 1.0", _get("quality", "emergency", "recall"), lambda v: v >= 1.0),
    Target("handoff recall", "= 1.0", _get("quality", "handoff", "recall"), lambda v: v >= 1.0),
    Target("language accuracy", "≥ 0.98", _get("quality", "language", "all", "rate"), lambda v: v >= 0.98),
    Target("latency p95 (warm)", "≤ 40 ms", _get("speed", "latency", "p95_ms"), lambda v: v <= 40.0, " ms"),
    Target("warm start (fresh process to first answer, warm caches)", "≤ 2 s",
           _get("speed", "start", "wall_s"), lambda v: v <= 2.0, " s"),
    Target("peak RSS (bot process, warm-start process)", "≤ 400 MB", _peak_rss, lambda v: v <= 400.0, " MB"),
)


def check(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured figure and whether it is met (None when not measured)."""
    rows = []
    for target in TARGETS:
        value = target.figure(results)
        rows.append({"name": target.name, "target": target.text, "value": value, "unit": target.unit,
                     "met": None if value is None else bool(target.met(value))})
    return rows
