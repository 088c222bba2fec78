"""Content checks beyond the schema: languages, lengths, markup, placeholders, links between topics, review dates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from retrieval.errors import Problem
from retrieval.schema import LANGS, PLACEHOLDERS, FaqEntry
from retrieval.yaml_lines import YamlLines

TELEGRAM_LIMIT = 4096
MESSENGER_LIMIT = 2000
ANSWER_TARGET = 900
MIN_QUESTIONS = 8
_TAG = re.compile(r"<(/?)([a-zA-Z]*)[^>]*>")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ALLOWED_TAGS = {"b"}


def render_length(answer: str) -> int:
    """The answer's length as a person sees it, with placeholders counted at a typical 40 characters."""
    return len(_PLACEHOLDER.sub("x" * 40, answer))


def markup_problems(answer: str) -> list[str]:
    """What Telegram's HTML mode would reject (or what we do not allow) in an answer."""
    found: list[str] = []
    stack: list[str] = []
    for match in _TAG.finditer(answer):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _ALLOWED_TAGS:
            found.append(f"markup {match.group(0)!r} is not allowed (only <b>...</b>)")
        elif closing:
            if not stack:
                found.append(f"{match.group(0)!r} closes a tag that was not opened")
            else:
                stack.pop()
        else:
            stack.append(name)
    if stack:
        found.append("a <b> is not closed with </b>")
    stripped = _TAG.sub("", answer)
    if "<" in stripped or ">" in stripped:
        found.append("a lone '<' or '>' (write 'less than' / 'more than', or use words)")
    if re.search(r"&(?![a-zA-Z]+;|#\d+;)", stripped):
        found.append("a lone '&' (write 'and')")
    return found


def _placeholder_problems(answer: str) -> list[str]:
    return [f"unknown placeholder {{{name}}}; use one of " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            for name in _PLACEHOLDER.findall(answer) if name not in PLACEHOLDERS]


def check_entry(entry: FaqEntry, lines: YamlLines, path: Path, known_ids: set[str],
                today: dt.date) -> list[Problem]:
    """Everything an editor should hear about one valid entry."""
    problems: list[Problem] = []

    def add(key: list[str | int], message: str, severity: str = "error") -> None:
        problems.append(Problem(path, lines.line_of(key), ".".join(map(str, key)), message, severity))

    for lang in LANGS:
        loc = entry.text(lang)
        if loc is None:
            add([lang], f"the {lang} version is missing (the bot falls back to another language)", "warning")
            continue
        length = render_length(loc.answer)
        if length > MESSENGER_LIMIT:
            add([lang, "answer"], f"the answer is {length} characters; the limit is {MESSENGER_LIMIT} (Messenger)")
        elif length > ANSWER_TARGET + 200:
            add([lang, "answer"], f"the answer is {length} characters; aim for about {ANSWER_TARGET}", "warning")
        for message in markup_problems(loc.answer) + _placeholder_problems(loc.answer):
            add([lang, "answer"], message)
        if len(loc.questions) < MIN_QUESTIONS:
            add([lang, "questions"], f"only {len(loc.questions)} example questions; write at least {MIN_QUESTIONS}",
                "warning")
        if "https://" not in loc.answer and "{org_website}" not in loc.answer:
            add([lang, "answer"], "the answer has no official link (https://...)", "warning")
    for i, rel in enumerate(entry.related):
        if rel not in known_ids:
            add(["related", i], f"'{rel}' is not an existing topic id")
        elif rel == entry.id:
            add(["related", i], "a topic cannot be related to itself")
    if entry.review_by is not None and entry.review_by < today:
        add(["review_by"], f"the review date {entry.review_by} has passed: check the answer against the sources",
            "warning")
    return problems


def check_entries(entries: list[FaqEntry], files: dict[str, Path], today: dt.date) -> list[Problem]:
    """Run `check_entry` over all loaded entries."""
    known = {e.id for e in entries}
    problems: list[Problem] = []
    for entry in entries:
        path = files[entry.id]
        lines = YamlLines(path.read_text(encoding="utf-8"))
        problems.extend(check_entry(entry, lines, path, known, today))
    return problems
