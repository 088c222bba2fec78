"""End to end with the real dialogue core: Telegram update in, what the migrant would see out."""

from __future__ import annotations

from pathlib import Path

import pytest
from tg_fake_api import FakeBotApi
from tg_harness import running_bot

from bot.answering import Answerer
from bot.app import build_bot
from bot.messages import LANGS
from bot.settings import Organisation, Settings
from bot.texts import text


def buttons(message: dict) -> list[str]:
    """The payloads under a delivered message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def test_start_in_each_language(
    fake_api: FakeBotApi, settings: Settings, answerer: Answerer, db_path: Path
) -> None:
    core = build_bot(settings, persistent=False, answerer=answerer).dialogue
    org = settings.organisation.name
    async with running_bot(fake_api, core, db_path):
        for n, lang in enumerate(LANGS):
            fake_api.message(900 + n, "/start", language=lang)
        await fake_api.wait_for(
            lambda: all(fake_api.messages(900 + n) for n in range(len(LANGS))), timeout=20
        )
    for n, lang in enumerate(LANGS):
        greeting = fake_api.messages(900 + n)[0]
        assert greeting["visible_text"] == text(lang, "greet", org_name=org)
        assert buttons(greeting) == [f"lang:{x}" for x in LANGS]


async def test_a_conversation_through_buttons(
    fake_api: FakeBotApi, settings: Settings, answerer: Answerer, db_path: Path
) -> None:
    core = build_bot(settings, persistent=False, answerer=answerer).dialogue
    chat = 950

    async def step(count: int) -> dict:
        await fake_api.wait_for(lambda: len(fake_api.messages(chat)) >= count, timeout=20)
        return fake_api.messages(chat)[count - 1]

    async with running_bot(fake_api, core, db_path):
        fake_api.message(chat, "/start", language="ru")
        greeting = await step(1)
        fake_api.press(chat, "lang:pl", language="ru")
        chosen = await step(3)  # the greeting came with a privacy note
        assert chosen["visible_text"] == text("pl", "language_set")
        fake_api.message(chat, "/topics", language="ru")
        topics = await step(4)
        category = next(p for p in buttons(topics) if p.startswith("cat:"))
        fake_api.press(chat, category, language="ru")
        questions = await step(5)
        faq = next(p for p in buttons(questions) if p.startswith("faq:"))
        fake_api.press(chat, faq, language="ru")
        answer = await step(6)
        assert answer["parse_mode"] == "HTML" and answer["link_preview_options"] == {"is_disabled": True}
        assert buttons(answer)[:2] == [f"fb:up:{faq[4:]}", f"fb:down:{faq[4:]}"]
        fake_api.press(chat, f"fb:down:{faq[4:]}", language="ru")
        sorry = await step(7)
        assert sorry["visible_text"] == text("pl", "feedback_down")
        fake_api.message(chat, voice={"file_id": "v", "file_unique_id": "v", "duration": 2}, language="ru")
        voice = await step(8)
        assert voice["visible_text"] == text("pl", "attachments_text_only")
    assert buttons(greeting) == [f"lang:{x}" for x in LANGS]
    assert all(len(m["visible_text"]) <= 4096 for m in fake_api.messages(chat))
    assert len(fake_api.calls_of("answerCallbackQuery")) == 4


QUESTIONS = {
    "uk": "Як отримати номер PESEL?",
    "ru": "Как получить номер PESEL?",
    "pl": "Jak dostać numer PESEL?",
    "en": "How do I get a PESEL number?",
}


async def test_a_question_in_each_language_gets_the_answer_in_html(
    fake_api: FakeBotApi, settings: Settings, answerer: Answerer, db_path: Path
) -> None:
    core = build_bot(settings, persistent=False, answerer=answerer).dialogue
    async with running_bot(fake_api, core, db_path):
        for n, (lang, question) in enumerate(QUESTIONS.items()):
            fake_api.message(970 + n, question, language=lang)
        await fake_api.wait_for(lambda: all(fake_api.messages(970 + n) for n in range(4)), timeout=20)
    for n in range(len(QUESTIONS)):
        answer = fake_api.messages(970 + n)[-1]
        assert answer["parse_mode"] == "HTML"  # the fake server parsed it as Telegram would
        assert "PESEL" in answer["visible_text"].split("\n")[0] and "<b>" in answer["text"]
        assert buttons(answer)[:2] == ["fb:up:pesel", "fb:down:pesel"]


async def test_an_organisation_name_with_an_ampersand_reads_right(
    fake_api: FakeBotApi, settings: Settings, answerer: Answerer, db_path: Path
) -> None:
    named = settings.model_copy(update={"organisation": Organisation(name="Dom & Praca <Kraków>")})
    core = build_bot(named, persistent=False, answerer=answerer).dialogue
    async with running_bot(fake_api, core, db_path):
        fake_api.message(960, "/start", language="en")
        await fake_api.wait_for(lambda: bool(fake_api.messages(960)), timeout=20)
    assert "Dom & Praca <Kraków>" in fake_api.messages(960)[0]["visible_text"]
