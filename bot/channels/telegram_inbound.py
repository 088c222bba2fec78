"""Telegram updates as the core's IncomingMessage, and the rules for updates the bot ignores."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from bot.messages import IncomingMessage

CHANNEL = "telegram"

# Message fields that carry something other than text, in the order they are reported.
ATTACHMENT_KINDS: tuple[str, ...] = (
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "photo",
    "sticker",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
)
_IMPLIED = {"animation": "document", "venue": "location"}  # Telegram sets both fields for these
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is on Telegram, to tell whether a group message is addressed to it."""

    id: int
    username: str


def to_incoming(
    update: Update, me: BotIdentity, advisors_chat_id: str | None = None
) -> IncomingMessage | None:
    """The core's message for an update, or None when the bot should ignore the update."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None  # channel posts, other bots (and our own echoes)
    query = update.callback_query
    if query is not None:
        if not query.data:
            return None
        chat_id = query.message.chat.id if query.message else user.id
        return IncomingMessage(
            CHANNEL, str(chat_id), str(user.id), payload=query.data, locale_hint=user.language_code
        )
    message = update.message  # edited messages arrive as edited_message and stay None here
    if message is None:
        return None
    group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if group and str(message.chat.id) != advisors_chat_id and not is_addressed(message, me):
        return None
    text = command_text(message.text or message.caption or "", me)
    if text is None:
        return None  # a command for another bot
    if group:
        text = re.sub(rf"@{re.escape(me.username)}\b", "", text, flags=re.IGNORECASE).strip()
    kinds = attachment_kinds(message)
    if not text.strip() and not kinds:
        return None  # service messages: members joining, pins, topic changes
    return IncomingMessage(
        CHANNEL,
        str(message.chat.id),
        str(user.id),
        text=text,
        attachments=kinds,
        locale_hint=user.language_code,
        message_id=str(message.message_id),
    )


def command_text(text: str, me: BotIdentity) -> str | None:
    """Text with "/cmd@ourbot" written as "/cmd"; None if the command names another bot."""
    match = _COMMAND.match(text)
    if not match:
        return text
    command, target, rest = match.groups()
    if target and target.lower() != me.username.lower():
        return None
    return f"/{command.lower()}{rest}"


def attachment_kinds(message: Message) -> tuple[str, ...]:
    """What the message carries besides text: ("voice",), ("photo",) …"""
    kinds = [kind for kind in ATTACHMENT_KINDS if getattr(message, kind, None)]
    return tuple(k for k in kinds if not any(_IMPLIED.get(other) == k for other in kinds))


def is_addressed(message: Message, me: BotIdentity) -> bool:
    """In a group: a command, a mention of the bot, or a reply to one of its messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
        return True
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, text in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return "@" not in text or text.split("@", 1)[1].lower() == me.username.lower()
        if entity.type == MessageEntity.MENTION and text.lower() == f"@{me.username.lower()}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == me.id:
            return True
    return False


def thread_of(update: Update) -> int | None:
    """The forum topic the update came from, so answers go back into it."""
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


def chat_key(update: object) -> str:
    """The conversation an update belongs to, for handling one update per chat at a time."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return str(update.effective_chat.id)
        if update.effective_user is not None:
            return f"user:{update.effective_user.id}"
    return "other"
