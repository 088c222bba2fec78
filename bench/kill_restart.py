"""Kill the Telegram bot (SIGKILL) at random moments while people talk and hand off to an advisor; restart.

    python -m bench.kill_restart --kills 30 --users 10 --seed 1

The bot is the real `migrant-bot telegram` process (python -m bot.cli telegram), pointed at the fake Bot API
on 127.0.0.1 (TELEGRAM_BASE_URL) with a temporary DATA_DIR and, when the handoff package is there, a duty
schedule that is always on duty and an advisors' forum group. While it runs:

* people send FAQ questions (each person in one language, a few seconds apart, at most two unanswered);
* handoff people send /human, an advisor takes the ticket in its forum topic, then both sides write;
* the bot is killed (SIGKILL) at random moments - during start-up too - and started again, `--kills` times.

At the end the bot runs until everything is answered, is stopped with SIGTERM, and the check is:
every question answered exactly once, every handoff message relayed exactly once each way, one topic per
ticket, and `PRAGMA integrity_check` = ok on every database. Messages are matched by content (each answer's
first line, the relayed texts). A duplicate whose two copies straddle a kill is reported apart: the bot tells
Telegram an update is done only after answering it, so a kill in the milliseconds between Telegram accepting
the answer and the bot recording that is answered again after the restart (at-least-once, never lost).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load_telegram import ROOT, TOKEN, LoadBotApi, wait_until

GROUP = -1001234567890  # the advisors' forum supergroup
ADVISOR = 111  # Olena, on duty around the clock in the schedule below
SCHEDULE = """timezone: Europe/Warsaw
holidays_close: false
advisors:
  olena: {telegram_id: 111, display_name: Olena, languages: [uk, ru, pl, en]}
windows:
  - {days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59", languages: [uk, ru, pl, en],
     advisors: [olena]}
"""
LANGS = ("uk", "ru", "pl", "en")


class ForumBotApi(LoadBotApi):
    """The fake Bot API with forum topics, noting when and what each chat received."""

    def __init__(self) -> None:
        super().__init__()
        self.topics: dict[int, str] = {}
        self.next_thread = 500
        self.received: defaultdict[str, list[tuple[float, str, int | None]]] = defaultdict(list)

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        """Answer the call; note (time, visible text, topic) of every message that arrives in a chat."""
        status, body = super().handle(method, params)
        if status == 200 and method in ("sendMessage", "copyMessage"):
            text = str(params.get("visible_text") or params.get("text") or params.get("caption") or "")
            if method == "sendMessage" and body is not None:
                text = str(body["result"].get("text", text))
            thread = params.get("message_thread_id")
            with self.cond:
                self.received[str(params["chat_id"])].append((time.monotonic(), text, thread))
        return status, body

    def api_createForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802 - Bot API naming
        with self.cond:
            self.next_thread += 1
            self.topics[self.next_thread] = str(params["name"])
            return {"message_thread_id": self.next_thread, "name": params["name"], "icon_color": 7322096}

    def api_closeForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def api_reopenForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def api_editForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def api_deleteForumTopic(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def api_copyMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        with self.cond:
            self.next_message_id += 1
            return {"message_id": self.next_message_id}

    def texts(self, chat_id: int | str | None = None) -> list[str]:  # type: ignore[override]
        """What one chat received, in order."""
        with self.cond:
            return [text for _, text, _ in self.received.get(str(chat_id), [])]

    def group_message(self, text: str, thread: int) -> int:
        """The advisor writes in a ticket's topic."""
        return self.message(
            GROUP,
            text,
            user_id=ADVISOR,
            language="uk",
            chat_type="supergroup",
            message_thread_id=thread,
            is_topic_message=True,
        )

    def group_press(self, data: str, thread: int) -> int:
        """The advisor presses a button under the bot's card in a topic."""
        message = {
            "message_id": self._new_message_id(),
            "date": int(time.time()),
            "from": self.me,
            "text": "…",
            "chat": {"id": GROUP, "type": "supergroup", "title": "Advisors", "is_forum": True},
            "message_thread_id": thread,
            "is_topic_message": True,
        }
        user = {"id": ADVISOR, "is_bot": False, "first_name": "Olena", "language_code": "uk"}
        return self.push(
            {
                "callback_query": {
                    "id": f"cq{self.next_update_id}",
                    "from": user,
                    "chat_instance": f"ci{GROUP}",
                    "data": data,
                    "message": message,
                }
            }
        )

    def card_buttons(self) -> dict[int, list[str]]:
        """The callback data of the buttons the bot put in each topic."""
        with self.cond:
            found: dict[int, list[str]] = {}
            for m in self.sent:
                if str(m.get("chat_id")) == str(GROUP) and m.get("message_thread_id") is not None:
                    rows = (m.get("reply_markup") or {}).get("inline_keyboard", [])
                    found.setdefault(int(m["message_thread_id"]), []).extend(
                        b.get("callback_data", "") for row in rows for b in row
                    )
            return found


