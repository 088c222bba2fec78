"""The Facebook Messenger channel: Meta's webhook in, the dialogue core, the Send API out.

`run_messenger` serves the webhook (`migrant-bot messenger`); `setup_profile` publishes the Get Started
button and the persistent menu (`migrant-bot messenger setup`); `MessengerSender` is the way back for
advisors' replies. How to connect a page: bot/channels/messenger_SETUP.md.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from starlette.applications import Starlette

from bot.channels.messenger_api import GraphApi, RetryPolicy
from bot.channels.messenger_app import webhook_app
from bot.channels.messenger_events import InboundEvent
from bot.channels.messenger_profile import apply_profile
from bot.channels.messenger_send import ForeignReplyHandler, MessengerSender
from bot.channels.messenger_state import MessengerState
from bot.messages import IncomingMessage, Reply
from bot.settings import SettingsError

log = logging.getLogger(__name__)

SECRETS = (("MESSENGER_PAGE_ACCESS_TOKEN", "messenger_page_access_token",
            "the page's token: Meta app > Messenger > Settings > Access Tokens > Generate"),
           ("MESSENGER_APP_SECRET", "messenger_app_secret", "Meta app > App settings > Basic > App secret"),
           ("MESSENGER_VERIFY_TOKEN", "messenger_verify_token",
            "any long random string; enter the same one as the webhook's Verify token in the Meta app"))


class MessengerSettingsError(SettingsError):
    """The Messenger settings cannot work; the message says what to set."""


class DialogueLike(Protocol):
    """The dialogue core as the channel sees it."""

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Answer one message (synchronous; called from a worker thread)."""
        ...


@dataclass(frozen=True)
class MessengerConfig:
    """Secrets and endpoint from the settings, plus tuning that tests may change."""

    page_access_token: str
    app_secret: str
    verify_token: str
    graph_url: str = "https://graph.facebook.com/v21.0"
    db_path: Path | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_concurrent: int = 32  # conversations answered at the same time
    drain_timeout: float = 10.0  # on shutdown, how long events in hand may take to finish

    @classmethod
    def from_settings(cls, settings: Any, *, need: tuple[str, ...] = tuple(env for env, _, _ in SECRETS),
                      **tuning: Any) -> MessengerConfig:
        """The config; MessengerSettingsError names each secret in `need` that is not set."""
        values: dict[str, str] = {}
        missing: list[str] = []
        for env, attr, hint in SECRETS:
            secret = getattr(settings, attr, None)
            value = secret.get_secret_value().strip() if secret is not None else ""
            values[attr] = value
            if env in need and not value:
                missing.append(f"  {env}: {hint}")
        if missing:
            raise MessengerSettingsError("not set in the environment:\n" + "\n".join(missing))
        return cls(page_access_token=values["messenger_page_access_token"],
                   app_secret=values["messenger_app_secret"], verify_token=values["messenger_verify_token"],
                   graph_url=settings.messenger_graph_url, db_path=Path(settings.data_dir) / "messenger.db",
                   **tuning)


