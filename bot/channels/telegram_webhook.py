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
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.channels.telegram_updates import ChatDispatcher

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts as secret_token


def webhook_app(bot: Bot, dispatcher: ChatDispatcher, path: str, secret: str) -> Starlette:
    """The ASGI app: checks Telegram's secret header, answers 200 once the update is handled."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call without the right secret token from %s", request.client)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            update = Update.de_json(json.loads(await request.body()), bot)
        except (ValueError, TypeError, KeyError) as exc:
            return PlainTextResponse(f"not an update: {exc}", status_code=400)
        done = dispatcher.submit(update)
        if done is not None:
            # Answer only when handled: if we die first, Telegram delivers the update again.
            await asyncio.shield(done)
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health)])


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