class Bot:
    """The `migrant-bot telegram` process, started again after each kill."""

    def __init__(self, fake: ForumBotApi, work: Path, handoff: bool) -> None:
        self.fake = fake
        self.work = work
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": fake.base_url,
            "DATA_DIR": str(work / "var"),
            "NO_PROXY": "127.0.0.1,localhost",
            "PTB_TIMEDELTA": "1",
        }
        self.env.pop("MIGRANT_BOT_CONFIG", None)
        if handoff:
            schedule = work / "duty.yaml"
            schedule.write_text(SCHEDULE, encoding="utf-8")
            self.env.update(
                DUTY_SCHEDULE=str(schedule), ADVISORS_CHAT_ID=str(GROUP), HANDOFF_TICK_SECONDS="1"
            )
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.kills: list[float] = []
        self.runs = 0

    def start(self) -> None:
        """Start a new process; its stderr goes to bot-<n>.log."""
        self.runs += 1
        log = (self.work / f"bot-{self.runs}.log").open("wb")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "telegram"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )

    def ready(self) -> bool:
        """It polls for updates (started after the last start)."""
        return any(c.at >= self.started_at for c in self.fake.calls_of("getUpdates"))

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills.append(time.monotonic())

    def stop(self) -> int:
        """SIGTERM and wait: the clean shutdown at the end."""
        assert self.process is not None
        self.process.terminate()
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9

    def logs(self) -> str:
        """All runs' stderr."""
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.work.glob("bot-*.log")))


def faq_questions() -> dict[str, list[str]]:
    """The first question of each FAQ entry, per language."""
    from retrieval.loader import load_faq

    collection = load_faq(ROOT / "faq_data")
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for entry in collection.entries:
        for lang in LANGS:
            loc = entry.text(lang)
            if loc is not None and loc.questions:
                out[lang].append(loc.questions[0])
    return out


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]


def calibrate(
    fake: ForumBotApi, questions: dict[str, list[str]], timeout: float = 90
) -> dict[str, dict[str, str]]:
    """Ask each question once in a fresh chat; per language, the questions answered with exactly one message,
    with the first line of that answer."""
    chats: dict[str, tuple[str, str]] = {}
    n = 0
    for lang, items in questions.items():
        for question in items:
            n += 1
            chats[str(6_000_000 + n)] = (lang, question)
            fake.message(6_000_000 + n, question, language=lang)
    deadline, last, quiet = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = sum(len(fake.texts(c)) for c in chats)
        if count != last:
            last, quiet = count, time.monotonic()
        elif count >= len(chats) and time.monotonic() - quiet > 1.5:
            break
        time.sleep(0.05)
    pool: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    lines_seen: Counter[str] = Counter()
    for chat, (lang, question) in chats.items():
        answers = fake.texts(chat)
        if len(answers) == 1:
            pool[lang][question] = first_line(answers[0])
            lines_seen[first_line(answers[0])] += 1
    for lang in LANGS:  # two questions with the same answer could not be told apart
        pool[lang] = {q: line for q, line in pool[lang].items() if lines_seen[line] == 1}
    return pool


@dataclass
class Person:
    """One simulated person asking FAQ questions."""

    chat: int
    lang: str
    questions: list[str]
    sent: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class HandoffPerson:
    """One person who asks for an advisor; what each side wrote."""

    chat: int
    lang: str
    thread: int | None = None
    ticket: int | None = None
    said: list[str] = field(default_factory=list)
    advisor_said: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class Outcome:
    """The check at the end."""

    messages: int = 0
    answered: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # both copies between the same two kills: a bug
    crash_duplicates: list[str] = field(default_factory=list)  # the copies straddle a kill
    handoff_problems: list[str] = field(default_factory=list)
    integrity: dict[str, str] = field(default_factory=dict)
    kills: int = 0
    restarts_seconds: list[float] = field(default_factory=list)
    errors_in_log: int = 0

    @property
    def ok(self) -> bool:
        """Nothing lost, no duplicate within one run, handoff sound, databases sound."""
        return (
            not self.lost
            and not self.duplicates
            and not self.handoff_problems
            and all(v == "ok" for v in self.integrity.values())
        )

    def report(self) -> str:
        """A few lines for people."""
        lines = [
            f"kills: {self.kills}; restart to polling: median "
            f"{statistics.median(self.restarts_seconds or [0.0]):.1f} s",
            f"questions: {self.messages} sent, {self.answered} answered; lost {len(self.lost)}, "
            f"duplicated within a run {len(self.duplicates)}, answered again after a kill "
            f"{len(self.crash_duplicates)}",
            f"handoff: {'ok' if not self.handoff_problems else '; '.join(self.handoff_problems)}",
            f"integrity_check: {self.integrity}",
            f"ERROR lines in the bot's logs: {self.errors_in_log}",
        ]
        lines += [f"  lost: {x}" for x in self.lost[:10]] + [
            f"  duplicate: {x}" for x in self.duplicates[:10]
        ]
        lines += [f"  again after a kill: {x}" for x in self.crash_duplicates[:10]]
        return "\n".join(lines)


