"""Read intent examples in Rasa's NLU training-data format (`nlu.yml`), so a Rasa project's data drops in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


class NluDataError(Exception):
    """An nlu.yml that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class IntentExample:
    """One training sentence for an intent."""

    intent: str
    text: str


def strip_entity_markup(text: str) -> str:
    """'[Kraków](city)' -> 'Kraków': Rasa's inline entity annotations are kept as plain words."""
    return _ENTITY.sub(r"\1", text)


def parse_examples(block: str) -> list[str]:
    """The '- ' lines of a Rasa `examples: |` block."""
    items = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            text = strip_entity_markup(line[2:].strip())
            if text:
                items.append(text)
    return items


def load_nlu_file(path: Path) -> list[IntentExample]:
    """All intent examples of one Rasa nlu.yml; synonyms, regexes and lookups are ignored."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise NluDataError(f"{path}: cannot read the file ({exc})") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise NluDataError(f"{path}, line {line}: not valid YAML ({exc.problem})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("nlu"), list):
        raise NluDataError(f"{path}: expected a top-level 'nlu:' list (Rasa format)")
    examples: list[IntentExample] = []
    for item in data["nlu"]:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        block = item.get("examples", "")
        if not isinstance(block, str):
            raise NluDataError(f"{path}: intent {item['intent']!r}: 'examples' must be a '|' block of '- ' lines")
        examples.extend(IntentExample(str(item["intent"]), text) for text in parse_examples(block))
    return examples
