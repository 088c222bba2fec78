"""What each `migrant-bot` sub-command does."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys


from bot.messages import IncomingMessage, Reply
from bot.render import plain_text
from bot.settings import Settings
from retrieval.errors import FaqError


def _print_replies(replies: list[Reply], buttons: list[str]) -> None:
    buttons.clear()
    for reply in replies:
        if reply.to is not None:
            continue
        print(f"bot> {plain_text(reply)}\n")
        for row in reply.buttons:
            for button in row:
                buttons.append(button.payload)
                print(f"   [{len(buttons)}] {button.label}")
        if reply.buttons:
            print()


def chat(settings: Settings, args: argparse.Namespace) -> int:
    """The console conversation: type questions, or a number to press a button."""
    from bot.app import build_bot

    print("Loading the FAQ and the language model...", file=sys.stderr)
    try:
        parts = build_bot(settings, persistent=False)
    except FaqError as exc:
        print(f"The FAQ has errors:\n{exc}", file=sys.stderr)
        return 1
    from bot.app import start_faq_watcher

    start_faq_watcher(parts)
    buttons: list[str] = []
    print("Write a question in Ukrainian, Russian, Polish or English (Ctrl-D or /quit to leave).\n")
    _print_replies(parts.dialogue.handle(IncomingMessage("console", "local", "local", "/start")), buttons)
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if line in ("/quit", "/exit"):
            return 0
        if line.isdigit() and 0 < int(line) <= len(buttons):
            msg = IncomingMessage("console", "local", "local", payload=buttons[int(line) - 1])
        else:
            msg = IncomingMessage("console", "local", "local", line)
        _print_replies(parts.dialogue.handle(msg), buttons)


def answer_jsonl(settings: Settings, args: argparse.Namespace) -> int:
    """Answer {"id", "text"} lines from stdin; each line is its own fresh conversation."""
    from bot.app import build_bot

    try:
        parts = build_bot(settings, persistent=False)
    except FaqError as exc:
        print(f"The FAQ has errors:\n{exc}", file=sys.stderr)
        return 1
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, question = item.get("id", number), str(item["text"])
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            print(json.dumps({"id": None, "error": f"line {number}: expected {{\"id\": ..., \"text\": ...}}"}),
                  flush=True)
            continue
        replies = parts.dialogue.handle(IncomingMessage("jsonl", f"q{number}", f"q{number}", question))
        print(json.dumps(answer_record(qid, replies), ensure_ascii=False), flush=True)
    return 0


def answer_record(qid: object, replies: list[Reply]) -> dict[str, object]:
    """The JSON line for one answered question."""
    own = [r for r in replies if r.to is None]
    meta = next((r.meta for r in own if "intent" in r.meta), {})
    return {"id": qid, "lang": meta.get("lang", "en"), "intent": meta.get("intent", "out_of_scope"),
            "faq_id": meta.get("faq_id"), "confidence": meta.get("confidence", 0.0),
            "handoff": any(bool(r.meta.get("handoff")) for r in own),
            "reply": "\n\n".join(plain_text(r) for r in own)}


def faq(settings: Settings, args: argparse.Namespace) -> int:
    """`faq validate | stats | test`."""
    from bot import faq_commands

    return {"validate": faq_commands.validate, "stats": faq_commands.stats,
            "test": faq_commands.run_tests}[args.faq_command](settings, args)


def report(settings: Settings, args: argparse.Namespace) -> int:
    """`report unanswered`."""
    from bot.reports import unanswered_report

    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=args.days)
    from bot.app import build_answerer

    answerer = build_answerer(settings)
    from bot.store import SqliteStore

    print(unanswered_report(SqliteStore(settings.database_path), answerer.embedder, since))
    return 0


def messenger(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Messenger webhook, or `messenger setup` (Get Started button and menu)."""
    from bot.channels.messenger import run_messenger, setup_profile

    if args.messenger_command == "setup":
        return setup_profile(settings)
    return run_messenger(settings, args.host, args.port)


def telegram(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Telegram bot."""
    from bot.channels.telegram import run_telegram

    return run_telegram(settings) or 0


def data(settings: Settings, args: argparse.Namespace) -> int:
    """`data export | forget --user CHANNEL:CHAT_ID`: a person's access or erasure request."""
    from bot.data_export import DataRequestError, export_user, forget_user, parse_user

    try:
        key = parse_user(args.user)
    except DataRequestError as exc:
        print(f"migrant-bot data: {exc}", file=sys.stderr)
        return 2
    if args.data_command == "export":
        print(json.dumps(export_user(settings, key), ensure_ascii=False, indent=2))
        return 0
    if not args.yes:
        try:
            answer = input(f"Erase everything stored about {key}? Type yes to confirm: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            print("Nothing erased.", file=sys.stderr)
            return 1
    for place, count in forget_user(settings, key).items():
        print(f"{place}: {count} removed")
    return 0
