"""Meta's Messenger webhook, pure: the signature and verify-token checks, and events -> IncomingMessages."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.messages import IncomingMessage

log = logging.getLogger(__name__)

CHANNEL = "messenger"
SIGNATURE_HEADER = "X-Hub-Signature-256"

# Postback payloads of the Get Started button and the persistent menu (published by `messenger setup`).
GET_STARTED = "GET_STARTED"
MENU_TOPICS = "topics"
MENU_LANGUAGE = "MENU_LANGUAGE"
MENU_HUMAN = "human"
MENU_FORGET = "MENU_FORGET"
# Postbacks the core knows as commands; any other payload (topics, human, faq:...) goes to it unchanged.
POSTBACK_COMMANDS = {GET_STARTED: "/start", MENU_LANGUAGE: "/language", MENU_FORGET: "/forget"}


class WebhookError(ValueError):
    """A request body that is not a webhook notification; the message says why."""


@dataclass(frozen=True)
class InboundEvent:
    """One thing a person did on the page, as the core sees it, with Meta's id and time for the channel."""

    message: IncomingMessage
    event_id: str
    timestamp: datetime

    @property
    def psid(self) -> str:
        """The page-scoped id of the person."""
        return self.message.chat_id


def sign(raw: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 value Meta sends for these exact bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_valid(raw: bytes, header: str | None, app_secret: str) -> bool:
    """True if `header` is the HMAC-SHA256 of the raw body with the app secret (constant-time compare)."""
    if not header or not app_secret:
        return False
    return hmac.compare_digest(sign(raw, app_secret).encode(), header.strip().encode("utf-8", "replace"))


def verify_token_valid(mode: str | None, token: str | None, expected: str) -> bool:
    """True for Meta's subscription check: hub.mode=subscribe and our verify token (constant-time compare)."""
    if mode != "subscribe" or not token or not expected:
        return False
    return hmac.compare_digest(token.encode("utf-8", "replace"), expected.encode())


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a notification; WebhookError if the bytes are not one."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookError(f"not JSON: {exc}") from exc
    except RecursionError:
        raise WebhookError("not JSON: nested too deeply") from None
    if not isinstance(body, dict):
        raise WebhookError(f"expected a JSON object, got {type(body).__name__}")
    return body


def events_from_body(body: Mapping[str, Any], received_at: datetime) -> list[InboundEvent]:
    """The person's messages and button presses in a notification, in order; echoes, receipts etc. dropped."""
    if body.get("object") != "page":
        log.info("webhook notification for %r, not a page; ignored", body.get("object"))
        return []
    events: list[InboundEvent] = []
    for entry in _dicts(body.get("entry")):
        for item in _dicts(entry.get("messaging")):
            event = to_event(item, received_at)
            if event is not None:
                events.append(event)
    return events


def to_event(item: Mapping[str, Any], received_at: datetime) -> InboundEvent | None:
    """One `messaging` item as an InboundEvent, or None for what the bot does not answer."""
    sender = item.get("sender")
    psid = str(sender.get("id") or "") if isinstance(sender, dict) else ""
    if not psid:
        return None
    when = _timestamp(item.get("timestamp"), received_at)
    message, postback = item.get("message"), item.get("postback")
    if isinstance(message, dict):
        return _from_message(psid, message, when)
    if isinstance(postback, dict):
        return _from_postback(psid, postback, when)
    return None  # delivery, read, reaction, referral, optin...: nothing to answer


def _from_message(psid: str, message: Mapping[str, Any], when: datetime) -> InboundEvent | None:
    if message.get("is_echo"):
        return None  # what the page itself sent (our replies, or a person answering in the Page inbox)
    mid = str(message.get("mid") or f"message:{psid}:{when.timestamp()}")
    quick_reply = message.get("quick_reply")
    if isinstance(quick_reply, dict) and quick_reply.get("payload"):
        return InboundEvent(_incoming(psid, payload=str(quick_reply["payload"])), mid, when)
    text = message.get("text")
    text = text if isinstance(text, str) else ""
    kinds = tuple(str(a.get("type") or "file") for a in _dicts(message.get("attachments")))
    if not text and not kinds:
        return None
    return InboundEvent(_incoming(psid, text=text, attachments=kinds), mid, when)


def _from_postback(psid: str, postback: Mapping[str, Any], when: datetime) -> InboundEvent | None:
    payload = str(postback.get("payload") or "")
    if not payload:
        return None
    mid = str(postback.get("mid") or f"postback:{psid}:{when.timestamp()}")
    command = POSTBACK_COMMANDS.get(payload)
    message = _incoming(psid, text=command) if command else _incoming(psid, payload=payload)
    return InboundEvent(message, mid, when)


def _incoming(psid: str, text: str = "", payload: str | None = None,
              attachments: tuple[str, ...] = ()) -> IncomingMessage:
    return IncomingMessage(CHANNEL, psid, psid, text=text, payload=payload, attachments=attachments)


def _timestamp(value: Any, fallback: datetime) -> datetime:
    """Meta's milliseconds since the epoch; the receive time if missing, odd or in the future."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            when = datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return fallback
        return min(when, fallback)
    return fallback


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
