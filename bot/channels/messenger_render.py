"""The core's replies as Messenger messages: plain text under 2000 characters, buttons as quick replies."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from bot.messages import Button, Reply
from bot.render import plain_text, split_text

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # Send API limit for message.text
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20  # quick reply title
MAX_PAYLOAD = 1000  # quick reply payload
ELLIPSIS = "…"
_ANCHOR = re.compile(r"""<a\s[^>]*?href=["']([^"']+)["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)


def shorten(label: str, limit: int = MAX_TITLE) -> str:
    """The label cut to `limit` characters, ending with an ellipsis when cut."""
    label = " ".join(label.split())
    if _units(label) <= limit:
        return label
    cut = label
    while _units(cut + ELLIPSIS) > limit:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def quick_replies(buttons: list[list[Button]]) -> list[dict[str, str]]:
    """Button rows flattened into at most 13 quick replies; the last button is kept when some must go."""
    flat = [b for row in buttons for b in row if b.label.strip() and b.payload]
    usable = []
    for button in flat:
        if len(button.payload.encode()) > MAX_PAYLOAD:
            log.error("button payload over %d bytes cannot be a quick reply; dropped", MAX_PAYLOAD)
            continue
        usable.append(button)
    if len(usable) > MAX_QUICK_REPLIES:
        # The last button is usually the way back ("Topics"); keep it rather than the 13th item.
        usable = usable[:MAX_QUICK_REPLIES - 1] + usable[-1:]
    return [{"content_type": "text", "title": shorten(b.label), "payload": b.payload} for b in usable]


def text_parts(reply: Reply) -> list[str]:
    """The reply as plain text (links spelled out), split at paragraphs into parts Messenger accepts."""
    body = plain_text(replace(reply, text=_ANCHOR.sub(_spell_link, reply.text))) if reply.html \
        else reply.text
    body = body.strip()
    if not body:
        return []
    limit = MAX_TEXT
    while True:
        parts = [p for p in split_text(body, limit) if p.strip()]
        # Meta counts UTF-16 units: an emoji is two, so a text full of them needs a lower limit.
        if all(_units(p) <= MAX_TEXT for p in parts) or limit <= MAX_TEXT // 2:
            return parts
        limit -= 100


def render_replies(replies: list[Reply]) -> list[dict[str, Any]]:
    """The Send API `message` objects for replies to one person, in order.

    Quick replies vanish as soon as another message arrives, so the buttons of the last reply that has
    any go on the very last message (after /start, the language choice stays under the privacy note).
    """
    messages: list[dict[str, Any]] = []
    buttons: list[list[Button]] = []
    for reply in replies:
        messages.extend({"text": part} for part in text_parts(reply))
        if reply.buttons:
            buttons = reply.buttons
    choices = quick_replies(buttons)
    if choices:
        if not messages:
            messages.append({"text": ELLIPSIS})
        messages[-1]["quick_replies"] = choices
    return messages


def _spell_link(match: re.Match[str]) -> str:
    url, label = match.group(1), match.group(2)
    return url if label.strip() in (url, "") else f"{label} ({url})"


def _units(text: str) -> int:
    """Length in UTF-16 code units, as Meta counts."""
    return len(text.encode("utf-16-le")) // 2
