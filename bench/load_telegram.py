"""Load test through the real Telegram path: many simulated users against the fake Bot API on 127.0.0.1.

    python -m bench.load_telegram --seconds 30 --users 200 --rates 10,20,30,40,50,60,80

The bot runs in its own process, as `migrant-bot telegram` does: the real core (`build_dialogue`: SQLite
state, rate limit, FAQ watcher, retention), the Telegram adapter's long-polling loop, the chat dispatcher and
the sender. This process runs the fake Bot API server (tests/telegram/tg_fake_api.py) and the users: each
step offers Poisson-distributed messages at one rate for `--seconds`, then waits for the answers. Reported per
step: messages answered per second, reply latency p50/p95/p99 (update queued at the fake server ->
sendMessage received by it), errors, messages lost or answered twice, the bot's CPU (all threads, and its
event-loop thread alone) and, at the end, its peak RSS. Stepping stops at the first step that misses the
target (p95 < 250 ms, all answered) twice the way.

Questions come from bench/devset.jsonl; a calibration pass keeps those the bot answers with exactly one
message, so the n-th message sent into a chat is matched with the n-th one received there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from tg_fake_api import TOKEN, FakeBotApi  # noqa: E402 - the test suite's fake Bot API server

TARGET_RATE, TARGET_P95 = 40.0, 0.250
EXCLUDE = ("emergency", "human_handoff")  # several messages per answer (emergency note, handoff...)


class LoadBotApi(FakeBotApi):
    """The fake Bot API, also noting when each chat's messages arrive and each call answered with an error."""

    def __init__(self) -> None:
        super().__init__(TOKEN)
        self.replies: defaultdict[str, list[float]] = defaultdict(list)
        self.errors: list[tuple[str, int]] = []

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        """Answer the call; record sendMessage arrivals and errors."""
        status, body = super().handle(method, params)
        now = time.monotonic()
        with self.cond:
            if method == "sendMessage" and status == 200:
                self.replies[str(params["chat_id"])].append(now)
            elif status != 200:
                self.errors.append((method, status))
            if len(self.calls) > 50_000:
                del self.calls[:25_000]  # a long run must not grow without bound
            if len(self.sent) > 50_000:
                del self.sent[:25_000]
        return status, body

    def reply_count(self, chats: Sequence[str]) -> int:
        """Messages received so far in these chats."""
        with self.cond:
            return sum(len(self.replies.get(c, ())) for c in chats)


@dataclass
class Step:
    """One offered rate: what was sent when, and what came back."""

    rate: float
    seconds: float
    users: int
    sends: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: float = 0.0
    ended: float = 0.0
    drained: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)


@dataclass
class StepResult:
    """The figures of one step."""

    rate: float
    offered: float  # what the Poisson arrivals actually sent, a second
    sent: int
    answered: int
    per_second: float
    p50: float
    p95: float
    p99: float
    lost: int
    duplicated: int
    errors: int
    cpu: dict[str, float]

    @property
    def ok(self) -> bool:
        """Meets the target: p95 under 250 ms, nothing lost or doubled, no errors, kept up with the offer."""
        return (
            self.p95 < TARGET_P95
            and not self.lost
            and not self.duplicated
            and not self.errors
            and self.per_second >= 0.95 * self.offered
        )

    def row(self) -> str:
        """One line of the report."""
        cpu = "  ".join(f"{k} {v:4.0f}%" for k, v in self.cpu.items())
        return (
            f"{self.rate:6.1f} {self.offered:6.1f} {self.per_second:8.1f} {self.p50 * 1000:7.0f} "
            f"{self.p95 * 1000:7.0f} {self.p99 * 1000:7.0f} {self.lost:5d} {self.duplicated:5d} "
            f"{self.errors:5d}  {cpu}  {'ok' if self.ok else 'MISSED'}"
        )


