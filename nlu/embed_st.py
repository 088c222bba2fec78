"""The configurable alternative: any sentence-transformers model by name or path (optional extra `st`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from nlu.embeddings import EmbedderError, normalise_rows, register_embedder

DEFAULT_MODEL = "intfloat/multilingual-e5-base"


@register_embedder("sentence-transformers")
class SentenceTransformerEmbedder:
    """A sentence-transformers model; prefixes are configurable because models differ (e5: 'query: ')."""

    def __init__(self, model: str = "", query_prefix: str = "query: ", passage_prefix: str = "passage: ",
                 device: str = "cpu", **_: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "the sentence-transformers backend needs the optional extra: "
                "pip install 'torch==2.13.0' && pip install -e '.[st]'") from exc
        name = model or DEFAULT_MODEL
        try:
            self._model = SentenceTransformer(name, device=device)
        except Exception as exc:  # noqa: BLE001 - many loaders, one message for the operator
            raise EmbedderError(f"cannot load sentence-transformers model {name!r}: {exc}") from exc
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"model {name!r} does not report an embedding dimension")
        self.dim: int = int(dim)
        self.model_id = f"st-{name.rstrip('/').replace('/', '__')}-{query_prefix!r}-{passage_prefix!r}"
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the configured query prefix."""
        return self._encode([self.query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the configured passage prefix."""
        return self._encode([self.passage_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(texts, convert_to_numpy=True, normalize_embeddings=True,
                                         show_progress_bar=False)
        return normalise_rows(vectors)
