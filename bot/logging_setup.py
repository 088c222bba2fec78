"""Logging that keeps personal data and secrets out of the log: every record is redacted before it is written.

`setup_logging` replaces `logging.basicConfig` in the CLI. The filter sits on the handlers, so it sees the
records of every logger (ours, python-telegram-bot's, httpx's, uvicorn's), arguments and tracebacks included.
At the default level (INFO and above) a record's text is also cut short, so a person's whole message never
lands in the log even when some code logs it; DEBUG keeps the whole (redacted) text for a developer.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from bot.redact import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER_NAME = "migrant-bot"
MAX_LOGGED = 300  # characters of a record's text kept at INFO and above
_SECRETS = (
    (
        re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"),
        "[TOKEN]",
    ),  # a Telegram bot token, e.g. inside an API URL
    (
        re.compile(
            r"(?i)\b(access_token|appsecret_proof|secret_token|verify_token|hub\.verify_token|token)"
            r"([=:]\s*)[^\s&\"',;]+"
        ),
        r"\1\2[SECRET]",
    ),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [SECRET]"),
)
_NOISY = ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler", "uvicorn.access")


def scrub(text: str) -> str:
    """`text` without personal identifiers (bot.redact) and without tokens or secrets."""
    for pattern, label in _SECRETS:
        text = pattern.sub(label, text)
    return redact(text)


def shorten(text: str, limit: int = MAX_LOGGED) -> str:
    """At most `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters not logged]"


class RedactingFilter(logging.Filter):
    """Rewrites each record: message and arguments rendered, redacted, and (at INFO and above) cut short."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        super().__init__()
        self.limit = limit
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        if getattr(record, "redacted", False):
            return True  # a second handler sees the same record
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - wrong arguments must not lose the record
            message = f"{record.msg!r} (could not format the arguments)"
        message = scrub(message)
        if record.levelno >= logging.INFO:
            message = shorten(message, self.limit)
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record.redacted = True
        return True


def setup_logging(verbose: bool = False, stream: TextIO | None = None) -> logging.Handler:
    """Log to stderr (or `stream`) through the redacting filter; WARNING by default, INFO with `verbose`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for other in list(root.handlers):
        if other.get_name() == HANDLER_NAME:
            root.removeHandler(other)  # set up again (tests): one handler, not two
        else:
            install_filter(other)  # someone else's handler gets redacted records too
    install_filter(handler)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for name in _NOISY:  # their INFO lines carry request URLs, which hold the bot token
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler


def install_filter(handler: logging.Handler) -> None:
    """Add the redacting filter to a handler made elsewhere (uvicorn's, pytest's), once."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())
