"""The whole path against the fake Bot API: an update in, the message Telegram would show out."""

from __future__ import annotations

from pathlib import Path

from tg_fake_api import BOT_USERNAME, FakeBotApi
from tg_harness import RecordingDialogue, running_bot

from bot.channels.telegram_commands import DESCRIPTIONS
from bot.messages import LANGS, Button, ConversationKey, IncomingMessage, Reply


async def test_start_greets_with_language_buttons(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(501, "/start", language="uk")
        await fake_api.wait_for(lambda: len(fake_api.messages(501)) == 1)
    msg = dialogue.seen[0]
    assert msg == IncomingMessage("telegram", "501", "501", text="/start", locale_hint="uk")
    sent = fake_api.messages(501)[0]
    assert sent["text"].startswith("Привіт!")
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in keyboard[0]] == ["lang:uk", "lang:ru", "lang:pl", "lang:en"]
    assert [c.params["action"] for c in fake_api.calls_of("sendChatAction")][:1] == ["typing"]


async def test_command_menus_are_set_in_each_language(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        pass
    assert set(fake_api.commands) == {None, *LANGS}
    for lang in LANGS:
        menu = {c["command"]: c["description"] for c in fake_api.commands[lang]}
        assert menu == DESCRIPTIONS[lang]
    assert fake_api.calls_of("deleteWebhook")


async def test_text_answer_and_button_press(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(502, "jak dostać PESEL?", language="pl")
        await fake_api.wait_for(lambda: len(fake_api.messages(502)) == 1)
        fake_api.press(502, "faq:pesel", language="pl")
        await fake_api.wait_for(lambda: len(fake_api.messages(502)) == 2)
    assert fake_api.texts(502) == ["echo: jak dostać PESEL?", "pressed faq:pesel"]
    assert dialogue.seen[1] == IncomingMessage(
        "telegram", "502", "502", payload="faq:pesel", locale_hint="pl"
    )
    assert len(fake_api.calls_of("answerCallbackQuery")) == 1


async def test_command_addressed_with_bot_name(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(503, f"/help@{BOT_USERNAME}")
        await fake_api.wait_for(lambda: len(fake_api.messages(503)) == 1)
    assert dialogue.texts() == ["/help"]


async def test_long_answer_is_split_in_order_with_buttons_last(fake_api: FakeBotApi, db_path: Path) -> None:
    paragraphs = [(f"§{i} " + "Karta pobytu — informacje. " * 60).strip() for i in range(10)]
    core = RecordingDialogue(
        lambda m: [Reply("\n\n".join(paragraphs), buttons=[[Button("👍", "fb:up:karta")]])]
    )
    async with running_bot(fake_api, core, db_path):
        fake_api.message(504, "karta pobytu")
        await fake_api.wait_for(lambda: len(fake_api.messages(504)) >= 4)
        await fake_api.wait_for(lambda: "reply_markup" in fake_api.messages(504)[-1])
    sent = fake_api.messages(504)
    assert all(len(m["visible_text"]) <= 4096 for m in sent)
    assert [("reply_markup" in m) for m in sent] == [False] * (len(sent) - 1) + [True]
    assert "\n\n".join(m["text"] for m in sent) == "\n\n".join(paragraphs)


async def test_plain_text_is_escaped_and_html_passes(fake_api: FakeBotApi, db_path: Path) -> None:
    core = RecordingDialogue(
        lambda m: [
            Reply("Use <PESEL> & <NIP>"),
            Reply('<b>Urząd</b> <a href="https://udsc.gov.pl">UDSC</a>', html=True),
        ]
    )
    async with running_bot(fake_api, core, db_path):
        fake_api.message(505, "?")
        await fake_api.wait_for(lambda: len(fake_api.messages(505)) == 2)
    plain, rich = fake_api.messages(505)
    assert (
        plain["text"] == "Use &lt;PESEL&gt; &amp; &lt;NIP&gt;"
        and plain["visible_text"] == "Use <PESEL> & <NIP>"
    )
    assert rich["visible_text"] == "Urząd UDSC"


async def test_attachments_get_an_answer(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(506, voice={"file_id": "v1", "file_unique_id": "u1", "duration": 4})
        fake_api.message(
            506, caption="moja wiza", photo=[{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}]
        )
        fake_api.message(506, location={"latitude": 52.23, "longitude": 21.01})
        await fake_api.wait_for(lambda: len(fake_api.messages(506)) == 3)
    assert [(m.text, m.attachments) for m in dialogue.seen] == [
        ("", ("voice",)),
        ("moja wiza", ("photo",)),
        ("", ("location",)),
    ]
    assert fake_api.texts(506)[0] == "I read text only (voice)"


async def test_edits_other_bots_and_unaddressed_groups_are_ignored(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(507, "typo", kind="edited_message")
        fake_api.message(508, "beep", is_bot=True)
        fake_api.message(-100777, "hi all", user_id=509, chat_type="supergroup")
        fake_api.message(
            -100777,
            f"@{BOT_USERNAME} co to jest PESEL?",
            user_id=509,
            chat_type="supergroup",
            entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}],
        )
        await fake_api.wait_for(lambda: len(fake_api.messages()) == 1)
        await fake_api.wait_confirmed()
    assert [(m.chat_id, m.text) for m in dialogue.seen] == [("-100777", "co to jest PESEL?")]
    assert fake_api.texts() == ["echo: co to jest PESEL?"]


async def test_reply_to_advisors_forum_topic(fake_api: FakeBotApi, db_path: Path) -> None:
    advisors = ConversationKey("telegram", "-100500")
    core = RecordingDialogue(
        lambda m: [
            Reply("An advisor will write to you."),
            Reply("New ticket #12 (uk): PESEL", to=advisors, meta={"thread_id": 7}),
        ]
    )
    async with running_bot(fake_api, core, db_path):
        fake_api.message(510, "/human")
        await fake_api.wait_for(lambda: len(fake_api.messages()) == 2)
    [to_user] = fake_api.messages(510)
    [to_advisors] = fake_api.messages(-100500)
    assert to_advisors["message_thread_id"] == 7 and "message_thread_id" not in to_user


async def test_typing_is_shown_and_renewed_while_the_core_works(fake_api: FakeBotApi, db_path: Path) -> None:
    core = RecordingDialogue(delay=0.35)
    async with running_bot(fake_api, core, db_path, typing_interval=0.1):
        fake_api.message(511, "slow question")
        await fake_api.wait_for(lambda: len(fake_api.messages(511)) == 1)
    actions = [c for c in fake_api.calls_of("sendChatAction") if c.params["chat_id"] == 511]
    assert len(actions) >= 2
    answered = [c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == 511][0].at
    assert actions[0].at < answered


async def test_advisor_relay_to_a_user_chat_named_by_the_core(fake_api: FakeBotApi, db_path: Path) -> None:
    user = ConversationKey("telegram", "512")
    core = RecordingDialogue(
        lambda m: [Reply(f"Advisor: {m.text}", to=user)] if m.chat_id == "-100500" else []
    )
    async with running_bot(fake_api, core, db_path, advisors_chat_id="-100500"):
        fake_api.message(-100500, "Dzień dobry, pomogę.", user_id=900, chat_type="supergroup")
        await fake_api.wait_for(lambda: len(fake_api.messages(512)) == 1)
    assert fake_api.texts(512) == ["Advisor: Dzień dobry, pomogę."]
