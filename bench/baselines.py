"""Argmax baselines over the same FAQ documents: BM25, character n-gram TF-IDF and plain dense search."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nlu.embeddings import Embedder
from retrieval.schema import LANGS, FaqEntry

_TOKEN = re.compile(r"\w+", re.UNICODE)


def faq_documents(entries: Sequence[FaqEntry]) -> tuple[list[str], list[str]]:
    """(texts, entry ids): every entry's title and example questions in every language, one document each."""
    texts: list[str] = []
    owners: list[str] = []
    for entry in entries:
        for lang in LANGS:
            loc = entry.text(lang)
            if loc is not None:
                for text in (loc.title, *loc.questions):
                    texts.append(text)
                    owners.append(entry.id)
    return texts, owners


def word_tokens(text: str) -> list[str]:
    """Lowercase word tokens (letters and digits, any script)."""
    return _TOKEN.findall(text.lower())


def best_entry(scores: np.ndarray, owners: Sequence[str]) -> str | None:
    """The entry of the best document (= argmax of the per-entry max); None when nothing scores above 0."""
    if scores.size == 0 or float(scores.max()) <= 0.0:
        return None
    return owners[int(np.argmax(scores))]


class Bm25Baseline:
    """rank_bm25.BM25Okapi over lowercase word tokens."""

    name = "BM25 (rank_bm25, word tokens)"

    def __init__(self, texts: Sequence[str], owners: Sequence[str]) -> None:
        from rank_bm25 import BM25Okapi

        self._bm25 = BM25Okapi([word_tokens(t) or ["\x00"] for t in texts])
        self._owners = list(owners)

    def predict(self, query: str) -> str | None:
        """The FAQ id of the best document, or None when no query word is in the FAQ."""
        tokens = word_tokens(query)
        if not tokens:
            return None
        return best_entry(np.asarray(self._bm25.get_scores(tokens), dtype=np.float64), self._owners)


class CharTfidfBaseline:
    """scikit-learn TF-IDF over char_wb 2-4-grams of the lowercased text, cosine similarity."""

    name = "char n-gram TF-IDF (char_wb 2-4)"

    def __init__(self, texts: Sequence[str], owners: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True)
        self._matrix = self._vectorizer.fit_transform(list(texts))
        self._owners = list(owners)

    def predict(self, query: str) -> str | None:
        """The FAQ id of the most similar document."""
        row = (self._matrix @ self._vectorizer.transform([query]).T).toarray().ravel()
        return best_entry(row, self._owners)


@dataclass
class DenseBaseline:
    """Nearest FAQ question by cosine similarity of embeddings (faiss inner product), no lexical part."""

    embedder: Embedder
    owners: list[str]
    build_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    _index: object = None

    @classmethod
    def build(cls, embedder: Embedder, texts: Sequence[str], owners: Sequence[str]) -> DenseBaseline:
        """Embed the documents (as queries, like the bot's index), build a flat inner-product index; timed."""
        import faiss

        start = time.perf_counter()
        vectors = np.ascontiguousarray(embedder.embed_queries(list(texts)), dtype=np.float32)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        baseline = cls(embedder, list(owners))
        baseline._index = index
        baseline.build_seconds = time.perf_counter() - start
        return baseline

    def predict_all(self, queries: Sequence[str], embedder: Embedder | None = None) -> list[str | None]:
        """The nearest document's FAQ id for many queries embedded in one batch (optionally another, cached,
        wrapper of the same model); no latency is recorded."""
        vectors = (embedder or self.embedder).embed_queries(list(queries))
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        _, ids = self._index.search(vectors, 1)  # type: ignore[attr-defined]
        return [self.owners[int(i)] if int(i) >= 0 else None for i in ids[:, 0]]

    def predict(self, query: str) -> str | None:
        """The FAQ id of the nearest document; the time per query (embed + search) goes to `latencies`."""
        start = time.perf_counter()
        vec = np.ascontiguousarray(self.embedder.embed_queries([query]), dtype=np.float32)
        _, ids = self._index.search(vec, 1)  # type: ignore[attr-defined]
        self.latencies.append(time.perf_counter() - start)
        idx = int(ids[0][0])
        return self.owners[idx] if idx >= 0 else None
