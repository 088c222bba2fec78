"""Time to notification of the human handoff: a person's /human -> the card in the advisors' group.

Runs the real Telegram channel, the real dialogue core and the HandoffService against the fake Bot API
server of the tests (127.0.0.1, no network) and prints p50/p95/max over N handoffs, one by one and
all at once. Usage: `.venv/bin/python -m bench.handoff_latency [-n 50]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "handoff"), str(ROOT / "tests" / "telegram")]


def main() -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="handoffs per run (default 50)")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")

    from hf_common import GROUP, SCHEDULE, WARSAW, Clock
    from hf_harness import FakeForumApi, handoff_core
    from hf_latency import summary, time_to_notification

    from bot.app import build_answerer
    from bot.settings import load_settings
    from handoff.schedule import load_schedule
    from handoff.service import HandoffService
    from handoff.tickets import TicketStore

    work = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    settings = load_settings(data_dir=work)
    answerer = build_answerer(settings)
    (work / "duty.yaml").write_text(SCHEDULE, encoding="utf-8")
    schedule = load_schedule(work / "duty.yaml")
    for burst in (False, True):
        clock = Clock(datetime(2026, 3, 10, 15, 0, tzinfo=WARSAW))  # every language on duty
        store = TicketStore(work / f"handoff-{burst}.db")
        service = HandoffService(store, schedule, GROUP, clock)
        fake = FakeForumApi().start()
        try:
            latencies = asyncio.run(
                time_to_notification(
                    fake,
                    handoff_core(settings, answerer, service),
                    service,
                    work / f"bot-{burst}.db",
                    count=args.n,
                    burst=burst,
                )
            )
        finally:
            fake.stop()
            store.close()
        print(f"{'all at once' if burst else 'one by one '}: {summary(latencies)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
