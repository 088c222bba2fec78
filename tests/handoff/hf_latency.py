"""Time to notification: from a person's /human to the ticket card reaching the (fake) Bot API server."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from hf_common import GROUP
from hf_harness import DESK_TUNING, FakeForumApi
from tg_harness import running_bot

from bot.messages import LANGS
from handoff.service import HandoffService

FIRST_CHAT = 20_000
_CARD = re.compile(r"Request #(\d+) ·")


def _cards(fake: FakeForumApi) -> dict[int, float]:
    """Ticket id -> when the server received the sendMessage carrying its card (monotonic seconds)."""
    out: dict[int, float] = {}
    for call in fake.calls_of("sendMessage"):
        if call.outcome == "ok" and str(call.params.get("chat_id")) == str(GROUP):
            match = _CARD.search(call.params.get("text") or "")
            if match:
                out.setdefault(int(match.group(1)), call.at)
    return out


async def time_to_notification(
    fake: FakeForumApi,
    core: object,
    service: HandoffService,
    db_path: Path,
    count: int = 50,
    burst: bool = False,
) -> list[float]:
    """Seconds from each /human (pushed one after another, or all at once) to its card at the server."""
    pushed: dict[str, float] = {}
    async with running_bot(fake, core, db_path, **DESK_TUNING):
        for n in range(count):
            chat = FIRST_CHAT + n
            pushed[str(chat)] = time.monotonic()
            fake.message(chat, "/human", language=LANGS[n % len(LANGS)])
            if not burst:
                await fake.wait_for(lambda n=n: len(_cards(fake)) > n, timeout=20)
        await fake.wait_for(lambda: len(_cards(fake)) >= count, timeout=60)
    latencies = []
    for ticket_id, at in _cards(fake).items():
        ticket = service.store.ticket(ticket_id)
        assert ticket is not None
        latencies.append(at - pushed[ticket.chat_id])
    return sorted(latencies)


def summary(latencies: list[float]) -> str:
    """p50, p95 and max in milliseconds."""
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return (
        f"n={len(latencies)} p50={cuts[49] * 1000:.0f} ms p95={cuts[94] * 1000:.0f} ms "
        f"max={max(latencies) * 1000:.0f} ms"
    )
