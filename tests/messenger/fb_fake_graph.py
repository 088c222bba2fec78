"""A fake Graph API on 127.0.0.1 for tests: the Send API and messenger_profile, Meta's checks and errors."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "EAAGtestPageAccessToken0123456789abcdef"
VERSION = "v21.0"
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}

# What Meta answers for each injectable fault: HTTP status and the "error" object.
FAULTS: dict[str, tuple[int, dict[str, Any]]] = {
    "rate_limit": (400, {"message": "(#613) Calls to this api have exceeded the rate limit.",
                         "type": "OAuthException", "code": 613}),
    "too_many": (429, {"message": "Too many requests", "type": "OAuthException", "code": 4}),
    "unavailable": (400, {"message": "(#551) This person isn't available right now.",
                          "type": "OAuthException", "code": 551, "error_subcode": 1545041}),
    "server": (500, {"message": "An unknown error occurred", "type": "OAuthException", "code": 1,
                     "is_transient": True}),
    "window": (400, {"message": "(#10) This message is sent outside of allowed window.",
                     "type": "OAuthException", "code": 10, "error_subcode": 2018278}),
}


@dataclass
class Fault:
    """Answer the next `times` matching calls with an error instead of doing them."""

    kind: str
    times: int = 1
    psid: str | None = None


@dataclass
class Call:
    """One request the server received and the status it answered."""

    path: str
    body: dict[str, Any]
    query: dict[str, str]
    authorization: str
    status: int = 200
    at: float = field(default_factory=time.monotonic)

    @property
    def psid(self) -> str | None:
        """The recipient of a Send API call."""
        recipient = self.body.get("recipient")
        return recipient.get("id") if isinstance(recipient, dict) else None


class FakeGraphApi:
    """Records calls; `sent` holds the messages a person would see, `profiles` the profile bodies set."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.profiles: list[dict[str, Any]] = []
        self.delay = 0.0  # seconds each call takes
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: list[threading.Thread] = []
        self._connections: list[socket.socket] = []

    @property
    def url(self) -> str:
        """The value for MESSENGER_GRAPH_URL."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/{VERSION}"

    def start(self) -> FakeGraphApi:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        fake = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def process_request(self, request: Any, client_address: Any) -> None:
                thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                          name="fake-graph-api-conn", daemon=True)
                with fake.lock:
                    fake._handlers.append(thread)
                    fake._connections.append(request)
                thread.start()

        self._server = Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-graph-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and check that every thread of the server ended."""
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        with self.lock:
            connections, handlers = list(self._connections), list(self._handlers)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(5)
        for thread in handlers:
            thread.join(5)
        alive = [t for t in [self._thread, *handlers] if t.is_alive()]
        assert not alive, f"fake Graph API threads still running: {alive}"

    def fail(self, kind: str, times: int = 1, psid: str | None = None) -> None:
        """Make the next `times` Send API calls (to `psid`, or anyone) fail like Meta does."""
        assert kind in FAULTS, kind
        with self.lock:
            self.faults.append(Fault(kind, times, psid))

    # ----- what the tests read -----
    def sends(self, psid: str | None = None) -> list[Call]:
        """Send API calls (to `psid`), accepted or not."""
        with self.lock:
            return [c for c in self.calls if c.path == "me/messages" and (psid is None or c.psid == psid)]

    def sent(self, psid: str | None = None) -> list[dict[str, Any]]:
        """Accepted Send API bodies (to `psid`), in order."""
        return [c.body for c in self.sends(psid) if c.status == 200]

    def texts(self, psid: str) -> list[str]:
        """The texts a person received, in order."""
        return [b["message"]["text"] for b in self.sent(psid)]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (without blocking the event loop) until `predicate()` holds; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {[(c.path, c.body) for c in self.calls]}")
            await asyncio.sleep(0.01)

    # ----- the server side -----
    def answer(self, path: str, query: dict[str, str], authorization: str,
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Check the call like Meta would, apply a fault, or do it."""
        if self.delay:
            time.sleep(self.delay)
        call = Call(path, body, query, authorization)
        status, answer = self._answer(call)
        call.status = status
        with self.lock:
            self.calls.append(call)
        return status, answer

    def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.authorization != f"Bearer {self.token}" and call.query.get("access_token") != self.token:
            return _error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if call.path == "me/messenger_profile":
            with self.lock:
                self.profiles.append(call.body)
            return 200, {"result": "success"}
        if call.path != "me/messages":
            return _error(400, 100, f"Unknown path components: /{call.path}")
        problem = _check_message(call.body)
        if problem:
            return _error(400, 100, problem)
        with self.lock:
            fault = next((f for f in self.faults if f.times > 0 and f.psid in (None, call.psid)), None)
            if fault is not None:
                fault.times -= 1
        if fault is not None:
            status, error = FAULTS[fault.kind]
            return status, {"error": {**error, "fbtrace_id": "AbCdEfGhIj"}}
        with self.lock:
            number = len(self.calls) + 1
        return 200, {"recipient_id": call.psid, "message_id": f"m_test{number}"}


def _check_message(body: dict[str, Any]) -> str | None:
    """What Meta would refuse in a Send API body, or None."""
    if body.get("messaging_type") not in MESSAGING_TYPES:
        return "(#100) messaging_type is required"
    if (body.get("messaging_type") == "MESSAGE_TAG") != ("tag" in body):
        return "(#100) tag goes with messaging_type MESSAGE_TAG"
    message = body.get("message") or {}
    text = message.get("text", "")
    if not text or len(text.encode("utf-16-le")) // 2 > 2000:
        return "(#100) Length of param message[text] must be less than or equal to 2000"
    replies = message.get("quick_replies", [])
    if len(replies) > 13:
        return "(#100) param message[quick_replies] must have at most 13 elements"
    for reply in replies:
        if not 0 < len(reply.get("title", "")) <= 20 or not 0 < len(reply.get("payload", "")) <= 1000:
            return "(#100) quick reply title must be 1-20 characters, payload 1-1000"
    return None


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"message": message, "type": "OAuthException", "code": code,
                              "fbtrace_id": "AbCdEfGhIj"}}


def _handler(fake: FakeGraphApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            path = url.path.removeprefix(f"/{VERSION}/")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                body = {}
            status, answer = fake.answer(path, query, self.headers.get("Authorization", ""), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
            pass

    return Handler
