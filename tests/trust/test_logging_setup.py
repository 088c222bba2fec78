"""Identifiers and secrets never reach the log; a person's whole message is not logged at the default level.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import cli
from bot.logging_setup import MAX_LOGGED, RedactingFilter, scrub, setup_logging

PESEL = "02070803628"
TOKEN = "123456789:AAExampleExampleExampleExample_1234"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """The root logger writing through setup_logging into a string; restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    setup_logging(verbose=True, stream=out)
    try:
        yield out
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
        root.setLevel(saved[1])


def test_a_pesel_in_a_logged_message_does_not_reach_the_log(log_output: io.StringIO) -> None:
    log = logging.getLogger("bot.core")
    log.warning("question from %s: my PESEL is %s", "telegram:42", PESEL)
    log.warning(f"inline PESEL {PESEL} and e-mail anna.kowalska@example.com, phone +48 600 123 456")
    log.info("args as a dict: %(pesel)s", {"pesel": PESEL})
    text = log_output.getvalue()
    assert PESEL not in text and "anna.kowalska" not in text and "600 123 456" not in text
    assert text.count("[PESEL]") == 3 and "[EMAIL]" in text and "[PHONE]" in text
    assert "telegram:42" in text  # what is not personal stays readable


def test_identifiers_in_tracebacks_are_redacted(log_output: io.StringIO) -> None:
    try:
        raise ValueError(f"cannot parse passport AB1234567 for PESEL {PESEL}")
    except ValueError:
        logging.getLogger("bot.channels.telegram").exception("update %s failed", 1001)
    text = log_output.getvalue()
    assert "ValueError" in text and "update 1001 failed" in text
    assert PESEL not in text and "AB1234567" not in text


def test_tokens_and_secrets_are_hidden(log_output: io.StringIO) -> None:
    log = logging.getLogger("httpx")
    log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    logging.getLogger("bot").error("GET /me?access_token=EAAGm0PX4ZCpsBA&appsecret_proof=9f8e7d6c5b4a")
    logging.getLogger("bot").error("Authorization: Bearer EAAGm0PX4ZCpsBAxyz123")
    text = log_output.getvalue()
    assert TOKEN not in text and "AAExample" not in text and "[TOKEN]" in text
    assert "EAAGm0PX4ZCpsBA" not in text and "9f8e7d6c5b4a" not in text


def test_a_long_message_text_is_not_logged_whole(log_output: io.StringIO) -> None:
    words = "Я живу у Вроцлаві і мій чоловік мене б'є, я боюся повертатися додому. " * 20
    logging.getLogger("bot.core").warning("message: %s", words)
    logging.getLogger("bot.core").debug("full at debug: %s", words)
    lines = log_output.getvalue().splitlines()
    assert len(lines[0]) < MAX_LOGGED + 120 and "more characters not logged" in lines[0]
    assert words.strip() not in lines[0]
    assert not any("full at debug" in line for line in lines)  # DEBUG is off at --verbose (INFO) too


def test_the_default_level_is_warning(log_output: io.StringIO) -> None:
    setup_logging(verbose=False, stream=log_output)
    logging.getLogger("bot").info("an info line")
    logging.getLogger("bot").warning("a warning line")
    assert "an info line" not in log_output.getvalue() and "a warning line" in log_output.getvalue()


def test_bad_arguments_do_not_lose_the_record() -> None:
    record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "two %s %s", (PESEL,), None)
    assert RedactingFilter().filter(record)
    assert PESEL not in record.getMessage() and "could not format" in record.getMessage()


def test_scrub_leaves_ordinary_text_alone() -> None:
    assert scrub("update 1001 failed; retry in 0.50 s") == "update 1001 failed; retry in 0.50 s"


def test_the_cli_installs_the_redacting_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(cli, "setup_logging", lambda verbose=False: calls.append(verbose))
    assert cli.main(["--config", "/nonexistent/settings.yaml", "-v", "faq", "validate"]) == 2
    assert calls == [True]
