"""The data that crosses the boundary between channel adapters and the dialogue core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGS: tuple[str, ...] = ("uk", "ru", "pl", "en")


@dataclass(frozen=True)
class ConversationKey:
    """Identifies one conversation: the channel and the chat id on that channel."""

    channel: str
    chat_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id}"


@dataclass(frozen=True)
class IncomingMessage:
    """One thing a person did: a text, a button press (payload) or an attachment."""

    channel: str
    chat_id: str
    user_id: str
    text: str = ""
    payload: str | None = None
    attachments: tuple[str, ...] = ()
    locale_hint: str | None = None
    # The channel's id of the message, to forward attachments and spot a redelivery; not part of equality.
    message_id: str = field(default="", compare=False)

    @property
    def key(self) -> ConversationKey:
        """The conversation this message belongs to."""
        return ConversationKey(self.channel, self.chat_id)


@dataclass(frozen=True)
class Button:
    """A choice shown under a reply; pressing it sends `payload` back as an IncomingMessage."""

    label: str
    payload: str


@dataclass
class Reply:
    """One message for the person (or, with `to`, for another conversation such as the advisors' group)."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    to: ConversationKey | None = None
    html: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
