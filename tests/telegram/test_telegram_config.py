"""Settings for the Telegram channel: a missing or malformed token fails early, and clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from tg_fake_api import FakeBotApi
from tg_harness import RecordingDialogue, make_config

from bot.channels.telegram import (
    TelegramChannel,
    TelegramConfig,
    TelegramSettingsError,
    run_telegram,
    validate_token,
)
from bot.settings import SettingsError, load_settings

GOOD = "123456789:AAExampleExampleExampleExample_1234"


def test_a_good_token_passes() -> None:
    assert validate_token(f"  {GOOD}\n") == GOOD


@pytest.mark.parametrize(
    "token, words",
    [
        (None, "not set"),
        ("", "not set"),
        ("abc", "does not look like"),
        ("123456789:short", "does not look like"),
        (f'"{GOOD}"', "does not look like"),
        (f"bot{GOOD}", "does not look like"),
    ],
)
def test_bad_tokens_are_explained(token: str | None, words: str) -> None:
    with pytest.raises(TelegramSettingsError, match=words) as caught:
        validate_token(token)
    assert isinstance(caught.value, SettingsError)
    assert "BotFather" in str(caught.value) or "TELEGRAM_BOT_TOKEN" in str(caught.value)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("MIGRANT_BOT_CONFIG", raising=False)
    config = TelegramConfig.from_settings(load_settings(data_dir=tmp_path))
    assert (config.token, config.base_url, config.webhook) == (GOOD, "http://127.0.0.1:9/bot", False)
    assert config.db_path == tmp_path / "bot.db"


def test_missing_token_stops_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("MIGRANT_BOT_CONFIG", raising=False)
    import bot.app

    monkeypatch.setattr(bot.app, "build_dialogue", lambda settings: pytest.fail("core built without a token"))
    assert run_telegram(load_settings(data_dir=tmp_path)) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    assert not (tmp_path / "bot.db").exists()


def test_the_cli_reports_a_malformed_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "12345:oops")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MIGRANT_BOT_CONFIG", raising=False)
    assert main(["telegram"]) == 2
    err = capsys.readouterr().err
    assert "does not look like a bot token" in err and "oops" not in err


@pytest.mark.parametrize(
    "url, secret, words",
    [
        ("http://bot.example.org/tg", "s3cret", "https"),
        ("https://bot.example.org/tg", None, "TELEGRAM_WEBHOOK_SECRET"),
        ("https://bot.example.org/tg", "has space", "TELEGRAM_WEBHOOK_SECRET"),
    ],
)
def test_webhook_needs_https_and_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, secret: str | None, words: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", url)
    monkeypatch.delenv("MIGRANT_BOT_CONFIG", raising=False)
    if secret:
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    else:
        monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    with pytest.raises(TelegramSettingsError, match=words):
        TelegramConfig.from_settings(load_settings(data_dir=tmp_path))


async def test_a_token_telegram_rejects_is_a_clear_error(fake_api: FakeBotApi, db_path: Path) -> None:
    config = make_config(fake_api, db_path, token="987654321:AAThisTokenIsWellFormedButUnknown_x")
    channel = TelegramChannel(config, RecordingDialogue())
    with pytest.raises(TelegramSettingsError, match="does not accept"):
        await channel.start()
    await channel.close()
