"""Malformed webhook bodies: a clean 4xx and a log line, never a crash (no 500, no stuck request, bot up)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import RecordingDialogue as MessengerRecorder
from fb_harness import live_channel, notification, signed, text_event
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, Update
from tg_fake_api import TOKEN, FakeBotApi
from tg_harness import RecordingDialogue, make_config

from bot.channels.messenger_app import MAX_BODY as MESSENGER_MAX_BODY
from bot.channels.messenger_events import WebhookError, events_from_body, parse_body
from bot.channels.messenger_state import utcnow
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_webhook import MAX_BODY, SECRET_HEADER, parse_update

SECRET = "s3cret-Token_42"
GOOD = {
    "update_id": 5000,
    "message": {
        "message_id": 1,
        "date": 1700000000,
        "text": "hi",
        "chat": {"id": 901, "type": "private"},
        "from": {"id": 901, "is_bot": False, "first_name": "A"},
    },
}
BAD_TELEGRAM: dict[str, bytes] = {
    "truncated": json.dumps(GOOD).encode()[:40],
    "empty": b"",
    "not-utf8": b"\xff\xfe\xfd",
    "array": b"[]",
    "string": b'"update"',
    "null": b"null",
    "no-id": b'{"message": {}}',
    "id-as-text": b'{"update_id": "5001", "message": {}}',
    "id-as-bool": b'{"update_id": true, "message": {}}',
    "id-negative": b'{"update_id": -1, "message": {}}',
    "id-huge": b'{"update_id": 123456789012345678901234567890, "message": {}}',
    "id-float": b'{"update_id": 1e400, "message": {}}',
    "unknown-kind": b'{"update_id": 5002, "future_thing": {"x": 1}}',
    "message-as-text": b'{"update_id": 5003, "message": "hello"}',
    "chat-as-number": json.dumps(
        {**GOOD, "update_id": 5004, "message": {**GOOD["message"], "chat": 5}}
    ).encode(),
    "date-as-text": json.dumps(
        {**GOOD, "update_id": 5005, "message": {**GOOD["message"], "date": "yesterday"}}
    ).encode(),
    "deep-nesting": b'{"update_id": 5006, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "oversized": b'{"update_id": 5007, "message": {"text": "' + b"x" * (MAX_BODY + 1) + b'"}}',
}


@pytest.fixture
async def telegram_webhook(
    fake_api: FakeBotApi, tmp_path: Path
) -> AsyncIterator[tuple[str, RecordingDialogue]]:
    dialogue = RecordingDialogue()
    config = make_config(
        fake_api,
        tmp_path / "bot.db",
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
        yield f"http://127.0.0.1:{channel.webhook_port}/hook", dialogue
    finally:
        stop.set()
        await asyncio.wait_for(runner, 10)
        await channel.close()


async def test_malformed_telegram_updates_get_a_clean_4xx_and_a_log_line(
    telegram_webhook: tuple[str, RecordingDialogue], fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    url, dialogue = telegram_webhook
    caplog.set_level(logging.WARNING)
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        for name, body in BAD_TELEGRAM.items():
            caplog.clear()
            response = await client.post(
                url, content=body, headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"}
            )
            expected = 413 if name == "oversized" else 400
            assert response.status_code == expected, (name, response.status_code, response.text)
            assert "webhook body" in caplog.text, f"{name}: nothing logged"
            assert "Traceback" not in caplog.text
        good = await client.post(url, json=GOOD, headers={SECRET_HEADER: SECRET})
    assert good.status_code == 200
    assert dialogue.texts() == ["hi"] and fake_api.texts(901) == ["echo: hi"]


async def test_an_ignored_but_valid_update_kind_is_accepted(
    telegram_webhook: tuple[str, RecordingDialogue],
) -> None:
    """A real Telegram kind the bot does not answer (an edit) gets 200, or Telegram would send it again."""
    url, dialogue = telegram_webhook
    edited = {"update_id": 5100, "edited_message": {**GOOD["message"], "edit_date": 1700000001}}
    async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
        response = await client.post(url, json=edited, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200 and dialogue.seen == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=25,
)
UPDATE_KEYS = st.sampled_from(
    [
        "update_id",
        "message",
        "callback_query",
        "edited_message",
        "chat",
        "from",
        "text",
        "date",
        "message_id",
        "id",
        "type",
        "data",
        "entities",
        "object",
        "entry",
        "messaging",
        "sender",
        "postback",
        "payload",
        "quick_reply",
        "mid",
        "timestamp",
    ]
)
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**63) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(UPDATE_KEYS, inner, max_size=5),
    max_leaves=30,
)
BOT = Bot(TOKEN)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        JSON,
        SHAPED,
        SHAPED.map(lambda v: {"update_id": 7, "message": v}),
        SHAPED.map(lambda v: {"update_id": 8, "callback_query": v}),
    )
)
def test_any_json_is_an_update_or_a_value_error(value: Any) -> None:
    raw = json.dumps(value).encode()
    try:
        update = parse_update(raw, BOT)
    except ValueError:
        return
    assert isinstance(update, Update) and isinstance(update.update_id, int)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        JSON,
        SHAPED,
        SHAPED.map(lambda v: {"object": "page", "entry": v}),
        SHAPED.map(lambda v: {"object": "page", "entry": [{"messaging": v}]}),
        SHAPED.map(lambda v: {"object": "page", "entry": [{"messaging": [v]}]}),
    ),
    raw_suffix=st.sampled_from([b"", b"}", b"\xff", b"[" * 3000]),
)
def test_any_messenger_body_is_events_or_a_webhook_error(value: Any, raw_suffix: bytes) -> None:
    raw = json.dumps(value).encode() + raw_suffix
    try:
        events = events_from_body(parse_body(raw), utcnow())
    except WebhookError:
        return
    assert isinstance(events, list)
    for event in events:
        assert isinstance(event.message.text, str) and isinstance(event.psid, str) and event.psid


BAD_MESSENGER: dict[str, tuple[bytes, int]] = {
    "truncated": (b'{"object": "page", "entry": [{"messaging": [', 400),
    "not-utf8": (b"\xff\xfe", 400),
    "array": (b"[1, 2]", 400),
    "deep-nesting": (b'{"object": "page", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    "oversized": (b'{"object": "page", "pad": "' + b"x" * MESSENGER_MAX_BODY + b'"}', 413),
    # Signed notifications Meta might send (other objects, event kinds the bot does not answer, odd field
    # types) are acknowledged with 200: Meta retries anything else, then turns the webhook off.
    "wrong-types": (
        json.dumps(
            {
                "object": "page",
                "entry": [
                    {
                        "messaging": [
                            {"sender": "7401", "message": {"text": 5}},
                            {"sender": {"id": ["x"]}, "message": "hi"},
                            {"sender": {"id": "7402"}, "message": {"text": ["a"], "attachments": "photo"}},
                            {"sender": {"id": "7403"}, "postback": {"payload": {"x": 1}}, "timestamp": "now"},
                        ]
                    }
                ],
            }
        ).encode(),
        200,
    ),
    "unknown-kind": (
        json.dumps(
            {
                "object": "page",
                "entry": [{"messaging": [{"sender": {"id": "7404"}, "reaction": {"emoji": "👍"}}]}],
            }
        ).encode(),
        200,
    ),
    "other-object": (b'{"object": "instagram", "entry": []}', 200),
}


async def test_malformed_messenger_bodies_get_a_clean_answer_and_a_log_line(
    fake_graph: FakeGraphApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    dialogue = MessengerRecorder()
    async with live_channel(fake_graph, dialogue) as live:
        for name, (body, expected) in BAD_MESSENGER.items():
            caplog.clear()
            response = await live.client.post("/webhook", content=body, headers=signed(body))
            assert response.status_code == expected, (name, response.status_code)
            if expected >= 400:
                assert "refused" in caplog.text, f"{name}: nothing logged"
            assert "Traceback" not in caplog.text
        await live.idle()
        still_fine = await live.post(notification(text_event("7405", "still here")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7405")) == 1)
    assert still_fine.status_code == 200
    # Odd field types became plain text, or nothing; never an exception in the channel.
    assert all(isinstance(m.text, str) for m in dialogue.seen)
    assert "failed" not in caplog.text
