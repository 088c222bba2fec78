"""Messenger test helpers: Meta-shaped events, signed bodies, a stand-in core, a live webhook."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fb_fake_graph import FakeGraphApi
from starlette.applications import Starlette

from bot.channels.messenger import MessengerChannel, MessengerConfig
from bot.channels.messenger_api import RetryPolicy
from bot.channels.messenger_events import SIGNATURE_HEADER, sign
from bot.messages import Button, IncomingMessage, Reply

APP_SECRET = "0123456789abcdef0123456789abcdef"
VERIFY_TOKEN = "verify-me-3f9c2a7e"
PAGE_ID = "1234567890123456"
_mids = itertools.count(1)


# ----- Meta's notifications (shapes from the Messenger Platform webhook reference) -----
def now_ms() -> int:
    """Meta's timestamps: milliseconds since the epoch."""
    return int(time.time() * 1000)


def notification(*items: dict[str, Any], entries: int = 1) -> dict[str, Any]:
    """A `page` notification; with `entries` > 1 the items are cut into that many consecutive entries."""
    size = -(-len(items) // entries)
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": now_ms(), "messaging": chunk}
                                        for chunk in chunks]}


def _item(psid: str, **event: Any) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms(), **event}


def new_mid() -> str:
    """A message id like Meta's."""
    return f"m_AbCdEf{next(_mids):06d}xYz-GhIjKlMnOpQrStUvWxYz"


def text_event(psid: str, text: str, mid: str | None = None) -> dict[str, Any]:
    """A person typed a text."""
    return _item(psid, message={"mid": mid or new_mid(), "text": text})


def quick_reply_event(psid: str, title: str, payload: str) -> dict[str, Any]:
    """A person tapped a quick reply."""
    return _item(psid, message={"mid": new_mid(), "text": title, "quick_reply": {"payload": payload}})


def postback_event(psid: str, payload: str, title: str = "Get Started") -> dict[str, Any]:
    """A person tapped Get Started or a menu item."""
    return _item(psid, postback={"mid": new_mid(), "title": title, "payload": payload})


def attachment_event(psid: str, kind: str = "image") -> dict[str, Any]:
    """A person sent a photo (or audio, file...)."""
    return _item(psid, message={"mid": new_mid(), "attachments": [
        {"type": kind, "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/1.jpg?_nc_cat=1"}}]})


def echo_event(psid: str, text: str) -> dict[str, Any]:
    """The page's own message coming back (sender is the page)."""
    return {"sender": {"id": PAGE_ID}, "recipient": {"id": psid}, "timestamp": now_ms(),
            "message": {"is_echo": True, "app_id": 1517776481860111, "mid": new_mid(), "text": text}}


def delivery_event(psid: str) -> dict[str, Any]:
    """Messages were delivered."""
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID},
            "delivery": {"mids": [new_mid()], "watermark": now_ms()}}


def read_event(psid: str) -> dict[str, Any]:
    """Messages were read."""
    return _item(psid, read={"watermark": now_ms()})


def meta_body(payload: dict[str, Any]) -> bytes:
    """The bytes as Meta sends them: compact JSON, non-ASCII as \\uXXXX, slashes escaped as \\/."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def signed(raw: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    """Headers of a genuine notification for these bytes."""
    return {SIGNATURE_HEADER: sign(raw, secret), "Content-Type": "application/json"}


# ----- a stand-in core -----
class RecordingDialogue:
    """A stand-in for the dialogue core: records messages, notices overlaps within a person's conversation."""

    def __init__(self, answer: Callable[[IncomingMessage], list[Reply]] | None = None,
                 delay: float = 0.0) -> None:
        self.answer = answer or scripted_answer
        self.delay = delay
        self.seen: list[IncomingMessage] = []
        self.overlaps: list[str] = []
        self.max_parallel = 0
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Record, check that this conversation is not being handled already, answer."""
        with self._lock:
            if msg.chat_id in self._active:
                self.overlaps.append(msg.chat_id)
            self._active.add(msg.chat_id)
            self.seen.append(msg)
            self.max_parallel = max(self.max_parallel, len(self._active))
        try:
            if self.delay:
                time.sleep(self.delay)
            return self.answer(msg)
        finally:
            with self._lock:
                self._active.discard(msg.chat_id)

    def texts(self, psid: str) -> list[str]:
        """The texts the core was given in one conversation."""
        return [m.text for m in self.seen if m.chat_id == psid]


def scripted_answer(msg: IncomingMessage) -> list[Reply]:
    """A tiny imitation of the core."""
    if msg.text == "/start":
        return [Reply("Привіт! Оберіть мову.", [[
            Button("Українська", "lang:uk"), Button("Русский", "lang:ru"), Button("Polski", "lang:pl"),
            Button("English", "lang:en")]])]
    if msg.payload:
        return [Reply(f"pressed {msg.payload}")]
    if msg.attachments:
        return [Reply(f"I read text only ({', '.join(msg.attachments)})")]
    return [Reply(f"echo: {msg.text}")]


# ----- the channel live on 127.0.0.1 -----
def make_config(fake: FakeGraphApi, db_path: Path | None, **tuning: Any) -> MessengerConfig:
    """A config for the fake Graph API with fast retries."""
    values: dict[str, Any] = dict(
        page_access_token=fake.token, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN, graph_url=fake.url,
        db_path=db_path, drain_timeout=5, retry=RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05))
    values.update(tuning)
    return MessengerConfig(**values)


class _Server(uvicorn.Server):
    """uvicorn that leaves signals to pytest."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Install no signal handlers."""
        yield


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free port of 127.0.0.1 in this event loop; yields its URL."""
    sock = socket.create_server(("127.0.0.1", 0))
    server = _Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
        sock.close()


@dataclass
class Live:
    """A running channel: its webhook URL, an HTTP client for it, and the channel itself."""

    url: str
    client: httpx.AsyncClient
    channel: MessengerChannel

    async def post(self, payload: dict[str, Any]) -> httpx.Response:
        """Deliver a notification the way Meta does (escaped raw bytes, signed)."""
        raw = meta_body(payload)
        return await self.client.post("/webhook", content=raw, headers=signed(raw))

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every queued event has been handled."""
        deadline = time.monotonic() + timeout
        while self.channel.queues.busy:
            assert time.monotonic() < deadline, "events still in hand"
            await asyncio.sleep(0.01)


@asynccontextmanager
async def live_channel(fake: FakeGraphApi, dialogue: Any, db_path: Path | None = None,
                       **options: Any) -> AsyncIterator[Live]:
    """The channel's webhook served on 127.0.0.1 against the fake Graph API; all closed on exit."""
    on_foreign_reply = options.pop("on_foreign_reply", None)
    channel = MessengerChannel(make_config(fake, db_path, **options), dialogue,
                               on_foreign_reply=on_foreign_reply)
    async with serving(channel.app()) as url, httpx.AsyncClient(base_url=url, trust_env=False) as client:
        yield Live(url, client, channel)
