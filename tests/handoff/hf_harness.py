"""End-to-end helpers: the fake Bot API with forum topics, and the real core wired to a HandoffService."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from hf_common import GROUP
from tg_fake_api import FakeBotApi
from tg_harness import make_config

from bot.answering import Answerer
from bot.app import build_bot
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_advisors import MessengerAdvisorSender
from bot.core import Dialogue
from bot.messages import IncomingMessage, Reply
from bot.settings import Settings
from bot.store import ConversationState
from handoff.service import HandoffService

DESK_TUNING: dict[str, Any] = {
    "advisors_chat_id": str(GROUP),
    "handoff_tick_seconds": 3600.0,  # the tests call desk.tick() themselves, with their own clock
    "handoff_flush_seconds": 0.2,
}


class FakeForumApi(FakeBotApi):
    """The fake Bot API plus what the advisors' forum group needs: topics and copyMessage."""

    def __init__(self) -> None:
        super().__init__()
        self.topics: dict[int, dict[str, Any]] = {}
        self.next_thread = 500

    # ----- what advisors do in the group -----
    def group_message(
        self, user_id: int, text: str | None = None, thread: int | None = None, **extra: Any
    ) -> int:
        """An advisor (or any member) writes in the group: in a topic when `thread` is given."""
        if thread is not None:
            extra.update(message_thread_id=thread, is_topic_message=True)
        return self.message(GROUP, text, user_id=user_id, language="pl", chat_type="supergroup", **extra)

    def group_press(self, user_id: int, data: str, thread: int | None = None) -> int:
        """A member presses a button under one of the bot's messages in the group."""
        message: dict[str, Any] = {
            "message_id": self._new_message_id(),
            "date": int(time.time()),
            "chat": {"id": GROUP, "type": "supergroup", "title": "Advisors", "is_forum": True},
            "from": self.me,
            "text": "…",
        }
        if thread is not None:
            message.update(message_thread_id=thread, is_topic_message=True)
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "pl"}
        return self.push(
            {
                "callback_query": {
                    "id": f"cq{self.next_update_id}",
                    "from": user,
                    "chat_instance": f"ci{GROUP}",
                    "data": data,
                    "message": message,
                }
            }
        )

    # ----- what the tests look at -----
    def in_topic(self, thread: int) -> list[dict[str, Any]]:
        """Messages (and copies) the bot put into a topic of the advisors' group, in order."""
        return [m for m in self.messages(GROUP) if m.get("message_thread_id") == thread]

    def general(self) -> list[dict[str, Any]]:
        """Messages in the group's General topic."""
        return [m for m in self.messages(GROUP) if m.get("message_thread_id") is None]

    def topic_named(self, prefix: str) -> int | None:
        """The thread id of the topic whose name starts with `prefix`."""
        with self.cond:
            return next((t for t, topic in self.topics.items() if topic["name"].startswith(prefix)), None)

    def texts_of(self, chat_id: int | str) -> list[str]:
        """What a chat was sent: message texts and copy captions."""
        return [m.get("visible_text") or m.get("caption") or "" for m in self.messages(chat_id)]

    # ----- the API -----
    def api_createForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802 - Bot API naming
        with self.cond:
            self.next_thread += 1
            thread = self.next_thread
            self.topics[thread] = {"chat_id": params["chat_id"], "name": params["name"], "closed": False}
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    def api_closeForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802
        with self.cond:
            self.topics[int(params["message_thread_id"])]["closed"] = True
        return True

    def api_deleteForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802
        with self.cond:
            thread = int(params["message_thread_id"])
            self.topics.pop(thread, None)
            kept = [m for m in self.sent if m.get("message_thread_id") != thread]
            self.sent[:] = kept  # Telegram deletes the topic with every message in it
        return True

    def api_copyMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        with self.cond:
            self.next_message_id += 1
            message_id = self.next_message_id
            self.sent.append(
                {
                    **params,
                    "message_id": message_id,
                    "text": params.get("caption") or "",
                    "visible_text": params.get("caption") or "",
                    "copy": True,
                }
            )
        return {"message_id": message_id}


class CoreWithHandoffButtons(Dialogue):
    """The dialogue core plus the hook bot/core.py still lacks: payloads the handoff knows go to it first.

    This mirrors what the handoff asks the lead to add to `Dialogue._on_payload` (see the handoff notes);
    once the core does it, this subclass changes nothing.
    """

    def _on_payload(
        self, msg: IncomingMessage, payload: str, state: ConversationState, lang: str
    ) -> list[Reply]:
        on_payload = getattr(self.handoff, "on_payload", None)
        handled = on_payload(msg, lang) if on_payload is not None else None
        return handled if handled is not None else super()._on_payload(msg, payload, state, lang)


def handoff_core(
    settings: Settings, answerer: Answerer, service: HandoffService, data_dir: Path | None = None
) -> Dialogue:
    """The real dialogue core on the real FAQ, handing off to `service` (state in `data_dir`, or memory)."""
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    core = build_bot(settings, persistent=data_dir is not None, answerer=answerer, handoff=service).dialogue
    shim = CoreWithHandoffButtons.__new__(CoreWithHandoffButtons)
    shim.__dict__.update(core.__dict__)
    return shim


@asynccontextmanager
async def running_desk(
    fake: FakeBotApi,
    dialogue: Any,
    db_path: Path,
    messenger: MessengerAdvisorSender | None = None,
    **tuning: Any,
) -> AsyncIterator[TelegramChannel]:
    """The Telegram process with the advisors' desk (and a way to Messenger), receiving in the background."""
    channel = TelegramChannel(
        make_config(fake, db_path, **{**DESK_TUNING, **tuning}), dialogue, messenger=messenger
    )
    stop = asyncio.Event()
    await channel.start()
    runner = asyncio.create_task(channel.run(stop))
    try:
        yield channel
    finally:
        stop.set()
        try:
            await asyncio.wait_for(runner, 10)
        finally:
            await channel.close()
