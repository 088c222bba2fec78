"""The real dialogue core behind the webhook: answers in all four languages, Get Started, menus, limits."""

from __future__ import annotations

import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import (attachment_event, live_channel, notification, postback_event, quick_reply_event,
                        text_event)

from bot.answering import Answerer
from bot.app import BotParts, build_bot
from bot.channels.messenger_events import GET_STARTED, MENU_HUMAN, MENU_TOPICS
from bot.channels.messenger_render import MAX_QUICK_REPLIES, MAX_TEXT, MAX_TITLE, render_replies
from bot.messages import LANGS, IncomingMessage
from bot.settings import Settings
from bot.texts import text

QUESTIONS = {"uk": "Як отримати номер PESEL?", "ru": "Как получить номер PESEL?",
             "pl": "Jak uzyskać numer PESEL?", "en": "How do I get a PESEL number?"}


@pytest.fixture(scope="module")
def core(settings: Settings, answerer: Answerer) -> BotParts:
    """The real core over the real FAQ (in-memory state), built once for this module."""
    return build_bot(settings, persistent=False, answerer=answerer)


def _check_limits(message: dict) -> None:
    assert 0 < len(message["text"].encode("utf-16-le")) // 2 <= MAX_TEXT
    replies = message.get("quick_replies", [])
    assert len(replies) <= MAX_QUICK_REPLIES
    assert all(0 < len(q["title"]) <= MAX_TITLE and len(q["payload"]) <= 1000 for q in replies)


async def test_answers_in_all_four_languages(fake_graph: FakeGraphApi, core: BotParts) -> None:
    entry = core.answerer.knowledge.collection.by_id()["pesel"]
    items = [text_event(f"9{n}01", QUESTIONS[lang]) for n, lang in enumerate(LANGS)]
    async with live_channel(fake_graph, core.dialogue) as live:
        assert (await live.post(notification(*items, entries=2))).status_code == 200
        await fake_graph.wait_for(lambda: len(fake_graph.sent()) >= 4, timeout=30)
        await live.idle(30)
    for n, lang in enumerate(LANGS):
        sent = fake_graph.sent(f"9{n}01")
        body = "\n\n".join(b["message"]["text"] for b in sent)
        loc = entry.text(lang)
        assert loc is not None
        assert body.startswith(loc.title) and loc.answer.strip()[:60] in body, lang
        assert "<b>" not in body
        last = sent[-1]["message"]
        assert [q["payload"] for q in last["quick_replies"]] == ["fb:up:pesel", "fb:down:pesel"]
        for b in sent:
            _check_limits(b["message"])


async def test_get_started_then_choose_polish(fake_graph: FakeGraphApi, core: BotParts) -> None:
    psid = "9501"
    async with live_channel(fake_graph, core.dialogue) as live:
        await live.post(notification(postback_event(psid, GET_STARTED)))
        await fake_graph.wait_for(lambda: len(fake_graph.sent(psid)) == 2, timeout=30)
        choices = fake_graph.sent(psid)[-1]["message"]["quick_replies"]
        polski = next(q for q in choices if q["payload"] == "lang:pl")
        await live.post(notification(quick_reply_event(psid, polski["title"], polski["payload"])))
        await live.post(notification(postback_event(psid, MENU_TOPICS, "Tematy")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent(psid)) == 4, timeout=30)
    greeting, privacy, chosen, topics = fake_graph.sent(psid)
    assert greeting["message"]["text"].startswith("Hello!") and "quick_replies" not in greeting["message"]
    assert [q["payload"] for q in choices] == [f"lang:{lang}" for lang in LANGS]
    assert chosen["message"]["text"] == text("pl", "language_set")
    assert topics["message"]["text"] == text("pl", "topics_prompt")
    assert all(q["payload"].startswith("cat:") for q in topics["message"]["quick_replies"])
    for b in (greeting, privacy, chosen, topics):
        _check_limits(b["message"])


async def test_photo_gets_the_text_only_reply_and_menu_reaches_the_contacts(fake_graph: FakeGraphApi,
                                                                           core: BotParts) -> None:
    async with live_channel(fake_graph, core.dialogue) as live:
        await live.post(notification(attachment_event("9601"), postback_event("9602", MENU_HUMAN)))
        await fake_graph.wait_for(lambda: len(fake_graph.sent()) == 2, timeout=30)
    assert fake_graph.texts("9601") == [text("en", "attachments_text_only")]
    assert core.settings.organisation.name in fake_graph.texts("9602")[0]


def test_every_faq_answer_fits_messenger_in_every_language(core: BotParts) -> None:
    entries = core.answerer.knowledge.collection.entries
    for lang in LANGS:
        key = f"limits-{lang}"
        core.dialogue.handle(IncomingMessage("messenger", key, key, payload=f"lang:{lang}"))
        for entry in entries:
            replies = core.dialogue.handle(IncomingMessage("messenger", key, key, payload=f"faq:{entry.id}"))
            messages = render_replies(replies)
            assert messages, entry.id
            for message in messages:
                _check_limits(message)
