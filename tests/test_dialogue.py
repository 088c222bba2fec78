"""The dialogue core end to end: real NLU and FAQ, recording replies, in-memory state."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import BotParts
from bot.messages import IncomingMessage, Reply
from bot.render import plain_text
from bot.settings import PROJECT_ROOT


def say(bot: BotParts, text: str = "", chat: str = "c1", payload: str | None = None,
        locale: str | None = None, attachments: tuple[str, ...] = ()) -> list[Reply]:
    return bot.dialogue.handle(IncomingMessage("test", chat, "u1", text, payload, attachments, locale))


def main_meta(replies: list[Reply]) -> dict[str, object]:
    return next(r.meta for r in replies if "intent" in r.meta)


@pytest.mark.parametrize(("text", "lang", "faq_id"), [
    ("як отримати номер песель", "uk", "pesel"),
    ("как получить песель", "ru", "pesel"),
    ("jak dostać numer PESEL", "pl", "pesel"),
    ("how do I get a PESEL number", "en", "pesel"),
    ("kak poluchit pesel", "ru", "pesel"),
    ("які документи на карту побиту", "uk", "temporary_residence_permit"),
    ("czy moje dziecko jest ubezpieczone w nfz", "pl", "health_insurance"),
    ("how to register my address meldunek", "en", "meldunek"),
])
def test_answers_in_the_persons_language_with_an_official_link(bot: BotParts, text: str, lang: str,
                                                               faq_id: str) -> None:
    replies = say(bot, text)
    meta = main_meta(replies)
    assert (meta["faq_id"], meta["lang"]) == (faq_id, lang)
    answer = replies[0]
    assert answer.html and "https://" in answer.text
    expected_title = bot.answerer.knowledge.collection.by_id()[faq_id].text(lang).title  # type: ignore[union-attr]
    assert expected_title in plain_text(answer)
    assert [b.payload for b in answer.buttons[0]] == [f"fb:up:{faq_id}", f"fb:down:{faq_id}"]


@pytest.mark.parametrize("text", ["what's the weather in Kraków tomorrow", "дай рецепт борщу",
                                  "кто выиграл матч вчера", "napisz mi kod w pythonie"])
def test_out_of_scope_gets_no_faq_answer(bot: BotParts, text: str) -> None:
    meta = main_meta(say(bot, text))
    assert meta["faq_id"] is None and meta["intent"] == "out_of_scope"


@pytest.mark.parametrize(("text", "lang"), [("мій чоловік зараз мене б'є", "uk"), ("I want to kill myself", "en"),
                                            ("dziecko nie oddycha", "pl"), ("хочу покончить с собой", "ru")])
def test_emergency_answers_112_first(bot: BotParts, text: str, lang: str) -> None:
    replies = say(bot, text)
    assert "112" in replies[0].text and "116 123" in replies[0].text
    meta = main_meta(replies)
    assert meta["intent"] == "emergency" and meta["handoff"] is True and meta["lang"] == lang


def test_emergency_wins_even_inside_an_faq_question(bot: BotParts) -> None:
    replies = say(bot, "how to get pesel, my husband is beating me right now")
    assert "112" in replies[0].text


@pytest.mark.parametrize(("text", "intent"), [("привіт", "greet"), ("дякую!", "thanks"), ("do widzenia", "goodbye"),
                                              ("хочу поговорить с живым человеком", "human_handoff"),
                                              ("what can you do", "bot_capabilities")])
def test_small_talk_and_handoff_intents(bot: BotParts, text: str, intent: str) -> None:
    assert main_meta(say(bot, text))["intent"] == intent


def test_asking_for_a_person_without_advisors_gives_the_organisation_contact(bot: BotParts) -> None:
    replies = say(bot, "/human")
    assert replies[0].meta["handoff"] is True
    assert bot.settings.organisation.name in replies[0].text


def test_one_word_message_keeps_the_conversation_language(bot: BotParts) -> None:
    say(bot, "добрий день, підкажіть про страхування")
    replies = say(bot, "pesel")
    assert main_meta(replies)["lang"] == "uk"


def test_switching_language_by_text_and_button(bot: BotParts) -> None:
    assert say(bot, "in English please")[0].text == "OK, I will write in English."
    assert main_meta(say(bot, "pesel"))["lang"] == "en"
    assert say(bot, payload="lang:pl")[0].text.startswith("Dobrze")
    assert main_meta(say(bot, "pesel"))["lang"] == "pl"


def test_unsupported_language_gets_english_with_language_buttons(bot: BotParts) -> None:
    replies = say(bot, "Wie bekomme ich eine Aufenthaltserlaubnis in Polen?")
    assert "Ukrainian, Russian, Polish and English" in replies[0].text
    assert [b.payload for b in replies[0].buttons[0]] == ["lang:uk", "lang:ru", "lang:pl", "lang:en"]


def test_start_greets_in_the_client_language_with_privacy_notice(bot: BotParts) -> None:
    replies = say(bot, "/start", locale="uk")
    assert replies[0].text.startswith("Вітаю")
    assert any("/forget" in r.text for r in replies)


def test_two_failures_in_a_row_offer_an_advisor(bot: BotParts) -> None:
    say(bot, "qwerty zxcvb")
    replies = say(bot, "asdfgh jkl")
    assert any(b.payload == "human:fallback" for r in replies for row in r.buttons for b in row)
    assert main_meta(replies)["handoff"] is True


def test_topics_browse_to_an_answer(bot: BotParts) -> None:
    topics = say(bot, "/topics", locale="en")
    assert any(b.payload == "cat:documents" for row in topics[0].buttons for b in row)
    category = say(bot, payload="cat:documents")
    assert any(b.payload == "faq:pesel" for row in category[0].buttons for b in row)
    answer = say(bot, payload="faq:pesel")
    assert answer[0].meta["faq_id"] == "pesel"


def test_thumbs_down_offers_rephrase_or_advisor_and_is_recorded(bot: BotParts) -> None:
    say(bot, "how to get pesel")
    replies = say(bot, payload="fb:down:pesel")
    assert {b.payload for row in replies[0].buttons for b in row} == {"rephrase", "human:feedback"}
    assert bot.store.feedback[-1][1:3] == ("pesel", False)  # type: ignore[attr-defined]


def test_sensitive_topic_offers_an_advisor(bot: BotParts) -> None:
    replies = bot.dialogue._answer(bot.answerer.knowledge.collection.by_id()["discrimination_violence"], "en",
                                   bot.store.load(IncomingMessage("t", "x", "u").key))
    assert any(b.payload == "human:sensitive" for row in replies[0].buttons for b in row)


def test_attachments_get_a_text_only_note(bot: BotParts) -> None:
    replies = say(bot, attachments=("voice",), locale="ru")
    assert "текст" in replies[0].text


def test_forget_needs_confirmation_and_erases(bot: BotParts) -> None:
    say(bot, "як отримати песель")
    confirm = say(bot, "/forget")
    assert {b.payload for row in confirm[0].buttons for b in row} == {"forget:yes", "forget:no"}
    say(bot, payload="forget:yes")
    assert bot.store.questions() == []
    assert bot.store.load(IncomingMessage("test", "c1", "u1").key).lang is None


def test_question_log_is_redacted(bot: BotParts) -> None:
    say(bot, "мій паспорт EK1234567 і песель 90010112345, як продовжити візу")
    logged = bot.store.questions()[-1].text
    assert "EK1234567" not in logged and "90010112345" not in logged


async def test_concurrent_messages_of_one_conversation_are_serialised(bot: BotParts) -> None:
    texts = [f"pesel {i}" for i in range(8)]
    results = await asyncio.gather(*(asyncio.to_thread(say, bot, t) for t in texts))
    assert all(main_meta(r)["faq_id"] == "pesel" for r in results)


def test_core_imports_no_channel_library() -> None:
    code = ("import sys; import bot.core, bot.app, nlu.language, nlu.intents, retrieval.index, handoff.schedule;"
            "bad = [m for m in ('telegram', 'starlette', 'httpx', 'uvicorn') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_answer_jsonl_cli(tmp_path: Path) -> None:
    lines = [{"id": 1, "text": "як отримати песель"}, {"id": "b", "text": "recipe for pierogi"}, "not json"]
    stdin = "\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "answer", "--jsonl"], input=stdin, text=True,
                          capture_output=True, cwd=PROJECT_ROOT, env={**os.environ, "DATA_DIR": str(tmp_path)},
                          timeout=600)
    assert done.returncode == 0, done.stderr
    out = [json.loads(x) for x in done.stdout.splitlines()]
    assert out[0]["id"] == 1 and out[0]["faq_id"] == "pesel" and out[0]["lang"] == "uk"
    assert out[0]["intent"] == "faq" and "https://" in out[0]["reply"]
    assert set(out[0]) == {"id", "lang", "intent", "faq_id", "confidence", "handoff", "reply"}
    assert out[1]["faq_id"] is None and out[1]["intent"] == "out_of_scope"
    assert "error" in out[2]
