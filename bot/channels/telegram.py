"""The Telegram channel: builds the python-telegram-bot Application and runs it by polling or webhook."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram_advisors import AdvisorsDesk, MessengerAdvisorSender
from bot.channels.telegram_commands import menus
from bot.channels.telegram_inbound import BotIdentity, thread_of, to_incoming
from bot.channels.telegram_send import RetryPolicy, Sender, call_with_retries
from bot.channels.telegram_state import TelegramState, UpdateLedger
from bot.channels.telegram_updates import ALLOWED_UPDATES, ChatDispatcher, poll_updates
from bot.channels.telegram_webhook import (
    SECRET_FORMAT,
    WebhookServer,
    listening_socket,
    server_config,
    webhook_app,
)
from bot.messages import IncomingMessage, Reply
from bot.settings import SettingsError
from handoff.service import HandoffService

log = logging.getLogger(__name__)

TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")


class TelegramSettingsError(SettingsError):
    """The Telegram settings cannot work; the message says what to fix."""


class DialogueLike(Protocol):
    """The dialogue core as the channel sees it."""

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Answer one message (synchronous; called from a worker thread)."""
        ...


@dataclass(frozen=True)
class TelegramConfig:
    """What the channel needs: token and endpoints from the settings, tuning that tests may change."""

    token: str
    base_url: str = "https://api.telegram.org/bot"
    db_path: Path | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    advisors_chat_id: str | None = None
    poll_timeout: int = 30
    busy_poll_interval: float = 0.5
    max_concurrent_updates: int = 64
    messages_per_second: float = 30.0  # Telegram's overall flood limit
    group_messages_per_minute: float = 20.0  # ... and the one for each group
    rate_limit_retries: int = 3  # 429s the rate limiter waits out itself, pausing all sending
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    typing_interval: float = 4.5
    drain_timeout: float = 10.0
    handoff_tick_seconds: float = 30.0  # reminders and duty-window starts
    handoff_flush_seconds: float = 2.0  # outbox messages left unsent (or written by the Messenger process)

    @property
    def webhook(self) -> bool:
        """Webhook mode when a public webhook URL is configured, long polling otherwise."""
        return bool(self.webhook_url)

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to: the path of the public URL (the proxy passes it through)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @classmethod
    def from_settings(cls, settings: Any, **tuning: Any) -> TelegramConfig:
        """Check the Telegram settings and build the config; TelegramSettingsError says what is wrong."""
        secret = settings.telegram_bot_token
        token = validate_token(secret.get_secret_value() if secret is not None else None)
        hook_secret = settings.telegram_webhook_secret
        config = cls(
            token=token,
            base_url=settings.telegram_base_url,
            db_path=Path(settings.database_path),
            webhook_url=settings.telegram_webhook_url or None,
            webhook_secret=hook_secret.get_secret_value() if hook_secret is not None else None,
            listen_host=getattr(settings, "telegram_webhook_host", None) or cls.listen_host,
            listen_port=int(getattr(settings, "telegram_webhook_port", None) or cls.listen_port),
            advisors_chat_id=str(settings.advisors_chat_id) if settings.advisors_chat_id else None,
            handoff_tick_seconds=float(getattr(settings, "handoff_tick_seconds", cls.handoff_tick_seconds)),
            **tuning,
        )
        validate_webhook(config)
        return config


def validate_token(token: str | None) -> str:
    """The bot token if it looks like one BotFather issues; otherwise a clear TelegramSettingsError."""
    if not token or not token.strip():
        raise TelegramSettingsError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather (/newbot) and put the token it "
            "gives you in the environment, e.g. TELEGRAM_BOT_TOKEN=123456789:AA... migrant-bot telegram"
        )
    token = token.strip()
    if not TOKEN_FORMAT.match(token):
        raise TelegramSettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token: expected digits, a colon and at least "
            "30 letters, digits, '_' or '-' (as @BotFather shows it), without quotes or spaces"
        )
    return token


def validate_webhook(config: TelegramConfig) -> None:
    """Webhook mode needs an https URL and a secret token Telegram accepts."""
    if not config.webhook:
        return
    url = urlsplit(config.webhook_url or "")
    if url.scheme != "https" or not url.hostname:
        raise TelegramSettingsError(
            f"TELEGRAM_WEBHOOK_URL must be a public https:// URL (Telegram posts only to https), "
            f"got {config.webhook_url!r}"
        )
    if not config.webhook_secret or not SECRET_FORMAT.match(config.webhook_secret):
        raise TelegramSettingsError(
            "webhook mode needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, '_' and '-'; "
            "Telegram sends it with every update and the bot refuses requests without it"
        )


