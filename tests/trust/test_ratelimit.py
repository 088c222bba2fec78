"""Flooding: one person over the limit gets one polite note and costs almost nothing; others go on."""

from __future__ import annotations

import threading
import time

from bot.answering import Answerer
from bot.app import build_bot
from bot.messages import IncomingMessage
from bot.ratelimit import RateLimiter, Verdict
from bot.settings import Settings
from bot.texts import text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def msg(user: str, words: str = "hi", channel: str = "telegram") -> IncomingMessage:
    return IncomingMessage(channel, user, user, words)


def test_sliding_window_allows_the_limit_then_notes_once_then_drops() -> None:
    clock = Clock()
    limiter = RateLimiter(3, window=60, clock=clock)
    verdicts = [limiter.check(msg("a")) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTE, Verdict.DROP, Verdict.DROP]
    assert limiter.check(msg("b")) is Verdict.ALLOW  # another person is not affected
    assert limiter.check(msg("a", channel="messenger")) is Verdict.ALLOW  # nor the same id on another channel
    clock.now += 30
    assert limiter.check(msg("a")) is Verdict.DROP  # the window slides: the first three are still in it
    clock.now += 30.01
    assert limiter.check(msg("a")) is Verdict.ALLOW  # they left it
    assert [limiter.check(msg("a")) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTE]


def test_zero_turns_the_limit_off() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.check(msg("a")) is Verdict.ALLOW for _ in range(1000))


def test_quiet_users_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(5, window=60, clock=clock)
    for n in range(100):
        limiter.check(msg(str(n)))
    assert limiter.tracked() == 100
    clock.now += 61
    limiter.check(msg("new"))
    assert limiter.tracked() == 1


def test_the_limiter_is_thread_safe() -> None:
    limiter = RateLimiter(50)
    allowed: list[int] = []

    def flood() -> None:
        allowed.append(sum(limiter.check(msg("a")) is Verdict.ALLOW for _ in range(100)))

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 50


def test_a_flooding_user_is_told_once_and_does_not_slow_another(
    settings: Settings, answerer: Answerer
) -> None:
    core = build_bot(settings, persistent=False, answerer=answerer).dialogue
    core.rate_limiter = RateLimiter(20)
    core.handle(
        IncomingMessage("telegram", "900", "900", "/start", locale_hint="pl")
    )  # the flooder's language
    core.handle(msg("901", "Jak dostać numer PESEL?"))  # warm up
    started = time.perf_counter()
    normal = core.handle(msg("901", "Jak dostać numer PESEL?"))
    alone = time.perf_counter() - started

    answered: list[int] = []
    notes: list[str] = []
    stop = threading.Event()

    def flood() -> None:
        for n in range(300):
            replies = core.handle(
                IncomingMessage("telegram", "900", "900", f"spam spam {n}", locale_hint="pl")
            )
            if any(r.meta.get("rate_limited") for r in replies):
                notes.extend(r.text for r in replies)
            elif replies:
                answered.append(n)
        stop.set()

    flooder = threading.Thread(target=flood)
    flooder.start()
    latencies = []
    while not stop.is_set() or not latencies:
        started = time.perf_counter()
        replies = core.handle(msg(f"901-{len(latencies)}", "Jak dostać numer PESEL?"))  # each under the limit
        latencies.append(time.perf_counter() - started)
        assert replies[0].meta.get("faq_id") == normal[0].meta.get("faq_id")
    flooder.join()

    assert len(answered) == 19  # 20 a minute, /start included
    assert notes == [text("pl", "rate_limited")]  # once, in the flooder's language
    # The other person's answers stay about as fast as without the flood (generous: the machine is shared).
    assert max(latencies) < max(1.0, 10 * alone)


def test_280_over_the_limit_messages_cost_almost_nothing(settings: Settings, answerer: Answerer) -> None:
    core = build_bot(settings, persistent=False, answerer=answerer).dialogue
    core.rate_limiter = RateLimiter(20)
    for n in range(20):
        core.handle(msg("902", f"qwerty {n}"))
    started = time.process_time()
    for n in range(280):
        core.handle(msg("902", f"Як отримати PESEL? {n} " * 50))
    assert time.process_time() - started < 0.5  # no language detection, embedding or search ran