HEADER = "offer/s  sent/s answer/s p50(ms) p95(ms) p99(ms)  lost  dups  errs  cpu of the bot"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def load_questions(limit: int = 400) -> list[str]:
    """Dev-set questions answered with a single message (emergencies and handoffs left out)."""
    items = [
        json.loads(line)
        for line in (ROOT / "bench" / "devset.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [i["text"] for i in items if i["expect"] not in EXCLUDE][:limit]


def calibrate(
    fake: LoadBotApi, questions: Sequence[str], chat_base: int = 8_000_000, timeout: float = 120.0
) -> list[str]:
    """Ask every question once, each in its own chat, all at once; keep those answered with one message."""
    chats = {str(chat_base + n): q for n, q in enumerate(questions)}
    for chat, question in chats.items():
        fake.message(int(chat), question, language="en")
    deadline, last, quiet_since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = fake.reply_count(list(chats))
        if count != last:
            last, quiet_since = count, time.monotonic()
        elif count >= len(chats) and time.monotonic() - quiet_since > 1.5:
            break
        time.sleep(0.05)
    with fake.cond:
        return [q for chat, q in chats.items() if len(fake.replies.get(chat, ())) == 1]


def offer(
    fake: LoadBotApi,
    pool: Sequence[str],
    rate: float,
    seconds: float,
    users: int,
    chat_base: int,
    cpu_probe: Callable[[], dict[str, float]] | None = None,
    drain: float = 30.0,
    rng: random.Random | None = None,
) -> Step:
    """Send Poisson-distributed messages at `rate` a second for `seconds` from `users` people, round robin
    (so each stays under the bot's per-person rate limit), then wait up to `drain` seconds for the answers."""
    rng = rng or random.Random(rate)
    step = Step(rate, seconds, users)
    chats = [str(chat_base + n) for n in range(users)]
    rng.shuffle(chats)
    languages = ("uk", "ru", "pl", "en")
    before = cpu_probe() if cpu_probe else {}
    step.started = time.monotonic()
    due, n = step.started, 0
    while True:
        due += rng.expovariate(rate)
        if due >= step.started + seconds:
            break
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        chat = chats[n % users]
        n += 1
        step.sends[chat].append(time.monotonic())
        fake.message(int(chat), rng.choice(pool), language=languages[int(chat) % 4])
    step.ended = time.monotonic()
    after = cpu_probe() if cpu_probe else {}
    step.cpu = {k: 100 * (after[k] - before.get(k, 0.0)) / (step.ended - step.started) for k in after}
    wanted = sum(len(v) for v in step.sends.values())
    deadline = time.monotonic() + drain
    while fake.reply_count(list(step.sends)) < wanted and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # let a late duplicate show itself
    step.drained = time.monotonic()
    return step


def analyse(fake: LoadBotApi, step: Step, errors_before: int = 0) -> StepResult:
    """Match each chat's n-th message with its n-th answer."""
    latencies: list[float] = []
    lost = duplicated = 0
    in_window = 0
    with fake.cond:
        replies = {chat: list(fake.replies.get(chat, ())) for chat in step.sends}
        errors = len(fake.errors) - errors_before
    for chat, sent in step.sends.items():
        got = replies[chat]
        latencies += [r - s for s, r in zip(sent, got, strict=False)]
        lost += max(0, len(sent) - len(got))
        duplicated += max(0, len(got) - len(sent))
        in_window += sum(1 for r in got if r <= step.ended)
    sent_total = sum(len(v) for v in step.sends.values())
    return StepResult(
        step.rate,
        sent_total / step.seconds,
        sent_total,
        len(latencies),
        in_window / step.seconds,
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(latencies, 99),
        lost,
        duplicated,
        errors,
        step.cpu,
    )


# ----- the bot, in its own process ---------------------------------------------------------------------


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds of a process: all its threads, and its main thread (where the asyncio event loop runs)."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(path: str) -> float:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return {"all": times(f"/proc/{pid}/stat"), "loop": times(f"/proc/{pid}/task/{pid}/stat")}


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_bot(
    base_url: str, data_dir: Path, messages_per_second: float, log_path: Path
) -> subprocess.Popen[bytes]:
    """`python -m bench.load_telegram --child`: the bot on the fake server, in a new process."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        "DATA_DIR": str(data_dir),
        "NO_PROXY": "127.0.0.1,localhost",
        "PTB_TIMEDELTA": "1",
    }
    env.pop("MIGRANT_BOT_CONFIG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bench.load_telegram", "--child", "--mps", str(messages_per_second)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("wb"),
    )


def child_main(messages_per_second: float) -> int:
    """The bot process: settings from the environment, the real composition root, the polling channel."""
    import asyncio

    from bot.app import build_dialogue
    from bot.channels.telegram import TelegramConfig, serve
    from bot.logging_setup import setup_logging
    from bot.settings import load_settings

    setup_logging()
    settings = load_settings()
    config = TelegramConfig.from_settings(settings, messages_per_second=messages_per_second)
    asyncio.run(serve(config, build_dialogue(settings)))
    return 0


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until `predicate()` holds; RuntimeError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


def main(argv: Sequence[str] | None = None) -> int:
    """Step the offered rate up and print what the bot sustains."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each step (default 30)")
    parser.add_argument(
        "--users",
        type=int,
        default=200,
        help="simulated people (raised so that each sends at most 15 a minute, under the rate limit)",
    )
    parser.add_argument(
        "--rates", default="10,20,30,40,50,60,80", help="offered messages a second, step by step"
    )
    parser.add_argument(
        "--mps",
        type=float,
        default=0,
        help="the adapter's overall sending limit (Telegram's is 30/s; default 0: off)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.mps)

    fake = LoadBotApi().start()
    work = Path(tempfile.mkdtemp(prefix="load-telegram-"))
    log_path = work / "bot.log"
    bot = start_bot(fake.base_url, work / "var", args.mps, log_path)
    results: list[StepResult] = []
    try:
        print(f"bot pid {bot.pid}, data in {work}; loading the FAQ and the model...", flush=True)
        wait_until(
            lambda: bool(fake.calls_of("getUpdates")) or bot.poll() is not None, 300, "the bot to poll"
        )
        if bot.poll() is not None:
            raise RuntimeError(f"the bot exited: {log_path.read_text()[-2000:]}")
        pool = calibrate(fake, load_questions())
        print(
            f"calibration: {len(pool)} questions answered with one message; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n\n{HEADER}",
            flush=True,
        )
        missed = 0
        for n, rate in enumerate(float(r) for r in args.rates.split(",")):
            users = max(args.users, int(rate * 60 / 15) + 1)
            errors_before = len(fake.errors)
            step = offer(
                fake,
                pool,
                rate,
                args.seconds,
                users,
                chat_base=1_000_000 * (n + 1),
                cpu_probe=lambda: {**cpu_seconds(bot.pid), "fake API+users": time.process_time()},
            )
            result = analyse(fake, step, errors_before)
            results.append(result)
            print(result.row(), flush=True)
            missed = 0 if result.ok else missed + 1
            if missed >= 2:
                break
        print(f"\npeak RSS of the bot: {peak_rss_mb(bot.pid):.0f} MB")
        passing = [r for r in results if r.ok]
        best = max(passing, key=lambda r: r.rate) if passing else None
        print(
            f"highest step meeting p95 < {TARGET_P95 * 1000:.0f} ms with nothing lost: "
            f"{f'{best.rate:.0f} msg/s' if best else 'none'} (target {TARGET_RATE:.0f} msg/s)"
        )
        log_text = log_path.read_text(errors="replace")
        print(f"bot log: {log_text.count(' ERROR ')} ERROR lines, {log_text.count('Traceback')} tracebacks")
    finally:
        bot.terminate()
        try:
            bot.wait(15)
        except subprocess.TimeoutExpired:
            bot.kill()
        fake.stop()
    return 0 if results and any(r.ok and r.rate >= TARGET_RATE for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
