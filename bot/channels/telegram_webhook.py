"""Webhook mode: a small Starlette app that Telegram (through a reverse proxy) posts updates to."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import socket
from collections.abc import Generator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.channels.telegram_updates import ChatDispatcher

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts as secret_token
MAX_BODY = 1024 * 1024  # an update is a few kB; anything this big is not from Telegram


def webhook_app(bot: Bot, dispatcher: ChatDispatcher, path: str, secret: str) -> Starlette:
    """The ASGI app: checks Telegram's secret header, answers 200 once the update is handled."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call without the right secret token from %s", request.client)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            raw = await _read_limited(request, MAX_BODY)
        except ClientDisconnect:
            return Response(status_code=400)
        if raw is None:
            log.warning("webhook body over %d bytes from %s; refused", MAX_BODY, request.client)
            return PlainTextResponse("payload too large", status_code=413)
        try:
            update = parse_update(raw, bot)
        except ValueError as exc:
            log.warning("webhook body is not an update (%s); refused", exc)
            return PlainTextResponse("not an update", status_code=400)
        done = dispatcher.submit(update)
        if done is not None:
            # Answer only when handled: if we die first, Telegram delivers the update again.
            await asyncio.shield(done)
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health)])


def parse_update(raw: bytes, bot: Bot) -> Update:
    """The Update in a webhook body; ValueError (saying why, in a few words) for anything else."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON; nesting too deep to parse
        raise ValueError(f"not JSON: {str(exc)[:100]}") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 <= update_id < 2**62:  # bool is an int; SQLite holds 64 bits
        raise ValueError("no valid update_id")
    if not any(kind in data for kind in Update.ALL_TYPES):
        # Telegram sends only the allowed_updates kinds: a body with none of them is not from Telegram.
        raise ValueError(f"no known update kind among {[str(k)[:30] for k in sorted(data)[:5]]}")
    try:
        return Update.de_json(data, bot)
    except Exception as exc:  # noqa: BLE001 - PTB raises anything on fields of the wrong type
        raise ValueError(f"{type(exc).__name__}: {str(exc)[:100]}") from None


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def server_config(app: Starlette) -> uvicorn.Config:
    """uvicorn settings for the webhook app: quiet, no lifespan events, no access log."""
    return uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)


class WebhookServer(uvicorn.Server):
    """uvicorn that leaves signal handling to the caller, who stops it with `should_exit`."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Do not install signal handlers: the channel owns SIGINT/SIGTERM."""
        yield


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket (port 0: a free one), handed to uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, reuse_port=False)
    sock.set_inheritable(True)
    return sock
