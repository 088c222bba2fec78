"""A fake Telegram Bot API server on 127.0.0.1 for tests: real HTTP, real JSON shapes, injectable faults."""

from __future__ import annotations

import asyncio
import html
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456789:AAExampleExampleExampleExample_1234"
BOT_ID = 123456789
BOT_USERNAME = "migrant_help_test_bot"
_STRING_PARAMS = {
    "text",
    "url",
    "secret_token",
    "language_code",
    "callback_query_id",
    "action",
    "parse_mode",
    "caption",
}
_TELEGRAM_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "blockquote",
}


@dataclass
class Fault:
    """An error the server answers instead of doing the call: kind is 429, 500, 502, 403, 400 or drop."""

    method: str
    kind: str
    times: int = 1
    retry_after: int = 1
    chat_id: int | str | None = None
    skip: int = 0  # matching calls to let through first


@dataclass
class Call:
    """One request the server received, and what it answered."""

    method: str
    params: dict[str, Any]
    outcome: str = "ok"
    at: float = field(default_factory=time.monotonic)


class FakeBotApi:
    """The Bot API as python-telegram-bot sees it, on a free port of 127.0.0.1, with scripted faults."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.cond = threading.Condition()
        self.updates: list[dict[str, Any]] = []  # not yet confirmed by a getUpdates offset
        self.next_update_id = 1000
        self.next_message_id = 1
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []  # messages Telegram would show, in delivery order
        self.faults: list[Fault] = []
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.closing = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: set[threading.Thread] = set()
        self._connections: set[socket.socket] = set()

    # ----- lifecycle -----
    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_BASE_URL."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> FakeBotApi:
        """Listen on a free port in a background thread."""
        fake = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients hanging up (a cancelled long poll) are part of the tests

            def process_request(self, request: Any, client_address: Any) -> None:
                thread = threading.Thread(
                    target=self.process_request_thread,
                    args=(request, client_address),
                    name="fake-bot-api-conn",
                    daemon=True,
                )
                with fake.cond:
                    fake._handlers.add(thread)
                    fake._connections.add(request)
                thread.start()

        self._server = Server(("127.0.0.1", 0), _handler_class(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and check that all the server's threads ended."""
        with self.cond:
            self.closing = True
            self.cond.notify_all()
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        for thread in list(self._handlers):
            thread.join(5)
        alive = [t for t in self._handlers if t.is_alive()] + (
            [self._thread] if self._thread.is_alive() else []
        )
        assert not alive, f"fake Bot API threads still running: {alive}"

    # ----- what users do -----
    def push(self, body: dict[str, Any]) -> int:
        """Queue an update (its kind and content in `body`); returns its update_id."""
        with self.cond:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.updates.append({"update_id": update_id, **body})
            self.cond.notify_all()
        return update_id

    def message(self, chat_id: int, text: str | None = None, **fields: Any) -> int:
        """Queue a message (or, with kind="edited_message", an edit) from a user; see message_update."""
        update = self.message_update(chat_id, text, **fields)
        return self.push({k: v for k, v in update.items() if k != "update_id"})

    def message_update(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user_id: int | None = None,
        language: str | None = "uk",
        chat_type: str = "private",
        is_bot: bool = False,
        kind: str = "message",
        **extra: Any,
    ) -> dict[str, Any]:
        """A message update as Telegram would send it (not queued; for webhook tests)."""
        message: dict[str, Any] = {
            "message_id": self._new_message_id(),
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": chat_type,
                **({"title": "Group"} if chat_type != "private" else {}),
            },
            "from": _user(user_id if user_id is not None else chat_id, language, is_bot),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if kind == "edited_message":
            message["edit_date"] = int(time.time())
        with self.cond:
            update_id = self.next_update_id
            self.next_update_id += 1
        return {"update_id": update_id, kind: message}

    def press(
        self, chat_id: int, data: str, *, user_id: int | None = None, language: str | None = "uk"
    ) -> int:
        """Queue a press on an inline button under one of the bot's messages."""
        user = _user(user_id if user_id is not None else chat_id, language, False)
        return self.push(
            {
                "callback_query": {
                    "id": f"cq{self.next_update_id}",
                    "from": user,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                    "message": {
                        "message_id": self._new_message_id(),
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "from": self.me,
                        "text": "…",
                    },
                }
            }
        )

    def fail(
        self,
        method: str,
        kind: str,
        times: int = 1,
        *,
        retry_after: int = 1,
        chat_id: int | str | None = None,
        skip: int = 0,
    ) -> None:
        """Fail `times` calls of `method` (for `chat_id`, if given) after letting `skip` through."""
        with self.cond:
            self.faults.append(Fault(method, kind, times, retry_after, chat_id, skip))

    # ----- what the tests look at -----
    @property
    def me(self) -> dict[str, Any]:
        """The bot's User object."""
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Migrant Help",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Messages delivered (to one chat), in order."""
        with self.cond:
            return [m for m in self.sent if chat_id is None or str(m["chat_id"]) == str(chat_id)]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        """The texts of the messages delivered (to one chat)."""
        return [m["text"] for m in self.messages(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        """Every request of one method, failed ones included."""
        with self.cond:
            return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait (without blocking the event loop) until `predicate()` holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; delivered so far: {[t[:40] for t in self.texts()]}")
            await asyncio.sleep(0.01)

    async def wait_confirmed(self, timeout: float = 5.0) -> None:
        """Wait until the bot has confirmed (via the getUpdates offset) every queued update."""
        await self.wait_for(lambda: not self.updates, timeout)

    # ----- the API -----
    def _new_message_id(self) -> int:
        with self.cond:
            self.next_message_id += 1
            return self.next_message_id

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        """Answer one call: (HTTP status, JSON body), or body None to drop the connection."""
        with self.cond:
            fault = self._take_fault(method, params)
            self.calls.append(Call(method, params, fault.kind if fault else "ok"))
        if fault is not None:
            return _fault_response(fault)
        api = getattr(self, f"api_{method}", None)
        if api is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        try:
            return 200, {"ok": True, "result": api(params)}
        except ApiError as exc:
            return exc.code, {"ok": False, "error_code": exc.code, "description": exc.description}

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if (
                fault.method == method
                and fault.times > 0
                and (fault.chat_id is None or str(fault.chat_id) == str(params.get("chat_id")))
            ):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                return fault
        return None

    def api_getMe(self, params: dict[str, Any]) -> Any:
        return self.me

    def api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self.cond:
            if self.webhook:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self.closing and time.monotonic() < deadline:
                self.cond.wait(deadline - time.monotonic())
            return self.updates[:limit]

    def api_sendMessage(self, params: dict[str, Any]) -> Any:
        text = params.get("text") or ""
        if params.get("parse_mode") == "HTML":
            text = parse_telegram_html(text)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if not 1 <= len(button.get("callback_data", "x").encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        with self.cond:
            message_id = self.next_message_id = self.next_message_id + 1
            self.sent.append({**params, "message_id": message_id, "visible_text": text})
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "text": text,
            "from": self.me,
            "chat": {
                "id": params["chat_id"],
                "type": "private" if int(params["chat_id"]) > 0 else "supergroup",
            },
            **({"reply_markup": markup} if markup else {}),
        }

    def api_editMessageText(self, params: dict[str, Any]) -> Any:
        with self.cond:
            for message in self.sent:
                if message["message_id"] == params.get("message_id") and str(message["chat_id"]) == str(
                    params.get("chat_id")
                ):
                    message["text"] = params["text"]
                    return {
                        "message_id": message["message_id"],
                        "date": int(time.time()),
                        "text": params["text"],
                        "chat": {"id": params["chat_id"], "type": "private"},
                        "from": self.me,
                    }
        raise ApiError(400, "Bad Request: message to edit not found")

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    def api_setMyCommands(self, params: dict[str, Any]) -> Any:
        with self.cond:
            self.commands[params.get("language_code")] = params["commands"]
        return True

    def api_setWebhook(self, params: dict[str, Any]) -> Any:
        with self.cond:
            self.webhook = params
        return True

    def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        with self.cond:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self.updates.clear()
        return True


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def parse_telegram_html(text: str) -> str:
    """The visible text of Telegram HTML; ApiError like Telegram's when it cannot be parsed."""
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>|<|&(#?[a-zA-Z0-9]+;)?", text):
        closing, name, _, entity = match.group(1), match.group(2), match.group(3), match.group(4)
        token = match.group()
        if token == "<":
            raise ApiError(
                400, f"Bad Request: can't parse entities: unexpected '<' at byte offset {match.start()}"
            )
        if token.startswith("&"):
            if not entity or (not entity.startswith("#") and entity[:-1] not in ("lt", "gt", "amp", "quot")):
                raise ApiError(
                    400, f"Bad Request: can't parse entities: bad entity at offset {match.start()}"
                )
            continue
        name = name.lower()
        if name not in _TELEGRAM_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unsupported start tag "{name}"')
        if closing:
            if not stack or stack[-1] != name:
                raise ApiError(400, f"Bad Request: can't parse entities: can't find end tag for \"{name}\"")
            stack.pop()
        else:
            stack.append(name)
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: can't find end tag corresponding to \"{stack[-1]}\""
        )
    return html.unescape(re.sub(r"<[^<>]*>", "", text))


def _user(user_id: int, language: str | None, is_bot: bool) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": f"User{user_id}"}
    if language:
        user["language_code"] = language
    return user


def _fault_response(fault: Fault) -> tuple[int, dict[str, Any] | None]:
    if fault.kind == "drop":
        return 0, None
    if fault.kind == "429":
        return 429, {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {fault.retry_after}",
            "parameters": {"retry_after": fault.retry_after},
        }
    if fault.kind == "403":
        return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    if fault.kind == "migrate":
        return 400, {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded",
            "parameters": {"migrate_to_chat_id": -1000000000000 - abs(int(fault.chat_id or 1))},
        }
    if fault.kind == "400":
        return 400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities: test"}
    code = int(fault.kind)
    return code, {"ok": False, "error_code": code, "description": "Internal Server Error"}


def _decode(params: dict[str, str]) -> dict[str, Any]:
    """Form values as PTB sends them: strings as they are, everything else JSON-encoded."""
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in _STRING_PARAMS:
            decoded[key] = value
            continue
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded


def _handler_class(fake: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            self._answer(raw)

        do_GET = do_POST  # noqa: N815

        def _answer(self, raw: bytes) -> None:
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?")[0])
            if not match:
                return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            token, method = match.groups()
            if token != fake.token:
                return self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            if "json" in (self.headers.get("Content-Type") or ""):
                params = json.loads(raw or b"{}")
            else:
                params = _decode(dict(parse_qsl(raw.decode(), keep_blank_values=True)))
            status, body = fake.handle(method, params)
            if body is None:  # the connection drops before any answer
                self.close_connection = True
                return None
            return self._send(status, body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                with fake.cond:
                    fake._connections.discard(self.connection)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
