"""The `migrant-bot` command line: a thin layer over the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bot.logging_setup import setup_logging
from bot.settings import SettingsError, load_settings


def _add_faq_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    faq = sub.add_parser("faq", help="check and inspect the FAQ files (for editors)")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    faq_sub.add_parser("validate", help="check every FAQ file; errors name the file, line and key")
    faq_sub.add_parser("stats", help="entries, questions and answers per language; what is missing or due")
    test = faq_sub.add_parser("test", help="run the editors' test questions in faq_data/tests/")
    test.add_argument("--verbose", action="store_true", help="also list the questions that passed")
    report = sub.add_parser("report", help="reports for editors")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    unanswered = report_sub.add_parser("unanswered", help="questions the bot could not answer, grouped by meaning")
    unanswered.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")


def _add_data_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    data = sub.add_parser("data", help="one person's stored data: export it (access request) or erase it")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    export = data_sub.add_parser("export", help="print everything stored about one conversation as JSON")
    forget = data_sub.add_parser("forget", help="erase everything stored about one conversation")
    for command in (export, forget):
        command.add_argument("--user", required=True, metavar="CHANNEL:CHAT_ID",
                             help="e.g. telegram:123456789")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `migrant-bot`."""
    parser = argparse.ArgumentParser(prog="migrant-bot", description="Help bot for migrants in Poland.")
    parser.add_argument("--config", help="settings file (YAML); default: $MIGRANT_BOT_CONFIG")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chat", help="talk to the bot in this terminal (no token, no network)")
    answer = sub.add_parser("answer", help="answer questions in bulk")
    answer.add_argument("--jsonl", action="store_true", required=True,
                        help='read {"id", "text"} per line from stdin, write one JSON answer per line')
    _add_faq_commands(sub)
    _add_data_commands(sub)
    sub.add_parser("telegram", help="run the Telegram bot (TELEGRAM_BOT_TOKEN)")
    messenger = sub.add_parser("messenger", help="run the Facebook Messenger webhook (MESSENGER_* settings)")
    messenger.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    messenger.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    messenger_sub = messenger.add_subparsers(dest="messenger_command")
    messenger_sub.add_parser("setup", help="publish the Get Started button, greeting and persistent menu")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `migrant-bot` console script."""
    args = build_parser().parse_args(argv)
    setup_logging(verbose=args.verbose)  # identifiers and secrets redacted in every record
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"migrant-bot: {exc}", file=sys.stderr)
        return 2
    from bot import commands

    handler = {"chat": commands.chat, "answer": commands.answer_jsonl, "faq": commands.faq,
               "report": commands.report, "telegram": commands.telegram, "messenger": commands.messenger,
               "data": commands.data}[args.command]
    try:
        return handler(settings, args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
