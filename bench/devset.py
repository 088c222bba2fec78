"""The labelled dev set: loading, and the checks that keep it usable (known labels, no copies of the FAQ)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from retrieval.loader import FaqCollection
from retrieval.schema import LANGS

DEVSET = Path(__file__).resolve().parent / "devset.jsonl"
OUT_OF_SCOPE = "out_of_scope"
HANDOFF = "human_handoff"
EMERGENCY = "emergency"
SMALL_TALK = ("greet", "thanks", "goodbye")
NON_FAQ_LABELS = (OUT_OF_SCOPE, HANDOFF, EMERGENCY, *SMALL_TALK)
STYLES = ("typo", "translit", "codemix", "oneword", "story", "nodiacritics", "plain")
FIELDS = ("text", "lang", "expect", "style")


class DevsetError(Exception):
    """A dev-set line that cannot be used; the message names the line."""


@dataclass(frozen=True)
class DevItem:
    """One labelled question: its text, the language it is written in, the expected label and its style."""

    text: str
    lang: str
    expect: str
    style: str

    @property
    def is_faq(self) -> bool:
        """Is the expected label an FAQ entry id (rather than an intent or out_of_scope)?"""
        return self.expect not in NON_FAQ_LABELS


def parse_line(line: str, number: int) -> DevItem:
    """One JSON line -> DevItem; raise DevsetError naming the line when a field is missing or not text."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DevsetError(f"line {number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise DevsetError(f"line {number}: expected a JSON object")
    missing = [f for f in FIELDS if not isinstance(data.get(f), str) or not data[f].strip()]
    if missing:
        raise DevsetError(f"line {number}: missing or empty field(s): {', '.join(missing)}")
    return DevItem(data["text"], data["lang"], data["expect"], data["style"])


def load_devset(path: Path = DEVSET) -> list[DevItem]:
    """Every non-blank line of a dev-set file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_line(line, n) for n, line in enumerate(lines, 1) if line.strip()]


def faq_example_texts(collection: FaqCollection, titles: bool = False) -> set[str]:
    """The FAQ's own example questions (and optionally titles) in every language, lowercased."""
    found: set[str] = set()
    for entry in collection.entries:
        for lang in LANGS:
            loc = entry.text(lang)
            if loc is not None:
                found.update(q.strip().lower() for q in loc.questions)
                if titles:
                    found.add(loc.title.strip().lower())
    return found


def label_problems(items: list[DevItem], faq_ids: set[str]) -> list[str]:
    """Lines whose language, style or expected label is not one the benchmark knows."""
    problems = []
    for n, item in enumerate(items, 1):
        if item.lang not in LANGS:
            problems.append(f"item {n} {item.text!r}: lang {item.lang!r} is not one of {', '.join(LANGS)}")
        if item.style not in STYLES:
            problems.append(f"item {n} {item.text!r}: style {item.style!r} is not one of {', '.join(STYLES)}")
        if item.expect not in faq_ids and item.expect not in NON_FAQ_LABELS:
            problems.append(f"item {n} {item.text!r}: expect {item.expect!r} is not an FAQ id or an intent")
    return problems


def leaked(items: list[DevItem], examples: set[str]) -> list[DevItem]:
    """Dev-set items whose text (lowercased) is one of the given example texts."""
    return [item for item in items if item.text.strip().lower() in examples]
