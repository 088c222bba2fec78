"""The webhook over real HTTP (uvicorn on 127.0.0.1) against the fake Graph API, with a stand-in core."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import (VERIFY_TOKEN, RecordingDialogue, attachment_event, delivery_event,
                        echo_event, live_channel, meta_body, notification, postback_event, quick_reply_event,
                        read_event, signed, text_event)

from bot.channels.messenger_app import MAX_BODY
from bot.channels.messenger_events import GET_STARTED, SIGNATURE_HEADER, sign
from bot.messages import IncomingMessage


async def test_subscription_check_echoes_the_challenge(fake_graph: FakeGraphApi,
                                                       dialogue: RecordingDialogue) -> None:
    async with live_channel(fake_graph, dialogue) as live:
        check = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
        ok = await live.client.get("/webhook", params=check)
        wrong = await live.client.get("/webhook", params={**check, "hub.verify_token": "guess"})
        bare = await live.client.get("/webhook")
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert bare.status_code == 403


async def test_text_is_answered_through_the_send_api(fake_graph: FakeGraphApi,
                                                     dialogue: RecordingDialogue) -> None:
    async with live_channel(fake_graph, dialogue) as live:
        response = await live.post(notification(text_event("7001", "hello")))
        assert response.status_code == 200
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7001")) == 1)
    assert dialogue.seen == [IncomingMessage("messenger", "7001", "7001", text="hello")]
    call = fake_graph.sends("7001")[0]
    assert call.body == {"recipient": {"id": "7001"}, "messaging_type": "RESPONSE",
                         "message": {"text": "echo: hello"}}
    assert call.authorization == f"Bearer {fake_graph.token}"
    assert "access_token" not in call.query and len(call.query["appsecret_proof"]) == 64


@pytest.mark.parametrize("text", ["Як отримати номер PESEL? Дякую!", "Czy mogę pracować na wizie? Dziękuję"])
async def test_cyrillic_and_polish_signed_over_escaped_bytes(fake_graph: FakeGraphApi,
                                                            dialogue: RecordingDialogue, text: str) -> None:
    raw = meta_body(notification(text_event("7002", text)))
    assert raw.isascii()
    async with live_channel(fake_graph, dialogue) as live:
        reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
        refused = await live.client.post("/webhook", content=reserialised, headers=signed(raw))
        accepted = await live.client.post("/webhook", content=raw, headers=signed(raw))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7002")) == 1)
    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert dialogue.texts("7002") == [text]
    assert fake_graph.texts("7002") == [f"echo: {text}"]


async def test_wrong_or_missing_signature_is_refused_and_nothing_sent(
        fake_graph: FakeGraphApi, dialogue: RecordingDialogue, caplog: pytest.LogCaptureFixture) -> None:
    raw = meta_body(notification(text_event("7003", "hello")))
    async with live_channel(fake_graph, dialogue) as live:
        missing = await live.client.post("/webhook", content=raw)
        wrong = await live.client.post("/webhook", content=raw,
                                       headers={SIGNATURE_HEADER: sign(raw, "not-the-app-secret")})
        tampered = await live.client.post("/webhook", content=raw.replace(b"hello", b"hellO"),
                                          headers=signed(raw))
        sha1 = await live.client.post("/webhook", content=raw, headers={"X-Hub-Signature": "sha1=00"})
        await asyncio.sleep(0.1)
    assert [r.status_code for r in (missing, wrong, tampered, sha1)] == [403, 403, 403, 403]
    assert dialogue.seen == [] and fake_graph.calls == []
    assert "X-Hub-Signature-256" in caplog.text


async def test_oversized_and_malformed_bodies_are_refused(
        fake_graph: FakeGraphApi, dialogue: RecordingDialogue, caplog: pytest.LogCaptureFixture) -> None:
    big = b'{"object":"page","entry":[],"pad":"' + b"x" * MAX_BODY + b'"}'
    bad = b'{"object": "page", "entry": ['
    caplog.set_level(logging.WARNING)
    async with live_channel(fake_graph, dialogue) as live:
        too_big = await live.client.post("/webhook", content=big, headers=signed(big))
        malformed = await live.client.post("/webhook", content=bad, headers=signed(bad))
        array = await live.client.post("/webhook", content=b"[]", headers=signed(b"[]"))
        still_fine = await live.post(notification(text_event("7004", "still here")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7004")) == 1)
    assert (too_big.status_code, malformed.status_code, array.status_code) == (413, 400, 400)
    assert still_fine.status_code == 200
    assert "over" in caplog.text and "not a notification" in caplog.text


async def test_200_comes_before_the_answer(fake_graph: FakeGraphApi) -> None:
    slow = RecordingDialogue(delay=1.0)
    async with live_channel(fake_graph, slow) as live:
        started = time.monotonic()
        response = await live.post(notification(text_event("7005", "take your time")))
        answered_in = time.monotonic() - started
        nothing_sent_yet = fake_graph.sent("7005") == []
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7005")) == 1)
    assert response.status_code == 200 and response.text == "EVENT_RECEIVED"
    assert nothing_sent_yet and answered_in < 1.0


async def test_every_kind_of_event_in_one_batch(fake_graph: FakeGraphApi,
                                                 dialogue: RecordingDialogue) -> None:
    body = notification(text_event("7006", "hi"), quick_reply_event("7006", "Polski", "lang:pl"),
                        postback_event("7007", GET_STARTED), attachment_event("7007", "audio"),
                        echo_event("7006", "echo: hi"), delivery_event("7006"), read_event("7007"), entries=3)
    async with live_channel(fake_graph, dialogue) as live:
        assert (await live.post(body)).status_code == 200
        await fake_graph.wait_for(lambda: len(fake_graph.sent()) == 4)
        await live.idle()
    assert fake_graph.texts("7006") == ["echo: hi", "pressed lang:pl"]
    assert fake_graph.texts("7007") == ["Привіт! Оберіть мову.", "I read text only (audio)"]
    start = fake_graph.sent("7007")[0]["message"]
    assert [q["payload"] for q in start["quick_replies"]] == ["lang:uk", "lang:ru", "lang:pl", "lang:en"]
    assert len(dialogue.seen) == 4  # the echo, the delivery and the read reached nobody


async def test_each_person_in_order_different_people_at_once(fake_graph: FakeGraphApi) -> None:
    slow = RecordingDialogue(delay=0.05)
    items = [text_event(psid, f"{psid}-{n}") for n in range(5) for psid in ("7101", "7102", "7103")]
    async with live_channel(fake_graph, slow) as live:
        await live.post(notification(*items[:6]))
        await asyncio.gather(*(live.post(notification(item)) for item in items[6:9]))  # one per person
        await live.post(notification(*items[9:]))
        await fake_graph.wait_for(lambda: len(fake_graph.sent()) == 15)
    for psid in ("7101", "7102", "7103"):
        assert fake_graph.texts(psid) == [f"echo: {psid}-{n}" for n in range(5)]
    assert slow.overlaps == []
    assert slow.max_parallel >= 2


async def test_redelivered_message_is_handled_once_even_after_a_restart(fake_graph: FakeGraphApi,
                                                                        dialogue: RecordingDialogue,
                                                                        db_path: Path) -> None:
    body = notification(text_event("7008", "only once", mid="m_redelivered_1"))
    async with live_channel(fake_graph, dialogue, db_path) as live:
        first, again = await asyncio.gather(live.post(body), live.post(body))
        await live.idle()
        await live.post(body)
        await live.idle()
    async with live_channel(fake_graph, dialogue, db_path) as live:
        await live.post(body)
        await live.post(notification(text_event("7008", "a new one")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7008")) == 2)
    assert (first.status_code, again.status_code) == (200, 200)
    assert dialogue.texts("7008") == ["only once", "a new one"]
    assert fake_graph.texts("7008") == ["echo: only once", "echo: a new one"]


async def test_a_failing_core_does_not_stop_the_next_message(fake_graph: FakeGraphApi) -> None:
    def answer(msg: IncomingMessage) -> list:
        if msg.text == "boom":
            raise RuntimeError("core failed")
        return RecordingDialogue().answer(msg)

    async with live_channel(fake_graph, RecordingDialogue(answer)) as live:
        await live.post(notification(text_event("7009", "boom"), text_event("7009", "after")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("7009")) == 1)
    assert fake_graph.texts("7009") == ["echo: after"]