def build_application(config: TelegramConfig) -> Application:
    """A PTB Application on the configured Bot API server, sending through the rate limiter."""
    limiter = AIORateLimiter(
        overall_max_rate=config.messages_per_second,
        overall_time_period=1,
        group_max_rate=config.group_messages_per_minute,
        group_time_period=60,
        max_retries=config.rate_limit_retries,
    )
    return (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url)
        .rate_limiter(limiter)
        .updater(None)  # updates come from poll_updates or the webhook app, through ChatDispatcher
        .connect_timeout(10)
        .read_timeout(20)
        .write_timeout(20)
        .pool_timeout(10)
        .build()
    )


class TelegramChannel:
    """The bot on Telegram: updates in, through the dialogue core, replies out."""

    def __init__(
        self,
        config: TelegramConfig,
        dialogue: DialogueLike,
        state: TelegramState | None = None,
        *,
        handoff: HandoffService | None = None,
        messenger: MessengerAdvisorSender | None = None,
    ) -> None:
        self.config = config
        self.dialogue = dialogue
        self.state = state or TelegramState(config.db_path)
        self.application = build_application(config)
        self.sender = Sender(self.application.bot, self.state, config.retry, config.typing_interval)
        self.ledger = UpdateLedger(self.state, ordered=not config.webhook)
        self.dispatcher = ChatDispatcher(
            self.application.process_update, self.ledger, config.max_concurrent_updates
        )
        service = handoff if handoff is not None else getattr(dialogue, "handoff", None)
        self.desk: AdvisorsDesk | None = None  # the advisors' group, when the core hands off to it
        if config.advisors_chat_id and isinstance(service, HandoffService):
            self.desk = AdvisorsDesk(
                service,
                self.application.bot,
                self.sender,
                config.advisors_chat_id,
                config.retry,
                messenger=messenger,
                tick_seconds=config.handoff_tick_seconds,
                flush_seconds=config.handoff_flush_seconds,
            )
        self.me: BotIdentity | None = None
        self.webhook_port: int | None = None
        self._started = False
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_update))
        self.application.add_handler(CallbackQueryHandler(self.on_update))
        self.application.add_error_handler(self.on_error)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Update -> IncomingMessage -> core (in a worker thread) -> replies -> Telegram."""
        assert self.me is not None, "start() first"
        msg = to_incoming(update, self.me, self.config.advisors_chat_id)
        if msg is None:
            return
        if update.callback_query is not None:
            await self.sender.answer_callback(update.callback_query.id)
        if self.desk is not None and msg.chat_id == self.config.advisors_chat_id:
            await self.desk.on_update(update, msg)  # the advisors' group talks to the handoff, not the core
            return
        self.state.unblock(msg.chat_id)  # writing to the bot means it is not blocked any more
        thread = thread_of(update)
        async with self.sender.typing(msg.chat_id, thread):
            replies = await asyncio.to_thread(self.dialogue.handle, msg)
        await self.deliver(replies, msg.chat_id, thread)

    async def deliver(self, replies: list[Reply], chat_id: str, thread: int | None = None) -> None:
        """Send the core's replies; with a handoff, through the advisors' desk (topics, outbox, Messenger)."""
        if self.desk is not None:
            await self.desk.deliver(replies, chat_id, thread)
        else:
            await self.sender.deliver(replies, chat_id, thread)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what went wrong with an update; the next updates carry on."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)

    async def start(self) -> None:
        """Check the token with getMe, publish the command menus, set or delete the webhook."""
        try:
            await call_with_retries(self.application.initialize, self.config.retry, "getMe")
            self._started = True
        except InvalidToken as exc:
            raise TelegramSettingsError(
                f"Telegram does not accept TELEGRAM_BOT_TOKEN ({exc}); check it with @BotFather (/token)"
            ) from exc
        bot = self.application.bot
        self.me = BotIdentity(bot.id, bot.username)
        policy = self.config.retry
        for language, commands in menus():
            await call_with_retries(
                functools.partial(bot.set_my_commands, commands, language_code=language),
                policy,
                f"setMyCommands {language or 'default'}",
            )
        if self.config.webhook:
            await call_with_retries(
                lambda: bot.set_webhook(
                    self.config.webhook_url or "",
                    secret_token=self.config.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=40,
                ),
                policy,
                "setWebhook",
            )
        else:
            await call_with_retries(
                lambda: bot.delete_webhook(drop_pending_updates=False), policy, "deleteWebhook"
            )
        if self.desk is not None:
            await self.desk.start()  # what a crash or the Messenger process left in the handoff outbox
        log.info(
            "Telegram bot @%s started (%s)",
            self.me.username,
            "webhook" if self.config.webhook else "long polling",
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates until `stop` is set, then let those in hand finish."""
        desk = asyncio.create_task(self.desk.run(stop), name="handoff-desk") if self.desk else None
        try:
            if self.config.webhook:
                await self._run_webhook(stop)
            else:
                await self._run_polling(stop)
            await self.dispatcher.drain(self.config.drain_timeout)
        finally:
            if desk is not None:  # it stops by itself after the round in hand
                await asyncio.wait({desk}, timeout=self.config.drain_timeout)
                desk.cancel()
                await asyncio.gather(desk, return_exceptions=True)

    async def _run_polling(self, stop: asyncio.Event) -> None:
        poller = asyncio.create_task(
            poll_updates(
                self.application.bot,
                self.dispatcher,
                self.ledger,
                timeout=self.config.poll_timeout,
                busy_interval=self.config.busy_poll_interval,
                policy=self.config.retry,
            ),
            name="telegram-poll",
        )
        await _until(stop, poller)

    async def _run_webhook(self, stop: asyncio.Event) -> None:
        app = webhook_app(
            self.application.bot, self.dispatcher, self.config.webhook_path, self.config.webhook_secret or ""
        )
        sock = listening_socket(self.config.listen_host, self.config.listen_port)
        self.webhook_port = sock.getsockname()[1]
        server = WebhookServer(server_config(app))
        serving = asyncio.create_task(server.serve(sockets=[sock]), name="telegram-webhook")
        try:
            await _until(stop, serving, on_stop=lambda: setattr(server, "should_exit", True))
        finally:
            sock.close()

    async def close(self) -> None:
        """Shut the Application down and close the database."""
        try:
            if self._started:
                self._started = False
                await self.application.shutdown()
        finally:
            self.state.close()

    async def __aenter__(self) -> TelegramChannel:
        """Start the channel (see start)."""
        try:
            await self.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the channel."""
        await self.close()


async def _until(stop: asyncio.Event, task: asyncio.Task[Any], on_stop: Any = None) -> None:
    """Run `task` until `stop` is set (then stop it) or until it ends by itself (then raise its error)."""
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        task.result()  # raises if it failed, e.g. InvalidToken or the port being taken
        return
    if on_stop is not None:
        on_stop()
        await asyncio.wait({task}, timeout=10)
    if not task.done():
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def serve(
    config: TelegramConfig,
    dialogue: DialogueLike,
    stop: asyncio.Event | None = None,
    *,
    messenger: MessengerAdvisorSender | None = None,
) -> None:
    """Run the channel until `stop` is set (by default: until SIGINT or SIGTERM)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    async with TelegramChannel(config, dialogue, messenger=messenger) as channel:
        await channel.run(stop)


