"""Turn replies into plain text for channels without HTML (console, Messenger) and split long texts."""

from __future__ import annotations

import html
import re

from bot.messages import Reply

_TAG = re.compile(r"<[^>]+>")


def plain_text(reply: Reply) -> str:
    """The reply's text without markup."""
    return html.unescape(_TAG.sub("", reply.text)) if reply.html else reply.text


def split_text(body: str, limit: int) -> list[str]:
    """Split at paragraph, then line, then word boundaries so that each part has at most `limit` characters."""
    if len(body) <= limit:
        return [body]
    parts: list[str] = []
    current = ""
    for separator, pieces in (("\n\n", body.split("\n\n")),):
        for piece in pieces:
            candidate = f"{current}{separator}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            current = ""
            if len(piece) <= limit:
                current = piece
            else:
                parts.extend(_split_long(piece, limit))
    if current:
        parts.append(current)
    return parts


def _split_long(piece: str, limit: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in re.split(r"(\s+)", piece):
        if len(current) + len(word) <= limit:
            current += word
            continue
        if current.strip():
            out.append(current.rstrip())
        while len(word) > limit:
            out.append(word[:limit])
            word = word[limit:]
        current = word.lstrip()
    if current.strip():
        out.append(current.rstrip())
    return out
