"""Run the dev set through the real dialogue path, one fresh conversation per line, and time each message."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from bench import metrics
from bench.devset import DevItem
from bench.metrics import Outcome, Pair
from bot.commands import answer_record
from bot.core import Dialogue
from bot.messages import IncomingMessage, Reply


class BenchError(Exception):
    """The benchmark cannot measure what it should; the message says why."""


WARM_UP = ("hello", "привіт, як отримати песель", "где сделать страховку", "gdzie zrobić meldunek")


def outcome_from_replies(replies: list[Reply]) -> Outcome:
    """The decision as `answer --jsonl` reports it, plus the FAQ ids offered as 'did you mean' buttons."""
    record = answer_record(None, replies)
    own = [r for r in replies if r.to is None]
    first = next((r for r in own if "intent" in r.meta), None)
    candidates = tuple(b.payload.removeprefix("faq:") for row in (first.buttons if first else [])
                       for b in row if b.payload.startswith("faq:"))
    return Outcome(str(record["lang"]), str(record["intent"]), record["faq_id"],  # type: ignore[arg-type]
                   bool(record["handoff"]), candidates)


def run_devset(dialogue: Dialogue, items: Sequence[DevItem]) -> tuple[list[Pair], list[float], list[float]]:
    """(item, outcome) pairs, and the wall and CPU seconds each `dialogue.handle` took (after a warm-up)."""
    for n, text in enumerate(WARM_UP):
        dialogue.handle(IncomingMessage("bench-warmup", f"w{n}", "bench", text))
    pairs: list[Pair] = []
    latencies: list[float] = []
    cpu: list[float] = []
    for i, item in enumerate(items, 1):
        msg = IncomingMessage("bench", f"q{i}", "bench", item.text)
        cpu_start, start = time.process_time(), time.perf_counter()
        replies = dialogue.handle(msg)
        latencies.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        if not replies or any(r.meta.get("rate_limited") for r in replies):
            raise BenchError(f"dev-set line {i} ({item.text!r}) got no answer or a rate-limit reply: "
                             "run the benchmark with the rate limit off (rate_limit_per_minute=0)")
        pairs.append((item, outcome_from_replies(replies)))
    return pairs, latencies, cpu


def _rate(right: int, n: int) -> dict[str, Any]:
    return {"right": right, "n": n, "rate": metrics.ratio(right, n)}


def _binary(score: metrics.BinaryScore) -> dict[str, Any]:
    return {**asdict(score), "precision": score.precision, "recall": score.recall}


def _faq(scores: dict[str, metrics.FaqScore]) -> dict[str, Any]:
    return {key: {**asdict(s), "top1": s.top1, "suggested_rate": s.suggested_rate}
            for key, s in scores.items()}


def quality_figures(pairs: Sequence[Pair]) -> dict[str, Any]:
    """Every quality figure of the report, as plain JSON-able data."""
    right, n = metrics.small_talk_score(pairs)
    end_to_end = sum(1 for item, out in pairs if metrics.correct(item, out))
    return {
        "faq_by_lang": _faq(metrics.faq_scores(pairs)),
        "faq_by_style": _faq(metrics.faq_scores(pairs, group=lambda item: item.style)),
        "out_of_scope": _binary(metrics.out_of_scope_score(pairs)),
        "handoff": _binary(metrics.handoff_score(pairs)),
        "emergency": _binary(metrics.emergency_score(pairs)),
        "small_talk": _rate(right, n),
        "end_to_end": _rate(end_to_end, len(pairs)),
        "language": {key: _rate(r, total) for key, (r, total) in metrics.language_scores(pairs).items()},
        "uk_ru_confusion": metrics.confusion(pairs),
        "misses": [asdict(m) for m in metrics.misses(pairs)],
        "outcomes": [{**asdict(item), **{f"got_{k}": v for k, v in asdict(out).items()}}
                     for item, out in pairs],
    }


def latency_figures(latencies: Sequence[float], cpu: Sequence[float] = ()) -> dict[str, Any]:
    """p50 / p95 / max / mean of per-message wall latency, and p50 / p95 of CPU time, in milliseconds."""
    ms = [x * 1000.0 for x in latencies]
    cpu_ms = [x * 1000.0 for x in cpu]
    return {"n": len(ms), "p50_ms": metrics.percentile(ms, 50), "p95_ms": metrics.percentile(ms, 95),
            "max_ms": max(ms) if ms else None, "mean_ms": sum(ms) / len(ms) if ms else None,
            "cpu_p50_ms": metrics.percentile(cpu_ms, 50) if cpu_ms else None,
            "cpu_p95_ms": metrics.percentile(cpu_ms, 95) if cpu_ms else None}
