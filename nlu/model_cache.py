"""Cache trained models on disk, keyed by a hash of everything they were trained from."""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def training_key(*parts: str | Sequence[str]) -> str:
    """A short stable hash of the training inputs."""
    digest = hashlib.sha256()
    for part in parts:
        for item in [part] if isinstance(part, str) else part:
            digest.update(item.encode("utf-8"))
            digest.update(b"\x00")
        digest.update(b"\x01")
    return digest.hexdigest()[:24]


def cached_model(cache_dir: Path | None, prefix: str, key: str, kind: type[T], train: Callable[[], T]) -> T:
    """Load `<prefix>-<key>.pkl` from the cache or train and store it; older files of the prefix are removed."""
    path = cache_dir / f"{prefix}-{key}.pkl" if cache_dir else None
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                model = pickle.load(fh)
            if isinstance(model, kind):
                return model
        except Exception:  # noqa: BLE001 - a corrupt cache is rebuilt
            log.warning("ignoring an unreadable model cache %s", path.name)
    model = train()
    if path is not None:
        _store(path, prefix, model)
    return model


def _store(path: Path, prefix: str, model: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(path)
        for old in path.parent.glob(f"{prefix}-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        log.warning("could not cache a trained model in %s", path.parent)
