"""The bot's own words (greetings, prompts, buttons) in the four languages, from `bot/locales/<lang>.yaml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LOCALES_DIR = Path(__file__).parent / "locales"
LANGS = ("uk", "ru", "pl", "en")


class _SafeDict(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> dict[str, Any]:
    data = yaml.safe_load((LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{LOCALES_DIR / lang}.yaml: expected key: value pairs")
    return data


def text(lang: str, key: str, **values: object) -> str:
    """The message `key` (dots for nested keys) in `lang`, with {placeholders} filled; English if missing."""
    for candidate in (lang if lang in LANGS else "en", "en"):
        node: Any = _catalogue(candidate)
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node.format_map(_SafeDict({k: str(v) for k, v in values.items()}))
    raise KeyError(f"no text for {key!r}")


def language_name(lang: str) -> str:
    """The language's own name ('українська', 'polski')."""
    return text(lang, "lang_name")
