"""A per-user sliding-window rate limit, checked before any language work: a flood costs almost nothing."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from bot.messages import ConversationKey, IncomingMessage


class Verdict(Enum):
    """What to do with one message."""

    ALLOW = "allow"  # answer it
    NOTE = "note"  # over the limit: tell the person once, politely
    DROP = "drop"  # over the limit and already told: stay quiet


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)  # when the accepted messages came, oldest first
    noted: bool = False  # the person was told in this stretch of over-the-limit messages


class RateLimiter:
    """At most `per_minute` accepted messages per user in any `window` seconds; 0 or less turns it off.

    Only accepted messages fill the window, so someone who keeps flooding still gets `per_minute`
    answers a minute, and never more. Thread-safe; memory is freed for users quiet for a whole window.
    """

    def __init__(
        self, per_minute: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = per_minute
        self.window = window
        self._clock = clock
        self._users: dict[ConversationKey, _Window] = {}
        self._lock = threading.Lock()
        self._next_sweep = clock() + window

    @staticmethod
    def key(msg: IncomingMessage) -> ConversationKey:
        """Who the message counts against: the person (in a private chat the same as the chat)."""
        return ConversationKey(msg.channel, msg.user_id or msg.chat_id)

    def check(self, msg: IncomingMessage) -> Verdict:
        """Count the message if it may be answered; the verdict says whether to answer, note or drop it."""
        if self.limit <= 0:
            return Verdict.ALLOW
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            user = self._users.setdefault(self.key(msg), _Window())
            while user.times and user.times[0] <= now - self.window:
                user.times.popleft()
            if len(user.times) < self.limit:
                user.times.append(now)
                user.noted = False
                return Verdict.ALLOW
            if user.noted:
                return Verdict.DROP
            user.noted = True
            return Verdict.NOTE

    def tracked(self) -> int:
        """How many users the limiter holds a window for."""
        with self._lock:
            return len(self._users)

    def _sweep(self, now: float) -> None:
        """Forget users whose last accepted message left the window (called with the lock held)."""
        quiet = [k for k, w in self._users.items() if not w.times or w.times[-1] <= now - self.window]
        for key in quiet:
            del self._users[key]
        self._next_sweep = now + self.window
