"""What the dialogue core needs from human handoff; the `handoff` package provides the real implementation."""

from __future__ import annotations

from typing import Protocol

from bot.messages import ConversationKey, IncomingMessage, Reply


class HandoffPort(Protocol):
    """The core's view of the advisors: who has a chat, and how to ask for one."""

    def is_active(self, key: ConversationKey) -> bool:
        """True while an advisor has (or is about to take) this conversation: the bot stays quiet."""
        ...

    def relay_from_user(self, msg: IncomingMessage, lang: str) -> list[Reply]:
        """Pass what the person sent to the advisor handling the chat."""
        ...

    def request(self, msg: IncomingMessage, lang: str, reason: str, priority: bool = False) -> list[Reply]:
        """Open (or join) a ticket for this conversation; returns what to tell the person and the advisors."""
        ...

    def forget(self, key: ConversationKey) -> list[Reply]:
        """Erase tickets and relayed messages of a conversation; returns notes for the advisors."""
        ...

    def on_payload(self, msg: IncomingMessage, lang: str) -> list[Reply] | None:
        """Handle a handoff button (rating, cancel, contact preference); None when it is not one."""
        ...


class NoAdvisors:
    """Used when no advisors' group is configured: the person gets the organisation's contact details."""

    def __init__(self, contact_text: dict[str, str]) -> None:
        self._contact_text = contact_text

    def is_active(self, key: ConversationKey) -> bool:
        return False

    def relay_from_user(self, msg: IncomingMessage, lang: str) -> list[Reply]:
        return []

    def request(self, msg: IncomingMessage, lang: str, reason: str, priority: bool = False) -> list[Reply]:
        return [Reply(self._contact_text.get(lang, self._contact_text["en"]), meta={"handoff": True})]

    def forget(self, key: ConversationKey) -> list[Reply]:
        return []

    def on_payload(self, msg: IncomingMessage, lang: str) -> list[Reply] | None:
        return None
