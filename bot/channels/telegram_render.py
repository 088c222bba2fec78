"""Replies as Telegram messages: HTML escaping, splitting under the length limit, inline keyboards."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Button, Reply

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit on a message's text after entity parsing
MAX_CALLBACK_DATA_BYTES = 64

_TOKEN = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_TAG = re.compile(r"<\s*(/)?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_PARAGRAPH, _LINE, _WORD = 3, 2, 1


@dataclass(frozen=True)
class OutgoingMessage:
    """One sendMessage call: Telegram-HTML text, an optional keyboard, the chat and forum topic."""

    chat_id: str
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    thread_id: int | None = None


@dataclass(frozen=True)
class _Atom:
    raw: str
    width: int  # UTF-16 code units the atom shows as; 0 for tags
    tag: str | None = None
    closing: bool = False


def reply_html(reply: Reply) -> str:
    """The reply's text as Telegram HTML: escaped unless the core already produced HTML."""
    return reply.text if reply.html else html.escape(reply.text, quote=False)


def inline_keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Rows of buttons as an inline keyboard; buttons Telegram would reject are left out and logged."""
    keyboard = []
    for row in rows:
        buttons = []
        for button in row:
            if not button.label or not 1 <= len(button.payload.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                log.error("button %r left out: empty label or payload not 1-64 bytes", button)
                continue
            buttons.append(InlineKeyboardButton(button.label, callback_data=button.payload))
        if buttons:
            keyboard.append(buttons)
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def render_reply(reply: Reply, chat_id: str, thread_id: int | None = None) -> list[OutgoingMessage]:
    """The messages that show one reply; the keyboard goes under the last one."""
    meta_thread = reply.meta.get("thread_id")
    thread = int(meta_thread) if meta_thread is not None else thread_id
    chunks = split_html(reply_html(reply))
    keyboard = inline_keyboard(reply.buttons)
    if not chunks and keyboard is None:
        return []
    if not chunks:
        chunks = ["…"]  # Telegram needs some text to hang the buttons on
    last = len(chunks) - 1
    return [
        OutgoingMessage(chat_id, chunk, keyboard if i == last else None, thread)
        for i, chunk in enumerate(chunks)
    ]


def strip_html(text: str) -> str:
    """Telegram HTML as plain text: tags dropped, entities decoded (the fallback when parsing fails)."""
    return html.unescape(re.sub(r"<[^<>]*>", "", text))


def visible_length(text: str) -> int:
    """How long Telegram counts a Telegram-HTML text: UTF-16 code units, tags not counted."""
    return sum(atom.width for atom in _atoms(text))


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split Telegram HTML into parts of at most `limit`, at paragraph, then line, then word boundaries.

    Never cuts inside a tag or an entity; tags open at a cut are closed and reopened in the next part.
    """
    text = text.strip()
    atoms = list(_atoms(text))
    if sum(a.width for a in atoms) <= limit:
        return [text] if strip_html(text).strip() else []
    parts: list[str] = []
    start, stack = 0, list[tuple[str, str]]()  # (tag name, raw opening tag) open at `start`
    while start < len(atoms):
        cut, cut_stack = _find_cut(atoms, start, stack, limit)
        body = "".join(a.raw for a in atoms[start:cut]).rstrip()
        part = (
            "".join(raw for _, raw in stack) + body + "".join(f"</{name}>" for name, _ in reversed(cut_stack))
        )
        if strip_html(body).strip():
            parts.append(part)
        start, stack = cut, cut_stack
        preformatted = any(name in ("pre", "code") for name, _ in stack)
        while start < len(atoms) and (
            atoms[start].raw == "\n" or (atoms[start].raw == " " and not preformatted)
        ):
            start += 1
    return parts


def _find_cut(
    atoms: list[_Atom], start: int, stack: list[tuple[str, str]], limit: int
) -> tuple[int, list[tuple[str, str]]]:
    """Where the part beginning at `start` ends, and the tags open there."""
    width, i, current = 0, start, list(stack)
    best: dict[int, tuple[int, list[tuple[str, str]]]] = {}
    while i < len(atoms) and width + atoms[i].width <= limit:
        atom = atoms[i]
        width += atom.width
        _apply_tag(current, atom)
        i += 1
        if atom.raw == "\n":
            quality = _PARAGRAPH if i - 2 >= start and atoms[i - 2].raw == "\n" else _LINE
            best[quality] = (i, list(current))
        elif atom.raw in (" ", "\t"):
            best[_WORD] = (i, list(current))
    if i >= len(atoms):
        return i, current
    if i == start:  # a limit smaller than one character: take it anyway rather than loop
        return i + 1, current
    for quality in (_PARAGRAPH, _LINE, _WORD):
        if quality in best:
            return best[quality]
    return i, current


def _apply_tag(stack: list[tuple[str, str]], atom: _Atom) -> None:
    """Track which tags are open after `atom`."""
    if atom.tag is None:
        return
    if not atom.closing:
        stack.append((atom.tag, atom.raw))
        return
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == atom.tag:
            del stack[depth:]
            return


def _atoms(text: str) -> Iterator[_Atom]:
    """Text as indivisible pieces: single characters, whole tags, whole entities."""
    pos = 0
    for match in _TOKEN.finditer(text):
        yield from (_Atom(ch, _utf16(ch)) for ch in text[pos : match.start()])
        token = match.group()
        if token.startswith("<"):
            tag = _TAG.match(token)
            if tag:
                yield _Atom(token, 0, tag.group(2).lower(), bool(tag.group(1)))
            else:
                yield _Atom(token, _utf16(token))
        else:
            yield _Atom(token, max(1, _utf16(html.unescape(token))))
        pos = match.end()
    yield from (_Atom(ch, _utf16(ch)) for ch in text[pos:])


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
