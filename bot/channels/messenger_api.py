"""The Graph API calls the bot makes (Send API, messenger_profile), with Meta's errors sorted and retried."""

from __future__ import annotations

import asyncio
import enum
import hashlib
import hmac
import logging
import random
from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels.messenger_state import Messaging

log = logging.getLogger(__name__)

RATE_LIMIT_CODES = {4, 17, 32, 613}  # app, user, page and Send API call limits
TRANSIENT_CODES = {1, 2, 1200}  # unknown error, service unavailable, temporary send failure
USER_UNAVAILABLE = (551, 1545041)  # "This person isn't available right now"
OUTSIDE_WINDOW_SUBCODE = 2018278  # "(#10) This message is sent outside of allowed window"


class SendStatus(enum.StrEnum):
    """What became of one call."""

    SENT = "sent"
    USER_UNAVAILABLE = "user_unavailable"  # blocked the page, deleted the account...: not retried
    WINDOW_CLOSED = "window_closed"  # too long since the person wrote: Messenger does not allow it
    RATE_LIMITED = "rate_limited"  # still limited after every retry
    FAILED = "failed"  # rejected, or still failing after every retry


@dataclass(frozen=True)
class SendResult:
    """The outcome of a call, with Meta's message id or a reason a person can read."""

    status: SendStatus
    message_id: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True if Meta accepted the call."""
        return self.status is SendStatus.SENT


@dataclass(frozen=True)
class GraphError:
    """An error answer of the Graph API: HTTP status, Meta's code and subcode, its message."""

    status: int
    code: int | None = None
    subcode: int | None = None
    message: str = ""
    transient: bool = False

    @classmethod
    def from_response(cls, response: httpx.Response) -> GraphError:
        """Read {"error": {...}} from an answer; an empty error when the body is not Meta's JSON."""
        try:
            error = response.json().get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        if not isinstance(error, dict):
            error = {}
        return cls(response.status_code, _int(error.get("code")), _int(error.get("error_subcode")),
                   str(error.get("message") or response.reason_phrase)[:300], bool(error.get("is_transient")))

    @property
    def rate_limited(self) -> bool:
        """Too many calls: wait and repeat."""
        return self.status == 429 or self.code in RATE_LIMIT_CODES

    @property
    def retryable(self) -> bool:
        """Worth repeating: rate limits, server errors and errors Meta calls transient."""
        return self.rate_limited or self.status >= 500 or self.transient or self.code in TRANSIENT_CODES

    def __str__(self) -> str:
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"HTTP {self.status}, code {self.code}{sub}: {self.message}"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one call: attempts in all, and exponential backoff with jitter between them."""

    attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 30.0

    def delay(self, attempt: int, rate_limited: bool = False) -> float:
        """Seconds to wait after the `attempt`-th failure (longer for rate limits)."""
        base = min(self.max_backoff, self.backoff * (4 if rate_limited else 1) * 2 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)


class GraphApi:
    """A small async client for the page's Graph API calls; the token never appears in URLs or logs."""

    def __init__(self, token: str, base_url: str, *, app_secret: str | None = None,
                 policy: RetryPolicy | None = None, timeout: float = 20.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        params = {"appsecret_proof": _proof(token, app_secret)} if app_secret else {}
        self.policy = policy or RetryPolicy()
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/", params=params, timeout=timeout,
                                        headers={"Authorization": f"Bearer {token}"}, transport=transport)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    async def send_message(self, psid: str, message: dict[str, Any], messaging: Messaging) -> SendResult:
        """Send one message object to a person (POST /me/messages)."""
        body = {"recipient": {"id": psid}, **messaging.fields(), "message": message}
        return await self.post("me/messages", body, f"message to {psid}")

    async def set_messenger_profile(self, profile: dict[str, Any]) -> SendResult:
        """Set the page's Get Started button, persistent menu, greeting (POST /me/messenger_profile)."""
        return await self.post("me/messenger_profile", profile, "messenger_profile")

    async def post(self, path: str, body: dict[str, Any], what: str) -> SendResult:
        """POST JSON; rate limits, 5xx and network errors retried with backoff, other errors returned."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.client.post(path, json=body)
            except httpx.TransportError as exc:
                if attempt >= self.policy.attempts:
                    log.error("%s: gave up after %d attempts: %s", what, attempt, exc)
                    return SendResult(SendStatus.FAILED, detail=f"network error: {exc}")
                delay = self.policy.delay(attempt)
                log.warning("%s: %s; retry %d in %.2f s", what, exc, attempt, delay)
                await asyncio.sleep(delay)
                continue
            if response.is_success:
                return SendResult(SendStatus.SENT, message_id=_message_id(response))
            error = GraphError.from_response(response)
            if not error.retryable or attempt >= self.policy.attempts:
                return _failure(error, what, attempt)
            delay = _retry_after(response) or self.policy.delay(attempt, error.rate_limited)
            log.warning("%s: %s; retry %d in %.2f s", what, error, attempt, delay)
            await asyncio.sleep(delay)


def _failure(error: GraphError, what: str, attempts: int) -> SendResult:
    if error.code == USER_UNAVAILABLE[0] or error.subcode == USER_UNAVAILABLE[1]:
        log.info("%s: the person is not available on Messenger (%s); not retried", what, error)
        return SendResult(SendStatus.USER_UNAVAILABLE, detail=str(error))
    if error.subcode == OUTSIDE_WINDOW_SUBCODE:
        log.warning("%s: outside the messaging window (%s)", what, error)
        return SendResult(SendStatus.WINDOW_CLOSED, detail=str(error))
    if error.rate_limited:
        log.error("%s: still rate limited after %d attempts (%s)", what, attempts, error)
        return SendResult(SendStatus.RATE_LIMITED, detail=str(error))
    log.error("%s: Meta refused it after %d attempt(s): %s", what, attempts, error)
    return SendResult(SendStatus.FAILED, detail=str(error))


def _retry_after(response: httpx.Response) -> float | None:
    """A Retry-After header in seconds, capped at a minute; None if absent or odd."""
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return min(max(value, 0.0), 60.0)


def _message_id(response: httpx.Response) -> str | None:
    try:
        value = response.json().get("message_id")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def _proof(token: str, app_secret: str) -> str:
    """appsecret_proof: lets a page require that calls with its token come from this app."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
