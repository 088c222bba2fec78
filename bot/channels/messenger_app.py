"""The webhook Meta calls: the subscription check, and signed notifications queued for the channel."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.messenger_events import (SIGNATURE_HEADER, InboundEvent, WebhookError, events_from_body,
                                           parse_body, signature_valid, verify_token_valid)
from bot.channels.messenger_state import utcnow

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Meta's notifications are a few kB; anything this big is not from Meta
WEBHOOK_PATH = "/webhook"


class EventSink(Protocol):
    """Where checked events go: the channel, which answers them in the background."""

    def submit(self, events: list[InboundEvent]) -> None:
        """Queue events without waiting for them to be handled."""
        ...


class BodyTooLarge(Exception):
    """The request body is over MAX_BODY."""


Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def webhook_app(sink: EventSink, *, verify_token: str, app_secret: str,
                lifespan: Lifespan | None = None) -> Starlette:
    """The ASGI app: GET and POST /webhook, GET /healthz."""

    async def subscribe(request: Request) -> Response:
        query = request.query_params
        if not verify_token_valid(query.get("hub.mode"), query.get("hub.verify_token"), verify_token):
            log.warning("webhook subscription check with a wrong verify token or mode from %s",
                        _peer(request))
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(query.get("hub.challenge", ""))

    async def notify(request: Request) -> Response:
        try:
            raw = await read_limited(request, MAX_BODY)
        except BodyTooLarge:
            log.warning("webhook body over %d bytes from %s; refused", MAX_BODY, _peer(request))
            return PlainTextResponse("payload too large", status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        if not signature_valid(raw, request.headers.get(SIGNATURE_HEADER), app_secret):
            log.warning("webhook call with a missing or wrong %s from %s; refused", SIGNATURE_HEADER,
                        _peer(request))
            return PlainTextResponse("forbidden", status_code=403)
        try:
            events = events_from_body(parse_body(raw), utcnow())
        except WebhookError as exc:
            log.warning("signed webhook body is not a notification (%s); refused", exc)
            return PlainTextResponse("bad request", status_code=400)
        sink.submit(events)  # handled in the background: Meta wants its 200 within seconds
        return PlainTextResponse("EVENT_RECEIVED")

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(WEBHOOK_PATH, subscribe, methods=["GET"]),
                             Route(WEBHOOK_PATH, notify, methods=["POST"]),
                             Route("/healthz", health, methods=["GET"])], lifespan=lifespan)


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, refusing (BodyTooLarge) as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _peer(request: Request) -> str:
    return request.client.host if request.client else "?"
