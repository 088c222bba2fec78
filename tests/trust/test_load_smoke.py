"""A few seconds of bench/load_telegram.py in one process: many people at once, nothing lost, no errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tg_harness import running_bot

from bench.load_telegram import LoadBotApi, analyse, calibrate, load_questions, offer, percentile
from bot.answering import Answerer
from bot.app import build_bot
from bot.ratelimit import RateLimiter
from bot.settings import Settings


def test_percentile() -> None:
    assert percentile([], 95) == 0.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile(list(range(1, 101)), 99) == 99


async def test_a_short_load_through_the_real_telegram_path(
    settings: Settings, answerer: Answerer, tmp_path: Path
) -> None:
    fake = LoadBotApi().start()
    try:
        parts = build_bot(
            settings.model_copy(update={"data_dir": tmp_path}), persistent=True, answerer=answerer
        )
        parts.dialogue.rate_limiter = RateLimiter(20)  # as build_dialogue sets it
        async with running_bot(fake, parts.dialogue, parts.settings.database_path, busy_poll_interval=0.5):
            pool = await asyncio.to_thread(calibrate, fake, load_questions(24), 8_000_000, 60.0)
            assert len(pool) >= 10
            step = await asyncio.to_thread(offer, fake, pool, 8.0, 3.0, 40, 1_000_000, None, 30.0)
        result = analyse(fake, step)
    finally:
        fake.stop()
    assert result.sent >= 10
    assert (result.lost, result.duplicated, result.errors) == (0, 0, 0)
    assert result.answered == result.sent
    assert 0 < result.p50 <= result.p95 <= result.p99 < 10