def messenger_sender(settings: Any) -> MessengerAdvisorSender | None:
    """The way to people on Messenger for advisors' replies, when a page token is set; else None."""
    token = getattr(settings, "messenger_page_access_token", None)
    if token is None or not token.get_secret_value().strip():
        return None
    from bot.channels.messenger import build_sender

    return build_sender(settings)


def run_telegram(settings: Any, dialogue: DialogueLike | None = None) -> int:
    """`migrant-bot telegram`: check the settings, build the core, run until SIGINT/SIGTERM; the exit status.

    Settings to fix (a missing or malformed token, a token Telegram refuses, a webhook without a secret)
    are reported in one line on stderr with status 2, before the core is built where possible.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # opt in to PTB's timedelta durations, no warnings
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines would print the token
    try:
        config = TelegramConfig.from_settings(settings)
        if dialogue is None:
            from bot.app import build_dialogue  # the composition root; imported late, it loads models

            dialogue = build_dialogue(settings)
        asyncio.run(serve(config, dialogue, messenger=messenger_sender(settings)))
    except TelegramSettingsError as exc:
        print(f"migrant-bot telegram: {exc}", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(
            f"migrant-bot telegram: cannot reach the Bot API at {settings.telegram_base_url}: {exc}",
            file=sys.stderr,
        )
        return 1
    return 0
