"""Meta's notifications -> IncomingMessages; the signature over the raw, escaped bytes (pure functions)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fb_harness import (APP_SECRET, PAGE_ID, attachment_event, delivery_event, echo_event, meta_body,
                        notification, postback_event, quick_reply_event, read_event, text_event)

from bot.channels.messenger_events import (GET_STARTED, MENU_FORGET, MENU_HUMAN, MENU_LANGUAGE, MENU_TOPICS,
                                           WebhookError, events_from_body, parse_body, sign, signature_valid,
                                           verify_token_valid)
from bot.messages import IncomingMessage

NOW = datetime(2025, 3, 30, 12, 0, tzinfo=UTC)


def incoming(body: dict) -> list[IncomingMessage]:
    return [e.message for e in events_from_body(body, NOW)]


def test_text_becomes_an_incoming_message() -> None:
    event = events_from_body(notification(text_event("6001", "Jak dostać PESEL?", mid="m_1")), NOW)[0]
    assert event.message == IncomingMessage("messenger", "6001", "6001", text="Jak dostać PESEL?")
    assert event.event_id == "m_1"
    assert event.timestamp <= NOW


def test_quick_reply_sends_its_payload_not_its_title() -> None:
    assert incoming(notification(quick_reply_event("6002", "Polski", "lang:pl"))) == [
        IncomingMessage("messenger", "6002", "6002", payload="lang:pl")]


@pytest.mark.parametrize(("payload", "text", "core_payload"), [
    (GET_STARTED, "/start", None), (MENU_LANGUAGE, "/language", None), (MENU_FORGET, "/forget", None),
    (MENU_TOPICS, "", "topics"), (MENU_HUMAN, "", "human"), ("faq:pesel", "", "faq:pesel")])
def test_postbacks_become_commands_or_payloads(payload: str, text: str, core_payload: str | None) -> None:
    assert incoming(notification(postback_event("6003", payload))) == [
        IncomingMessage("messenger", "6003", "6003", text=text, payload=core_payload)]


@pytest.mark.parametrize("kind", ["image", "audio", "video", "file"])
def test_attachments_are_named_by_kind(kind: str) -> None:
    assert incoming(notification(attachment_event("6004", kind))) == [
        IncomingMessage("messenger", "6004", "6004", attachments=(kind,))]


def test_echoes_deliveries_and_reads_are_ignored() -> None:
    body = notification(echo_event("6005", "our own answer"), delivery_event("6005"), read_event("6005"),
                        {"sender": {"id": "6005"}, "recipient": {"id": PAGE_ID}, "timestamp": 1,
                         "reaction": {"reaction": "love", "action": "react", "mid": "m_x"}})
    assert events_from_body(body, NOW) == []


def test_batch_of_entries_keeps_the_order_of_each_entry() -> None:
    items = [text_event("a", "1"), text_event("b", "x"), text_event("a", "2"), read_event("b"),
             postback_event("b", GET_STARTED), text_event("a", "3")]
    body = notification(*items, entries=2)  # entry 1: a1, b:x, a2; entry 2: read, b:start, a3
    assert len(body["entry"]) == 2
    got = incoming(body)
    assert [m.text for m in got if m.chat_id == "a"] == ["1", "2", "3"]
    assert [m.text for m in got if m.chat_id == "b"] == ["x", "/start"]


def test_other_objects_and_odd_shapes_give_nothing() -> None:
    assert incoming({"object": "instagram", "entry": [{"messaging": [text_event("1", "hi")]}]}) == []
    assert incoming({"object": "page", "entry": "nope"}) == []
    assert incoming({"object": "page", "entry": [{"messaging": [{"sender": {}}, 5, None]}]}) == []


def test_a_future_or_missing_timestamp_means_now() -> None:
    item = text_event("6006", "hi")
    item["timestamp"] = 99999999999999
    assert events_from_body(notification(item), NOW)[0].timestamp == NOW
    del item["timestamp"]
    assert events_from_body(notification(item), NOW)[0].timestamp == NOW


def test_parse_body_refuses_what_is_not_a_json_object() -> None:
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe", b""):
        with pytest.raises(WebhookError):
            parse_body(raw)


@pytest.mark.parametrize("text", ["Як отримати номер PESEL?", "Gdzie złożyć wniosek o kartę pobytu?"])
def test_signature_covers_the_escaped_raw_bytes_only(text: str) -> None:
    raw = meta_body(notification(text_event("6007", text)))
    assert b"\\u" in raw and text.encode() not in raw  # Meta escapes non-ASCII
    header = sign(raw, APP_SECRET)
    assert signature_valid(raw, header, APP_SECRET)
    assert incoming(parse_body(raw))[0].text == text
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    assert not signature_valid(reserialised, header, APP_SECRET)
    assert not signature_valid(json.dumps(json.loads(raw)).encode(), header, APP_SECRET)


def test_wrong_missing_or_malformed_signatures_fail() -> None:
    raw = meta_body(notification(text_event("6008", "hi")))
    good = sign(raw, APP_SECRET)
    assert not signature_valid(raw, None, APP_SECRET)
    assert not signature_valid(raw, "", APP_SECRET)
    assert not signature_valid(raw, good.removeprefix("sha256="), APP_SECRET)
    assert not signature_valid(raw, sign(raw, "another-secret"), APP_SECRET)
    assert not signature_valid(raw, "sha256=ä" + good[8:], APP_SECRET)
    assert not signature_valid(raw, good, "")
    assert signature_valid(raw, good, APP_SECRET)


def test_verify_token_needs_subscribe_mode_and_the_exact_token() -> None:
    assert verify_token_valid("subscribe", "tok", "tok")
    assert not verify_token_valid("subscribe", "tok2", "tok")
    assert not verify_token_valid("unsubscribe", "tok", "tok")
    assert not verify_token_valid("subscribe", None, "tok")
    assert not verify_token_valid("subscribe", "tok", "")
