"""An on-disk cache of embeddings keyed by model id, kind and text hash: restarts re-embed only what changed."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nlu.embeddings import Embedder

EmbedFn = Callable[[Sequence[str]], np.ndarray]


def text_key(model_id: str, kind: str, text: str) -> str:
    """The cache key of one text for one model and prefix kind."""
    return hashlib.sha256(f"{model_id}\x00{kind}\x00{text}".encode()).hexdigest()


class CachedEmbedder:
    """Wraps an Embedder; batch embeddings (FAQ questions, intent examples) are stored in SQLite."""

    def __init__(self, inner: Embedder, cache_file: Path | None) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if cache_file is not None:
            try:
                cache_file.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(cache_file), check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
            except (OSError, sqlite3.Error):
                self._db = None  # a read-only or full disk: embed without the cache
        self.hits = 0
        self.misses = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query embeddings; a single live query is not cached (it is rarely repeated)."""
        if len(texts) == 1:
            return self.inner.embed_queries(texts)
        return self._cached(texts, "query", self.inner.embed_queries)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Passage embeddings, from the cache where present."""
        return self._cached(texts, "passage", self.inner.embed_passages)

    def _cached(self, texts: Sequence[str], kind: str, embed: EmbedFn) -> np.ndarray:
        keys = [text_key(self.model_id, kind, t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            if k in found:
                out[i] = found[k]
        if missing:
            fresh = embed([texts[i] for i in missing])
            for row, i in enumerate(missing):
                out[i] = fresh[row]
            self._store([(keys[i], fresh[row]) for row, i in enumerate(missing)])
        return out

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        if self._db is None or not keys:
            return {}
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == self.dim:
                        found[key] = vec
        return found

    def _store(self, rows: list[tuple[str, np.ndarray]]) -> None:
        if self._db is None:
            return
        try:
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                     [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in rows])
        except sqlite3.Error:
            pass  # the cache is an optimisation; a full disk must not stop the bot