def ask_questions(
    fake: ForumBotApi, person: Person, gap: float, stop: threading.Event, rng: random.Random
) -> None:
    """Send the person's questions a few seconds apart (under the rate limit), at most two unanswered."""
    for question in person.questions:
        while len(person.sent) - len(fake.texts(person.chat)) >= 2 and not stop.is_set():
            time.sleep(0.05)
        if stop.is_set():
            return
        person.sent.append((time.monotonic(), question))
        fake.message(person.chat, question, language=person.lang)
        stop.wait(gap * rng.uniform(0.8, 1.5))


def ticket_of(db: Path, chat: int) -> tuple[int, int | None] | None:
    """The person's latest ticket and its topic, read from the handoff database (read-only)."""
    if not db.exists():
        return None
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute(
                "SELECT id, thread_id FROM handoff_tickets WHERE chat_id = ? ORDER BY id DESC", [str(chat)]
            ).fetchone()
    except sqlite3.Error:
        return None  # not created yet, or busy: ask again
    return (int(row[0]), row[1]) if row else None


def hand_off(
    fake: ForumBotApi, person: HandoffPerson, handoff_db: Path, stop: threading.Event, timeout: float
) -> None:
    """/human, the advisor takes the ticket in its topic, then three messages each way."""

    def wait(predicate: Callable[[], bool], what: str) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if stop.is_set() or time.monotonic() > deadline:
                got = [t[:40] for t in fake.texts(person.chat)]
                person.error = (
                    f"{person.chat}: timed out waiting for {what} (ticket {person.ticket} in topic "
                    f"{person.thread}; the person got {got})"
                )
                return False
            time.sleep(0.05)
        return True

    fake.message(person.chat, "/human", language=person.lang)

    def card() -> bool:
        found = ticket_of(handoff_db, person.chat)
        if found is None or found[1] is None or found[1] not in fake.card_buttons():
            return False
        person.ticket, person.thread = found
        return True

    if not wait(lambda: len(fake.texts(person.chat)) >= 1, "the queue note") or not wait(
        card, "the topic card"
    ):
        return
    assert person.thread is not None
    fake.group_press(f"adv:take:{person.ticket}", person.thread)
    if not wait(lambda: len(fake.texts(person.chat)) >= 2, "the taken note"):
        return
    for n in range(3):
        said = f"Osoba {person.chat}: wiadomość {n}"
        person.said.append(said)
        fake.message(person.chat, said, language=person.lang)
        answer = f"Doradczyni do {person.chat}: odpowiedź {n}"
        person.advisor_said.append(answer)
        fake.group_message(answer, person.thread)
        stop.wait(1.0)