class ConversationQueues:
    """Handles the events of one person in arrival order, different people at the same time."""

    def __init__(self, handle: Callable[[InboundEvent], Awaitable[None]], max_concurrent: int = 32) -> None:
        self._handle = handle
        self._slots = asyncio.Semaphore(max_concurrent)
        self._queues: dict[str, deque[InboundEvent]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, event: InboundEvent) -> None:
        """Queue an event behind the person's earlier ones (call from the event loop)."""
        queue = self._queues.get(event.psid)
        if queue is None:
            queue = self._queues[event.psid] = deque()
            task = asyncio.get_running_loop().create_task(self._run(event.psid, queue),
                                                          name=f"messenger-{event.psid}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.append(event)

    async def _run(self, psid: str, queue: deque[InboundEvent]) -> None:
        try:
            while queue:
                event = queue.popleft()
                async with self._slots:
                    try:
                        await self._handle(event)
                    except Exception:  # noqa: BLE001 - one bad event must not stop the person's next ones
                        log.exception("event %s from %s failed", event.event_id, psid)
        finally:
            self._queues.pop(psid, None)

    @property
    def busy(self) -> bool:
        """True while any event is queued or in hand."""
        return bool(self._tasks)

    async def drain(self, timeout: float) -> None:
        """Wait for the events in hand, cancelling what is left after `timeout` seconds."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("%d conversation(s) still busy at shutdown; their events were dropped", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)


class MessengerChannel:
    """The bot on a Facebook page: webhook events in, through the dialogue core, replies out."""

    def __init__(self, config: MessengerConfig, dialogue: DialogueLike, *,
                 state: MessengerState | None = None, api: GraphApi | None = None,
                 on_foreign_reply: ForeignReplyHandler | None = None) -> None:
        self.config = config
        self.dialogue = dialogue
        if on_foreign_reply is None:  # a handoff leaves its messages for the advisors in its outbox
            on_foreign_reply = getattr(getattr(dialogue, "handoff", None), "hand_on", None)
        self.state = state or MessengerState(config.db_path)
        self.api = api or GraphApi(config.page_access_token, config.graph_url, app_secret=config.app_secret,
                                   policy=config.retry)
        self.sender = MessengerSender(self.api, self.state, on_foreign_reply)
        self.queues = ConversationQueues(self.handle, config.max_concurrent)

    def submit(self, events: list[InboundEvent]) -> None:
        """Queue checked webhook events; each person's are answered in order, in the background."""
        for event in events:
            self.queues.submit(event)

    async def handle(self, event: InboundEvent) -> None:
        """Event -> (once) core in a worker thread -> replies -> Send API."""
        if not await asyncio.to_thread(self.state.accept, event.event_id, event.psid, event.timestamp):
            log.info("event %s was delivered again; handled before, skipped", event.event_id)
            return
        replies = await asyncio.to_thread(self.dialogue.handle, event.message)
        await self.sender.deliver(event.psid, replies)

    def app(self) -> Starlette:
        """The ASGI app serving the webhook; closing it (lifespan shutdown) closes the channel."""

        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            try:
                yield
            finally:
                await self.close()

        return webhook_app(self, verify_token=self.config.verify_token, app_secret=self.config.app_secret,
                           lifespan=lifespan)

    async def close(self) -> None:
        """Let events in hand finish (up to drain_timeout), then close the HTTP client and the database."""
        try:
            await self.queues.drain(self.config.drain_timeout)
        finally:
            await self.api.aclose()
            self.state.close()


def build_sender(settings: Any, on_foreign_reply: ForeignReplyHandler | None = None) -> MessengerSender:
    """A sender for advisors' replies from another process (e.g. the Telegram bot); needs the page token."""
    config = MessengerConfig.from_settings(settings, need=("MESSENGER_PAGE_ACCESS_TOKEN",))
    api = GraphApi(config.page_access_token, config.graph_url, app_secret=config.app_secret or None)
    return MessengerSender(api, MessengerState(config.db_path), on_foreign_reply)


def run_messenger(settings: Any, host: str = "127.0.0.1", port: int = 8080, *, dialogue: DialogueLike | None = None,
                  on_foreign_reply: ForeignReplyHandler | None = None) -> int:
    """`migrant-bot messenger`: check the secrets, build the core, serve the webhook until SIGINT/SIGTERM."""
    import uvicorn

    try:
        config = MessengerConfig.from_settings(settings)  # before anything slow starts
    except MessengerSettingsError as exc:
        print(f"migrant-bot messenger: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if dialogue is None:
        from bot.app import build_dialogue  # the composition root; imported late, it loads models

        dialogue = build_dialogue(settings)
    channel = MessengerChannel(config, dialogue, on_foreign_reply=on_foreign_reply)
    log.info("Messenger webhook on http://%s:%d/webhook", host, port)
    uvicorn.run(channel.app(), host=host, port=port, lifespan="on", access_log=False, log_level="info")
    return 0


def setup_profile(settings: Any) -> int:
    """`migrant-bot messenger setup`: publish the Get Started button, greeting and persistent menu."""
    try:
        config = MessengerConfig.from_settings(settings, need=("MESSENGER_PAGE_ACCESS_TOKEN",))
    except MessengerSettingsError as exc:
        print(f"migrant-bot messenger setup: {exc}", file=sys.stderr)
        return 2

    async def publish() -> int:
        api = GraphApi(config.page_access_token, config.graph_url, app_secret=config.app_secret or None,
                       policy=config.retry)
        try:
            result = await apply_profile(api)
        finally:
            await api.aclose()
        if not result.ok:
            print(f"migrant-bot messenger setup: Meta refused the profile: {result.detail}", file=sys.stderr)
            return 1
        print("Messenger profile set: Get Started button, greeting and menu (uk_UA, ru_RU, pl_PL, default).")
        return 0

    return asyncio.run(publish())
