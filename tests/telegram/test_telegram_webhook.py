"""Webhook mode: setWebhook with a secret, requests without it refused, each update handled once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from tg_fake_api import FakeBotApi
from tg_harness import RecordingDialogue, make_config

from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_updates import ALLOWED_UPDATES
from bot.channels.telegram_webhook import SECRET_HEADER

SECRET = "s3cret-Token_42"


async def test_webhook_mode(fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path) -> None:
    config = make_config(
        fake_api, db_path, webhook_url="https://bot.example.org/tg/hook", webhook_secret=SECRET, listen_port=0
    )
    channel = TelegramChannel(config, dialogue)
    stop = asyncio.Event()
    await channel.start()
    runner = asyncio.create_task(channel.run(stop))
    try:
        assert fake_api.webhook is not None
        assert fake_api.webhook["url"] == "https://bot.example.org/tg/hook"
        assert fake_api.webhook["secret_token"] == SECRET
        assert fake_api.webhook["allowed_updates"] == ALLOWED_UPDATES
        while channel.webhook_port is None:
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{channel.webhook_port}/tg/hook"
        update = fake_api.message_update(801, "Szukam pracy")
        async with httpx.AsyncClient(timeout=5) as client:
            refused = [
                await client.post(url, json=update),
                await client.post(url, json=update, headers={SECRET_HEADER: "wrong"}),
                await client.post(url, json=update, headers={SECRET_HEADER: SECRET + "x"}),
            ]
            assert [r.status_code for r in refused] == [403, 403, 403]
            assert dialogue.seen == []
            accepted = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
            assert accepted.status_code == 200
            assert fake_api.texts(801) == ["echo: Szukam pracy"]  # handled before Telegram got its 200
            again = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})  # a redelivery
            assert again.status_code == 200
            bad = await client.post(url, content=b"not json", headers={SECRET_HEADER: SECRET})
            assert bad.status_code == 400
            assert (await client.get(f"http://127.0.0.1:{channel.webhook_port}/healthz")).status_code == 200
        assert dialogue.texts() == ["Szukam pracy"]
        assert fake_api.texts(801) == ["echo: Szukam pracy"]
    finally:
        stop.set()
        await asyncio.wait_for(runner, 10)
        await channel.close()


async def test_a_redelivery_after_a_restart_is_not_handled_again(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    update = fake_api.message_update(802, "Gdzie jest urząd?")
    for _ in range(2):  # the same delivery reaches two runs of the bot
        config = make_config(
            fake_api,
            db_path,
            webhook_url="https://bot.example.org/hook",
            webhook_secret=SECRET,
            listen_port=0,
        )
        channel = TelegramChannel(config, dialogue)
        stop = asyncio.Event()
        await channel.start()
        runner = asyncio.create_task(channel.run(stop))
        try:
            while channel.webhook_port is None:
                await asyncio.sleep(0.01)
            async with httpx.AsyncClient(timeout=5) as client:
                answer = await client.post(
                    f"http://127.0.0.1:{channel.webhook_port}/hook",
                    json=update,
                    headers={SECRET_HEADER: SECRET},
                )
            assert answer.status_code == 200
        finally:
            stop.set()
            await asyncio.wait_for(runner, 10)
            await channel.close()
    assert dialogue.texts() == ["Gdzie jest urząd?"]
    assert fake_api.texts(802) == ["echo: Gdzie jest urząd?"]