def integrity(path: Path) -> str:
    """PRAGMA integrity_check of one SQLite file."""
    if not path.exists():
        return "no file"
    with sqlite3.connect(str(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def check(
    fake: ForumBotApi,
    bot: Bot,
    people: Sequence[Person],
    handoffs: Sequence[HandoffPerson],
    pool: dict[str, dict[str, str]],
    data_dir: Path,
) -> Outcome:
    """Match what each person asked with what they received, by content."""
    out = Outcome(kills=len(bot.kills))

    def straddles(times: list[float]) -> bool:
        return any(times[0] < k < times[-1] for k in bot.kills)

    for person in people:
        expected = Counter(pool[person.lang][q] for _, q in person.sent)
        with fake.cond:
            got: defaultdict[str, list[float]] = defaultdict(list)
            for at, text, _ in fake.received.get(str(person.chat), []):
                got[first_line(text)].append(at)
        out.messages += sum(expected.values())
        for line, count in expected.items():
            arrivals = got.get(line, [])
            out.answered += min(count, len(arrivals))
            if len(arrivals) < count:
                out.lost.append(f"{person.chat}: {line[:60]}")
            elif len(arrivals) > count:
                (out.crash_duplicates if straddles(arrivals) else out.duplicates).append(
                    f"{person.chat}: {line[:60]} x{len(arrivals)}"
                )
        for line in set(got) - set(expected):
            out.duplicates.append(f"{person.chat}: unexpected {line[:60]}")
    for helped in handoffs:
        if helped.error:
            out.handoff_problems.append(helped.error)
            continue
        in_topics = [(at, text) for at, text, _ in fake.received.get(str(GROUP), [])]
        for said in helped.said:
            times = [at for at, text in in_topics if text == said]
            if len(times) != 1:
                bucket = out.handoff_problems if not times or not straddles(times) else out.crash_duplicates
                bucket.append(f"relayed to the topic {len(times)} times: {said}")
        received = [(at, text) for at, text, _ in fake.received.get(str(helped.chat), [])]
        for said in helped.advisor_said:
            times = [at for at, text in received if text.endswith(said)]
            if len(times) != 1:
                bucket = out.handoff_problems if not times or not straddles(times) else out.crash_duplicates
                bucket.append(f"relayed to the person {len(times)} times: {said}")
        topics = [t for t, name in fake.topics.items() if name.endswith(f"#{helped.ticket}")]
        if len(topics) != 1:
            out.handoff_problems.append(f"ticket #{helped.ticket} has {len(topics)} topics")
    out.integrity = {p.name: integrity(p) for p in sorted(data_dir.glob("*.db"))}
    out.errors_in_log = sum(1 for line in bot.logs().splitlines() if " ERROR " in line)
    return out


def run(
    kills: int = 10,
    users: int = 8,
    questions_each: int = 8,
    handoff_people: int = 2,
    seed: int = 1,
    gap: float = 3.2,
    max_uptime: float = 4.0,
    start_kills: float = 0.25,
    work: Path | None = None,
    echo: Callable[[str], None] = print,
) -> Outcome:
    """The whole scenario; the Outcome says what was lost, doubled or broken."""
    rng = random.Random(seed)
    work = work or Path(tempfile.mkdtemp(prefix="kill-restart-"))
    fake = ForumBotApi().start()
    handoff = (ROOT / "handoff" / "service.py").exists()
    bot = Bot(fake, work, handoff)
    restarts: list[float] = []
    try:
        bot.start()
        wait_until(bot.ready, 120, "the first start")
        rng_pick = random.Random(seed)
        wanted_per_lang = max(4, 2 * questions_each * -(-users // 4))  # enough to spare after calibration
        candidates = {
            lang: rng_pick.sample(qs, min(len(qs), wanted_per_lang)) for lang, qs in faq_questions().items()
        }
        pool = calibrate(fake, candidates)
        echo(
            f"data in {work}; {sum(len(p) for p in pool.values())} questions answered with one message; "
            f"handoff {'on' if handoff else 'not installed'}"
        )
        people = []
        for n in range(users):
            lang = LANGS[n % 4]
            choices = list(pool[lang])
            rng.shuffle(choices)
            people.append(Person(7_000_000 + n, lang, choices[:questions_each]))
        handoffs = [
            HandoffPerson(7_100_000 + n, LANGS[n % 4]) for n in range(handoff_people if handoff else 0)
        ]
        stop = threading.Event()
        threads = [
            threading.Thread(target=ask_questions, args=(fake, p, gap, stop, random.Random(seed + p.chat)))
            for p in people
        ]
        threads += [
            threading.Thread(target=hand_off, args=(fake, h, work / "var" / "handoff.db", stop, 120.0))
            for h in handoffs
        ]
        for t in threads:
            t.start()
        for n in range(kills):
            during_start = rng.random() < start_kills
            if during_start:
                time.sleep(rng.uniform(0.05, 2.5))  # still loading the FAQ, or just polling
            else:
                wait_until(bot.ready, 120, f"restart {n}")
                time.sleep(rng.uniform(0.05, max_uptime))
            bot.kill()
            bot.start()
            if not during_start:
                wait_until(bot.ready, 120, f"start after kill {n + 1}")
                restarts.append(time.monotonic() - bot.started_at)
        for t in threads:
            t.join(300)
        wanted = sum(len(p.sent) for p in people)
        wait_until(
            lambda: sum(min(len(p.sent), len(fake.texts(p.chat))) for p in people) >= wanted,
            120,
            "the last answers",
        )
        time.sleep(2.0)  # a late duplicate shows itself
        status = bot.stop()
        echo(f"final stop: exit status {status}")
        outcome = check(fake, bot, people, handoffs, pool, work / "var")
        outcome.restarts_seconds = restarts
        return outcome
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.process.kill()
        fake.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scenario and print the outcome."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--questions", type=int, default=10, help="questions each person asks")
    parser.add_argument("--handoffs", type=int, default=2, help="people who talk to an advisor")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    outcome = run(args.kills, args.users, args.questions, args.handoffs, args.seed)
    print(outcome.report())
    print(f"{'OK' if outcome.ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
